import { afterAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/model/backend-node.ts';
import { modelConfig } from '../../../src/model/config.ts';
import { CharTokenizer } from '../../../src/model/tokenizer.ts';
import { Transformer } from '../../../src/model/transformer.ts';
import { generate, SamplerError, type Sample, type SampleOptions } from '../../../src/model/sampler.ts';
import { responseLogprobs } from '../../../src/model/train.ts';

const tok = new CharTokenizer(['<pad>', '<bos>', '<eos>']);
const EOS = tok.id('<eos>');

function model(seed = 1, positions: 'learned' | 'rotary' = 'learned', contextLength = 32): Transformer {
  // initStd 0.5: a random model with peaked, position-dependent distributions, so
  // that sampling differences (seed, cache, mask) show in the output.
  return new Transformer(
    modelConfig('tiny', tok.vocabSize, { nLayer: 2, nHead: 2, dModel: 16, dMlp: 32, contextLength, positions, initStd: 0.5 }),
    seed,
  );
}

const PROMPTS = ['<bos>f(1)=', '<bos>', '<bos>return a+b;'].map((s) => tok.encode(s));
const OPTS: SampleOptions = { maxTokens: 10, temperature: 1, topP: 1, stopTokens: [], seed: 42 };

afterAll(async () => {
  await initBackend('cpu');
});

describe.each(['cpu', 'wasm'] as const)('generate on %s', (backend) => {
  test('same seed ⇒ same samples; another seed ⇒ other samples', async () => {
    await initBackend(backend);
    const m = model();
    const a = await generate(m, tok, PROMPTS, OPTS);
    const b = await generate(m, tok, PROMPTS, OPTS);
    const c = await generate(m, tok, PROMPTS, { ...OPTS, seed: 43 });
    expect(b).toEqual(a);
    expect(c.map((s) => s.tokens)).not.toEqual(a.map((s) => s.tokens));
    for (const s of a) {
      expect(s.tokens.length).toBe(10);
      expect(s.logprobs.length).toBe(10);
      expect(s.text).toBe(tok.decode(s.tokens));
      expect(s.stopped).toBe(false);
    }
    m.dispose();
  });

  test('KV cache and full recompute sample the same tokens with the same log-probs', async () => {
    await initBackend(backend);
    for (const positions of ['learned', 'rotary'] as const) {
      const m = model(2, positions);
      const cached = await generate(m, tok, PROMPTS, { ...OPTS, maxTokens: 12 });
      const full = await generate(m, tok, PROMPTS, { ...OPTS, maxTokens: 12, useCache: false });
      expect(full.map((s) => s.tokens)).toEqual(cached.map((s) => s.tokens));
      for (let b = 0; b < PROMPTS.length; b++) {
        for (let k = 0; k < 12; k++) expect(Math.abs(full[b].logprobs[k] - cached[b].logprobs[k])).toBeLessThan(1e-4);
      }
      m.dispose();
    }
  });

  test('rows that stop early leave the batch, and the rest sample as before', async () => {
    // A mask makes row b stop at step STOP[b] (and never before), so the cache is cut down
    // to the live rows twice; full recompute never cuts. Same tokens, same log-probs.
    await initBackend(backend);
    const prompts = ['<bos>f(1)=', '<bos>', '<bos>return a+b;', '<bos>x', '<bos>const f = 1;', '<bos>ab'].map((s) => tok.encode(s));
    const STOP = [1, 2, 2, 4, 9, 12];
    const V = tok.vocabSize;
    const mask = (step: number) => {
      const m = new Float32Array(prompts.length * V);
      STOP.forEach((at, b) => {
        for (let v = 0; v < V; v++) if ((v === EOS) !== (step === at)) m[b * V + v] = -Infinity;
      });
      return m;
    };
    const m = model(4);
    const before = tf.memory().numTensors;
    const opts = { ...OPTS, maxTokens: 14, stopTokens: [EOS], logitMask: mask };
    const cached = await generate(m, tok, prompts, opts);
    expect(tf.memory().numTensors).toBe(before);
    const full = await generate(m, tok, prompts, { ...opts, useCache: false });
    expect(cached.map((s) => s.tokens.length)).toEqual(STOP.map((at) => at + 1));
    expect(cached.every((s) => s.stopped)).toBe(true);
    expect(cached.map((s) => s.tokens)).toEqual(full.map((s) => s.tokens));
    cached.forEach((s, b) => s.logprobs.forEach((lp, k) => expect(Math.abs(lp - full[b].logprobs[k])).toBeLessThan(1e-4)));
    m.dispose();
  });

  test('repeated generate() leaves no tensors behind', async () => {
    await initBackend(backend);
    const m = model(3);
    await generate(m, tok, PROMPTS, OPTS);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      await generate(m, tok, PROMPTS, { ...OPTS, seed: i, stopTokens: [EOS] });
      await generate(m, tok, PROMPTS, { ...OPTS, seed: i, useCache: false });
    }
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});

describe('generate (cpu)', () => {
  test('log-probs are the untempered training-forward log-probs, whatever temperature, top-p and mask', async () => {
    await initBackend('cpu');
    const m = model(4);
    const mask = (_step: number, seqs: number[][]) => {
      const out = new Float32Array(seqs.length * tok.vocabSize).fill(-Infinity);
      // Allow only the digits.
      for (let b = 0; b < seqs.length; b++) for (const id of tok.encode('0123456789')) out[b * tok.vocabSize + id] = 0;
      return out;
    };
    const samples = await generate(m, tok, PROMPTS, { ...OPTS, temperature: 0.7, topP: 0.9, logitMask: mask });
    const ref = await responseLogprobs(
      m,
      samples.map((s, b) => [...PROMPTS[b], ...s.tokens]),
      PROMPTS.map((p) => p.length),
    );
    for (let b = 0; b < PROMPTS.length; b++) {
      expect(samples[b].text).toMatch(/^[0-9]{10}$/);
      for (let k = 0; k < samples[b].tokens.length; k++) expect(Math.abs(samples[b].logprobs[k] - ref[b][k])).toBeLessThan(1e-4);
    }
    m.dispose();
  });

  test('the mask hook sees each row’s response so far and can steer every step', async () => {
    await initBackend('cpu');
    const m = model(5);
    const target = tok.encodeText('abc');
    const seen: number[][][] = [];
    const samples = await generate(m, tok, PROMPTS, {
      ...OPTS,
      maxTokens: 3,
      logitMask: (step, seqs) => {
        seen.push(seqs);
        const out = new Float32Array(seqs.length * tok.vocabSize).fill(-Infinity);
        for (let b = 0; b < seqs.length; b++) out[b * tok.vocabSize + target[step]] = 0;
        return out;
      },
    });
    expect(samples.map((s) => s.text)).toEqual(['abc', 'abc', 'abc']);
    expect(seen.map((s) => s[0].length)).toEqual([0, 1, 2]);
    expect(seen[2][1]).toEqual(target.slice(0, 2));
    m.dispose();
  });

  test('stop tokens end a row (kept in tokens, dropped from text); other rows continue', async () => {
    await initBackend('cpu');
    const m = model(6);
    const x = tok.encodeText('x')[0];
    // Row 0 is forced to stop at step 2; the others may not stop.
    const samples = await generate(m, tok, PROMPTS, {
      ...OPTS,
      stopTokens: [EOS],
      logitMask: (step, seqs) => {
        const out = new Float32Array(seqs.length * tok.vocabSize).fill(-Infinity);
        for (let b = 0; b < seqs.length; b++) out[b * tok.vocabSize + (b === 0 && step === 2 ? EOS : x)] = 0;
        return out;
      },
    });
    expect(samples[0]).toMatchObject({ text: 'xx', stopped: true, tokens: [x, x, EOS] });
    expect(samples[0].logprobs.length).toBe(3);
    expect(samples[1]).toMatchObject({ text: 'x'.repeat(10), stopped: false });
    m.dispose();
  });

  test('greedy (temperature 0) is the argmax and ignores the seed; top-p → 0 is greedy too', async () => {
    await initBackend('cpu');
    const m = model(7);
    const a = await generate(m, tok, PROMPTS, { ...OPTS, temperature: 0, seed: 1 });
    const b = await generate(m, tok, PROMPTS, { ...OPTS, temperature: 0, seed: 2 });
    const c = await generate(m, tok, PROMPTS, { ...OPTS, topP: 1e-6, seed: 3 });
    expect(b).toEqual(a);
    expect(c.map((s) => s.tokens)).toEqual(a.map((s) => s.tokens));
    // The greedy token has the highest model log-prob at its step.
    const t = tf.tensor2d([PROMPTS[1]], [1, PROMPTS[1].length], 'int32');
    const logits = m.logits(t);
    const last = await logits.slice([0, PROMPTS[1].length - 1, 0], [1, 1, tok.vocabSize]).data();
    const argmax = last.indexOf(Math.max(...last));
    expect(a[1].tokens[0]).toBe(argmax);
    tf.dispose([t, logits]);
    m.dispose();
  });

  test('top-p keeps sampling inside the nucleus', async () => {
    await initBackend('cpu');
    const m = model(8);
    const prompt = [tok.encode('<bos>q')];
    // The nucleus of the first step's distribution at top-p 0.5.
    const t = tf.tensor2d(prompt, [1, 2], 'int32');
    const logits = m.logits(t);
    const last = Array.from(await logits.slice([0, 1, 0], [1, 1, tok.vocabSize]).data());
    tf.dispose([t, logits]);
    const max = Math.max(...last);
    const p = last.map((z) => Math.exp(z - max));
    const Z = p.reduce((a, b) => a + b, 0);
    const order = p.map((_, i) => i).sort((a, b) => p[b] - p[a]);
    const nucleus = new Set<number>();
    let mass = 0;
    for (const i of order) {
      if (mass >= 0.5 * Z) break;
      nucleus.add(i);
      mass += p[i];
    }
    expect(nucleus.size).toBeLessThan(tok.vocabSize / 2);
    const rows = new Array(64).fill(prompt[0]);
    const s = await generate(m, tok, rows, { ...OPTS, maxTokens: 1, topP: 0.5 });
    const firsts = new Set(s.map((x: Sample) => x.tokens[0]));
    for (const f of firsts) expect(nucleus.has(f)).toBe(true);
    // Without top-p, 64 draws leave the nucleus at least once (it holds ~half the mass).
    const free = await generate(m, tok, rows, { ...OPTS, maxTokens: 1, topP: 1 });
    expect(free.some((x) => !nucleus.has(x.tokens[0]))).toBe(true);
    m.dispose();
  });

  test('rows stop when they fill the context', async () => {
    await initBackend('cpu');
    const m = model(9, 'learned', 12);
    const prompts = [tok.encode('<bos>abcdefgh'), tok.encode('<bos>')];
    const s = await generate(m, tok, prompts, { ...OPTS, maxTokens: 20 });
    expect(prompts[0].length + s[0].tokens.length).toBe(12);
    expect(prompts[1].length + s[1].tokens.length).toBe(12);
    expect(s[0].stopped).toBe(false);
    m.dispose();
  });

  test('bad arguments are named errors', async () => {
    await initBackend('cpu');
    const m = model(10);
    await expect(generate(m, tok, [], OPTS)).rejects.toThrow(SamplerError);
    await expect(generate(m, tok, [[]], OPTS)).rejects.toThrow(/prompt 0 is empty/);
    await expect(generate(m, tok, [[1, 999]], OPTS)).rejects.toThrow(/id 999 at index 1/);
    await expect(generate(m, tok, PROMPTS, { ...OPTS, topP: 0 })).rejects.toThrow(/topP/);
    await expect(generate(m, tok, PROMPTS, { ...OPTS, seed: 1.5 })).rejects.toThrow(/seed must be an integer/);
    await expect(generate(m, tok, PROMPTS, { ...OPTS, temperature: -1 })).rejects.toThrow(/temperature/);
    await expect(generate(m, tok, PROMPTS, { ...OPTS, stopTokens: [-3] })).rejects.toThrow(/stop token -3/);
    await expect(generate(m, tok, PROMPTS, { ...OPTS, logitMask: () => new Float32Array(3) })).rejects.toThrow(/logitMask returned 3 values/);
    await expect(
      generate(m, tok, PROMPTS, { ...OPTS, logitMask: (_s, q) => new Float32Array(q.length * tok.vocabSize).fill(-Infinity) }),
    ).rejects.toThrow(/no allowed token/);
    await expect(generate(m, new CharTokenizer(['<a>']), PROMPTS, OPTS)).rejects.toThrow(/tokenizer has/);
    m.dispose();
  });
});
