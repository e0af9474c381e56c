// AdamW (Loshchilov & Hutter) with global grad-norm clipping, written out by hand: the
// weight decay is decoupled (p ← p − lr·wd·p, outside the adaptive step), which
// tf.train.adam does not offer, and the moments are named after their parameters so a
// checkpoint can save and restore them.
//
// Per step, with g the clipped gradient and t the step count (from 1):
//   m ← β1·m + (1−β1)·g,   v ← β2·v + (1−β2)·g²
//   p ← p − lr·wd·p − lr·(m / (1−β1ᵗ)) / (sqrt(v / (1−β2ᵗ)) + eps)
// Decay applies to matrices and embeddings only (rank ≥ 2); LayerNorm gains and biases
// are not decayed (decaying a gain toward 0 fights the normalisation it scales).
import * as tf from '@tensorflow/tfjs';

export class OptimizerError extends Error {
  override name = 'OptimizerError';
}

export interface AdamWOptions {
  lr: number;
  betas: [number, number];
  weightDecay: number;
  eps: number;
  /** Largest global L2 norm of the gradient; larger gradients are scaled down to it.
   *  0 or Infinity = no clipping. */
  gradClip: number;
}

/** Which optimizer a state belongs to (a checkpoint records it; states never mix). */
export type OptimizerKind = 'adamw' | 'muon';

export interface OptimizerState {
  /** Whose state this is; absent means AdamW (states written before Muon existed). */
  kind?: OptimizerKind;
  /** Completed optimizer steps (the bias correction depends on it). */
  step: number;
  /** AdamW: "m.<param>" and "v.<param>" → first and second moments, shaped like the
   *  parameter. Muon adds "mu.<param>" (momentum) for the matrices it orthogonalises,
   *  which then have no "m."/"v." entries. */
  tensors: Map<string, tf.Tensor>;
}

/** What the Trainer drives: AdamW or Muon. */
export interface Optimizer {
  readonly kind: OptimizerKind;
  /** lr is read at every step, so a schedule may set it between steps. */
  opts: AdamWOptions;
  readonly step: number;
  apply(grads: Map<string, tf.Tensor>): tf.Scalar;
  state(): OptimizerState;
  loadState(state: OptimizerState): void;
  dispose(): void;
}

const OPTIMIZER_NAME: Record<OptimizerKind, string> = { adamw: 'AdamW', muon: 'Muon' };

/** Refuses a state saved by another optimizer: by its recorded kind, else by its tensor
 *  names (only Muon's state has "mu." tensors). A named error, never a half-mixed state. */
export function checkStateKind(state: OptimizerState, kind: OptimizerKind): void {
  const byNames: OptimizerKind = [...state.tensors.keys()].some((n) => n.startsWith('mu.')) ? 'muon' : 'adamw';
  const saved = state.kind ?? byNames;
  const other = saved !== kind ? saved : byNames === 'muon' && kind === 'adamw' ? 'muon' : null;
  if (other) {
    throw new OptimizerError(`optimizer state was saved by ${OPTIMIZER_NAME[other]}; this trainer uses ${OPTIMIZER_NAME[kind]} (their states do not mix)`);
  }
}

export function checkAdamWOptions(o: AdamWOptions): void {
  if (!(Number.isFinite(o.lr) && o.lr >= 0)) throw new OptimizerError(`lr must be a finite number >= 0, got ${o.lr}`);
  if (!Array.isArray(o.betas) || o.betas.length !== 2 || !o.betas.every((b) => b >= 0 && b < 1)) {
    throw new OptimizerError(`betas must be two numbers in [0, 1), got ${JSON.stringify(o.betas)}`);
  }
  if (!(Number.isFinite(o.weightDecay) && o.weightDecay >= 0)) throw new OptimizerError(`weightDecay must be >= 0, got ${o.weightDecay}`);
  if (!(Number.isFinite(o.eps) && o.eps > 0)) throw new OptimizerError(`eps must be > 0, got ${o.eps}`);
  if (!(o.gradClip >= 0)) throw new OptimizerError(`gradClip must be >= 0 (0 = off), got ${o.gradClip}`);
}

/** Whether a parameter is weight-decayed: matrices and embeddings, not gains or biases. */
export function decays(v: tf.Variable): boolean {
  return v.rank >= 2;
}

/** Global L2 norm of a set of gradients (call inside tf.tidy). Pairwise adds, not
 *  tf.addN: on webgpu AddN binds one buffer per input and fails to compile past the
 *  device's storage-buffer limit (~8) — and a model has dozens of parameters. */
export function globalNorm(grads: Iterable<tf.Tensor>): tf.Scalar {
  return tf.sqrt([...grads].reduce<tf.Tensor>((acc, g) => tf.add(acc, tf.sum(tf.square(g))), tf.scalar(0))) as tf.Scalar;
}

