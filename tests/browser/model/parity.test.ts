// WebGPU parity in a real browser (Chromium, SwiftShader's WebGPU here): the policy's
// forward pass, its cross-entropy loss and the gradient of that loss with respect to
// every variable must agree with tfjs's cpu backend, the reference; and the KV-cache
// forward must reproduce full-recompute logits on WebGPU too.
//
// Tolerances. Both backends compute in float32 (unit roundoff u ≈ 6e-8) but not in the
// same order: WebGPU's matMul tiles its reductions, its exp/tanh/rsqrt are the shader
// library's. A length-K reduction then differs by ~sqrt(K)·u relative to the size of
// its terms; the longest reductions here are K = dMlp = 320 (MLP), B·T ≈ 60 (weight
// gradients) and V ≈ 100 (softmax), giving ~1e-6, and a dozen chained layers can grow
// that to ~1e-5. So we require
//   |webgpu − cpu| ≤ 1e-4 · max|cpu|  (per tensor: logits, loss, each gradient),
// a 10× margin over the expected drift (measured on SwiftShader: ≤ 3e-7 for logits,
// ≤ 1e-6 for every gradient), while a real defect (a wrong mask, position, kernel or
// missing gradient term) changes values by a large fraction of their size (≥ 1e-2
// relative; the mask check below shows one) and fails by orders of magnitude. The
// measured errors are printed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/model/backend.ts';
import { modelConfig, type ModelConfig } from '../../../src/model/config.ts';
import { CharTokenizer } from '../../../src/model/tokenizer.ts';
import { Transformer } from '../../../src/model/transformer.ts';
import { ceLoss, packCe } from '../../../src/model/train.ts';

const REL_TOL = 1e-4;

const tokenizer = new CharTokenizer(['<pad>', '<bos>', '<eos>']);
const TEXTS = ['<bos>function f(a) { return a + 1; }<eos>', '<bos>f(3) = 4<eos>', '<bos>"Hello world".split("")<eos>'];
const SEQS = TEXTS.map((t) => tokenizer.encode(t));

function cfgFor(positions: ModelConfig['positions']): ModelConfig {
  return modelConfig('tiny', tokenizer.vocabSize, { nLayer: 2, contextLength: 48, positions });
}

interface Run {
  logits: Float32Array;
  loss: number;
  grads: Map<string, Float32Array>;
}

/** Left-padded batch of the sequences: tokens [B, T] and each row's padding. */
function leftPadded(seqs: number[][]): { data: Int32Array; B: number; T: number; pad: number[] } {
  const T = Math.max(...seqs.map((s) => s.length));
  const data = new Int32Array(seqs.length * T);
  const pad = seqs.map((s) => T - s.length);
  seqs.forEach((s, b) => data.set(s, b * T + pad[b]));
  return { data, B: seqs.length, T, pad };
}

/** Forward (left-padded, so the key mask is exercised), CE loss and every gradient on one backend. */
async function forwardBackward(backend: 'cpu' | 'webgpu', cfg: ModelConfig): Promise<Run> {
  await initBackend(backend);
  const model = new Transformer(cfg, 7); // host-side seeded init: identical weights on both backends
  try {
    const { data, B, T, pad } = leftPadded(SEQS);
    const tokens = tf.tensor2d(data, [B, T], 'int32');
    const logitsT = model.logits(tokens, pad);
    const logits = (await logitsT.data()) as Float32Array;
    tf.dispose([tokens, logitsT]);

    const packed = packCe(model, { sequences: SEQS });
    const total = packed.weights.reduce((s, w) => s + w, 0);
    const vars = model.namedVariables();
    const byTfName = new Map([...vars].map(([name, v]) => [v.name, name]));
    const { value, grads } = tf.variableGrads(() => ceLoss(model, packed, total), [...vars.values()]);
    const out = new Map<string, Float32Array>();
    for (const [tfName, g] of Object.entries(grads)) out.set(byTfName.get(tfName)!, (await g.data()) as Float32Array);
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    return { logits, loss, grads: out };
  } finally {
    model.dispose();
  }
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** max|a − b| / max|ref|: the error relative to the tensor's scale. */
function relErr(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(got.length).toBe(ref.length);
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    if (!(d <= m)) m = d; // NaN propagates as a failure
  }
  return m / Math.max(maxAbs(ref), 1e-30);
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['learned', 'rotary'] as const)('webgpu matches cpu (%s positions)', (positions) => {
  let cpu: Run;
  let gpu: Run;
  beforeAll(async () => {
    cpu = await forwardBackward('cpu', cfgFor(positions));
    gpu = await forwardBackward('webgpu', cfgFor(positions));
  });

  test('logits of a left-padded batch', () => {
    const e = relErr(gpu.logits, cpu.logits);
    console.log(`[parity ${positions}] logits rel err ${e.toExponential(2)} (scale ${maxAbs(cpu.logits).toFixed(3)})`);
    expect(e).toBeLessThan(REL_TOL);
  });

  test('the tolerance has teeth: forgetting the pad mask is caught', async () => {
    await initBackend('cpu');
    const model = new Transformer(cfgFor(positions), 7);
    const { data, B, T } = leftPadded(SEQS);
    const tokens = tf.tensor2d(data, [B, T], 'int32');
    const unmasked = model.logits(tokens); // pads attended to, positions counted from the pad
    const wrong = (await unmasked.data()) as Float32Array;
    tf.dispose([tokens, unmasked]);
    model.dispose();
    expect(relErr(wrong, cpu.logits)).toBeGreaterThan(100 * REL_TOL);
  });

  test('cross-entropy loss', () => {
    expect(Number.isFinite(cpu.loss) && cpu.loss > 0).toBe(true);
    const e = Math.abs(gpu.loss - cpu.loss) / cpu.loss;
    console.log(`[parity ${positions}] loss cpu ${cpu.loss} webgpu ${gpu.loss} rel err ${e.toExponential(2)}`);
    expect(e).toBeLessThan(REL_TOL);
  });

  test('the gradient with respect to every variable', () => {
    const names = [...cpu.grads.keys()];
    expect([...gpu.grads.keys()].sort()).toEqual([...names].sort());
    // Every variable gets a gradient (the tied output embedding, positions, LayerNorms…).
    const model = new Transformer(cfgFor(positions), 7);
    expect(names.sort()).toEqual([...model.namedVariables().keys()].sort());
    model.dispose();
    let worst = { name: '', e: 0 };
    for (const name of names) {
      const ref = cpu.grads.get(name)!;
      expect(maxAbs(ref), `gradient of ${name} is all zeros on cpu`).toBeGreaterThan(0);
      const e = relErr(gpu.grads.get(name)!, ref);
      if (!(e <= worst.e)) worst = { name, e };
      expect(e, `gradient of ${name}`).toBeLessThan(REL_TOL);
    }
    console.log(`[parity ${positions}] ${names.length} gradients, worst rel err ${worst.e.toExponential(2)} (${worst.name})`);
  });
});

