// The policy network: a GPT-style decoder in tfjs, one small class per idea
// (LayerNorm, attention, MLP, block, model), every hyperparameter from ModelConfig.
//
// Pre-LayerNorm blocks (x + attn(ln1(x)), then x + mlp(ln2(x))), tanh-GELU MLP,
// learned or rotary positions, and the output projection tied to the token embedding.
//
// Two backend facts shape the ops used here (measured, see DESIGN §6):
// - On wasm the gradient of tf.gather needs UnsortedSegmentSum, which wasm lacks, so
//   embeddings use gather forward with a custom gradient written as a one-hot matMul.
// - On wasm, matMul with transposeA/transposeB is 10–20× slower than a plain matMul;
//   tfjs's own matMul gradient uses those flags. `matmul` below transposes explicitly
//   in both directions.
// Every op used here exists on cpu, wasm, webgl and webgpu.
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig, validateModelConfig } from './config.ts';
import { Rng } from '../core/rng.ts';

export class ModelError extends Error {
  override name = 'ModelError';
}

/** Additive mask value for forbidden attention entries. Finite on purpose: a row with
 *  every entry forbidden (a pad query) then softmaxes to a finite uniform row instead of
 *  NaN, and exp(-1e9 - max) is exactly 0 in float32 for the rows that matter. */
const MASKED = -1e9;

function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(x, perm);
}

/** a @ b for rank-2 or equal-batch rank-3 operands, with a gradient that uses explicit
 *  transposes and plain matMuls only (see the header). */
export const matmul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [tf.matMul(dy as tf.Tensor2D, swapLast(sb) as tf.Tensor2D), tf.matMul(swapLast(sa) as tf.Tensor2D, dy as tf.Tensor2D)];
    },
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** oneHot as float32. Asked for float32 directly, tfjs-backend-wasm 4.22 fills the
 *  buffer with int32 bit patterns (1 reads as 1.4e-45), so: int32, then a cast. */
export function floatOneHot(ids: tf.Tensor, depth: number): tf.Tensor {
  return tf.cast(tf.oneHot(ids, depth), 'float32');
}

/** Rows of `table` [N, d] at `ids` [K] (int32) → [K, d]. Backward: oneHot(ids)ᵀ @ dy,
 *  which every backend can differentiate (see the header). */
function embed(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const n = table.shape[0];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    // Saved, not closed over: the forward's tidy scopes dispose `ids` before backprop.
    (args[1] as tf.GradSaveFunc)([ids]);
    return {
      value: tf.gather(args[0] as tf.Tensor, ids),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.matMul(tf.transpose(floatOneHot(saved[0], n)), dy as tf.Tensor2D),
    };
  });
  return f(table) as tf.Tensor2D;
}

function gelu(x: tf.Tensor): tf.Tensor {
  // tanh approximation (GPT-2's); erf has no gradient kernel on every backend.
  const c = Math.sqrt(2 / Math.PI);
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(c, tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
}

/** Standard normal by Box–Muller (one of the pair dropped: init is a one-off). */
function normal(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.float());
}

/** Builds the named variables in a fixed order with seeded host-side init, so the same
 *  seed gives the same weights on every backend. */
class ParamFactory {
  readonly vars = new Map<string, tf.Variable>();
  constructor(
    private readonly prefix: string,
    private readonly rng: Rng,
  ) {}

  normal(name: string, shape: number[], std: number): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = normal(this.rng) * std;
    return this.add(name, tf.tensor(data, shape, 'float32'));
  }

  fill(name: string, shape: number[], value: number): tf.Variable {
    return this.add(name, tf.fill(shape, value, 'float32'));
  }

  private add(name: string, init: tf.Tensor): tf.Variable {
    // tfjs registers variables by name globally; the prefix keeps two models apart.
    const v = tf.variable(init, true, `${this.prefix}${name}`);
    init.dispose();
    this.vars.set(name, v);
    return v;
  }
}

export class LayerNorm {
  readonly g: tf.Variable;
  readonly b: tf.Variable;
  constructor(
    p: ParamFactory,
    name: string,
    d: number,
    private readonly eps: number,
  ) {
    this.g = p.fill(`${name}.g`, [d], 1);
    this.b = p.fill(`${name}.b`, [d], 0);
  }