/** min(1, clip / norm) as a device scalar (no read-back per step), or null when clipping is off. */
export function clipScale(norm: tf.Scalar, gradClip: number): tf.Scalar | null {
  return gradClip > 0 && Number.isFinite(gradClip) ? (tf.minimum(1, tf.div(gradClip, tf.add(norm, 1e-6))) as tf.Scalar) : null;
}

export class AdamW implements Optimizer {
  readonly kind = 'adamw';
  opts: AdamWOptions;
  private t = 0;
  private readonly params: Map<string, tf.Variable>;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(params: Map<string, tf.Variable>, opts: AdamWOptions) {
    checkAdamWOptions(opts);
    this.opts = { ...opts, betas: [opts.betas[0], opts.betas[1]] };
    this.params = new Map(params);
    for (const [name, p] of this.params) {
      // Non-trainable, so that tf.variableGrads without a list never differentiates them.
      // A variable shares its initial tensor's data: that tensor is disposed here, or it
      // would outlive the optimizer (and hold the moments' memory) after dispose().
      for (const moments of [this.m, this.v]) {
        const zeros = tf.zerosLike(p);
        moments.set(name, tf.variable(zeros, false));
        zeros.dispose();
      }
    }
  }

  get step(): number {
    return this.t;
  }

  /** Clips and applies `grads` (by parameter name; a parameter without a gradient is
   *  left untouched, moments included). Returns the global gradient norm *before*
   *  clipping, as a scalar the caller reads and disposes. */
  apply(grads: Map<string, tf.Tensor>): tf.Scalar {
    for (const name of grads.keys()) {
      if (!this.params.has(name)) throw new OptimizerError(`gradient for unknown parameter "${name}"`);
    }
    return tf.tidy(() => {
      const norm = globalNorm(grads.values());
      this.update(grads, clipScale(norm, this.opts.gradClip));
      return norm;
    });
  }

  /** One step on `grads` times `scale` (the clip factor, null = 1) with this.opts.lr;
   *  counts the step. Call inside tf.tidy. Muon uses it for the parameters it does not
   *  orthogonalise, after clipping by the norm of *all* gradients. */
  update(grads: Map<string, tf.Tensor>, scale: tf.Scalar | null): void {
    const { lr, betas, weightDecay, eps } = this.opts;
    const [b1, b2] = betas;
    this.t += 1;
    const bc1 = 1 - Math.pow(b1, this.t);
    const bc2 = 1 - Math.pow(b2, this.t);
    for (const [name, g0] of grads) {
      const p = this.params.get(name)!;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const g = scale ? tf.mul(g0, scale) : g0;
      const m1 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
      const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
      m.assign(m1);
      v.assign(v1);
      const adam = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), eps));
      const decayed = weightDecay > 0 && decays(p) ? tf.mul(p, 1 - lr * weightDecay) : p;
      p.assign(tf.sub(decayed, tf.mul(adam, lr)));
    }
  }

  /** The moments by name (views of the optimizer's own variables: do not dispose) and the step. */
  state(): OptimizerState {
    const tensors = new Map<string, tf.Tensor>();
    for (const name of this.params.keys()) {
      tensors.set(`m.${name}`, this.m.get(name)!);
      tensors.set(`v.${name}`, this.v.get(name)!);
    }
    return { kind: 'adamw', step: this.t, tensors };
  }

  /** Restores moments and step (values are copied; the caller keeps ownership). Every
   *  moment must be present with its parameter's shape. */
  loadState(state: OptimizerState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new OptimizerError(`optimizer step must be an integer >= 0, got ${state.step}`);
    checkStateKind(state, 'adamw');
    for (const name of state.tensors.keys()) {
      const base = name.replace(/^[mv]\./, '');
      if (base === name || !this.params.has(base)) throw new OptimizerError(`optimizer state has unknown tensor "${name}"`);
    }
    for (const [name, p] of this.params) {
      for (const kind of ['m', 'v'] as const) {
        const t = state.tensors.get(`${kind}.${name}`);
        if (!t) throw new OptimizerError(`optimizer state lacks "${kind}.${name}"`);
        if (t.shape.join(',') !== p.shape.join(',')) {
          throw new OptimizerError(`optimizer state "${kind}.${name}" has shape [${t.shape}], the parameter [${p.shape}]`);
        }
      }
    }
    tf.tidy(() => {
      for (const name of this.params.keys()) {
        this.m.get(name)!.assign(tf.cast(state.tensors.get(`m.${name}`)!, 'float32'));
        this.v.get(name)!.assign(tf.cast(state.tensors.get(`v.${name}`)!, 'float32'));
      }
    });
    this.t = state.step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
