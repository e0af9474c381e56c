import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/model/backend-node.ts';
import { modelConfig, type ModelConfig } from '../../../src/model/config.ts';
import { CharTokenizer } from '../../../src/model/tokenizer.ts';
import { Transformer } from '../../../src/model/transformer.ts';
import { generate } from '../../../src/model/sampler.ts';
import { AdamW, OptimizerError } from '../../../src/model/optim.ts';
import { ceLoss, packCe, packPg, pgLoss, responseLogprobs, TrainError, Trainer, type PgBatch } from '../../../src/model/train.ts';

const tok = new CharTokenizer(['<pad>', '<bos>', '<eos>']);
const BOS = tok.id('<bos>');
const EOS = tok.id('<eos>');

function cfg(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return modelConfig('tiny', tok.vocabSize, { nLayer: 2, nHead: 2, dModel: 32, dMlp: 64, contextLength: 24, ...overrides });
}

beforeAll(async () => {
  await initBackend('cpu');
});

async function weights(m: Transformer): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of m.namedVariables()) out.set(name, (await v.data()) as Float32Array);
  return out;
}

function maxDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let d = 0;
  for (const [name, x] of a) {
    const y = b.get(name)!;
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  }
  return d;
}

/** Host (float64) reference of the PPO-clip loss and statistics from the model's logits. */
async function hostPpo(m: Transformer, batch: PgBatch, clipEps: number, entropyCoef: number, klCoef: number) {
  const V = m.config.vocabSize;
  let N = 0;
  let loss = 0;
  let clipped = 0;
  let entropy = 0;
  let kl = 0;
  let refKl = 0;
  for (let b = 0; b < batch.sequences.length; b++) {
    const s = batch.sequences[b];
    const t = tf.tensor2d([s.slice(0, -1)], [1, s.length - 1], 'int32');
    const lg = m.logits(t);
    const z = await lg.data();
    tf.dispose([t, lg]);
    for (let j = batch.promptLengths[b]; j < s.length; j++) {
      const row = Array.from(z.subarray((j - 1) * V, j * V));
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
      const logp = row[s[j]] - lse;
      const H = -row.reduce((a, x) => a + Math.exp(x - lse) * (x - lse), 0);
      const lr = logp - batch.oldLogprobs[b][j - batch.promptLengths[b]];
      const r = Math.exp(lr);
      const A = batch.advantages[b];
      loss += -Math.min(r * A, Math.min(Math.max(r, 1 - clipEps), 1 + clipEps) * A);
      clipped += Math.abs(r - 1) > clipEps ? 1 : 0;
      entropy += H;
      kl += r - 1 - lr;
      const d = batch.refLogprobs![b][j - batch.promptLengths[b]] - logp;
      refKl += (batch.klWeights?.[b] ?? 1) * (Math.exp(d) - d - 1);
      N++;
    }
  }
  return {
    loss: loss / N - (entropyCoef * entropy) / N + (klCoef * refKl) / N,
    clipFrac: clipped / N,
    entropy: entropy / N,
    approxKl: kl / N,
    refKl: refKl / N,
    N,
  };
}

