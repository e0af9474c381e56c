// A small seeded pseudo-random generator: every random choice the self-play loop makes
// (which references a proposer sees, which buffer items fill a solver batch, sampling
// from the policy) goes through one of these, so a run is reproducible from its seed.
//
// Generator: xoshiro128** (Blackman & Vigna), 128 bits of state, period 2^128 − 1. Its
// state is filled by splitmix32 from a 32-bit hash of the stream's name, so any seed —
// a number or a string — gives a well-mixed start, and no stream starts all zeros.
// Not cryptographic; it only needs to be fast, uniform and repeatable.

/** FNV-1a over UTF-16 code units: turns a stream name into 32 bits. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** splitmix32: a counter pushed through a bijective mixer; used only to fill the state. */
function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

export type Seed = number | string;

export class Rng {
  /** The stream's name: the seed, then every fork label, joined by '/'. */
  readonly key: string;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: Seed) {
    if (typeof seed === 'number' && !Number.isSafeInteger(seed)) throw new RangeError(`Rng seed must be a safe integer or a string, got ${seed}`);
    if (typeof seed !== 'number' && typeof seed !== 'string') throw new TypeError(`Rng seed must be a safe integer or a string, got ${typeof seed}`);
    this.key = String(seed);
    const fill = splitmix32(hash32(this.key));
    this.s0 = fill();
    this.s1 = fill();
    this.s2 = fill();
    this.s3 = fill();
  }

  /**
   * An independent stream named `label`. It depends only on this stream's key and the
   * label, not on how many numbers this stream has drawn, so adding a draw in one part
   * of the loop does not change the numbers another part sees. The same label twice
   * gives the same stream: use distinct labels (e.g. `step-3/propose`).
   */
  fork(label: string): Rng {
    return new Rng(`${this.key}/${label}`);
  }

  /** The four 32-bit state words, so a checkpoint can resume the stream exactly. */
  getState(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** A stream named `key` that continues from a saved state (see getState). */
  static fromState(key: string, state: readonly number[]): Rng {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) throw new RangeError('Rng state must be four unsigned 32-bit integers');
    if (state.every((w) => w === 0)) throw new RangeError('Rng state must not be all zeros (xoshiro would emit zeros forever)');
    const rng = new Rng(key);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state;
    return rng;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1), with 53 random bits (two draws), like Math.random's resolution. */
  float(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Uniform integer in [lo, hi) — `hi` excluded, like array indices. Exact: draws that
   * would favour small values (the top of the 32-bit range that does not divide evenly)
   * are rejected rather than folded in with a modulo.
   */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) throw new RangeError(`Rng.int bounds must be integers, got [${lo}, ${hi})`);
    const span = hi - lo;
    if (span <= 0) throw new RangeError(`Rng.int needs lo < hi, got [${lo}, ${hi})`);
    if (span > 0x100000000) throw new RangeError(`Rng.int range must be at most 2^32 wide, got ${span}`);
    if (span === 0x100000000) return lo + this.nextUint32();
    const limit = 0x100000000 - (0x100000000 % span);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return lo + (x % span);
  }

  /** One element, uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.choice from an empty list');
    return items[this.int(0, items.length)];
  }

  /**
   * `k` distinct positions' elements, uniformly, in random order (a partial Fisher–Yates
   * shuffle on a copy). `k` larger than the list returns the whole list shuffled:
   * callers such as reference sampling want "up to k".
   */
  sampleWithoutReplacement<T>(items: readonly T[], k: number): T[] {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`Rng.sampleWithoutReplacement needs an integer k >= 0, got ${k}`);
    const pool = items.slice();
    const n = Math.min(k, pool.length);
    for (let i = 0; i < n; i++) {
      const j = this.int(i, pool.length);
      const tmp = pool[i];
      pool[i] = pool[j];
      pool[j] = tmp;
    }
    return pool.slice(0, n);
  }

  /** A shuffled copy; the input is left as it was. */
  shuffle<T>(items: readonly T[]): T[] {
    return this.sampleWithoutReplacement(items, items.length);
  }
}
