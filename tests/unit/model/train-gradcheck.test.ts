// Analytic gradients (tfjs autodiff through the model's custom-gradient matmul and
// embedding) against central finite differences of the same loss, on the cpu backend.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/model/backend-node.ts';
import { modelConfig, type ModelConfig } from '../../../src/model/config.ts';
import { Transformer } from '../../../src/model/transformer.ts';
import { ceLoss, packCe, packPg, pgLoss, responseLogprobs, type Packed } from '../../../src/model/train.ts';
import { Rng } from '../../../src/core/rng.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

// Tolerance. The loss is O(1) and float32 forward passes are reproducible to a few
// ulps (~1e-6 absolute here); divided by 2·EPS that is ~1e-4 of noise in a finite
// difference, and the O(EPS²) truncation error of the central difference is of the
// same order for weights of this scale. So: |analytic − numeric| ≤ ATOL + RTOL·|g|
// with ATOL = 1e-3 (several times that noise) and RTOL = 3e-2. A wrong gradient —
// a missing transpose, a mask or clip that leaks, a term with the wrong sign — is off
// by O(|g|) or more and fails; the test also requires sizeable gradients to check.
const EPS = 1e-2;
const ATOL = 1e-3;
const RTOL = 3e-2;
const COORDS_PER_VAR = 3;

function cfg(positions: 'learned' | 'rotary'): ModelConfig {
  // initStd 0.3: large enough that every layer's gradient is far above the FD noise.
  return modelConfig('tiny', 20, { nLayer: 2, nHead: 2, dModel: 8, dMlp: 16, contextLength: 12, initStd: 0.3, positions });
}

const SEQS = [
  [1, 5, 7, 3, 9, 2, 11],
  [4, 4, 8, 19],
  [2, 13, 6, 6, 1, 17, 0, 3, 12],
];