describe('losses', () => {
  const SEQS = [tok.encode('<bos>f(1)=2<eos>'), tok.encode('<bos>ab<eos>'), tok.encode('<bos>x=>x*3<eos>')];

  test('PPO-clip loss (entropy bonus, KL penalty), clip fraction, entropy and both KLs match a float64 host reference', async () => {
    const m = new Transformer(cfg({ initStd: 0.3 }), 1);
    const promptLengths = [5, 2, 3];
    const now = await responseLogprobs(m, SEQS, promptLengths);
    const batch: PgBatch = {
      sequences: SEQS,
      promptLengths,
      advantages: [0.9, -1.3, 0.2],
      oldLogprobs: now.map((r, b) => r.map((lp, k) => lp + [0.4, -0.1, 0, -0.6][(b + k) % 4])),
      refLogprobs: now.map((r, b) => r.map((lp, k) => Math.min(0, lp + [-0.3, 0.7, 0.1][(b + k) % 3]))),
    };
    const ref = await hostPpo(m, batch, 0.2, 0.05, 0.3);
    const p = packPg(m, batch, undefined, true);
    const parts = pgLoss(m, p, ref.N, 0.2, 0.05, 0.3);
    const all = [parts.loss, parts.clipped, parts.entropy, parts.kl, parts.refKl];
    const [loss, clipped, entropy, kl, refKl] = await Promise.all(all.map(async (t) => (await t.data())[0]));
    tf.dispose(all);
    expect(ref.clipFrac).toBeGreaterThan(0);
    expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-5);
    expect(clipped / ref.N).toBeCloseTo(ref.clipFrac, 10);
    expect(Math.abs(entropy / ref.N - ref.entropy)).toBeLessThan(1e-5);
    expect(Math.abs(kl / ref.N - ref.approxKl)).toBeLessThan(1e-6);
    expect(ref.refKl).toBeGreaterThan(0.01);
    expect(Math.abs(refKl / ref.N - ref.refKl)).toBeLessThan(1e-5);
    m.dispose();
  });

  test('klWeights scale each sequence\'s KL penalty (0 takes a sequence out of it) and match the host reference', async () => {
    const m = new Transformer(cfg({ initStd: 0.3 }), 3);
    const promptLengths = [5, 2, 3];
    const now = await responseLogprobs(m, SEQS, promptLengths);
    const base: PgBatch = {
      sequences: SEQS,
      promptLengths,
      advantages: [0.5, -0.8, 1.1],
      oldLogprobs: now.map((r, b) => r.map((lp, k) => lp + [0.2, -0.3, 0.05][(b + k) % 3])),
      refLogprobs: now.map((r, b) => r.map((lp, k) => Math.min(0, lp + [0.6, -0.4, 0.9][(b + k) % 3]))),
    };
    const lossOf = async (batch: PgBatch, klCoef: number) => {
      const ref = await hostPpo(m, batch, 0.2, 0, klCoef);
      const parts = pgLoss(m, packPg(m, batch, undefined, true), ref.N, 0.2, 0, klCoef);
      const [loss, refKl] = await Promise.all([parts.loss, parts.refKl].map(async (t) => (await t.data())[0]));
      tf.dispose([parts.loss, parts.clipped, parts.entropy, parts.kl, parts.refKl]);
      return { loss, refKl: refKl / ref.N, host: ref };
    };
    const none = await lossOf(base, 0);
    const all = await lossOf(base, 0.4);
    const ones = await lossOf({ ...base, klWeights: [1, 1, 1] }, 0.4);
    const zeros = await lossOf({ ...base, klWeights: [0, 0, 0] }, 0.4);
    const mixed = await lossOf({ ...base, klWeights: [1, 0, 2] }, 0.4);
    expect(all.refKl).toBeGreaterThan(0.01);
    expect(Math.abs(ones.loss - all.loss)).toBeLessThan(1e-6);
    expect(Math.abs(zeros.loss - none.loss)).toBeLessThan(1e-6);
    expect(zeros.refKl).toBe(0);
    expect(Math.abs(mixed.loss - mixed.host.loss)).toBeLessThan(1e-5);
    expect(Math.abs(mixed.refKl - mixed.host.refKl)).toBeLessThan(1e-5);
    expect(Math.abs(mixed.loss - all.loss)).toBeGreaterThan(1e-4);
    m.dispose();
  });

  test('cross-entropy is the weighted mean of −log p(target); lossMask weights tokens', async () => {
    const m = new Transformer(cfg({ initStd: 0.3 }), 2);
    const lp = await responseLogprobs(m, SEQS, [1, 1, 1]);
    const lossMask = SEQS.map((s) => s.map((_, j) => (j < 3 ? 0 : 2)));
    let num = 0;
    let den = 0;
    lp.forEach((row, b) => row.forEach((x, k) => ((num -= lossMask[b][k + 1] * x), (den += lossMask[b][k + 1]))));
    const p = packCe(m, { sequences: SEQS, lossMask });
    const l = ceLoss(m, p, den);
    expect(Math.abs((await l.data())[0] - num / den)).toBeLessThan(1e-5);
    l.dispose();
    m.dispose();
  });
});

