// Losses and optimizer steps of the policy: next-token cross-entropy (pretraining on
// the task format) and the PPO-clip policy-gradient loss of the self-play update.
//
// PPO-clip, per response token k of sequence b (prompt and padding carry no loss):
//   ratio = exp(logp_new − logp_old),   A = advantages[b] (one per sequence, broadcast)
//   loss_k = −min(ratio·A, clip(ratio, 1−ε, 1+ε)·A)
//   loss = Σ_k loss_k / N − entropyCoef · Σ_k H_k / N + klCoef · Σ_k c_b · KLref_k / N
// with N the number of response tokens in the whole batch (token mean, as veRL, the
// paper's code, does by default), H_k the entropy of the full next-token distribution,
// and KLref_k = exp(d) − d − 1 with d = logp_ref − logp_new: the k3 estimate of
// KL(new‖ref) to a frozen reference policy (veRL's "low_var_kl"; the paper uses none,
// DESIGN §6 lists it among the cures for entropy collapse), and c_b the sequence's KL
// weight (klWeights, default 1): self-play keeps one role near the reference and lets
// the other move, since both roles share the weights.
// logp_old must be what the sampler returns: untempered, unmasked model log-probs
// (sampler.ts), the same quantity computed here.
// Reported: clipFrac = share of tokens with |ratio − 1| > ε; approxKl = the "k3"
// estimator of KL(old‖new), mean of (ratio − 1) − log ratio (non-negative, unbiased;
// CleanRL's approx_kl); entropy = mean H_k.
//
// A batch may be split into micro-batches (rows): gradients are summed over them before
// one optimizer step, and every micro-batch divides by the whole batch's N, so the step
// is the same as one pass over the whole batch, with less memory.
import * as tf from '@tensorflow/tfjs';
import { floatOneHot, type Transformer } from './transformer.ts';
import { AdamW, type AdamWOptions, type Optimizer, type OptimizerState } from './optim.ts';
import { Muon, MUON_MOMENTUM } from './muon.ts';

export class TrainError extends Error {
  override name = 'TrainError';
}

export interface PgBatch {
  /** prompt ++ response token ids, one per rollout. */
  sequences: number[][];
  /** Tokens of each sequence that belong to the prompt (no loss on them). */
  promptLengths: number[];
  /** One advantage per sequence, broadcast to its response tokens. */
  advantages: number[];
  /** Per response token: the sampler's log-prob (length = sequence − prompt length). */
  oldLogprobs: number[][];
  /** Per response token: a frozen reference policy's log-prob; needed when klCoef > 0. */
  refLogprobs?: number[][];
  /** Per sequence: the weight of its KL penalty (≥ 0; default 1 for every sequence). */
  klWeights?: number[];
}

export interface CeBatch {
  sequences: number[][];
  /** Optional per-token weights, same length as the sequence: entry j weights the
   *  prediction of token j from tokens < j (entry 0 is unused). Default 1 for all j ≥ 1. */
  lossMask?: number[][];
}

export interface TrainerOptions extends AdamWOptions {
  /** PPO clip range ε. */
  clipEps: number;
  /** Weight of the entropy bonus (0 = none). */
  entropyCoef: number;
  /** Weight of the KL penalty to the reference policy (0 = none; then refLogprobs is ignored). */
  klCoef: number;
  /** Rows per forward/backward pass; gradients are accumulated. 0 = the whole batch at once. */
  microBatch: number;
  /** 'adamw': AdamW on every parameter. 'muon': Muon on the blocks' weight matrices and
   *  AdamW on the rest (muon.ts); `lr` means the same for both (RMS-matched updates). */
  optimizer: 'adamw' | 'muon';
  /** Muon only: momentum of the matrix updates (default 0.95). */
  muonMomentum?: number;
  /** Muon only: lr of the AdamW-updated parameters (default: lr, following its schedule). */
  adamLr?: number;
}