async function scalar(t: tf.Scalar): Promise<number> {
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

async function setCoord(v: tf.Variable, i: number, value: number): Promise<void> {
  const data = Float32Array.from(await v.data());
  data[i] = value;
  tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
}

interface Report {
  checked: number;
  worst: number;
  maxGrad: number;
}

/** Compares analytic and numeric gradients on a few coordinates of every variable:
 *  the largest-|g| coordinate and COORDS_PER_VAR random ones. */
async function gradCheck(model: Transformer, loss: () => tf.Scalar): Promise<Report> {
  const vars = model.namedVariables();
  const { value, grads } = tf.variableGrads(loss, [...vars.values()]);
  value.dispose();
  const rng = new Rng(99);
  let checked = 0;
  let worst = 0;
  let maxGrad = 0;
  for (const [name, v] of vars) {
    const g = grads[v.name];
    expect(g, `gradient of ${name}`).toBeDefined();
    const gd = await g.data();
    const coords = new Set<number>();
    let argmax = 0;
    for (let i = 1; i < gd.length; i++) if (Math.abs(gd[i]) > Math.abs(gd[argmax])) argmax = i;
    coords.add(argmax);
    while (coords.size < Math.min(gd.length, COORDS_PER_VAR + 1)) coords.add(rng.int(0, gd.length));
    const orig = await v.data();
    for (const i of coords) {
      await setCoord(v, i, orig[i] + EPS);
      const up = await scalar(loss());
      await setCoord(v, i, orig[i] - EPS);
      const down = await scalar(loss());
      await setCoord(v, i, orig[i]);
      const numeric = (up - down) / (2 * EPS);
      const err = Math.abs(gd[i] - numeric);
      const allowed = ATOL + RTOL * Math.max(Math.abs(gd[i]), Math.abs(numeric));
      expect(err, `${name}[${i}]: analytic ${gd[i]} vs numeric ${numeric}`).toBeLessThanOrEqual(allowed);
      worst = Math.max(worst, err / allowed);
      maxGrad = Math.max(maxGrad, Math.abs(gd[i]));
      checked++;
    }
  }
  tf.dispose(Object.values(grads));
  return { checked, worst, maxGrad };
}

function total(p: Packed): number {
  return p.weights.reduce((a, w) => a + w, 0);
}

describe('gradient check (cpu, central differences)', () => {
  test.each(['learned', 'rotary'] as const)('cross-entropy loss, %s positions', async (positions) => {
    const model = new Transformer(cfg(positions), 11);
    // A loss mask with a zero and a fractional weight: masked tokens must get no gradient.
    const lossMask = SEQS.map((s) => s.map((_, j) => (j === 2 ? 0 : j === 3 ? 0.5 : 1)));
    const p = packCe(model, { sequences: SEQS, lossMask });
    const r = await gradCheck(model, () => ceLoss(model, p, total(p)));
    expect(r.checked).toBeGreaterThan(50);
    expect(r.maxGrad).toBeGreaterThan(0.05);
    model.dispose();
  });

  test('PPO-clip loss with entropy bonus and KL penalty, some tokens clipped', async () => {
    const model = new Transformer(cfg('learned'), 12);
    const promptLengths = [3, 1, 4];
    const now = await responseLogprobs(model, SEQS, promptLengths);
    // Old log-probs offset by −0.5, 0 or +0.5: ratios e^{±0.5} (clipped or not,
    // depending on the advantage's sign) and 1, all far from the clip edges 0.8 / 1.2,
    // so a ±EPS nudge never flips a token across an edge.
    const offsets = [-0.5, 0, 0.5];
    const oldLogprobs = now.map((row, b) => row.map((lp, k) => lp - offsets[(b + k) % 3]));
    // The reference policy disagrees with the model by up to ±1 nat per token.
    const refLogprobs = now.map((row, b) => row.map((lp, k) => Math.min(0, lp + Math.sin(3 * b + k))));
    const batch = { sequences: SEQS, promptLengths, advantages: [1.0, -0.7, 0.4], oldLogprobs, refLogprobs };
    const p = packPg(model, batch, undefined, true);
    const N = total(p);
    const parts = pgLoss(model, p, N, 0.2, 0.1, 0.5);
    const clipped = await scalar(parts.clipped);
    tf.dispose([parts.loss, parts.entropy, parts.kl, parts.refKl]);
    expect(clipped).toBeGreaterThan(0);
    expect(clipped).toBeLessThan(N);
    const r = await gradCheck(model, () => {
      const q = pgLoss(model, p, N, 0.2, 0.1, 0.5);
      tf.dispose([q.clipped, q.entropy, q.kl, q.refKl]);
      return q.loss;
    });
    expect(r.checked).toBeGreaterThan(50);
    expect(r.maxGrad).toBeGreaterThan(0.05);
    model.dispose();
  });
});

describe('wasm gradients equal the checked cpu gradients', () => {
  afterAll(async () => {
    await initBackend('cpu');
  });

  test('CE and PPO-clip losses, every variable', async () => {
    const promptLengths = [3, 1, 4];
    const gradsOn = async (backend: 'cpu' | 'wasm') => {
      await initBackend(backend);
      const model = new Transformer(cfg('learned'), 13);
      const ce = packCe(model, { sequences: SEQS });
      const pg = packPg(model, {
        sequences: SEQS,
        promptLengths,
        advantages: [0.5, -1, 1.5],
        oldLogprobs: SEQS.map((s, b) => new Array(s.length - promptLengths[b]).fill(-3)),
      });
      const out = new Map<string, Float32Array>();
      for (const [kind, loss] of [
        ['ce', () => ceLoss(model, ce, total(ce))],
        ['pg', () => {
          const q = pgLoss(model, pg, total(pg), 0.2, 0.1);
          tf.dispose([q.clipped, q.entropy, q.kl, q.refKl]);
          return q.loss;
        }],
      ] as const) {
        const { value, grads } = tf.variableGrads(loss, [...model.namedVariables().values()]);
        for (const [name, v] of model.namedVariables()) out.set(`${kind}:${name}`, (await grads[v.name].data()) as Float32Array);
        tf.dispose([value, ...Object.values(grads)]);
      }
      model.dispose();
      return out;
    };
    const cpu = await gradsOn('cpu');
    const wasm = await gradsOn('wasm');
    let worst = 0;
    let largest = 0;
    for (const [name, c] of cpu) {
      const w = wasm.get(name)!;
      for (let i = 0; i < c.length; i++) {
        worst = Math.max(worst, Math.abs(c[i] - w[i]));
        largest = Math.max(largest, Math.abs(c[i]));
      }
    }
    expect(largest).toBeGreaterThan(0.05);
    // Same float32 math, different kernels and summation order.
    expect(worst).toBeLessThan(1e-4);
  });
});