describe('AdamW', () => {
  test('two steps match the update rule by hand: decoupled decay on matrices only, bias correction', async () => {
    const w = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.25]]), true, 'adamw-test-w');
    const g = tf.variable(tf.tensor1d([1, -2]), true, 'adamw-test-g');
    const params = new Map<string, tf.Variable>([['w', w], ['g', g]]);
    const opts = { lr: 0.1, betas: [0.9, 0.99] as [number, number], weightDecay: 0.5, eps: 1e-8, gradClip: 0 };
    const opt = new AdamW(params, opts);
    const grads = [
      { w: [0.1, -0.2, 0.3, 0.0], g: [1, -1] },
      { w: [-0.3, 0.1, 0.2, 0.5], g: [0.5, 2] },
    ];
    // Reference in float64.
    const ref = { w: [0.5, -1, 2, 0.25], g: [1, -2] };
    const mom = { w: { m: [0, 0, 0, 0], v: [0, 0, 0, 0] }, g: { m: [0, 0], v: [0, 0] } };
    for (let t = 1; t <= 2; t++) {
      const step = grads[t - 1];
      const gradT = new Map<string, tf.Tensor>([['w', tf.tensor2d(step.w, [2, 2])], ['g', tf.tensor1d(step.g)]]);
      const norm = opt.apply(gradT);
      tf.dispose([...gradT.values()]);
      const expectedNorm = Math.sqrt([...step.w, ...step.g].reduce((a, x) => a + x * x, 0));
      expect((await norm.data())[0]).toBeCloseTo(expectedNorm, 5);
      norm.dispose();
      for (const key of ['w', 'g'] as const) {
        const decay = key === 'w' ? opts.weightDecay : 0;
        for (let i = 0; i < ref[key].length; i++) {
          const gi = step[key][i];
          mom[key].m[i] = 0.9 * mom[key].m[i] + 0.1 * gi;
          mom[key].v[i] = 0.99 * mom[key].v[i] + 0.01 * gi * gi;
          const mh = mom[key].m[i] / (1 - 0.9 ** t);
          const vh = mom[key].v[i] / (1 - 0.99 ** t);
          ref[key][i] = ref[key][i] - opts.lr * decay * ref[key][i] - (opts.lr * mh) / (Math.sqrt(vh) + opts.eps);
        }
      }
    }
    const wv = await w.data();
    const gv = await g.data();
    for (let i = 0; i < 4; i++) expect(wv[i]).toBeCloseTo(ref.w[i], 5);
    for (let i = 0; i < 2; i++) expect(gv[i]).toBeCloseTo(ref.g[i], 5);
    expect(opt.step).toBe(2);
    opt.dispose();
    tf.dispose([w, g]);
  });

  test('grad-norm clipping scales the gradient the moments see; the reported norm is before clipping', async () => {
    const w = tf.variable(tf.tensor1d([0, 0]), true, 'adamw-clip-w');
    const opt = new AdamW(new Map([['w', w]]), { lr: 0.01, betas: [0.9, 0.999], weightDecay: 0, eps: 1e-8, gradClip: 1 });
    const grad = tf.tensor1d([6, 8]);
    const norm = opt.apply(new Map([['w', grad]]));
    expect((await norm.data())[0]).toBeCloseTo(10, 5);
    const m = await opt.state().tensors.get('m.w')!.data();
    // m = (1 − β1)·g·(clip / ‖g‖)
    expect(m[0]).toBeCloseTo(0.1 * 0.6, 5);
    expect(m[1]).toBeCloseTo(0.1 * 0.8, 5);
    tf.dispose([norm, grad, w]);
    opt.dispose();
  });

  test('state round trip and named errors', () => {
    const w = tf.variable(tf.tensor1d([1, 2]), true, 'adamw-state-w');
    const opt = new AdamW(new Map([['w', w]]), { lr: 0.01, betas: [0.9, 0.999], weightDecay: 0, eps: 1e-8, gradClip: 1 });
    expect(() => new AdamW(new Map(), { lr: -1, betas: [0.9, 0.999], weightDecay: 0, eps: 1e-8, gradClip: 1 })).toThrow(OptimizerError);
    expect(() => new AdamW(new Map(), { lr: 1, betas: [1, 0.999], weightDecay: 0, eps: 1e-8, gradClip: 1 })).toThrow(/betas/);
    const bad = tf.tensor1d([1, 2, 3]);
    expect(() => opt.loadState({ step: 1, tensors: new Map([['m.w', bad], ['v.w', bad]]) })).toThrow(/shape/);
    expect(() => opt.loadState({ step: 1, tensors: new Map([['m.w', w]]) })).toThrow(/lacks "v.w"/);
    expect(() => opt.loadState({ step: 1, tensors: new Map([['m.x', w]]) })).toThrow(/unknown tensor "m.x"/);
    expect(() => opt.apply(new Map([['x', bad]]))).toThrow(/unknown parameter "x"/);
    tf.dispose([bad, w]);
    opt.dispose();
  });
});

