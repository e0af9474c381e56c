// The executor's contract: what crosses from the self-play loop (or the CLI, or the
// app) into the sandbox and back. Plain data only, so it can be posted to a worker.

/** Every way a check can end. `ok` is the only success. */
export const VERDICTS = [
  'ok',
  'mismatch',          // ran fine, but the output differs from the expected one
  'error',             // f threw, or f is missing / not a function
  'timeout',           // the deadline passed (guest code or reading the result out)
  'memory',            // the memory or stack limit was hit
  'nondeterministic',  // f gave different outputs for the same input in one context
  'invalid-input',     // the input is not an argument list of plain literals
  'invalid-output',    // the output is not a plain value (function, cycle, promise, too big…)
  'syntax',            // the program does not parse
] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface ExecLimits {
  /** Wall-clock budget for one job (all its inputs and determinism runs), in ms. */
  timeoutMs: number;
  /** QuickJS heap limit for the job's runtime, in bytes. */
  memoryBytes: number;
  /**
   * QuickJS stack limit, in bytes. QuickJS measures WASM's emulated stack, but each
   * guest frame also uses several times as much of the host's native stack; past
   * ~384 KB the host (V8's ~1 MB stack) can overflow first. 256 KB allows ~1300 plain
   * recursive calls.
   */
  stackBytes: number;
  /** Longest canonical output text accepted, in characters. */
  maxOutputChars: number;
}

export const DEFAULT_LIMITS: ExecLimits = {
  timeoutMs: 1000,
  memoryBytes: 32 * 1024 * 1024,
  stackBytes: 256 * 1024,
  maxOutputChars: 10_000,
};

/** One program, run on many inputs in one fresh context. */
export interface ExecJob {
  /** Source that defines `f` (function declaration, or `const f = …`). */
  program: string;
  /**
   * Argument-list sources: what goes between the parentheses of `f(...)`. Literals only
   * (numbers, strings, booleans, null, undefined, NaN, Infinity, BigInts, arrays, plain
   * objects; see core/literals.ts); anything else makes that input `invalid-input`.
   */
  inputs: string[];
  /**
   * Optional expected outputs (literal sources), index-aligned with `inputs`; null or
   * undefined means "just run it". Compared by canonical form (core/values.ts): equal →
   * `ok`, different → `mismatch`. An expected output that is not a literal makes its
   * input `invalid-input` (reason "expected output contains …"), and that input is not run.
   */
  expected?: (string | null | undefined)[];
  /** How many times f runs on each input to check determinism (default 2; 1 to 10). */
  determinismRuns?: number;
  limits?: Partial<ExecLimits>;
}

export interface InputResult {
  verdict: Verdict;
  /** A sentence a person can read: why this verdict. Empty for `ok`. */
  reason: string;
  /** Canonical form of f(input) (core/values.ts), when it was computed: on `ok` and `mismatch`. */
  output?: string;
}

export interface ExecResult {
  /** `ok` when every input is ok; otherwise the first non-ok input's verdict (or a job-level one such as `syntax`). */
  verdict: Verdict;
  reason: string;
  /** One entry per input, in order. */
  results: InputResult[];
  /** Time the job took inside the runner, in ms. */
  ms: number;
}

export interface Executor {
  run(jobs: ExecJob[]): Promise<ExecResult[]>;
  dispose(): Promise<void>;
}
