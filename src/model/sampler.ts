// Batched autoregressive sampling with a KV cache.
//
// Prompts of different lengths are left-padded to a common length; the model masks the
// pad keys and counts positions from each row's first real token, so a padded row
// samples exactly as it would alone. The prompt block is run once (prefill), then one
// token per step against the cache. The logits of the last position are read to the
// host (`await data()`: dataSync can return zeros for GPU-resident tensors) and every
// random choice is made there with a seeded generator, so the same seed gives the same
// samples on the same backend.
//
// Log-probabilities: `logprobs[i]` is log softmax(logits)[token] of the model at
// temperature 1, without the logit mask and without top-p truncation — the same
// quantity the training forward computes (train.ts), so a PPO ratio starts at 1 for an
// unchanged model whatever temperature, top-p or mask the sampler used. (The sampling
// distribution itself is tempered, masked and truncated; the bias that introduces is
// the usual off-policy mismatch of sampling with a temperature, and is zero at the
// paper's temperature 1.0 / top-p 1.0 without a mask.)
import * as tf from '@tensorflow/tfjs';
import type { Tokenizer } from './tokenizer.ts';
import type { Transformer, KVCache } from './transformer.ts';
import { Rng } from '../core/rng.ts';

export class SamplerError extends Error {
  override name = 'SamplerError';
}

export interface SampleOptions {
  /** Most tokens generated per row (a row also stops at a stop token or when it fills
   *  the model's context). */
  maxTokens: number;
  /** Softmax temperature of the sampling distribution; 0 = greedy (argmax, lowest id on ties). */
  temperature: number;
  /** Nucleus sampling: keep the most likely tokens whose probabilities first reach topP (0 < topP ≤ 1). */
  topP: number;
  /** Generating one of these ends the row; the stop token is kept in `tokens`. */
  stopTokens: number[];
  seed: number;
  /** Constrained decoding: called before each step with the response tokens so far of
   *  every row; returns an additive mask, row-major [B × V] (0 = allowed, -Infinity =
   *  forbidden), or null for no mask this step. */
  logitMask?: (step: number, seqs: number[][]) => Float32Array | null;
  /** Default true. false = run the whole sequence again for every token (for the
   *  benchmark and the equivalence test). */
  useCache?: boolean;
  /** Id written in the left padding and fed to finished rows; never attended to.
   *  Default 0. */
  padToken?: number;
}

export interface Sample {
  /** Response tokens (the stop token included when `stopped`). */
  tokens: number[];
  /** Per response token: untempered, unmasked model log-prob (see the header). */
  logprobs: number[];
  /** Decoded response, without the final stop token. */
  text: string;
  /** True when the row ended on a stop token (false: maxTokens or the context ran out). */
  stopped: boolean;
}

function checkOptions(o: SampleOptions, vocab: number): void {
  if (!Number.isInteger(o.maxTokens) || o.maxTokens < 0) throw new SamplerError(`maxTokens must be an integer >= 0, got ${o.maxTokens}`);
  if (!Number.isFinite(o.temperature) || o.temperature < 0) throw new SamplerError(`temperature must be a finite number >= 0, got ${o.temperature}`);
  if (!(o.topP > 0 && o.topP <= 1)) throw new SamplerError(`topP must be in (0, 1], got ${o.topP}`);
  if (!Number.isSafeInteger(o.seed)) throw new SamplerError(`seed must be an integer, got ${o.seed}`);
  if (!Array.isArray(o.stopTokens)) throw new SamplerError('stopTokens must be an array of token ids');
  for (const t of o.stopTokens) {
    if (!Number.isInteger(t) || t < 0 || t >= vocab) throw new SamplerError(`stop token ${t} is not an id in 0..${vocab - 1}`);
  }
  const pad = o.padToken ?? 0;
  if (!Number.isInteger(pad) || pad < 0 || pad >= vocab) throw new SamplerError(`padToken ${pad} is not an id in 0..${vocab - 1}`);
}

