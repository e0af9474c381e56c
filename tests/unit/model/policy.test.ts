import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/model/backend-node.ts';
import { modelConfig } from '../../../src/model/config.ts';
import { CharTokenizer } from '../../../src/model/tokenizer.ts';
import { Transformer } from '../../../src/model/transformer.ts';
import { PolicyError, TransformerPolicy, type GenerateOptions } from '../../../src/model/policy.ts';

const tok = new CharTokenizer(['<pad>', '<bos>', '<eos>', '<in>', '<ans>']);
const V = tok.vocabSize;

function model(seed: number): Transformer {
  return new Transformer(modelConfig('tiny', V, { nLayer: 2, nHead: 2, dModel: 16, dMlp: 32, contextLength: 48, initStd: 0.3 }), seed);
}

const PROMPTS = ['<bos><in>1<ans>', '<bos><in>22222<ans>', '<bos><ans>', '<bos><in>333<ans>', '<bos><in>4444444<ans>'];
const OPTS: GenerateOptions = { maxTokens: 6, temperature: 1, topP: 1, seed: 5 };

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('cpu');
});

describe('TransformerPolicy', () => {
  test('generate: text prompts in, rollouts out in prompt order, batched by length, seeded', async () => {
    const m = model(1);
    const small = new TransformerPolicy(m, tok, { maxBatch: 2 });
    const whole = new TransformerPolicy(m, tok, { maxBatch: 64 });
    const a = await small.generate(PROMPTS, OPTS);
    const b = await small.generate(PROMPTS, OPTS);
    expect(b).toEqual(a);
    a.forEach((r, i) => {
      expect(r.prompt).toEqual(tok.encode(PROMPTS[i]));
      expect(r.logprobs.length).toBe(r.tokens.length);
      expect(r.text).toBe(tok.decode(r.stopped ? r.tokens.slice(0, -1) : r.tokens));
    });
    expect(small.countTokens(PROMPTS[1])).toBe(8);
    // Each row's mask is looked up by the prompt it belongs to: prompt i may write only
    // the digit i, so a mix-up between batches and prompts shows in the text.
    const digit = (i: number) => tok.encodeText(String(i))[0];
    const byPrompt = async (p: TransformerPolicy) =>
      p.generate(PROMPTS, {
        ...OPTS,
        logitMask: (_step, seqs, rows) => {
          const out = new Float32Array(seqs.length * V).fill(-Infinity);
          rows.forEach((i, k) => (out[k * V + digit(i)] = 0));
          return out;
        },
      });
    for (const p of [small, whole]) {
      const r = await byPrompt(p);
      r.forEach((x, i) => expect(x.text).toBe(String(i).repeat(6)));
    }
    small.dispose();
    whole.dispose();
    m.dispose();
  });

  test('stop defaults to <eos>; stop names are resolved through the tokenizer', async () => {
    const m = model(2);
    const p = new TransformerPolicy(m, tok);
    const eos = tok.id('<eos>');
    const forced = (id: number) => (_s: number, seqs: number[][]) => {
      const out = new Float32Array(seqs.length * V).fill(-Infinity);
      for (let k = 0; k < seqs.length; k++) out[k * V + id] = 0;
      return out;
    };
    const r = await p.generate(PROMPTS.slice(0, 2), { ...OPTS, logitMask: forced(eos) });
    expect(r.map((x) => [x.tokens, x.stopped, x.text])).toEqual([[[eos], true, ''], [[eos], true, '']]);
    const ans = tok.id('<ans>');
    const r2 = await p.generate(PROMPTS.slice(0, 1), { ...OPTS, stop: ['<ans>'], logitMask: forced(ans) });
    expect(r2[0]).toMatchObject({ tokens: [ans], stopped: true });
    await expect(p.generate(PROMPTS, { ...OPTS, stop: ['<nope>'] })).rejects.toThrow(/unknown special token/);
    await expect(p.generate(['caf\u00e9'], OPTS)).rejects.toThrow(/U\+00E9\) at index 3/);
    p.dispose();
    m.dispose();
  });

  test('update trains on rollouts with their advantages; empty rollouts are skipped; no leaks', async () => {
    const m = model(3);
    const p = new TransformerPolicy(m, tok, { lr: 1e-2, maxBatch: 3 });
    const rollouts = await p.generate(PROMPTS, OPTS);
    rollouts.push({ prompt: tok.encode('<bos>'), tokens: [], logprobs: [], text: '', stopped: false });
    const advantages = rollouts.map((_, i) => (i % 2 ? 1 : -1));
    const first = await p.update({ rollouts, advantages });
    expect(first.skipped).toBe(1);
    expect(first.tokens).toBe(rollouts.reduce((a, r) => a + r.tokens.length, 0));
    // Fresh rollouts: the ratio starts at 1 exactly as sampled.
    expect(first.clipFrac).toBe(0);
    expect(Math.abs(first.approxKl)).toBeLessThan(1e-6);
    expect(first.refKl).toBe(0);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const r = await p.generate(PROMPTS, { ...OPTS, seed: i });
      await p.update({ rollouts: r, advantages: r.map((_, k) => (k % 2 ? 0.5 : -0.5)) });
    }
    expect(tf.memory().numTensors).toBe(before);
    await expect(p.update({ rollouts, advantages: [1] })).rejects.toThrow(PolicyError);
    p.dispose();
    m.dispose();
  });

  test('with a KL coefficient the policy is pulled toward its starting weights', async () => {
    const m = model(4);
    const p = new TransformerPolicy(m, tok, { lr: 1e-2, klCoef: 0.5 });
    const r0 = await p.generate(PROMPTS, OPTS);
    const s0 = await p.update({ rollouts: r0, advantages: r0.map((_, i) => (i % 2 ? 1 : -1)) });
    // The reference is the model itself before the first step.
    expect(Math.abs(s0.refKl)).toBeLessThan(1e-6);
    let last = s0;
    for (let i = 1; i <= 3; i++) {
      const r = await p.generate(PROMPTS, { ...OPTS, seed: i });
      last = await p.update({ rollouts: r, advantages: r.map((_, k) => (k % 2 ? 1 : -1)) });
    }
    expect(last.refKl).toBeGreaterThan(1e-4);
    p.resetReference();
    const r = await p.generate(PROMPTS, { ...OPTS, seed: 9 });
    const after = await p.update({ rollouts: r, advantages: r.map((_, k) => (k % 2 ? 1 : -1)) });
    expect(Math.abs(after.refKl)).toBeLessThan(1e-6);
    p.dispose();
    m.dispose();
  });

  test('klWeights reach the penalty: all zeros is no KL at all, and a wrong length is refused', async () => {
    const run = async (klCoef: number, klWeights?: (n: number) => number[]) => {
      const m = model(6);
      const p = new TransformerPolicy(m, tok, { lr: 1e-2, klCoef });
      const refKls: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await p.generate(PROMPTS, { ...OPTS, seed: i });
        const s = await p.update({ rollouts: r, advantages: r.map((_, k) => (k % 2 ? 1 : -1)), ...(klWeights ? { klWeights: klWeights(r.length) } : {}) });
        refKls.push(s.refKl);
      }
      const w = await m.namedVariables().get('wte')!.data();
      if (klWeights) await expect(p.update({ rollouts: [], advantages: [], klWeights: [1] })).rejects.toThrow(/one KL weight per rollout/);
      p.dispose();
      m.dispose();
      return { refKls, w: Array.from(w) };
    };
    const plain = await run(0);
    const zeroed = await run(0.5, (n) => new Array(n).fill(0));
    const half = await run(0.5, (n) => Array.from({ length: n }, (_, k) => k % 2));
    expect(zeroed.refKls.every((x) => x === 0)).toBe(true);
    expect(zeroed.w).toEqual(plain.w);
    expect(half.refKls.at(-1)!).toBeGreaterThan(0);
    expect(half.w).not.toEqual(plain.w);
  });

  test('a tokenizer that does not fit the model is refused', () => {
    const m = model(5);
    expect(() => new TransformerPolicy(m, new CharTokenizer(['<pad>']))).toThrow(/tokenizer has/);
    expect(() => new TransformerPolicy(m, tok, { maxBatch: 0 })).toThrow(/maxBatch/);
    m.dispose();
  });
});