/** Paper-style defaults scaled for a small model trained from scratch (DESIGN §1). */
export const TRAINER_DEFAULTS: TrainerOptions = {
  lr: 3e-4,
  betas: [0.9, 0.95],
  weightDecay: 0.01,
  eps: 1e-8,
  gradClip: 1.0,
  clipEps: 0.2,
  entropyCoef: 0,
  klCoef: 0,
  microBatch: 0,
  optimizer: 'adamw',
};

export interface CeStats {
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Number of predicted tokens (sum of loss weights). */
  tokens: number;
}

export interface PgStats {
  loss: number;
  clipFrac: number;
  entropy: number;
  gradNorm: number;
  /** k3 estimator of KL(old‖new), see the header. */
  approxKl: number;
  /** k3 estimate of KL(new‖ref), mean over response tokens (each weighted by its
   *  sequence's klWeights entry: the penalty as applied); 0 when klCoef is 0. */
  refKl: number;
  /** Response tokens in the batch. */
  tokens: number;
}

/** A batch packed for the device: inputs, next-token targets and per-token weights,
 *  all [B, T] on the host, right-padded (causality hides the right padding). */
export interface Packed {
  B: number;
  T: number;
  inputs: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
  /** PG only: the sequence's advantage on its response tokens, 0 elsewhere. */
  advantages?: Float32Array;
  /** PG only: the old log-prob on response tokens, 0 elsewhere. */
  oldLogprobs?: Float32Array;
  /** PG with a KL penalty only: the reference log-prob on response tokens, 0 elsewhere. */
  refLogprobs?: Float32Array;
  /** PG with a KL penalty only: the sequence's KL weight on response tokens, 0 elsewhere. */
  klWeights?: Float32Array;
}

function checkSequences(seqs: unknown, vocab: number, context: number): number[][] {
  if (!Array.isArray(seqs) || seqs.length === 0) throw new TrainError('sequences must be a non-empty array of token-id arrays');
  for (const [b, s] of (seqs as unknown[]).entries()) {
    if (!Array.isArray(s) || s.length < 2) throw new TrainError(`sequence ${b} must have at least 2 tokens (one to predict from, one to predict)`);
    if (s.length - 1 > context) throw new TrainError(`sequence ${b} has ${s.length} tokens; the model sees at most ${context} inputs (context length) + 1`);
    for (const [i, t] of s.entries()) {
      if (!Number.isInteger(t) || t < 0 || t >= vocab) throw new TrainError(`sequence ${b} has id ${t} at index ${i}, not in 0..${vocab - 1}`);
    }
  }
  return seqs as number[][];
}

/** Packs rows `rows` of the sequences; weight[b][j-1] is the weight of predicting token j. */
function pack(
  seqs: number[][],
  rows: number[],
  weightOf: (b: number, j: number) => number,
  extra?: (b: number, j: number) => [number, number, number, number],
  withRef = false,
): Packed {
  const B = rows.length;
  const T = Math.max(...rows.map((b) => seqs[b].length)) - 1;
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const weights = new Float32Array(B * T);
  const advantages = extra ? new Float32Array(B * T) : undefined;
  const oldLogprobs = extra ? new Float32Array(B * T) : undefined;
  const refLogprobs = extra && withRef ? new Float32Array(B * T) : undefined;
  const klWeights = extra && withRef ? new Float32Array(B * T) : undefined;
  rows.forEach((b, r) => {
    const s = seqs[b];
    for (let j = 1; j < s.length; j++) {
      const k = r * T + j - 1;
      inputs[k] = s[j - 1];
      targets[k] = s[j];
      weights[k] = weightOf(b, j);
      if (extra && weights[k] !== 0) {
        const [a, o, r, c] = extra(b, j);
        advantages![k] = a;
        oldLogprobs![k] = o;
        if (refLogprobs) refLogprobs[k] = r;
        if (klWeights) klWeights[k] = c;
      }
    }
  });
  return { B, T, inputs, targets, weights, advantages, oldLogprobs, refLogprobs, klWeights };
}

