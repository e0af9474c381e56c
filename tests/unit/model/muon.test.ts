import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { BackendError } from '../../../src/model/backend.ts';
import { initBackend } from '../../../src/model/backend-node.ts';
import { modelConfig, type ModelConfig } from '../../../src/model/config.ts';
import { CharTokenizer } from '../../../src/model/tokenizer.ts';
import { Transformer } from '../../../src/model/transformer.ts';
import { AdamW, OptimizerError } from '../../../src/model/optim.ts';
import { Muon, muonBlocks, newtonSchulz5, NS_COEFFS } from '../../../src/model/muon.ts';
import { Trainer, TrainError, type CeBatch } from '../../../src/model/train.ts';
import { captureCheckpoint, CheckpointError, restoreCheckpoint } from '../../../src/model/checkpoint.ts';
import { loadCheckpointDir } from '../../../src/model/checkpoint-node.ts';
import { DEFAULT_CONFIG } from '../../../src/core/config.ts';
import { Rng } from '../../../src/core/rng.ts';
import { TransformerPolicy } from '../../../src/selfplay/policy.ts';

const tok = new CharTokenizer(['<pad>', '<bos>', '<eos>']);

function small(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return modelConfig('tiny', tok.vocabSize, { nLayer: 1, nHead: 2, dModel: 16, dMlp: 32, contextLength: 16, ...overrides });
}

beforeAll(async () => {
  await initBackend('cpu');
});

// ---------------------------------------------------------------------------------
// Plain-JS (Float64) references.

type Mat = Float64Array[]; // rows

function randn(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.float());
}

function randMat(rng: Rng, r: number, c: number, std = 1): Mat {
  return Array.from({ length: r }, () => Float64Array.from({ length: c }, () => randn(rng) * std));
}

const T = (a: Mat): Mat => Array.from({ length: a[0].length }, (_, j) => Float64Array.from(a, (row) => row[j]));

function mm(a: Mat, b: Mat): Mat {
  const n = b[0].length;
  return a.map((row) => {
    const out = new Float64Array(n);
    row.forEach((x, k) => {
      for (let j = 0; j < n; j++) out[j] += x * b[k][j];
    });
    return out;
  });
}

const lin = (a: Mat, s: number, b?: Mat, t = 0): Mat => a.map((row, i) => row.map((x, j) => s * x + (b ? t * b[i][j] : 0)));

/** The quintic Newton–Schulz iteration, as in Keller Jordan's Muon, in float64. */
function refNewtonSchulz(G: Mat): Mat {
  const [a, b, c] = NS_COEFFS;
  const tall = G.length > G[0].length;
  let X = tall ? T(G) : G;
  const norm = Math.sqrt(X.reduce((s, row) => s + row.reduce((t, x) => t + x * x, 0), 0));
  X = lin(X, 1 / (norm + 1e-7));
  for (let i = 0; i < 5; i++) {
    const A = mm(X, T(X));
    const B = lin(A, b, mm(A, A), c);
    X = lin(X, a, mm(B, X), 1);
  }
  return tall ? T(X) : X;
}

/** Eigenvalues of a small symmetric matrix (cyclic Jacobi). */
function symEigen(S: Mat): number[] {
  const n = S.length;
  const A = S.map((r) => Float64Array.from(r));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p][q] ** 2;
    if (off < 1e-20) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(A[p][q]) < 1e-300) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return A.map((r, i) => r[i]);
}

/** Singular values of a matrix: square roots of the eigenvalues of its small Gram side. */
function singularValues(M: Mat): number[] {
  const G = M.length <= M[0].length ? mm(M, T(M)) : mm(T(M), M);
  return symEigen(G).map((e) => Math.sqrt(Math.max(0, e)));
}

const toTensor = (a: Mat) => tf.tensor2d(a.map((r) => Array.from(r)));

async function toMat(t: tf.Tensor): Promise<Mat> {
  const [r, c] = t.shape as [number, number];
  const d = (await t.data()) as Float32Array;
  return Array.from({ length: r }, (_, i) => Float64Array.from(d.subarray(i * c, (i + 1) * c)));
}