// Learning runs on wasm (the Node default, ~20× the cpu backend on these shapes).
describe('Trainer learns (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(async () => {
    await initBackend('cpu');
  });

  test('the CE step memorises a few strings; greedy generation reproduces them', async () => {
    const pairs = [['1:', 'cat'], ['2:', 'dog'], ['3:', 'f(x)'], ['4:', 'a+b;']];
    const sequences = pairs.map(([p, r]) => [BOS, ...tok.encodeText(p + r), EOS]);
    // Loss only on the answers (and their <eos>): the prompt digit is unpredictable.
    const lossMask = sequences.map((s) => s.map((_, j) => (j >= 3 ? 1 : 0)));
    const m = new Transformer(cfg(), 3);
    const trainer = new Trainer(m, { lr: 1e-2, weightDecay: 0, gradClip: 1 });
    let first = 0;
    let loss = Infinity;
    let steps = 0;
    for (; steps < 300 && loss > 0.02; steps++) {
      loss = (await trainer.ceStep({ sequences, lossMask })).loss;
      if (steps === 0) first = loss;
    }
    expect(first).toBeGreaterThan(2); // a fresh model is near-uniform over ~100 ids
    expect(loss).toBeLessThan(0.02);
    const prompts = pairs.map(([p]) => [BOS, ...tok.encodeText(p)]);
    const out = await generate(m, tok, prompts, { maxTokens: 8, temperature: 0, topP: 1, stopTokens: [EOS], seed: 0 });
    expect(out.map((s) => s.text)).toEqual(pairs.map(([, r]) => r));
    expect(out.every((s) => s.stopped)).toBe(true);
    trainer.dispose();
    m.dispose();
  });

  test('the PG step raises the probability of a rewarded answer (bandit over short strings)', async () => {
    const m = new Transformer(cfg(), 4);
    const trainer = new Trainer(m, { lr: 1e-2, weightDecay: 0, gradClip: 1, entropyCoef: 0 });
    const arms = tok.encodeText('abcdefgh');
    const target = tok.encodeText('c')[0];
    // Answers are two characters from 'a'..'h'; reward 1 when the answer starts with 'c'.
    const mask = (_s: number, seqs: number[][]) => {
      const out = new Float32Array(seqs.length * tok.vocabSize).fill(-Infinity);
      for (let b = 0; b < seqs.length; b++) for (const a of arms) out[b * tok.vocabSize + a] = 0;
      return out;
    };
    const pTarget = async () => {
      const t = tf.tensor2d([[BOS]], [1, 1], 'int32');
      const lg = m.logits(t);
      const p = tf.softmax(lg);
      const v = (await p.data())[target];
      tf.dispose([t, lg, p]);
      return v;
    };
    const before = await pTarget();
    const prompts = new Array(32).fill([BOS]);
    let kl0 = NaN;
    let clip0 = NaN;
    for (let step = 0; step < 12; step++) {
      const samples = await generate(m, tok, prompts, { maxTokens: 2, temperature: 1, topP: 1, stopTokens: [], seed: step, logitMask: mask });
      const rewards: number[] = samples.map((s) => (s.tokens[0] === target ? 1 : 0));
      const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
      const std = Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / rewards.length);
      const advantages = rewards.map((r) => (r - mean) / (std + 1e-6));
      const stats = await trainer.pgStep({
        sequences: samples.map((s) => [BOS, ...s.tokens]),
        promptLengths: samples.map(() => 1),
        advantages,
        oldLogprobs: samples.map((s) => s.logprobs),
      });
      if (step === 0) [kl0, clip0] = [stats.approxKl, stats.clipFrac];
      expect(Number.isFinite(stats.loss) && Number.isFinite(stats.gradNorm)).toBe(true);
    }
    // The sampler's log-probs are the training forward's: before the first update the
    // ratio is 1 everywhere (nothing clipped, KL ≈ 0).
    expect(clip0).toBe(0);
    expect(Math.abs(kl0)).toBeLessThan(1e-6);
    const after = await pTarget();
    // A fresh model gives 'c' about 1/100 of the unmasked mass; after the updates it
    // must be several times larger and a clear share of the whole vocabulary.
    expect(after).toBeGreaterThan(Math.max(5 * before, 0.2));
    trainer.dispose();
    m.dispose();
  });
});

