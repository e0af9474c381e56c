import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/model/backend-node.ts';
import { countParams, modelConfig, type ModelConfig } from '../../../src/model/config.ts';
import { ModelError, Transformer } from '../../../src/model/transformer.ts';

// The cpu backend is the reference; float32 on it agrees with itself to ~1e-6 between
// two ways of computing the same logits (different summation order), so 1e-4 is
// tight enough that a wrong mask, position or cache entry (errors ≥ 1e-2) fails.
const TOL = 1e-4;

beforeAll(async () => {
  await initBackend('cpu');
});

function tiny(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return modelConfig('tiny', 40, { nLayer: 2, nHead: 2, dModel: 16, dMlp: 32, contextLength: 24, ...overrides });
}

async function read(t: tf.Tensor): Promise<Float32Array> {
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Logits [T, V] of one unpadded row. */
async function rowLogits(model: Transformer, row: number[]): Promise<Float32Array> {
  const t = tf.tensor2d([row], [1, row.length], 'int32');
  const out = await read(model.logits(t));
  t.dispose();
  return out;
}

describe('Transformer', () => {
  test('namedVariables: stable ordered names whose sizes add up to countParams', () => {
    for (const positions of ['learned', 'rotary'] as const) {
      const cfg = tiny({ positions });
      const m = new Transformer(cfg, 1);
      const names = [...m.namedVariables().keys()];
      expect(names.slice(0, positions === 'learned' ? 2 : 1)).toEqual(positions === 'learned' ? ['wte', 'wpe'] : ['wte']);
      expect(names).toContain('h.0.ln1.g');
      expect(names).toContain('h.1.attn.wqkv');
      expect(names).toContain('h.1.mlp.wproj');
      expect(names.at(-1)).toBe('lnf.b');
      expect(new Set(names).size).toBe(names.length);
      let total = 0;
      for (const v of m.namedVariables().values()) total += v.size;
      expect(total).toBe(countParams(cfg));
      m.dispose();
    }
  });

  test('same seed, same weights; different seed, different weights; two models coexist', async () => {
    const a = new Transformer(tiny(), 7);
    const b = new Transformer(tiny(), 7);
    const c = new Transformer(tiny(), 8);
    const wa = await a.namedVariables().get('h.0.attn.wqkv')!.data();
    const wb = await b.namedVariables().get('h.0.attn.wqkv')!.data();
    const wc = await c.namedVariables().get('h.0.attn.wqkv')!.data();
    expect(maxAbsDiff(wa, wb)).toBe(0);
    expect(maxAbsDiff(wa, wc)).toBeGreaterThan(0.01);
    // Init scale: std ≈ initStd for plain matrices.
    const std = Math.sqrt(Array.from(wa).reduce((s, x) => s + x * x, 0) / wa.length);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
    for (const m of [a, b, c]) m.dispose();
  });

  test('logits are causal: changing a later token leaves earlier logits unchanged', async () => {
    for (const positions of ['learned', 'rotary'] as const) {
      const m = new Transformer(tiny({ positions }), 3);
      const x = [5, 9, 2, 33, 17, 8];
      const y = [5, 9, 2, 33, 30, 1];
      const lx = await rowLogits(m, x);
      const ly = await rowLogits(m, y);
      const V = m.config.vocabSize;
      expect(maxAbsDiff(lx.subarray(0, 4 * V), ly.subarray(0, 4 * V))).toBeLessThan(TOL);
      expect(maxAbsDiff(lx.subarray(4 * V), ly.subarray(4 * V))).toBeGreaterThan(1e-3);
      m.dispose();
    }
  });

  test('a left-padded row gives the same logits as the row alone', async () => {
    for (const positions of ['learned', 'rotary'] as const) {
      const m = new Transformer(tiny({ positions }), 4);
      const V = m.config.vocabSize;
      const rows = [[3, 4, 5, 6, 7], [8, 9], [10, 11, 12]];
      const T = 5;
      const pad = rows.map((r) => T - r.length);
      // Pad ids deliberately non-zero and varied: they must not matter.
      const padded = rows.map((r, b) => [...new Array(pad[b]).fill(30 + b), ...r]);
      const t = tf.tensor2d(padded, [3, T], 'int32');
      const all = await read(m.logits(t, pad));
      t.dispose();
      for (let b = 0; b < rows.length; b++) {
        const alone = await rowLogits(m, rows[b]);
        const mine = all.subarray((b * T + pad[b]) * V, (b + 1) * T * V);
        expect(maxAbsDiff(mine, alone)).toBeLessThan(TOL);
      }
      m.dispose();
    }
  });

  test('KV cache: prefill + one token at a time equals full recompute at every step, left-padded rows of different lengths', async () => {
    for (const positions of ['learned', 'rotary'] as const) {
      const m = new Transformer(tiny({ positions }), 5);
      const V = m.config.vocabSize;
      const prompts = [[1, 2, 3, 4], [5], [6, 7]];
      const cont = [[11, 12, 13, 14, 15], [16, 17, 18, 19, 20], [21, 22, 23, 24, 25]];
      const P = 4;
      const pad = prompts.map((p) => P - p.length);
      const cache = m.createCache(pad);
      const block = tf.tensor2d(prompts.map((p, b) => [...new Array(pad[b]).fill(0), ...p]), [3, P], 'int32');
      let out = await read(m.forwardCached(block, cache));
      block.dispose();
      let worst = 0;
      for (let step = 0; step <= cont[0].length; step++) {
        const S = step === 0 ? P : 1;
        for (let b = 0; b < 3; b++) {
          // Full recompute of row b alone, unpadded, up to this step.
          const row = [...prompts[b], ...cont[b].slice(0, step)];
          const ref = await rowLogits(m, row);
          const last = ref.subarray((row.length - 1) * V, row.length * V);
          const cached = out.subarray((b * S + S - 1) * V, (b * S + S) * V);
          worst = Math.max(worst, maxAbsDiff(cached, last));
        }
        if (step === cont[0].length) break;
        const next = tf.tensor2d(cont.map((c) => [c[step]]), [3, 1], 'int32');
        out = await read(m.forwardCached(next, cache));
        next.dispose();
      }
      expect(cache.length).toBe(P + cont[0].length);
      expect(worst).toBeLessThan(TOL);
      cache.dispose();
      m.dispose();
    }
  });

  test('forward leaves no tensors behind', async () => {
    const m = new Transformer(tiny(), 6);
    const t = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
    await read(m.logits(t));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await read(m.logits(t, [1]));
    const cache = m.createCache([0]);
    await read(m.forwardCached(t, cache));
    await read(m.forwardCached(tf.tensor2d([[4]], [1, 1], 'int32'), cache));
    cache.dispose();
    // The one-token input above is a leak of this test's own making: count it.
    expect(tf.memory().numTensors).toBe(before + 1);
    t.dispose();
    m.dispose();
  });

  test('bad inputs are named errors', () => {
    const m = new Transformer(tiny(), 1);
    const f = tf.tensor2d([[1, 2]], [1, 2], 'float32');
    expect(() => m.logits(f as tf.Tensor2D)).toThrow(ModelError);
    const long = tf.tensor2d([new Array(25).fill(1)], [1, 25], 'int32');
    expect(() => m.logits(long)).toThrow(/context length 24/);
    const t = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    expect(() => m.logits(t, [2])).toThrow(/leftPad\[0\]/);
    expect(() => m.logits(t, [0, 0])).toThrow(/2 entries for 1 rows/);
    tf.dispose([f, long, t]);
    m.dispose();
    expect(() => m.namedVariables()).toThrow(/disposed/);
    expect(() => new Transformer(tiny(), 0.5)).toThrow(/seed must be an integer/);
  });
});