function maxAbsDiff(a: Mat, b: Mat): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((x, j) => (m = Math.max(m, Math.abs(x - b[i][j])))));
  return m;
}

// ---------------------------------------------------------------------------------

describe('newtonSchulz5', () => {
  test.each([
    ['square', 8, 8],
    ['wide', 6, 10],
    ['tall', 12, 5],
  ])('%s [%i, %i] equals the float64 reference', async (_, r, c) => {
    const G = randMat(new Rng(r * 100 + c), r, c);
    const O = tf.tidy(() => newtonSchulz5(toTensor(G)));
    expect(O.shape).toEqual([r, c]);
    const got = await toMat(O);
    O.dispose();
    expect(maxAbsDiff(got, refNewtonSchulz(G))).toBeLessThan(1e-4);
  });

  test('a batch [n, r, c] equals each matrix done alone', async () => {
    const mats = [0, 1, 2].map((i) => randMat(new Rng(7 + i), 4, 7));
    const O = tf.tidy(() => newtonSchulz5(tf.stack(mats.map(toTensor))));
    const parts = tf.unstack(O);
    for (const [i, p] of parts.entries()) expect(maxAbsDiff(await toMat(p), refNewtonSchulz(mats[i]))).toBeLessThan(1e-4);
    tf.dispose([O, ...parts]);
  });

  test.each([
    ['wide', 8, 32],
    ['tall', 32, 8],
  ])('%s [%i, %i]: the output is near-orthogonal (every singular value in [0.5, 1.5])', async (_, r, c) => {
    const G = randMat(new Rng(r + c), r, c);
    const before = singularValues(G);
    const O = tf.tidy(() => newtonSchulz5(toTensor(G)));
    const after = singularValues(await toMat(O));
    O.dispose();
    // The input's spread is wide (a Gaussian matrix of aspect 4: max/min ≈ 3)…
    expect(Math.max(...before) / Math.min(...before)).toBeGreaterThan(2);
    // …the output's lies in the quintic's band around 1.
    expect(after).toHaveLength(8);
    for (const s of after) {
      expect(s).toBeGreaterThan(0.5);
      expect(s).toBeLessThan(1.5);
    }
  });
});

describe('which parameters Muon updates', () => {
  test('the tiny config: the blocks\' four weight matrices (q/k/v as three), nothing else', () => {
    const model = new Transformer(modelConfig('tiny', tok.vocabSize, { contextLength: 32 }), 1);
    const opt = new Muon(model.namedVariables(), { lr: 1e-3, betas: [0.9, 0.95], weightDecay: 0, eps: 1e-8, gradClip: 1 });
    try {
      const expected = [0, 1, 2].flatMap((i) => [`h.${i}.attn.wqkv`, `h.${i}.attn.wo`, `h.${i}.mlp.wfc`, `h.${i}.mlp.wproj`]);
      expect(opt.matrices).toEqual(expected);
      const vars = model.namedVariables();
      expect(muonBlocks('h.0.attn.wqkv', vars.get('h.0.attn.wqkv')!)).toBe(3);
      for (const name of ['wte', 'wpe', 'lnf.g', 'h.0.ln1.g', 'h.0.ln1.b', 'h.0.attn.bqkv', 'h.0.mlp.bfc']) {
        expect(muonBlocks(name, vars.get(name)!), name).toBe(0);
      }
      // State: momentum for the matrices, AdamW moments for the rest, never both.
      const names = [...opt.state().tensors.keys()];
      for (const name of vars.keys()) {
        const isMuon = expected.includes(name);
        expect(names.includes(`mu.${name}`), name).toBe(isMuon);
        expect(names.includes(`m.${name}`), name).toBe(!isMuon);
        expect(names.includes(`v.${name}`), name).toBe(!isMuon);
      }
      expect(opt.state().kind).toBe('muon');
    } finally {
      opt.dispose();
      model.dispose();
    }
  });
});

