// Muon (Keller Jordan's MomentUm Orthogonalized by Newton–Schulz) for the transformer's
// hidden weight matrices, with AdamW for every other parameter, in one optimizer that
// the Trainer drives exactly like AdamW (apply → pre-clip norm, state, loadState).
//
// Which parameters are Muon's (see muonBlocks): the 2-D matrices inside the blocks, named
// h.<i>.attn.wqkv, h.<i>.attn.wo, h.<i>.mlp.wfc, h.<i>.mlp.wproj in namedVariables().
// The token embedding `wte` (tied to the output head) and the learned positions `wpe`
// live outside the blocks and stay with AdamW, as do LayerNorm gains and every bias
// (rank 1). The fused q/k/v matrix [d, 3d] is orthogonalised as its three [d, d] column
// blocks, q, k and v separately — the projections Muon's recipe names — not as one matrix.
//
// Per step, after global grad-norm clipping over *all* gradients (as AdamW does), for
// each Muon matrix W with clipped gradient g (μ = momentum, Nesterov):
//   B ← μ·B + g,   u = g + μ·B
//   O = NewtonSchulz5(u)                      (per block; see newtonSchulz5)
//   W ← W·(1 − lr·wd) − lr · 0.2·sqrt(max(rows, cols)) · O
// The 0.2·sqrt(max(rows, cols)) factor (Moonshot's "Muon is scalable for LLM training")
// gives the update an RMS of 0.2, about what an AdamW update has, so `lr` (and the weight
// decay) mean the same for Muon's matrices as for AdamW's parameters: one lr serves both
// halves, and an A/B against AdamW compares optimizers at the same lr. (Keller Jordan's
// max(1, rows/cols)^0.5 instead wants lr ≈ 0.02, and would depend on whether a matrix is
// stored [in, out], as here, or [out, in], as in PyTorch.) The AdamW half uses `adamLr`
// when set, else `lr`, read at every step so that a schedule moving `lr` moves both.
//
// tfjs facts honoured: pairwise adds (no tf.addN: webgpu), sync tf.tidy only, and explicit
// tf.transpose + plain matMul (matMul's transpose flags are 10–20× slower on wasm), and
// one matrix per product (wasm's batched matMul is slower than a loop of plain ones).
import * as tf from '@tensorflow/tfjs';
import { AdamW, checkAdamWOptions, checkStateKind, clipScale, decays, globalNorm, OptimizerError, type AdamWOptions, type Optimizer, type OptimizerState } from './optim.ts';

/** The quintic Newton–Schulz coefficients of Keller Jordan's Muon: they push every
 *  singular value of a Frobenius-normalised matrix into roughly [0.7, 1.2] in 5 steps. */
export const NS_COEFFS = [3.4445, -4.775, 2.0315] as const;
export const NS_STEPS = 5;

export interface MuonOptions extends AdamWOptions {
  /** Momentum μ of the matrix updates (Nesterov form). Default 0.95. */
  momentum?: number;
  /** Learning rate of the AdamW-updated parameters; default: `lr`. */
  adamLr?: number;
}

export const MUON_MOMENTUM = 0.95;

/** Last two axes swapped, by an explicit transpose (see the header). */
function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(x, perm);
}

/**
 * Five quintic Newton–Schulz steps toward the orthogonal factor U·Vᵀ of G = U·S·Vᵀ, on a
 * matrix [r, c] or a batch of them [n, r, c]: X = G / (‖G‖_F + 1e-7) per matrix, then
 * X ← a·X + (b·A + c·A²)·X with A = X·Xᵀ. A tall matrix is transposed first so that A is
 * the small side. Float32 here (the reference recipe runs it in bfloat16). Call inside tf.tidy.
 */