/** Log-softmax of logits[off .. off+V) in float64 (the host-side copy of what train.ts
 *  computes on the device). */
function logSoftmaxAt(logits: Float32Array, off: number, V: number, out: Float64Array): void {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[off + v]);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(logits[off + v] - max);
  const lse = max + Math.log(sum);
  for (let v = 0; v < V; v++) out[v] = logits[off + v] - lse;
}

/** Draws one token from a row's tempered, masked, top-p-truncated distribution. */
function pick(
  logits: Float32Array,
  off: number,
  V: number,
  mask: Float32Array | null,
  maskOff: number,
  temperature: number,
  topP: number,
  rng: Rng,
  scratch: Float64Array,
  order: number[],
): number {
  let best = -1;
  let bestVal = -Infinity;
  for (let v = 0; v < V; v++) {
    const z = logits[off + v] + (mask ? mask[maskOff + v] : 0);
    scratch[v] = z;
    if (z > bestVal) {
      bestVal = z;
      best = v;
    }
  }
  if (best < 0 || bestVal === -Infinity || Number.isNaN(bestVal)) return -1;
  if (temperature === 0) return best;
  let total = 0;
  for (let v = 0; v < V; v++) {
    const p = Math.exp((scratch[v] - bestVal) / temperature);
    scratch[v] = p;
    total += p;
  }
  if (topP < 1) {
    order.length = 0;
    for (let v = 0; v < V; v++) if (scratch[v] > 0) order.push(v);
    order.sort((a, b) => scratch[b] - scratch[a] || a - b);
    let kept = 0;
    let k = 0;
    while (k < order.length && (k === 0 || kept < topP * total)) kept += scratch[order[k++]];
    let u = rng.float() * kept;
    for (let i = 0; i < k; i++) {
      u -= scratch[order[i]];
      if (u < 0) return order[i];
    }
    return order[k - 1];
  }
  let u = rng.float() * total;
  let last = best;
  for (let v = 0; v < V; v++) {
    if (scratch[v] === 0) continue;
    u -= scratch[v];
    last = v;
    if (u < 0) return v;
  }
  return last; // rounding left a sliver of mass: the last token with any
}

/** Last-position logits [B, V] of a forward over `tokens` [B, S], read to the host. */
async function lastLogits(model: Transformer, tokens: tf.Tensor2D, cache: KVCache): Promise<Float32Array> {
  const logits = model.forwardCached(tokens, cache);
  const last = tf.tidy(() => {
    const [B, S, V] = logits.shape;
    return tf.reshape(tf.slice(logits, [0, S - 1, 0], [B, 1, V]), [B, V]);
  });
  logits.dispose();
  try {
    return (await last.data()) as Float32Array;
  } finally {
    last.dispose();
  }
}