  forward(x: tf.Tensor): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps))), this.g), this.b);
  }
}

/** Per-call inputs shared by every layer: masks and rotary tables for these positions. */
interface AttentionContext {
  /** [S, Tk] additive causal mask over (new queries × all keys). */
  causal: tf.Tensor;
  /** [B, 1, 1, Tk] additive mask hiding left-pad keys, or null when there is no padding. */
  keyPad: tf.Tensor | null;
  /** [B, 1, S, hd/2] rotary tables, or null with learned positions. */
  cos: tf.Tensor | null;
  sin: tf.Tensor | null;
}

export class CausalSelfAttention {
  readonly wqkv: tf.Variable;
  readonly bqkv: tf.Variable;
  readonly wo: tf.Variable;
  readonly bo: tf.Variable;
  private readonly nHead: number;
  private readonly headSize: number;

  constructor(p: ParamFactory, name: string, cfg: ModelConfig) {
    const d = cfg.dModel;
    this.nHead = cfg.nHead;
    this.headSize = d / cfg.nHead;
    this.wqkv = p.normal(`${name}.wqkv`, [d, 3 * d], cfg.initStd);
    this.bqkv = p.fill(`${name}.bqkv`, [3 * d], 0);
    this.wo = p.normal(`${name}.wo`, [d, d], cfg.initStd / Math.sqrt(2 * cfg.nLayer));
    this.bo = p.fill(`${name}.bo`, [d], 0);
  }

  /** x [B, S, d] → [B, S, d]. With a cache layer, the new keys/values are appended to
   *  it (kept across tidy scopes; the previous ones are disposed). */
  forward(x: tf.Tensor3D, ctx: AttentionContext, cache: KVCache | null, layer: number): tf.Tensor3D {
    const [B, S, d] = x.shape;
    const H = this.nHead;
    const hd = this.headSize;
    const qkv = tf.add(matmul(tf.reshape(x, [B * S, d]), this.wqkv), this.bqkv);
    const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, S, H, hd]), [0, 2, 1, 3]);
    let [q, k, v] = tf.split(qkv, 3, 1).map(heads);
    if (ctx.cos && ctx.sin) {
      q = rotate(q, ctx.cos, ctx.sin);
      k = rotate(k, ctx.cos, ctx.sin);
    }
    if (cache) {
      const prevK = cache.keys[layer];
      const prevV = cache.values[layer];
      if (prevK && prevV) {
        k = tf.concat([prevK, k], 2);
        v = tf.concat([prevV, v], 2);
        prevK.dispose();
        prevV.dispose();
      }
      cache.keys[layer] = tf.keep(k);
      cache.values[layer] = tf.keep(v);
    }
    const Tk = k.shape[2] as number;
    const q3 = tf.reshape(tf.mul(q, 1 / Math.sqrt(hd)), [B * H, S, hd]);
    const kT = tf.transpose(tf.reshape(k, [B * H, Tk, hd]), [0, 2, 1]);
    let scores = tf.add(tf.reshape(matmul(q3, kT), [B, H, S, Tk]), ctx.causal);
    if (ctx.keyPad) scores = tf.add(scores, ctx.keyPad);
    const att = tf.reshape(tf.softmax(scores), [B * H, S, Tk]);
    const y = matmul(att, tf.reshape(v, [B * H, Tk, hd]));
    const merged = tf.reshape(tf.transpose(tf.reshape(y, [B, H, S, hd]), [0, 2, 1, 3]), [B * S, d]);
    return tf.reshape(tf.add(matmul(merged, this.wo), this.bo), [B, S, d]);
  }
}