describe('one Muon step against a float64 reference', () => {
  test('q/k/v blocks, a tall matrix and a LayerNorm gain, over two steps, with decay and clipping', async () => {
    const model = new Transformer(small(), 3);
    const vars = model.namedVariables();
    const lr = 0.05;
    const wd = 0.1;
    const clip = 0.5;
    const mu = 0.95;
    const [b1, b2] = [0.9, 0.95];
    const eps = 1e-8;
    const opt = new Muon(vars, { lr, betas: [b1, b2], weightDecay: wd, eps, gradClip: clip, momentum: mu });
    const rng = new Rng(42);
    // Synthetic gradients for every parameter (two steps), kept on the host in float64.
    const hostGrads = [0, 1].map(() => new Map([...vars].map(([name, v]) => [name, Float64Array.from({ length: v.size }, () => randn(rng) * 0.05)])));
    const initial = new Map<string, Float64Array>();
    for (const [name, v] of vars) initial.set(name, Float64Array.from((await v.data()) as Float32Array));

    // Reference state.
    const watched = ['h.0.attn.wqkv', 'h.0.mlp.wproj'];
    const W = new Map(watched.map((n) => [n, initial.get(n)!.slice()]));
    const B = new Map(watched.map((n) => [n, new Float64Array(initial.get(n)!.length)]));
    const gain = 'h.0.ln1.g';
    const g0 = initial.get(gain)!.slice();
    const m = new Float64Array(g0.length);
    const v = new Float64Array(g0.length);
    const norms: number[] = [];

    for (const [step, grads] of hostGrads.entries()) {
      const norm = Math.sqrt([...grads.values()].reduce((s, g) => s + g.reduce((t, x) => t + x * x, 0), 0));
      norms.push(norm);
      const scale = Math.min(1, clip / (norm + 1e-6));
      for (const name of watched) {
        const [r, c] = vars.get(name)!.shape as [number, number];
        const g = grads.get(name)!.map((x) => x * scale);
        const buf = B.get(name)!;
        for (let i = 0; i < buf.length; i++) buf[i] = mu * buf[i] + g[i];
        const u = g.map((x, i) => x + mu * buf[i]);
        const k = name.endsWith('wqkv') ? 3 : 1;
        const w = W.get(name)!;
        const bc = c / k;
        for (let part = 0; part < k; part++) {
          const U: Mat = Array.from({ length: r }, (_, i) => Float64Array.from({ length: bc }, (_, j) => u[i * c + part * bc + j]));
          const O = refNewtonSchulz(U);
          const s = lr * 0.2 * Math.sqrt(Math.max(r, bc));
          for (let i = 0; i < r; i++) {
            for (let j = 0; j < bc; j++) {
              const idx = i * c + part * bc + j;
              w[idx] = w[idx] * (1 - lr * wd) - s * O[i][j];
            }
          }
        }
      }
      // The gain: AdamW without decay (rank 1), bias-corrected.
      const t = step + 1;
      const gg = grads.get(gain)!;
      for (let i = 0; i < g0.length; i++) {
        const x = gg[i] * scale;
        m[i] = b1 * m[i] + (1 - b1) * x;
        v[i] = b2 * v[i] + (1 - b2) * x * x;
        g0[i] -= (lr * (m[i] / (1 - b1 ** t))) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
      }
      const gradMap = new Map([...grads].map(([name, g]) => [name, tf.tensor(Float32Array.from(g), vars.get(name)!.shape)]));
      const normT = opt.apply(gradMap);
      expect((await normT.data())[0]).toBeCloseTo(norm, 4);
      normT.dispose();
      tf.dispose([...gradMap.values()]);
    }
    // Clipping was in force on both steps (otherwise this test would not test it).
    for (const n of norms) expect(n).toBeGreaterThan(clip * 2);
    expect(opt.step).toBe(2);

    for (const name of watched) {
      const got = (await vars.get(name)!.data()) as Float32Array;
      const want = W.get(name)!;
      const init = initial.get(name)!;
      let moved = 0;
      let err = 0;
      for (let i = 0; i < got.length; i++) {
        moved = Math.max(moved, Math.abs(want[i] - init[i]));
        err = Math.max(err, Math.abs(got[i] - want[i]));
      }
      expect(moved, name).toBeGreaterThan(1e-3);
      expect(err, name).toBeLessThan(1e-5);
    }
    const gotGain = (await vars.get(gain)!.data()) as Float32Array;
    for (let i = 0; i < g0.length; i++) expect(gotGain[i]).toBeCloseTo(g0[i], 5);
    // And the momentum buffer itself is B after two steps.
    const buf = (await opt.state().tensors.get('mu.h.0.mlp.wproj')!.data()) as Float32Array;
    const wantBuf = B.get('h.0.mlp.wproj')!;
    for (let i = 0; i < buf.length; i++) expect(buf[i]).toBeCloseTo(wantBuf[i], 6);
    opt.dispose();
    model.dispose();
  });

  test('a parameter without a gradient is left as it is; an unknown name is refused', async () => {
    const model = new Transformer(small(), 4);
    const vars = model.namedVariables();
    const opt = new Muon(vars, { lr: 0.1, betas: [0.9, 0.95], weightDecay: 0.1, eps: 1e-8, gradClip: 1 });
    const before = (await vars.get('h.0.attn.wo')!.data()).slice();
    const g = tf.onesLike(vars.get('h.0.mlp.wfc')!);
    tf.dispose(opt.apply(new Map([['h.0.mlp.wfc', g]])));
    expect(Array.from((await vars.get('h.0.attn.wo')!.data()) as Float32Array)).toEqual(Array.from(before));
    expect(() => opt.apply(new Map([['nope', g]]))).toThrow(OptimizerError);
    g.dispose();
    opt.dispose();
    model.dispose();
  });
});