/** Samples a response for every prompt (token ids), all rows in one batch. */
export async function generate(model: Transformer, tokenizer: Tokenizer, prompts: number[][], opts: SampleOptions): Promise<Sample[]> {
  const cfg = model.config;
  const V = cfg.vocabSize;
  if (tokenizer.vocabSize !== V) throw new SamplerError(`tokenizer has ${tokenizer.vocabSize} ids but the model ${V}`);
  checkOptions(opts, V);
  if (!Array.isArray(prompts) || prompts.length === 0) throw new SamplerError('prompts must be a non-empty array of token-id arrays');
  for (const [b, p] of prompts.entries()) {
    if (!Array.isArray(p) || p.length === 0) throw new SamplerError(`prompt ${b} is empty: a row needs at least one token to condition on`);
    if (p.length > cfg.contextLength) throw new SamplerError(`prompt ${b} has ${p.length} tokens, more than the context length ${cfg.contextLength}`);
    for (const [i, t] of p.entries()) {
      if (!Number.isInteger(t) || t < 0 || t >= V) throw new SamplerError(`prompt ${b} has id ${t} at index ${i}, not in 0..${V - 1}`);
    }
  }
  const B = prompts.length;
  const P = Math.max(...prompts.map((p) => p.length));
  const leftPad = prompts.map((p) => P - p.length);
  const padToken = opts.padToken ?? 0;
  const stop = new Set(opts.stopTokens);
  const useCache = opts.useCache ?? true;
  const rng = new Rng(opts.seed);

  // rows[b]: the full padded sequence so far (the recompute path feeds it again).
  const rows = prompts.map((p, b) => [...new Array(leftPad[b]).fill(padToken), ...p]);
  const out: Sample[] = prompts.map(() => ({ tokens: [], logprobs: [], text: '', stopped: false }));
  const active = prompts.map((p) => p.length < cfg.contextLength);
  const realLen = prompts.map((p) => p.length);

  const scratch = new Float64Array(V);
  const lp = new Float64Array(V);
  const order: number[] = [];
  let cache: KVCache | null = useCache ? model.createCache(leftPad) : null;
  // The rows still in the model's batch, as indices of `prompts`; logits row k is live[k].
  // When most rows have stopped, the cache is cut down to the live ones (KVCache.selectRows):
  // a short answer no longer costs as much as the longest one in its batch.
  let live = prompts.map((_, b) => b);
  try {
    let logits: Float32Array | null = null;
    if (opts.maxTokens > 0 && active.some(Boolean)) {
      // Prefill: the whole left-padded prompt block in one forward.
      const t = tf.tensor2d(rows.flat(), [B, P], 'int32');
      const target = cache ?? model.createCache(leftPad);
      try {
        logits = await lastLogits(model, t, target);
      } finally {
        t.dispose();
        if (target !== cache) target.dispose();
      }
    }
    for (let step = 0; logits && step < opts.maxTokens; step++) {
      const mask = opts.logitMask ? opts.logitMask(step, out.map((s) => s.tokens.slice())) : null;
      if (mask && mask.length !== B * V) throw new SamplerError(`logitMask returned ${mask.length} values at step ${step}, expected ${B}×${V}`);
      const next = new Array<number>(B).fill(padToken);
      for (let k = 0; k < live.length; k++) {
        const b = live[k];
        if (!active[b]) continue;
        const off = k * V;
        const tok = pick(logits, off, V, mask, b * V, opts.temperature, opts.topP, rng, scratch, order);
        if (tok < 0) throw new SamplerError(`row ${b} has no allowed token at step ${step} (the logit mask forbids every id, or the logits are not finite)`);
        logSoftmaxAt(logits, off, V, lp);
        out[b].tokens.push(tok);
        out[b].logprobs.push(lp[tok]);
        next[b] = tok;
        realLen[b]++;
        if (stop.has(tok)) {
          out[b].stopped = true;
          active[b] = false;
        } else if (realLen[b] >= cfg.contextLength) {
          active[b] = false; // the next token would have no position
        }
      }
      for (let b = 0; b < B; b++) rows[b].push(next[b]);
      if (!active.some(Boolean) || step === opts.maxTokens - 1) break;
      if (cache) {
        const keep = live.flatMap((b, k) => (active[b] ? [k] : []));
        if (keep.length <= live.length / 2) {
          cache = cache.selectRows(keep);
          live = keep.map((k) => live[k]);
        }
        const t = tf.tensor2d(live.map((b) => next[b]), [live.length, 1], 'int32');
        try {
          logits = await lastLogits(model, t, cache);
        } finally {
          t.dispose();
        }
      } else {
        const fresh = model.createCache(leftPad);
        const t = tf.tensor2d(rows.flat(), [B, rows[0].length], 'int32');
        try {
          logits = await lastLogits(model, t, fresh);
        } finally {
          t.dispose();
          fresh.dispose();
        }
      }
    }
  } finally {
    cache?.dispose();
    cache = null;
  }
  for (const s of out) s.text = tokenizer.decode(s.stopped ? s.tokens.slice(0, -1) : s.tokens);
  return out;
}