export function packCe(model: Transformer, batch: CeBatch, rows?: number[]): Packed {
  const seqs = checkSequences(batch.sequences, model.config.vocabSize, model.config.contextLength);
  const mask = batch.lossMask;
  if (mask !== undefined) {
    if (!Array.isArray(mask) || mask.length !== seqs.length) throw new TrainError(`lossMask must have one row per sequence (${seqs.length})`);
    for (const [b, m] of mask.entries()) {
      if (!Array.isArray(m) || m.length !== seqs[b].length) throw new TrainError(`lossMask[${b}] must have ${seqs[b].length} entries, one per token`);
      if (!m.every((w) => Number.isFinite(w) && w >= 0)) throw new TrainError(`lossMask[${b}] must hold finite weights >= 0`);
    }
  }
  return pack(seqs, rows ?? seqs.map((_, b) => b), (b, j) => (mask ? mask[b][j] : 1));
}

/** Packs a PG batch; with `withRef`, refLogprobs must be present and is packed too. */
export function packPg(model: Transformer, batch: PgBatch, rows?: number[], withRef = false): Packed {
  const seqs = checkSequences(batch.sequences, model.config.vocabSize, model.config.contextLength);
  const n = seqs.length;
  const { promptLengths: pl, advantages: adv, oldLogprobs: old, refLogprobs: ref, klWeights: klw } = batch;
  if (withRef && (!Array.isArray(ref) || ref.length !== n)) {
    throw new TrainError(`refLogprobs must have one row per sequence (${n}) when the KL penalty is on`);
  }
  if (klw !== undefined) {
    if (!Array.isArray(klw) || klw.length !== n) throw new TrainError(`klWeights must have one entry per sequence (${n})`);
    for (const [b, c] of klw.entries()) if (!(Number.isFinite(c) && c >= 0)) throw new TrainError(`klWeights[${b}] = ${c} must be a finite number >= 0`);
  }
  if (!Array.isArray(pl) || pl.length !== n) throw new TrainError(`promptLengths must have one entry per sequence (${n})`);
  if (!Array.isArray(adv) || adv.length !== n) throw new TrainError(`advantages must have one entry per sequence (${n})`);
  if (!Array.isArray(old) || old.length !== n) throw new TrainError(`oldLogprobs must have one row per sequence (${n})`);
  for (let b = 0; b < n; b++) {
    if (!Number.isInteger(pl[b]) || pl[b] < 1 || pl[b] > seqs[b].length) {
      throw new TrainError(`promptLengths[${b}] = ${pl[b]} must be an integer in [1, ${seqs[b].length}]`);
    }
    if (!Number.isFinite(adv[b])) throw new TrainError(`advantages[${b}] = ${adv[b]} is not finite`);
    const r = seqs[b].length - pl[b];
    if (!Array.isArray(old[b]) || old[b].length !== r) throw new TrainError(`oldLogprobs[${b}] must have ${r} entries (one per response token), got ${old[b]?.length}`);
    if (!old[b].every((x) => Number.isFinite(x) && x <= 1e-6)) throw new TrainError(`oldLogprobs[${b}] must hold finite log-probabilities (<= 0)`);
    if (withRef) {
      if (!Array.isArray(ref![b]) || ref![b].length !== r) throw new TrainError(`refLogprobs[${b}] must have ${r} entries (one per response token), got ${ref![b]?.length}`);
      if (!ref![b].every((x) => Number.isFinite(x) && x <= 1e-6)) throw new TrainError(`refLogprobs[${b}] must hold finite log-probabilities (<= 0)`);
    }
  }
  return pack(
    seqs,
    rows ?? seqs.map((_, b) => b),
    (b, j) => (j >= pl[b] ? 1 : 0),
    (b, j) => [adv[b], old[b][j - pl[b]], withRef ? ref![b][j - pl[b]] : 0, klw ? klw[b] : 1],
    withRef,
  );
}