// ---------------------------------------------------------------------------------
// Through the Trainer.

const texts = ['<bos>ab=ba<eos>', '<bos>cd=dc<eos>', '<bos>xy=yx<eos>', '<bos>pq=qp<eos>', '<bos>12=21<eos>', '<bos>78=87<eos>', '<bos>mn=nm<eos>', '<bos>uv=vu<eos>'];
const batch: CeBatch = { sequences: texts.map((t) => tok.encode(t)) };

describe('Trainer with optimizer "muon"', () => {
  test('memorises 8 short sequences: the loss falls well below where it started', async () => {
    const losses: Record<string, number[]> = {};
    for (const optimizer of ['muon', 'adamw'] as const) {
      const model = new Transformer(small({ dModel: 32, dMlp: 128, nHead: 4 }), 5);
      const trainer = new Trainer(model, { optimizer, lr: 1e-2, weightDecay: 0 });
      const l: number[] = [];
      for (let i = 0; i < 40; i++) l.push((await trainer.ceStep(batch)).loss);
      losses[optimizer] = l;
      trainer.dispose();
      model.dispose();
    }
    const [first, last] = [losses.muon[0], losses.muon.at(-1)!];
    // A measurement, not an assertion: the two optimizers at the same lr and step count.
    // (The floor is ≈0.35: the first character after <bos> is one of 8.)
    const at = (l: number[]) => [0, 10, 20, 39].map((i) => l[i].toFixed(3)).join(' → ');
    console.log(`memorise 8 sequences, lr 1e-2, loss at steps 1/11/21/40: muon ${at(losses.muon)}; adamw ${at(losses.adamw)}`);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first * 0.5);
  });

  test('no tensor leaks over several steps; lr is settable for schedules', async () => {
    const model = new Transformer(small(), 6);
    const trainer = new Trainer(model, { optimizer: 'muon', lr: 1e-3, microBatch: 3 });
    expect(trainer.optimizer.kind).toBe('muon');
    await trainer.ceStep(batch);
    const n = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) {
      trainer.lr = 1e-3 * (i + 1);
      await trainer.ceStep(batch);
      expect(tf.memory().numTensors).toBe(n);
    }
    expect(trainer.optimizer.opts.lr).toBe(4e-3);
    expect(trainer.optimizerState().step).toBe(5);
    trainer.dispose();
    model.dispose();
  });

  test('the default is still AdamW; an unknown optimizer is a TrainError', () => {
    const model = new Transformer(small(), 7);
    const trainer = new Trainer(model);
    expect(trainer.optimizer).toBeInstanceOf(AdamW);
    trainer.dispose();
    expect(() => new Trainer(model, { optimizer: 'sgd' as 'adamw' })).toThrow(TrainError);
    model.dispose();
  });

  test('state round-trips through a checkpoint: the next step equals never stopping', async () => {
    const src = new Transformer(small(), 8);
    const dst = new Transformer(small(), 9);
    const tSrc = new Trainer(src, { optimizer: 'muon', lr: 1e-2 });
    const tDst = new Trainer(dst, { optimizer: 'muon', lr: 1e-2 });
    try {
      await tSrc.ceStep(batch);
      await tSrc.ceStep(batch);
      const files = await captureCheckpoint({ model: src.config, tokenizer: tok, variables: src.namedVariables(), optimizer: tSrc.optimizerState() });
      const r = restoreCheckpoint(files, { model: dst.config, variables: dst.namedVariables(), trainer: tDst });
      expect(r.optimizerRestored).toBe(true);
      expect(r.optimizer!.meta).toEqual({ kind: 'muon', step: '2' });
      expect(tDst.optimizerState().step).toBe(2);
      await tSrc.ceStep(batch);
      await tDst.ceStep(batch);
      for (const [name, v] of src.namedVariables()) {
        expect(Array.from((await dst.namedVariables().get(name)!.data()) as Float32Array), name).toEqual(Array.from((await v.data()) as Float32Array));
      }
      for (const [name, t] of tSrc.optimizerState().tensors) {
        expect(Array.from((await tDst.optimizerState().tensors.get(name)!.data()) as Float32Array), name).toEqual(Array.from((await t.data()) as Float32Array));
      }
    } finally {
      tSrc.dispose();
      tDst.dispose();
      src.dispose();
      dst.dispose();
    }
  });

  test('AdamW and Muon states refuse each other, by loadState and by checkpoint, changing nothing', async () => {
    const a = new Transformer(small(), 10);
    const b = new Transformer(small(), 11);
    const tAdam = new Trainer(a, { lr: 1e-2 });
    const tMuon = new Trainer(b, { optimizer: 'muon', lr: 1e-2 });
    try {
      await tAdam.ceStep(batch);
      await tMuon.ceStep(batch);
      expect(() => tMuon.loadOptimizerState(tAdam.optimizerState())).toThrow(OptimizerError);
      expect(() => tMuon.loadOptimizerState(tAdam.optimizerState())).toThrow(/saved by AdamW; this trainer uses Muon/);
      expect(() => tAdam.loadOptimizerState(tMuon.optimizerState())).toThrow(/saved by Muon; this trainer uses AdamW/);
      // Without the recorded kind, the tensor names alone give a Muon state away.
      expect(() => tAdam.loadOptimizerState({ step: 1, tensors: tMuon.optimizerState().tensors })).toThrow(OptimizerError);
      expect(tAdam.optimizerState().step).toBe(1);
      expect(tMuon.optimizerState().step).toBe(1);

      const weightsOf = async (m: Transformer) => Promise.all([...m.namedVariables().values()].map(async (v) => Array.from((await v.data()) as Float32Array)));
      const beforeB = await weightsOf(b);
      const adamFiles = await captureCheckpoint({ model: a.config, tokenizer: tok, variables: a.namedVariables(), optimizer: tAdam.optimizerState() });
      expect(() => restoreCheckpoint(adamFiles, { model: b.config, variables: b.namedVariables(), trainer: tMuon })).toThrow(CheckpointError);
      expect(() => restoreCheckpoint(adamFiles, { model: b.config, variables: b.namedVariables(), trainer: tMuon })).toThrow(/holds adamw state; this trainer's optimizer is muon/);
      expect(await weightsOf(b)).toEqual(beforeB);
      const muonFiles = await captureCheckpoint({ model: b.config, tokenizer: tok, variables: b.namedVariables(), optimizer: tMuon.optimizerState() });
      expect(() => restoreCheckpoint(muonFiles, { model: a.config, variables: a.namedVariables(), trainer: tAdam })).toThrow(/holds muon state; this trainer's optimizer is adamw/);
    } finally {
      tAdam.dispose();
      tMuon.dispose();
      a.dispose();
      b.dispose();
    }
  });
});