export function newtonSchulz5(G: tf.Tensor, steps = NS_STEPS): tf.Tensor {
  if (G.rank !== 2 && G.rank !== 3) throw new OptimizerError(`Newton–Schulz needs a matrix or a batch of matrices, got shape [${G.shape}]`);
  const [a, b, c] = NS_COEFFS;
  const tall = G.shape[G.rank - 2]! > G.shape[G.rank - 1]!;
  let X = tall ? swapLast(G) : G;
  const axes = G.rank === 2 ? [0, 1] : [1, 2];
  X = tf.div(X, tf.add(tf.sqrt(tf.sum(tf.square(X), axes, true)), 1e-7));
  for (let i = 0; i < steps; i++) {
    const A = tf.matMul(X as tf.Tensor3D, swapLast(X) as tf.Tensor3D);
    const B = tf.add(tf.mul(A, b), tf.mul(tf.matMul(A, A), c));
    X = tf.add(tf.mul(X, a), tf.matMul(B, X as tf.Tensor3D));
  }
  return tall ? swapLast(X) : X;
}

/**
 * How Muon sees a parameter: the number of column blocks it orthogonalises separately
 * (3 for the fused q/k/v matrix, 1 for the other block matrices), or 0 for a parameter
 * AdamW updates. The split is by name: a rank-2 variable inside a block ("h.<i>.…");
 * embeddings (wte, wpe) are outside every block, gains and biases are rank 1.
 */
export function muonBlocks(name: string, v: { rank: number }): number {
  if (v.rank !== 2 || !/^h\.\d+\./.test(name)) return 0;
  return name.endsWith('.attn.wqkv') ? 3 : 1;
}

export function checkMuonOptions(o: MuonOptions): void {
  checkAdamWOptions(o);
  const mu = o.momentum ?? MUON_MOMENTUM;
  if (!(Number.isFinite(mu) && mu >= 0 && mu < 1)) throw new OptimizerError(`momentum must be a number in [0, 1), got ${o.momentum}`);
  if (o.adamLr !== undefined && !(Number.isFinite(o.adamLr) && o.adamLr >= 0)) throw new OptimizerError(`adamLr must be a finite number >= 0, got ${o.adamLr}`);
}

export class Muon implements Optimizer {
  readonly kind = 'muon';
  opts: MuonOptions;
  private readonly params: Map<string, tf.Variable>;
  /** Momentum buffers of the Muon matrices, by parameter name. */
  private readonly mu = new Map<string, tf.Variable>();
  private readonly blocks = new Map<string, number>();
  /** AdamW for every other parameter; it also counts the steps. */
  private readonly adam: AdamW;

  constructor(params: Map<string, tf.Variable>, opts: MuonOptions) {
    checkMuonOptions(opts);
    this.opts = { ...opts, betas: [opts.betas[0], opts.betas[1]] };
    this.params = new Map(params);
    const rest = new Map<string, tf.Variable>();
    for (const [name, p] of this.params) {
      const k = muonBlocks(name, p);
      if (k === 0) {
        rest.set(name, p);
        continue;
      }
      if (p.shape[1]! % k !== 0) throw new OptimizerError(`"${name}" has shape [${p.shape}]: its columns do not split into ${k} blocks`);
      this.blocks.set(name, k);
      // Non-trainable, so that tf.variableGrads without a list never differentiates them.
      this.mu.set(name, tf.variable(tf.zerosLike(p), false));
    }
    this.adam = new AdamW(rest, { ...this.opts, lr: this.opts.adamLr ?? this.opts.lr });
  }

  get step(): number {
    return this.adam.step;
  }

  /** Names of the parameters Muon orthogonalises (the rest go to AdamW). */
  get matrices(): string[] {
    return [...this.mu.keys()];
  }