/** Per-token log-probs of the targets [B, T] and log-softmax [B, T, V] of a packed batch. */
function targetLogprobs(model: Transformer, p: Packed): { logp: tf.Tensor2D; logSm: tf.Tensor3D } {
  const inputs = tf.tensor2d(p.inputs, [p.B, p.T], 'int32');
  const logits = model.logits(inputs);
  const logSm = tf.logSoftmax(logits) as tf.Tensor3D;
  // Pick the target's log-prob with a one-hot product: its gradient needs no
  // scatter kernel (wasm has none for gather's backward).
  const onehot = floatOneHot(tf.tensor2d(p.targets, [p.B, p.T], 'int32'), model.config.vocabSize);
  const logp = tf.sum(tf.mul(logSm, onehot), -1) as tf.Tensor2D;
  return { logp, logSm };
}

/** Σ weight·(−log p(target)) / denom — the CE loss of a packed (micro-)batch. Sync, for
 *  use inside tf.variableGrads and finite differences. */
export function ceLoss(model: Transformer, p: Packed, denom: number): tf.Scalar {
  return tf.tidy(() => {
    const { logp } = targetLogprobs(model, p);
    const w = tf.tensor2d(p.weights, [p.B, p.T]);
    return tf.div(tf.neg(tf.sum(tf.mul(w, logp))), denom) as tf.Scalar;
  });
}

export interface PgParts {
  loss: tf.Scalar;
  /** Sums over the micro-batch's response tokens (divide by N for means). */
  clipped: tf.Scalar;
  entropy: tf.Scalar;
  kl: tf.Scalar;
  refKl: tf.Scalar;
}

/** The PPO-clip loss of a packed (micro-)batch divided by `denom` (the whole batch's
 *  response-token count), plus the sums behind the reported statistics. */
export function pgLoss(model: Transformer, p: Packed, denom: number, clipEps: number, entropyCoef: number, klCoef = 0): PgParts {
  if (!p.advantages || !p.oldLogprobs) throw new TrainError('pgLoss needs a batch packed by packPg');
  if (klCoef !== 0 && !p.refLogprobs) throw new TrainError('a KL penalty needs a batch packed with reference log-probs');
  const refLp = p.refLogprobs;
  const adv = p.advantages;
  const oldLp = p.oldLogprobs;
  return tf.tidy(() => {
    const { logp, logSm } = targetLogprobs(model, p);
    const w = tf.tensor2d(p.weights, [p.B, p.T]);
    const A = tf.tensor2d(adv, [p.B, p.T]);
    // Masked tokens get log-ratio 0 (ratio 1) so exp never overflows on padding.
    const logRatio = tf.mul(tf.sub(logp, tf.tensor2d(oldLp, [p.B, p.T])), w);
    const ratio = tf.exp(logRatio);
    const surr1 = tf.mul(ratio, A);
    const surr2 = tf.mul(tf.clipByValue(ratio, 1 - clipEps, 1 + clipEps), A);
    const policyLoss = tf.neg(tf.sum(tf.mul(w, tf.minimum(surr1, surr2))));
    const tokenEntropy = tf.neg(tf.sum(tf.mul(tf.exp(logSm), logSm), -1));
    const entropy = tf.sum(tf.mul(w, tokenEntropy)) as tf.Scalar;
    let total: tf.Tensor = entropyCoef !== 0 ? tf.sub(policyLoss, tf.mul(entropyCoef, entropy)) : policyLoss;
    let refKl = tf.scalar(0);
    if (klCoef !== 0 && refLp) {
      // d clipped to ±20 so exp(d) stays finite for a token the reference finds absurd.
      const d = tf.mul(tf.clipByValue(tf.sub(tf.tensor2d(refLp, [p.B, p.T]), logp), -20, 20), w);
      const c = p.klWeights ? tf.tensor2d(p.klWeights, [p.B, p.T]) : w;
      refKl = tf.sum(tf.mul(c, tf.sub(tf.sub(tf.exp(d), d), 1))) as tf.Scalar;
      total = tf.add(total, tf.mul(klCoef, refKl));
    }
    const loss = tf.div(total, denom) as tf.Scalar;
    const clipped = tf.sum(tf.mul(w, tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), clipEps), 'float32'))) as tf.Scalar;
    const kl = tf.sum(tf.mul(w, tf.sub(tf.sub(ratio, 1), logRatio))) as tf.Scalar;
    return { loss, clipped, entropy, kl, refKl };
  });
}