describe('Muon on wasm and webgpu matches cpu', () => {
  /** Three Muon steps from the same weights: the weights after, and tensors leaked. */
  async function run(): Promise<{ weights: Map<string, Float32Array>; leaked: number }> {
    const m = new Transformer(small({ nLayer: 2, initStd: 0.3 }), 12);
    // adamLr 0: the AdamW half's kernels run but move nothing. Its steps are compared across
    // backends in webgpu.test.ts; here they would blur the comparison, since the key bias has
    // an analytically zero gradient (softmax ignores a shift) that AdamW turns from float
    // noise into ±lr steps, different on every backend.
    const t = new Trainer(m, { optimizer: 'muon', lr: 1e-2, weightDecay: 0.1, adamLr: 0 });
    await t.ceStep(batch);
    const n = tf.memory().numTensors;
    await t.ceStep(batch);
    await t.ceStep(batch);
    const leaked = tf.memory().numTensors - n;
    const weights = new Map<string, Float32Array>();
    for (const [name, v] of m.namedVariables()) weights.set(name, (await v.data()) as Float32Array);
    t.dispose();
    m.dispose();
    return { weights, leaked };
  }

  test.for(['wasm', 'webgpu'] as const)('%s', async (backend, ctx) => {
    await initBackend('cpu');
    const cpu = await run();
    try {
      await initBackend(backend);
    } catch (e) {
      if (e instanceof BackendError && /no adapter/.test(e.message)) ctx.skip(`Dawn found no WebGPU adapter here: ${e.message}`);
      throw e;
    }
    let other: Awaited<ReturnType<typeof run>>;
    try {
      other = await run();
    } finally {
      await initBackend('cpu');
    }
    expect(other.leaked).toBe(0);
    // Weights of order 0.3, float32 on both sides with different kernels: a few 1e-6 apart.
    let moved = 0;
    for (const [name, c] of cpu.weights) {
      const g = other.weights.get(name)!;
      let d = 0;
      for (let i = 0; i < c.length; i++) d = Math.max(d, Math.abs(g[i] - c[i]));
      expect(d, name).toBeLessThan(1e-4);
    }
    // The Muon matrices did move (by far more than the tolerance).
    const m = new Transformer(small({ nLayer: 2, initStd: 0.3 }), 12);
    for (const [name, v] of m.namedVariables()) {
      const w = (await v.data()) as Float32Array;
      const c = cpu.weights.get(name)!;
      for (let i = 0; i < c.length; i++) moved = Math.max(moved, Math.abs(w[i] - c[i]));
    }
    m.dispose();
    expect(moved).toBeGreaterThan(1e-2);
  });
});

describe('the self-play policy passes the choice through', () => {
  let policy: TransformerPolicy | null = null;
  afterAll(() => policy?.dispose());

  test('TransformerPolicy.fromCheckpoint(base, {..., optimizer: "muon"}) trains with Muon', async () => {
    const { files } = await loadCheckpointDir(join(import.meta.dirname, '../../../public/checkpoints/base'));
    policy = TransformerPolicy.fromCheckpoint(files, { ...DEFAULT_CONFIG, optimizer: 'muon' });
    expect(policy.trainer.optimizer.kind).toBe('muon');
    expect(policy.trainer.optimizer).toBeInstanceOf(Muon);
    const plain = TransformerPolicy.fromCheckpoint(files, DEFAULT_CONFIG);
    expect(plain.trainer.optimizer.kind).toBe('adamw');
    plain.dispose();
  });
});