describe('Trainer', () => {
  test('no tensor leaks: the count after step 1 equals the count after step 100 (CE and PG, micro-batched)', async () => {
    const m = new Transformer(cfg({ dModel: 16, dMlp: 32 }), 5);
    const trainer = new Trainer(m, { lr: 1e-3, microBatch: 2 });
    const sequences = [tok.encode('<bos>ab<eos>'), tok.encode('<bos>cde'), tok.encode('<bos>f<eos>')];
    const batch: PgBatch = { sequences, promptLengths: [1, 2, 1], advantages: [1, -1, 0.5], oldLogprobs: sequences.map((s, b) => new Array(s.length - [1, 2, 1][b]).fill(-4)) };
    let after1 = -1;
    for (let step = 1; step <= 100; step++) {
      await (step % 2 ? trainer.ceStep({ sequences }) : trainer.pgStep(batch));
      if (step === 1) after1 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(after1);
    expect(trainer.optimizer.step).toBe(100);
    trainer.dispose();
    m.dispose();
  });

  test('micro-batching gives the same step as the whole batch', async () => {
    const sequences = [tok.encode('<bos>ab<eos>'), tok.encode('<bos>cdefg'), tok.encode('<bos>f<eos>'), tok.encode('<bos>xyz')];
    const batch: PgBatch = {
      sequences,
      promptLengths: [1, 3, 2, 1],
      advantages: [1, -0.5, 0.25, -1],
      // Alternately near the fresh model's ≈ −ln(V) and far above it (ratio ≈ 0.07): a
      // mix of clipped and unclipped tokens.
      oldLogprobs: sequences.map((s, b) => Array.from({ length: s.length - [1, 3, 2, 1][b] }, (_, k) => (k % 2 ? -2 : -Math.log(tok.vocabSize)))),
      refLogprobs: sequences.map((s, b) => new Array(s.length - [1, 3, 2, 1][b]).fill(-4)),
    };
    const run = async (microBatch: number) => {
      const m = new Transformer(cfg({ dModel: 16, dMlp: 32 }), 6);
      const t = new Trainer(m, { lr: 1e-2, microBatch, entropyCoef: 0.01, klCoef: 0.1 });
      const stats = await t.pgStep(batch);
      const w = await weights(m);
      t.dispose();
      m.dispose();
      return { stats, w };
    };
    const whole = await run(0);
    const micro = await run(3);
    expect(maxDiff(whole.w, micro.w)).toBeLessThan(1e-5);
    for (const k of ['loss', 'clipFrac', 'entropy', 'gradNorm', 'approxKl', 'refKl'] as const) {
      expect(Math.abs(whole.stats[k] - micro.stats[k])).toBeLessThan(1e-4);
    }
    expect(whole.stats.clipFrac).toBeGreaterThan(0);
    expect(whole.stats.clipFrac).toBeLessThan(1);
  });

  test('optimizer state restored into a fresh trainer continues the same trajectory', async () => {
    const sequences = [tok.encode('<bos>hello<eos>'), tok.encode('<bos>world<eos>')];
    const a = new Transformer(cfg({ dModel: 16, dMlp: 32 }), 7);
    const ta = new Trainer(a, { lr: 1e-2 });
    for (let i = 0; i < 3; i++) await ta.ceStep({ sequences });
    // Copy weights and optimizer state into a second model and trainer.
    const b = new Transformer(cfg({ dModel: 16, dMlp: 32 }), 8);
    tf.tidy(() => {
      for (const [name, v] of a.namedVariables()) b.namedVariables().get(name)!.assign(v);
    });
    const tb = new Trainer(b, { lr: 1e-2 });
    tb.loadOptimizerState(ta.optimizerState());
    expect(tb.optimizer.step).toBe(3);
    const sa = await ta.ceStep({ sequences });
    const sb = await tb.ceStep({ sequences });
    expect(sb.loss).toBeCloseTo(sa.loss, 6);
    expect(maxDiff(await weights(a), await weights(b))).toBeLessThan(1e-6);
    // Without the moments the step differs (so the comparison above means something).
    const c = new Transformer(cfg({ dModel: 16, dMlp: 32 }), 9);
    tf.tidy(() => {
      for (const [name, v] of b.namedVariables()) c.namedVariables().get(name)!.assign(v);
    });
    const tc = new Trainer(c, { lr: 1e-2 });
    await Promise.all([ta.ceStep({ sequences }), tc.ceStep({ sequences })]);
    expect(maxDiff(await weights(a), await weights(c))).toBeGreaterThan(1e-4);
    for (const x of [ta, tb, tc, a, b, c]) x.dispose();
  });

  test('bad batches are named errors', async () => {
    const m = new Transformer(cfg({ dModel: 16, dMlp: 32 }), 10);
    const t = new Trainer(m);
    const s = [tok.encode('<bos>ab')];
    await expect(t.ceStep({ sequences: [] })).rejects.toThrow(TrainError);
    await expect(t.ceStep({ sequences: [[1]] })).rejects.toThrow(/at least 2 tokens/);
    await expect(t.ceStep({ sequences: [[1, 500]] })).rejects.toThrow(/id 500 at index 1/);
    await expect(t.ceStep({ sequences: [new Array(26).fill(3)] })).rejects.toThrow(/context length/);
    await expect(t.ceStep({ sequences: s, lossMask: [[0, 0, 0]] })).rejects.toThrow(/no token with a positive loss weight/);
    await expect(t.ceStep({ sequences: s, lossMask: [[1, 1]] })).rejects.toThrow(/lossMask\[0\] must have 3 entries/);
    const ok: PgBatch = { sequences: s, promptLengths: [1], advantages: [1], oldLogprobs: [[-1, -1]] };
    await expect(t.pgStep({ ...ok, promptLengths: [0] })).rejects.toThrow(/promptLengths\[0\]/);
    await expect(t.pgStep({ ...ok, advantages: [NaN] })).rejects.toThrow(/advantages\[0\]/);
    await expect(t.pgStep({ ...ok, oldLogprobs: [[-1]] })).rejects.toThrow(/must have 2 entries/);
    await expect(t.pgStep({ ...ok, oldLogprobs: [[-1, 3]] })).rejects.toThrow(/log-probabilities/);
    await expect(t.pgStep({ ...ok, promptLengths: [3], oldLogprobs: [[]] })).rejects.toThrow(/no response tokens/);
    expect(() => new Trainer(m, { clipEps: 0 })).toThrow(/clipEps/);
    expect(() => new Trainer(m, { microBatch: -1 })).toThrow(/microBatch/);
    expect(() => new Trainer(m, { klCoef: -1 })).toThrow(/klCoef/);
    const withKl = new Trainer(m, { klCoef: 0.1 });
    await expect(withKl.pgStep(ok)).rejects.toThrow(/refLogprobs must have one row per sequence/);
    await expect(withKl.pgStep({ ...ok, refLogprobs: [[-1]] })).rejects.toThrow(/refLogprobs\[0\] must have 2 entries/);
    await expect(withKl.pgStep({ ...ok, refLogprobs: [[-1, -1]], klWeights: [1, 1] })).rejects.toThrow(/klWeights must have one entry per sequence/);
    await expect(withKl.pgStep({ ...ok, refLogprobs: [[-1, -1]], klWeights: [-1] })).rejects.toThrow(/klWeights\[0\] = -1/);
    withKl.dispose();
    t.dispose();
    m.dispose();
  });
});