/** Per response token, the model's log-prob of each sequence's tokens after its prompt
 *  (the training forward's view of what the sampler reported). */
export async function responseLogprobs(model: Transformer, sequences: number[][], promptLengths: number[]): Promise<number[][]> {
  const batch: PgBatch = {
    sequences,
    promptLengths,
    advantages: sequences.map(() => 0),
    oldLogprobs: sequences.map((s, b) => new Array(Math.max(0, s.length - promptLengths[b])).fill(0)),
  };
  const p = packPg(model, batch);
  const t = tf.tidy(() => targetLogprobs(model, p).logp);
  const lp = (await t.data()) as Float32Array;
  t.dispose();
  return sequences.map((s, b) => Array.from(lp.subarray(b * p.T + promptLengths[b] - 1, b * p.T + s.length - 1)));
}

function checkTrainerOptions(o: TrainerOptions): void {
  if (!(Number.isFinite(o.clipEps) && o.clipEps > 0)) throw new TrainError(`clipEps must be > 0, got ${o.clipEps}`);
  if (!Number.isFinite(o.entropyCoef)) throw new TrainError(`entropyCoef must be finite, got ${o.entropyCoef}`);
  if (!(Number.isFinite(o.klCoef) && o.klCoef >= 0)) throw new TrainError(`klCoef must be a finite number >= 0, got ${o.klCoef}`);
  if (!Number.isInteger(o.microBatch) || o.microBatch < 0) throw new TrainError(`microBatch must be an integer >= 0, got ${o.microBatch}`);
  if (o.optimizer !== 'adamw' && o.optimizer !== 'muon') throw new TrainError(`optimizer must be "adamw" or "muon", got ${JSON.stringify(o.optimizer)}`);
}

/**
 * Row indices in micro-batches of `size`. With `lengths`, rows are ordered by length first:
 * a micro-batch is padded to its longest row, so mixing a 500-token proposer prompt with
 * 60-token solver rows would spend most of the step on padding.
 */