  /** Clips and applies `grads` (by parameter name; a parameter without a gradient is left
   *  untouched, its state included). Returns the global gradient norm *before* clipping,
   *  as a scalar the caller reads and disposes. */
  apply(grads: Map<string, tf.Tensor>): tf.Scalar {
    for (const name of grads.keys()) {
      if (!this.params.has(name)) throw new OptimizerError(`gradient for unknown parameter "${name}"`);
    }
    const { lr, betas, weightDecay, eps, gradClip, adamLr } = this.opts;
    const mu = this.opts.momentum ?? MUON_MOMENTUM;
    // The AdamW half follows this optimizer's options as they are now (a schedule sets opts.lr).
    this.adam.opts = { lr: adamLr ?? lr, betas: [betas[0], betas[1]], weightDecay, eps, gradClip: 0 };
    return tf.tidy(() => {
      const norm = globalNorm(grads.values());
      const scale = clipScale(norm, gradClip);
      this.adam.update(new Map([...grads].filter(([name]) => !this.mu.has(name))), scale);
      for (const [name, g0] of grads) {
        const buf = this.mu.get(name);
        if (!buf) continue;
        const g = scale ? tf.mul(g0, scale) : g0;
        const b1 = tf.add(tf.mul(buf, mu), g);
        buf.assign(b1);
        const u = tf.add(g, tf.mul(b1, mu));
        // One matrix at a time: a batched [n, r, c] matMul on wasm measured ~4× slower than
        // n plain ones (12 q/k/v/out blocks of the tiny model: 113 ms batched, 43 ms looped).
        const k = this.blocks.get(name)!;
        const parts = (k === 1 ? [u] : tf.split(u, k, 1)).map((x) => newtonSchulz5(x));
        const O = k === 1 ? parts[0] : tf.concat(parts, 1);
        const [rows, cols] = parts[0].shape as [number, number];
        const p = this.params.get(name)!;
        const decayed = weightDecay > 0 && decays(p) ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(O, lr * 0.2 * Math.sqrt(Math.max(rows, cols)))));
      }
      return norm;
    });
  }

  /** Momentum ("mu.<param>") and the AdamW moments ("m."/"v.") by name (views of the
   *  optimizer's own variables: do not dispose), and the step. */
  state(): OptimizerState {
    const tensors = new Map<string, tf.Tensor>();
    for (const name of this.params.keys()) {
      const buf = this.mu.get(name);
      if (buf) tensors.set(`mu.${name}`, buf);
    }
    for (const [name, t] of this.adam.state().tensors) tensors.set(name, t);
    return { kind: 'muon', step: this.adam.step, tensors };
  }

  /** Restores momentum, moments and step (values are copied; the caller keeps ownership).
   *  Everything is checked before anything is written; an AdamW state is refused. */
  loadState(state: OptimizerState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new OptimizerError(`optimizer step must be an integer >= 0, got ${state.step}`);
    checkStateKind(state, 'muon');
    const adamTensors = new Map<string, tf.Tensor>();
    for (const [name, t] of state.tensors) {
      if (name.startsWith('mu.')) {
        if (!this.mu.has(name.slice(3))) throw new OptimizerError(`optimizer state has unknown tensor "${name}"`);
      } else {
        adamTensors.set(name, t);
      }
    }
    for (const [name, buf] of this.mu) {
      const t = state.tensors.get(`mu.${name}`);
      if (!t) throw new OptimizerError(`optimizer state lacks "mu.${name}"`);
      if (t.shape.join(',') !== buf.shape.join(',')) throw new OptimizerError(`optimizer state "mu.${name}" has shape [${t.shape}], the parameter [${buf.shape}]`);
    }
    // The AdamW half checks its own tensors (and refuses "m."/"v." of a Muon matrix as unknown)
    // before it writes; only then is the momentum written.
    this.adam.loadState({ kind: 'adamw', step: state.step, tensors: adamTensors });
    tf.tidy(() => {
      for (const [name, buf] of this.mu) buf.assign(tf.cast(state.tensors.get(`mu.${name}`)!, 'float32'));
    });
  }

  dispose(): void {
    for (const t of this.mu.values()) t.dispose();
    this.mu.clear();
    this.adam.dispose();
  }
}