describe('KV cache on webgpu', () => {
  beforeAll(async () => {
    expect((await initBackend('webgpu')).name).toBe('webgpu');
  });

  test.each(['learned', 'rotary'] as const)('incremental logits equal full recompute (%s positions), no tensor leaked', async (positions) => {
    const model = new Transformer(cfgFor(positions), 11);
    try {
      const { data, B, T, pad } = leftPadded(SEQS);
      const full = model.logits(tf.tensor2d(data, [B, T], 'int32'), pad);
      const ref = (await full.data()) as Float32Array;
      full.dispose();
      const V = model.config.vocabSize;
      const n0 = tf.memory().numTensors;
      // Prefill the first P columns in one block, then one token per call.
      const P = 12;
      const cache = model.createCache(pad);
      const got = new Float32Array(B * T * V);
      const put = (vals: Float32Array, start: number, S: number) => {
        for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) got.set(vals.subarray((b * S + s) * V, (b * S + s + 1) * V), (b * T + start + s) * V);
      };
      const cols = (start: number, S: number) => {
        const out = new Int32Array(B * S);
        for (let b = 0; b < B; b++) out.set(data.subarray(b * T + start, b * T + start + S), b * S);
        return tf.tensor2d(out, [B, S], 'int32');
      };
      let input = cols(0, P);
      let out = model.forwardCached(input, cache);
      put((await out.data()) as Float32Array, 0, P);
      tf.dispose([input, out]);
      for (let t = P; t < T; t++) {
        input = cols(t, 1);
        out = model.forwardCached(input, cache);
        put((await out.data()) as Float32Array, t, 1);
        tf.dispose([input, out]);
      }
      expect(cache.length).toBe(T);
      cache.dispose();
      expect(tf.memory().numTensors, 'tensors left after the cached decode').toBe(n0);
      // Rows' padded positions give logits too, but nothing reads them: compare real tokens only.
      const real: number[] = [];
      const realRef: number[] = [];
      for (let b = 0; b < B; b++) {
        for (let t = pad[b]; t < T; t++) {
          for (let v = 0; v < V; v++) {
            real.push(got[(b * T + t) * V + v]);
            realRef.push(ref[(b * T + t) * V + v]);
          }
        }
      }
      const e = relErr(real, realRef);
      console.log(`[kv ${positions}] cached vs full logits rel err ${e.toExponential(2)} over ${real.length / V} positions`);
      expect(e).toBeLessThan(REL_TOL);
    } finally {
      model.dispose();
    }
  });

  test('a forward and backward step leaks no tensor on webgpu', async () => {
    const model = new Transformer(cfgFor('learned'), 3);
    try {
      const packed = packCe(model, { sequences: SEQS });
      const vars = [...model.namedVariables().values()];
      const step = async () => {
        const { value, grads } = tf.variableGrads(() => ceLoss(model, packed, 10), vars);
        await value.data();
        tf.dispose([value, ...Object.values(grads)]);
      };
      await step();
      const n0 = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await step();
      expect(tf.memory().numTensors).toBe(n0);
    } finally {
      model.dispose();
    }
  });
});