function chunks(n: number, size: number, lengths?: readonly number[]): number[][] {
  const rows = Array.from({ length: n }, (_, b) => b);
  if (lengths) rows.sort((a, b) => lengths[a] - lengths[b] || a - b);
  if (size <= 0 || size >= n) return [rows];
  const out: number[][] = [];
  for (let i = 0; i < n; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export class Trainer {
  readonly model: Transformer;
  readonly opts: TrainerOptions;
  readonly optimizer: Optimizer;
  private readonly names: Map<string, string>;
  private readonly varList: tf.Variable[];

  constructor(model: Transformer, opts: Partial<TrainerOptions> = {}) {
    this.model = model;
    this.opts = { ...TRAINER_DEFAULTS, ...opts };
    checkTrainerOptions(this.opts);
    const vars = model.namedVariables();
    this.optimizer =
      this.opts.optimizer === 'muon'
        ? new Muon(vars, { ...this.opts, momentum: this.opts.muonMomentum ?? MUON_MOMENTUM, adamLr: this.opts.adamLr })
        : new AdamW(vars, this.opts);
    this.varList = [...vars.values()];
    // variableGrads keys gradients by tfjs's (prefixed) variable name.
    this.names = new Map([...vars].map(([name, v]) => [v.name, name]));
  }

  /** Learning rate of the next steps (for schedules). */
  set lr(lr: number) {
    if (!(Number.isFinite(lr) && lr >= 0)) throw new TrainError(`lr must be a finite number >= 0, got ${lr}`);
    this.optimizer.opts.lr = lr;
  }

  get lr(): number {
    return this.optimizer.opts.lr;
  }

  /** One optimizer step on the next-token cross-entropy (weighted token mean). */
  async ceStep(batch: CeBatch): Promise<CeStats> {
    const whole = packCe(this.model, batch);
    const total = whole.weights.reduce((a, w) => a + w, 0);
    if (!(total > 0)) throw new TrainError('the batch has no token with a positive loss weight');
    const loss = await this.accumulate(batch.sequences.map((q) => q.length), (rows) => {
      const p = packCe(this.model, batch, rows);
      const l = ceLoss(this.model, p, total);
      return { loss: l, stats: [] };
    });
    return { loss: loss.loss, gradNorm: loss.gradNorm, tokens: total };
  }

  /** One PPO-clip step (one epoch over the batch, one optimizer step). */
  async pgStep(batch: PgBatch): Promise<PgStats> {
    const { clipEps, entropyCoef, klCoef } = this.opts;
    const withRef = klCoef > 0;
    const whole = packPg(this.model, batch, undefined, withRef);
    const N = whole.weights.reduce((a, w) => a + w, 0);
    if (N === 0) throw new TrainError('the batch has no response tokens');
    const r = await this.accumulate(batch.sequences.map((q) => q.length), (rows) => {
      const parts = pgLoss(this.model, packPg(this.model, batch, rows, withRef), N, clipEps, entropyCoef, klCoef);
      return { loss: parts.loss, stats: [parts.clipped, parts.entropy, parts.kl, parts.refKl] };
    });
    const [clipped, entropy, kl, refKl] = r.stats;
    return { loss: r.loss, clipFrac: clipped / N, entropy: entropy / N, gradNorm: r.gradNorm, approxKl: kl / N, refKl: refKl / N, tokens: N };
  }

  optimizerState(): OptimizerState {
    return this.optimizer.state();
  }

  loadOptimizerState(state: OptimizerState): void {
    this.optimizer.loadState(state);
  }

  dispose(): void {
    this.optimizer.dispose();
  }

  /** Runs `lossOf` over the micro-batches, sums gradients and statistics, applies one
   *  optimizer step; returns the summed loss, statistics and the pre-clip grad norm. */
  private async accumulate(
    lengths: number[],
    lossOf: (rows: number[]) => { loss: tf.Scalar; stats: tf.Scalar[] },
  ): Promise<{ loss: number; stats: number[]; gradNorm: number }> {
    let gradSum: Map<string, tf.Tensor> | null = null;
    // Per micro-batch: [loss, ...stats], read after the update is queued (one round of
    // awaits per step, no read-back in between).
    const perChunk: tf.Scalar[][] = [];
    let normT: tf.Scalar | null = null;
    try {
      for (const rows of chunks(lengths.length, this.opts.microBatch, lengths)) {
        let stats: tf.Scalar[] = [];
        const { value, grads } = tf.variableGrads(() => {
          const out = lossOf(rows);
          stats = out.stats.map((t) => tf.keep(t));
          return out.loss;
        }, this.varList);
        perChunk.push([value, ...stats]);
        const named = new Map<string, tf.Tensor>();
        for (const [tfName, g] of Object.entries(grads)) named.set(this.names.get(tfName)!, g);
        if (gradSum === null) {
          gradSum = named;
        } else {
          for (const [name, g] of named) {
            const prev: tf.Tensor | undefined = gradSum.get(name);
            gradSum.set(name, prev ? tf.add(prev, g) : g.clone());
            prev?.dispose();
            g.dispose();
          }
        }
      }
      normT = this.optimizer.apply(gradSum!);
      const values = await Promise.all(perChunk.map((c) => Promise.all(c.map((t) => t.data()))));
      const sums = new Array<number>(perChunk[0].length).fill(0);
      for (const c of values) c.forEach((v, k) => (sums[k] += v[0]));
      const gradNorm = (await normT.data())[0];
      return { loss: sums[0], stats: sums.slice(1), gradNorm };
    } finally {
      for (const c of perChunk) for (const t of c) t.dispose();
      normT?.dispose();
      if (gradSum) for (const g of (gradSum as Map<string, tf.Tensor>).values()) g.dispose();
    }
  }
}