/** Rotary position embedding, half-split convention: (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin). */
function rotate(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor {
  const half = x.shape[3]! / 2;
  const [x1, x2] = tf.split(x, [half, half], 3);
  return tf.concat([tf.sub(tf.mul(x1, cos), tf.mul(x2, sin)), tf.add(tf.mul(x2, cos), tf.mul(x1, sin))], 3);
}

export class Mlp {
  readonly wfc: tf.Variable;
  readonly bfc: tf.Variable;
  readonly wproj: tf.Variable;
  readonly bproj: tf.Variable;

  constructor(p: ParamFactory, name: string, cfg: ModelConfig) {
    this.wfc = p.normal(`${name}.wfc`, [cfg.dModel, cfg.dMlp], cfg.initStd);
    this.bfc = p.fill(`${name}.bfc`, [cfg.dMlp], 0);
    this.wproj = p.normal(`${name}.wproj`, [cfg.dMlp, cfg.dModel], cfg.initStd / Math.sqrt(2 * cfg.nLayer));
    this.bproj = p.fill(`${name}.bproj`, [cfg.dModel], 0);
  }

  forward(x: tf.Tensor3D): tf.Tensor3D {
    const [B, S, d] = x.shape;
    const h = gelu(tf.add(matmul(tf.reshape(x, [B * S, d]), this.wfc), this.bfc));
    return tf.reshape(tf.add(matmul(h, this.wproj), this.bproj), [B, S, d]);
  }
}

export class Block {
  readonly ln1: LayerNorm;
  readonly attn: CausalSelfAttention;
  readonly ln2: LayerNorm;
  readonly mlp: Mlp;

  constructor(p: ParamFactory, name: string, cfg: ModelConfig) {
    this.ln1 = new LayerNorm(p, `${name}.ln1`, cfg.dModel, cfg.layerNormEps);
    this.attn = new CausalSelfAttention(p, `${name}.attn`, cfg);
    this.ln2 = new LayerNorm(p, `${name}.ln2`, cfg.dModel, cfg.layerNormEps);
    this.mlp = new Mlp(p, `${name}.mlp`, cfg);
  }

  forward(x: tf.Tensor3D, ctx: AttentionContext, cache: KVCache | null, layer: number): tf.Tensor3D {
    const a = tf.add(x, this.attn.forward(this.ln1.forward(x) as tf.Tensor3D, ctx, cache, layer)) as tf.Tensor3D;
    return tf.add(a, this.mlp.forward(this.ln2.forward(a) as tf.Tensor3D)) as tf.Tensor3D;
  }
}

/** Keys and values of every layer for the positions seen so far, [B, H, length, hd]
 *  each, plus the left padding of each row (pad keys stay masked forever). Grown by
 *  concatenation; owned by the caller, who must dispose() it. */
export class KVCache {
  readonly keys: (tf.Tensor | null)[];
  readonly values: (tf.Tensor | null)[];
  /** Positions held, pads included. */
  length = 0;

  constructor(
    nLayer: number,
    readonly leftPad: readonly number[],
  ) {
    this.keys = new Array(nLayer).fill(null);
    this.values = new Array(nLayer).fill(null);
  }

  get batch(): number {
    return this.leftPad.length;
  }

  /**
   * A cache of only the given rows (indices into this batch, ascending), with the left
   * padding they all share cut off; this cache is disposed. The sampler calls it when most
   * rows have finished, so the rest stop paying for them. Positions count from each row's
   * first real token, so cutting shared padding changes no row's result.
   */
  selectRows(rows: readonly number[]): KVCache {
    if (rows.length === 0) throw new ModelError('selectRows needs at least one row');
    for (const [k, r] of rows.entries()) {
      if (!Number.isInteger(r) || r < 0 || r >= this.batch || (k > 0 && r <= rows[k - 1])) throw new ModelError(`selectRows: rows must be ascending indices in 0..${this.batch - 1}`);
    }
    const pads = rows.map((r) => this.leftPad[r]);
    const cut = Math.min(...pads);
    const out = new KVCache(this.keys.length, pads.map((p) => p - cut));
    out.length = this.length - cut;
    const idx = tf.tensor1d(rows as number[], 'int32');
    try {
      const pick = (t: tf.Tensor | null): tf.Tensor | null =>
        t === null
          ? null
          : tf.keep(
              tf.tidy(() => {
                const g = tf.gather(t, idx, 0);
                return cut > 0 ? tf.slice(g, [0, 0, cut, 0], [-1, -1, -1, -1]) : g;
              }),
            );
      this.keys.forEach((t, l) => (out.keys[l] = pick(t)));
      this.values.forEach((t, l) => (out.values[l] = pick(t)));
    } finally {
      idx.dispose();
    }
    this.dispose();
    return out;
  }

  dispose(): void {
    for (const t of [...this.keys, ...this.values]) t?.dispose();
    this.keys.fill(null);
    this.values.fill(null);
    this.length = 0;
  }
}

let instances = 0;

export class Transformer {
  readonly config: ModelConfig;
  readonly wte: tf.Variable;
  readonly wpe: tf.Variable | null;
  readonly blocks: Block[];
  readonly lnf: LayerNorm;
  private readonly vars: Map<string, tf.Variable>;
  /** Rotary inverse frequencies, one per pair of head dimensions. */
  private readonly invFreq: Float64Array | null;
  private disposed = false;

  constructor(cfg: ModelConfig, seed: number) {
    if (!Number.isSafeInteger(seed)) throw new ModelError(`model seed must be an integer, got ${seed}`);
    this.config = validateModelConfig(cfg);
    const c = this.config;
    const p = new ParamFactory(`transformer${instances++}/`, new Rng(`model-init/${seed}`));
    // Creation order is the order of namedVariables() and of checkpoint tensors.
    this.wte = p.normal('wte', [c.vocabSize, c.dModel], c.initStd);
    this.wpe = c.positions === 'learned' ? p.normal('wpe', [c.contextLength, c.dModel], c.initStd) : null;
    this.blocks = [];
    for (let i = 0; i < c.nLayer; i++) this.blocks.push(new Block(p, `h.${i}`, c));
    this.lnf = new LayerNorm(p, 'lnf', c.dModel, c.layerNormEps);
    this.vars = p.vars;
    if (c.positions === 'rotary') {
      const half = c.dModel / c.nHead / 2;
      this.invFreq = new Float64Array(half);
      for (let i = 0; i < half; i++) this.invFreq[i] = Math.pow(c.ropeBase, -i / half);
    } else {
      this.invFreq = null;
    }
  }

  /** Stable, ordered names ("wte", "wpe", "h.0.ln1.g", "h.0.attn.wqkv", …, "lnf.b") →
   *  variables. What checkpoints save and what the optimizer updates. */
  namedVariables(): Map<string, tf.Variable> {
    this.assertLive();
    return new Map(this.vars);
  }

  /** Full causal forward: tokens [B, T] int32 → logits [B, T, V].
   *  leftPad[b] = number of pad tokens at the start of row b: those keys are masked and
   *  positions count from the first real token, so a padded row gives the same logits
   *  as the row alone. Right padding needs no mask (causality hides it). */
  logits(tokens: tf.Tensor2D, leftPad?: readonly number[]): tf.Tensor3D {
    const [B, T] = this.checkTokens(tokens);
    const pad = this.checkPad(leftPad, B, T);
    for (let b = 0; b < B; b++) {
      if (T - pad[b] > this.config.contextLength) {
        throw new ModelError(`row ${b} has ${T - pad[b]} tokens, more than the context length ${this.config.contextLength}`);
      }
    }
    return tf.tidy(() => this.run(tokens, pad, 0, null));
  }

  /** An empty cache for a batch whose rows have the given left padding. */
  createCache(leftPad: readonly number[]): KVCache {
    this.assertLive();
    return new KVCache(this.config.nLayer, [...leftPad]);
  }

  /** Incremental forward: the next S tokens of every row, [B, S], after the
   *  cache.length positions already in `cache` → logits [B, S, V]; appends their keys
   *  and values to the cache. The first call (empty cache) is the prefill of the
   *  left-padded prompts, later calls usually one token each.
   *  Positions past contextLength - 1 are clamped to it: the caller (the sampler) must
   *  stop using a row's logits once the row fills the context. */
  forwardCached(tokens: tf.Tensor2D, cache: KVCache): tf.Tensor3D {
    const [B] = this.checkTokens(tokens);
    if (cache.batch !== B) throw new ModelError(`cache holds ${cache.batch} rows but tokens have ${B}`);
    this.checkPad(cache.leftPad, B, Infinity);
    const start = cache.length;
    const out = tf.tidy(() => this.run(tokens, cache.leftPad, start, cache));
    cache.length = start + tokens.shape[1];
    return out;
  }

  /** Copies every weight from `other` (same config), e.g. a checkpoint's model or the
   *  policy at the start of a run. */
  copyFrom(other: Transformer): void {
    this.assertLive();
    const src = other.namedVariables();
    if (JSON.stringify(other.config) !== JSON.stringify(this.config)) throw new ModelError('copyFrom needs a model with the same config');
    tf.tidy(() => {
      for (const [name, v] of this.vars) v.assign(src.get(name)!);
    });
  }

  /** An independent model with the same config and a copy of the weights. */
  clone(): Transformer {
    const twin = new Transformer(this.config, 0);
    twin.copyFrom(this);
    return twin;
  }

  dispose(): void {
    if (this.disposed) return;
    for (const v of this.vars.values()) v.dispose();
    this.disposed = true;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private run(tokens: tf.Tensor2D, pad: readonly number[], start: number, cache: KVCache | null): tf.Tensor3D {
    const c = this.config;
    const [B, S] = tokens.shape;
    const Tk = start + S;
    // Position of absolute slot j in row b: counted from the row's first real token.
    const pos = new Int32Array(B * S);
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++) pos[b * S + s] = Math.min(Math.max(start + s - pad[b], 0), c.contextLength - 1);
    }
    const causalData = new Float32Array(S * Tk);
    for (let s = 0; s < S; s++) for (let j = start + s + 1; j < Tk; j++) causalData[s * Tk + j] = MASKED;
    let keyPad: tf.Tensor | null = null;
    if (pad.some((p) => p > 0)) {
      const kp = new Float32Array(B * Tk);
      for (let b = 0; b < B; b++) for (let j = 0; j < Math.min(pad[b], Tk); j++) kp[b * Tk + j] = MASKED;
      keyPad = tf.tensor4d(kp, [B, 1, 1, Tk]);
    }
    let cos: tf.Tensor | null = null;
    let sin: tf.Tensor | null = null;
    if (this.invFreq) {
      const half = this.invFreq.length;
      const cd = new Float32Array(B * S * half);
      const sd = new Float32Array(B * S * half);
      for (let i = 0; i < B * S; i++) {
        for (let f = 0; f < half; f++) {
          const angle = pos[i] * this.invFreq[f];
          cd[i * half + f] = Math.cos(angle);
          sd[i * half + f] = Math.sin(angle);
        }
      }
      cos = tf.tensor4d(cd, [B, 1, S, half]);
      sin = tf.tensor4d(sd, [B, 1, S, half]);
    }
    const ctx: AttentionContext = { causal: tf.tensor2d(causalData, [S, Tk]), keyPad, cos, sin };

    const ids = tf.reshape(tokens, [B * S]) as tf.Tensor1D;
    let x2 = embed(this.wte as tf.Tensor2D, ids);
    if (this.wpe) x2 = tf.add(x2, embed(this.wpe as tf.Tensor2D, tf.tensor1d(pos, 'int32')));
    let x = tf.reshape(x2, [B, S, c.dModel]) as tf.Tensor3D;
    this.blocks.forEach((blk, i) => {
      x = blk.forward(x, ctx, cache, i);
    });
    const h = tf.reshape(this.lnf.forward(x), [B * S, c.dModel]);
    // Tied output: logits = h @ wteᵀ (explicit transpose, see the header).
    const logits = matmul(h, tf.transpose(this.wte));
    return tf.reshape(logits, [B, S, c.vocabSize]) as tf.Tensor3D;
  }

  private checkTokens(tokens: tf.Tensor2D): [number, number] {
    this.assertLive();
    if (tokens.rank !== 2) throw new ModelError(`tokens must be [batch, time], got shape [${tokens.shape.join(', ')}]`);
    if (tokens.dtype !== 'int32') throw new ModelError(`tokens must be int32, got ${tokens.dtype}`);
    const [B, T] = tokens.shape;
    if (B < 1 || T < 1) throw new ModelError(`tokens must be non-empty, got shape [${B}, ${T}]`);
    return [B, T];
  }

  private checkPad(leftPad: readonly number[] | undefined, B: number, T: number): readonly number[] {
    if (leftPad === undefined) return new Array(B).fill(0);
    if (leftPad.length !== B) throw new ModelError(`leftPad has ${leftPad.length} entries for ${B} rows`);
    for (const [b, p] of leftPad.entries()) {
      if (!Number.isInteger(p) || p < 0 || p >= T) {
        throw new ModelError(`leftPad[${b}] = ${p} must be an integer in [0, ${T === Infinity ? 'length' : T})`);
      }
    }
    return leftPad;
  }

  private assertLive(): void {
    if (this.disposed) throw new ModelError('this model has been disposed');
  }
}
