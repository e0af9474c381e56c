// The QuickJS runner: runs one ExecJob (a program and its inputs) in a fresh QuickJS
// context and turns whatever happens into verdicts. Synchronous (the release-sync WASM
// build), so one worker runs one job at a time.
//
// Per job:
//   1. host: check every input (and expected output) with acorn — literals only — and
//      re-print the inputs so the program cannot hijack them (core/literals.ts); the
//      answers are remembered by source text (LiteralCache), since inputs repeat;
//   2. the job's limits on the runtime (heap, stack) and its deadline in the interrupt
//      handler; a fresh context with the builtins the program names (see jobIntrinsics
//      below and guest.ts's jobFeatures);
//   3. one call into the system context starts the job: it captures the fresh realm's
//      builtins and evaluates the job prelude there (guest.ts: seeded Math.random and
//      frozen Date where the program names them, input factories);
//   4. the program, as a classic script (its top-level code runs under the deadline);
//   5. one call into the system context runs f on every input `determinismRuns` times,
//      releases the job's values and returns every canonical output as one string; the
//      host compares expected outputs;
//   6. dispose the job's context.
// Four calls into QuickJS in all on the usual path: each one crosses the WASM boundary
// and builds handles, and a job is short enough (≈170 µs) for that to show.
// The deadline and limits stay installed through 3–5, so getters, Proxy traps and the
// like that run while outputs are read are bounded too. QuickJS's interrupt cannot be
// caught by guest code (try/catch/finally does not swallow it), and its regex engine
// polls the same handler, so catastrophic backtracking times out as well.
//
// Fresh context, shared runtime. A runtime is reused for up to MAX_JOBS_PER_RUNTIME jobs
// because creating one, plus compiling the system code that reads outputs, costs several
// times a job (guest.ts explains the two contexts). Each job still gets a fresh context:
// its own globals and prototypes, so what one program does to Object.prototype or to a
// global never reaches another. The runtime is replaced early when a job hit the memory
// limit or left promise jobs queued (we never run them; they belong to a dead context),
// so no state that a runtime does share (heap accounting, the job queue) carries over
// from a job that went wrong.
//
// One thing guest code can do that QuickJS does not catch: nesting deep enough that the
// *host's* native stack overflows before QuickJS's own stack check fires (its parser,
// JSON and some builtins recurse natively and barely touch the emulated stack the limit
// measures). The WASM module is unusable after that, so the runner marks it broken,
// answers the job with `memory`, and continues on a spare module it loaded in advance; a
// fresh spare then loads in the background. Programs with brackets nested deeper than
// MAX_PROGRAM_NESTING are refused before parsing, which keeps the likeliest case (a
// degenerate program full of `(`) away from that path altogether.
import { DefaultIntrinsics, newQuickJSWASMModuleFromVariant, newVariant, type Intrinsics, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { bracketDepth, checkArgumentList, guestArgumentsSource, LiteralError, MAX_VALUE_DEPTH } from '../core/literals.ts';
import { canonicalNumber, canonicalOfLiteral } from '../core/values.ts';
import { jobFeatures, jobPreludeSource, OP, PROGRAM_FILE, SYSTEM_SOURCE, type JobFeatures, type RawResult } from './guest.ts';
import { DEFAULT_LIMITS, VERDICTS, type ExecJob, type ExecLimits, type ExecResult, type InputResult, type Verdict } from './types.ts';

/** A job that is malformed as data (not a string program, bad limits…): a caller's bug, not a verdict. */
export class ExecJobError extends TypeError {
  override name = 'ExecJobError';
}

/** The runner has no usable QuickJS module right now; `await runner.recover()` first. */
export class SandboxBrokenError extends Error {
  override name = 'SandboxBrokenError';
}

/** Deepest bracket nesting a program may have; QuickJS's parser recurses per bracket on the host stack. */
export const MAX_PROGRAM_NESTING = 200;
/** Most determinism runs a job may ask for. */
export const MAX_DETERMINISM_RUNS = 10;
/** Jobs one QuickJS runtime serves before it is replaced (each job has its own context). */
export const MAX_JOBS_PER_RUNTIME = 1000;

/** Time allowed to read back results and release the job after an abort. No program code runs then. */
const READBACK_GRACE_MS = 50;
const CLIP = 200;

/**
 * What a job's fresh context is built with: QuickJS's defaults less typed arrays
 * (ArrayBuffer, DataView, Atomics and the typed array classes). They are about a third
 * of the cost of a new context, task programs have no use for them (a typed array is
 * never a plain output), and a program that reaches for one gets a ReferenceError, an
 * `error` verdict. Date, Map/Set and RegExp only where the program names them (guest.ts,
 * jobFeatures).
 */
function jobIntrinsics(f: JobFeatures): Intrinsics {
  const key = (f.date ? 1 : 0) | (f.mapSet ? 2 : 0) | (f.regExp ? 4 : 0);
  let intrinsics = INTRINSICS_BY_FEATURES[key];
  if (intrinsics === undefined) {
    intrinsics = Object.freeze({ ...DefaultIntrinsics, TypedArrays: false, Date: f.date, MapSet: f.mapSet, RegExp: f.regExp });
    INTRINSICS_BY_FEATURES[key] = intrinsics;
  }
  return intrinsics;
}
const INTRINSICS_BY_FEATURES: (Intrinsics | undefined)[] = [];

const now = (): number => performance.now();
const clip = (s: string, n = CLIP): string => (s.length > n ? `${s.slice(0, n)}…` : s);
const VERDICT_SET: ReadonlySet<string> = new Set(VERDICTS);

type JobVerdict = { verdict: Verdict; reason: string };

// ---- the WASM module ---------------------------------------------------------------------

/** One instantiated QuickJS module and whether it can still be trusted. */
interface ModuleSlot {
  module: QuickJSWASMModule;
  broken: boolean;
}

// Where this realm's modules come from: by default the variant fetches and compiles its
// .wasm file itself; a browser pool compiles the file once and hands the compiled module to
// each of its workers (useCompiledQuickJs), so N workers (and their spares) cost one fetch
// and one compile instead of one of each per module.
let realmVariant = variant;

/**
 * Instantiate this realm's QuickJS modules from an already compiled WebAssembly.Module
 * (of the same @jitl/quickjs-wasmfile-release-sync build) instead of fetching the file.
 * Call it before the first runner is created; later modules (spares, replacements) use it too.
 */
export function useCompiledQuickJs(compiled: WebAssembly.Module): void {
  realmVariant = newVariant(variant, { wasmModule: compiled });
}

const loadSlot = async (): Promise<ModuleSlot> => ({ module: await newQuickJSWASMModuleFromVariant(realmVariant), broken: false });

// One module per realm (page, worker, Node process), instantiated on first use; runners
// share it. A module that breaks is dropped from here so the next runner gets a good one.
let realmSlot: Promise<ModuleSlot> | undefined;
function sharedSlot(): Promise<ModuleSlot> {
  realmSlot ??= loadSlot().catch((e: unknown) => {
    realmSlot = undefined;
    throw e;
  });
  return realmSlot;
}
function replaceRealmSlot(broken: ModuleSlot, healthy: ModuleSlot | undefined): void {
  const current = realmSlot;
  void current?.then((s) => {
    if (s === broken && realmSlot === current) realmSlot = healthy ? Promise.resolve(healthy) : undefined;
  });
}

export interface RunnerOptions {
  /**
   * Keep a second module instantiated so a job that overflows the host stack can be
   * answered and the next job run at once, without an asynchronous reload (default true).
   */
  spare?: boolean;
  /** Jobs one QuickJS runtime serves before it is replaced (default MAX_JOBS_PER_RUNTIME). */
  jobsPerRuntime?: number;
}

/** Counters for tests and benchmarks. */
export interface RunnerStats {
  /** Jobs run (answered by the runner, whatever the verdict). */
  jobs: number;
  /** QuickJS runtimes created so far (each replaced one was disposed, leak-checked by QuickJS). */
  runtimes: number;
  /** Times a broken WASM module was replaced. */
  moduleSwaps: number;
  /** Heap in use by the current runtime, in bytes (QuickJS's "memory used"); undefined between runtimes. */
  heapBytes: number | undefined;
}

// ---- job checking ------------------------------------------------------------------------

/** The job's limits over the defaults; a bad one is an ExecJobError. */
export function resolveLimits(partial: Partial<ExecLimits> | undefined): ExecLimits {
  if (partial !== undefined && (partial === null || typeof partial !== 'object')) throw new ExecJobError('job.limits must be an object');
  const limits: ExecLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ExecLimits)[]) {
    const v = partial?.[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ExecJobError(`job.limits.${key} must be a positive number, got ${String(v)}`);
    limits[key] = v;
  }
  // The system context and QuickJS's own setup need some heap and stack.
  if (limits.memoryBytes < 2 << 20) throw new ExecJobError(`job.limits.memoryBytes must be at least 2 MiB, got ${limits.memoryBytes}`);
  if (limits.stackBytes < 32 << 10) throw new ExecJobError(`job.limits.stackBytes must be at least 32 KiB, got ${limits.stackBytes}`);
  return limits;
}

/** Check a job's shape (a caller's bug throws ExecJobError); returns its determinism runs. */
export function checkJobShape(job: ExecJob): number {
  if (job === null || typeof job !== 'object') throw new ExecJobError('a job must be an object');
  if (typeof job.program !== 'string') throw new ExecJobError('job.program must be a string');
  if (!Array.isArray(job.inputs) || job.inputs.some((i) => typeof i !== 'string')) throw new ExecJobError('job.inputs must be an array of strings');
  if (job.expected !== undefined) {
    if (!Array.isArray(job.expected)) throw new ExecJobError('job.expected must be an array');
    if (job.expected.length > job.inputs.length) throw new ExecJobError(`job.expected has ${job.expected.length} entries for ${job.inputs.length} inputs`);
    if (job.expected.some((e) => e !== null && e !== undefined && typeof e !== 'string')) throw new ExecJobError('job.expected entries must be strings, null or undefined');
  }
  const runs = job.determinismRuns ?? 2;
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_DETERMINISM_RUNS) throw new ExecJobError(`job.determinismRuns must be an integer from 1 to ${MAX_DETERMINISM_RUNS}, got ${String(job.determinismRuns)}`);
  return runs;
}

/**
 * The guest's canonical text with each '#'+16-hex-digit number (its IEEE bits) spelled
 * the host's way, which is the way core/values.ts spells the same number in a literal.
 */
export function fromGuestCanonical(text: string): string {
  if (!text.includes('#')) return text;
  const view = new DataView(new ArrayBuffer(8));
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      // Skip a JSON string: '#' inside one is text.
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '#') {
      view.setUint32(0, parseInt(text.slice(i + 1, i + 9), 16));
      view.setUint32(4, parseInt(text.slice(i + 9, i + 17), 16));
      out += text.slice(from, i) + canonicalNumber(view.getFloat64(0));
      i += 16;
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

/** Where QuickJS put a parse error: `    at program.js:3:14` → " at line 3, column 14". */
function syntaxLocation(stack: string): string {
  const m = /program\.js:(\d+):(\d+)/.exec(stack);
  return m ? ` at line ${m[1]}, column ${m[2]}` : '';
}

/** A literal check's answer: the text it produced, or why the literal was refused. */
export type LiteralCheck = { ok: true; text: string } | { ok: false; reason: string };

/**
 * Answers of a pure check of literal source (core/literals.ts: a function of the text
 * alone), remembered by text. Host strings only: nothing a guest made is ever kept.
 * Bounded in entries and characters with two generations: a full generation becomes the
 * old one and the one before it is dropped; a hit in the old one moves to the new one,
 * so what is used often stays.
 */
export class LiteralCache {
  static readonly GENERATION_ENTRIES = 2048;
  static readonly GENERATION_CHARS = 1 << 20;
  private young = new Map<string, LiteralCheck>();
  private old = new Map<string, LiteralCheck>();
  private youngChars = 0;

  constructor(private readonly check: (src: string) => string) {}

  get(src: string): LiteralCheck {
    let answer = this.young.get(src);
    if (answer !== undefined) return answer;
    answer = this.old.get(src);
    if (answer === undefined) {
      try {
        answer = { ok: true, text: this.check(src) };
      } catch (e) {
        // Anything but a verdict on the literal (a host fault) is not an answer to keep.
        if (!(e instanceof LiteralError)) throw e;
        answer = { ok: false, reason: e.message };
      }
    }
    const chars = src.length + (answer.ok ? answer.text.length : answer.reason.length);
    // Too big to be worth keeping; such a text is rare and its parse dwarfs the lookup.
    if (chars > LiteralCache.GENERATION_CHARS / 16) return answer;
    if (this.young.size >= LiteralCache.GENERATION_ENTRIES || this.youngChars + chars > LiteralCache.GENERATION_CHARS) {
      this.old = this.young;
      this.young = new Map();
      this.youngChars = 0;
    }
    this.young.set(src, answer);
    this.youngChars += chars;
    return answer;
  }
}

// ---- the runner --------------------------------------------------------------------------

/** A runtime, its system context and the system function, reused across jobs. */
interface SystemRuntime {
  slot: ModuleSlot;
  rt: QuickJSRuntime;
  sys: QuickJSContext;
  host: QuickJSHandle;
  /** The op numbers as handles, made once: ops[OP.RUN] and so on. */
  ops: QuickJSHandle[];
  jobs: number;
}

export class QuickJsRunner {
  private spare: ModuleSlot | undefined;
  private sparePending: Promise<void> | undefined;
  private system: SystemRuntime | undefined;
  private disposed = false;
  // The running job's deadline, read by the runtime's interrupt handler.
  private stopAt = Infinity;
  private interrupted = false;
  private counts = { jobs: 0, runtimes: 0, moduleSwaps: 0 };
  // Inputs and expected outputs repeat a lot (the same input for several programs, the
  // same task checked again), and checking one with acorn costs about as much as running
  // it: answers are kept, keyed by the exact source text.
  private readonly inputChecks = new LiteralCache((src) => guestArgumentsSource(checkArgumentList(src, 'input')));
  private readonly expectedChecks = new LiteralCache((src) => canonicalOfLiteral(src, 'expected output'));

  private constructor(
    private active: ModuleSlot,
    private readonly keepSpare: boolean,
    private readonly jobsPerRuntime: number,
  ) {}

  /** Instantiate (or reuse) the realm's QuickJS module, plus a spare one unless asked not to. */
  static async create(options: RunnerOptions = {}): Promise<QuickJsRunner> {
    const jobsPerRuntime = options.jobsPerRuntime ?? MAX_JOBS_PER_RUNTIME;
    if (!Number.isInteger(jobsPerRuntime) || jobsPerRuntime < 1) throw new RangeError(`jobsPerRuntime must be a positive integer, got ${String(options.jobsPerRuntime)}`);
    const runner = new QuickJsRunner(await sharedSlot(), options.spare ?? true, jobsPerRuntime);
    if (runner.keepSpare) await runner.loadSpare();
    return runner;
  }

  /** Whether runJob can run now (false only after a host stack overflow with no spare ready). */
  get ready(): boolean {
    return !this.disposed && (!this.active.broken || this.spare !== undefined);
  }

  /** Wait until the runner can run again after its module broke. */
  async recover(): Promise<void> {
    if (this.disposed) throw new SandboxBrokenError('the runner was disposed');
    if (!this.active.broken) return;
    if (this.spare === undefined) await this.loadSpare();
    this.swapToSpare();
  }

  /** Run jobs in order, recovering from a broken module between jobs. */
  async run(jobs: readonly ExecJob[]): Promise<ExecResult[]> {
    const results: ExecResult[] = [];
    for (const job of jobs) {
      if (!this.ready) await this.recover();
      results.push(this.runJob(job));
    }
    return results;
  }

  /** Run jobs in order, synchronously. Throws SandboxBrokenError if a module breaks with no spare. */
  runJobs(jobs: readonly ExecJob[]): ExecResult[] {
    return jobs.map((job) => this.runJob(job));
  }

  stats(): RunnerStats {
    let heapBytes: number | undefined;
    if (this.system !== undefined && !this.system.slot.broken) {
      const m = /memory used\s+\d+\s+(\d+)/.exec(this.system.rt.dumpMemoryUsage());
      heapBytes = m ? Number(m[1]) : undefined;
    }
    return { ...this.counts, heapBytes };
  }

  /** Free the QuickJS runtime. The runner cannot run jobs afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.spare = undefined;
    this.closeSystem();
  }

  private loadSpare(): Promise<void> {
    this.sparePending ??= loadSlot().then(
      (slot) => {
        this.spare = slot;
        this.sparePending = undefined;
      },
      (e: unknown) => {
        this.sparePending = undefined;
        throw e;
      },
    );
    return this.sparePending;
  }

  private swapToSpare(): void {
    const spare = this.spare;
    if (spare === undefined) return;
    // Later runners in this realm start on the healthy module too.
    replaceRealmSlot(this.active, spare);
    this.active = spare;
    this.spare = undefined;
    this.system = undefined; // belonged to the broken module; never touched again
    this.counts.moduleSwaps++;
    if (this.keepSpare && !this.disposed) {
      this.loadSpare().catch(() => {
        // No spare then; the next break surfaces as SandboxBrokenError, which the
        // caller handles by recovering or by replacing this runner.
      });
    }
  }

  private usableModule(): ModuleSlot {
    if (this.disposed) throw new SandboxBrokenError('the runner was disposed');
    if (this.active.broken) {
      if (this.spare === undefined) throw new SandboxBrokenError('the QuickJS module broke on an earlier job (host stack overflow) and no spare is loaded yet; await recover()');
      this.swapToSpare();
    }
    return this.active;
  }

  /** The runtime and system context for the next job, made on first use and after a replacement. */
  private systemRuntime(slot: ModuleSlot): SystemRuntime {
    if (this.system !== undefined && this.system.slot === slot) return this.system;
    const rt = slot.module.newRuntime();
    rt.setInterruptHandler(() => {
      if (now() <= this.stopAt) return false;
      this.interrupted = true;
      return true;
    });
    const sys = rt.newContext();
    const r = sys.evalCode(SYSTEM_SOURCE, 'system.js', { type: 'global', strict: true });
    if (r.error) {
      const message = JSON.stringify(sys.dump(r.error));
      r.error.dispose();
      sys.dispose();
      rt.dispose();
      throw new Error(`the sandbox's system code failed to load: ${message}`);
    }
    const ops = Array.from({ length: Object.keys(OP).length }, (_, i) => sys.newNumber(i));
    this.system = { slot, rt, sys, host: r.value, ops, jobs: 0 };
    this.counts.runtimes++;
    return this.system;
  }

  private closeSystem(): void {
    const s = this.system;
    this.system = undefined;
    if (s === undefined || s.slot.broken) return;
    s.host.dispose();
    for (const op of s.ops) op.dispose();
    s.sys.dispose();
    s.rt.dispose();
  }

  /** Run one job. Guest behaviour always ends in a verdict; only a malformed job or an unusable runner throws. */
  runJob(job: ExecJob): ExecResult {
    const t0 = now();
    const runs = checkJobShape(job);
    const limits = resolveLimits(job.limits);
    const slot = this.usableModule();
    const n = job.inputs.length;
    this.counts.jobs++;

    // 1. Inputs and expected outputs, on the host. A bad one is answered without running.
    const results: (InputResult | undefined)[] = new Array(n).fill(undefined);
    const expected: (string | undefined)[] = new Array(n).fill(undefined);
    const runnable: number[] = [];
    const guestInputs: string[] = [];
    for (let i = 0; i < n; i++) {
      const exp = job.expected?.[i];
      if (exp !== undefined && exp !== null) {
        const c = this.expectedChecks.get(exp);
        if (!c.ok) {
          results[i] = { verdict: 'invalid-input', reason: c.reason };
          continue;
        }
        expected[i] = c.text;
      }
      const c = this.inputChecks.get(job.inputs[i]);
      if (!c.ok) {
        results[i] = { verdict: 'invalid-input', reason: c.reason };
        continue;
      }
      guestInputs.push(c.text);
      runnable.push(i);
    }

    const finish = (jobVerdict?: JobVerdict): ExecResult => {
      const all = results.map((r) => r ?? { verdict: jobVerdict?.verdict ?? 'error', reason: jobVerdict?.reason ?? 'not run' });
      let verdict: Verdict = 'ok';
      let reason = '';
      if (jobVerdict) ({ verdict, reason } = jobVerdict);
      else {
        const firstBad = all.findIndex((r) => r.verdict !== 'ok');
        if (firstBad >= 0) {
          verdict = all[firstBad].verdict;
          reason = n > 1 ? `input ${firstBad + 1}: ${all[firstBad].reason}` : all[firstBad].reason;
        }
      }
      return { verdict, reason, results: all, ms: now() - t0 };
    };

    const nesting = bracketDepth(job.program);
    if (nesting > MAX_PROGRAM_NESTING) {
      return finish({ verdict: 'memory', reason: `program nests brackets ${nesting} deep; the sandbox parses at most ${MAX_PROGRAM_NESTING} levels` });
    }

    // 2–6. The guest.
    let ctx: QuickJSContext | undefined;
    let system: SystemRuntime | undefined;
    let outcome: ExecResult | undefined;
    let hostFailure: unknown;
    // The deadline starts once the runtime is ready: replacing it (compiling the system
    // code) is the runner's cost, not the job's.
    let guestStart = t0;
    try {
      system = this.systemRuntime(slot);
      guestStart = now();
      system.jobs++;
      const { rt, sys, host, ops } = system;
      rt.setMemoryLimit(limits.memoryBytes);
      rt.setMaxStackSize(limits.stackBytes);
      this.interrupted = false;
      this.stopAt = guestStart + limits.timeoutMs;
      const features = jobFeatures(job.program);
      ctx = rt.newContext({ intrinsics: jobIntrinsics(features) });
      let ended = false;

      // A call into the system function; returns its string, or the guest error.
      const call = (op: number, a?: QuickJSHandle, b?: QuickJSHandle): { text?: string; error?: QuickJSHandle } => {
        const r = sys.callFunction(host, sys.undefined, ops[op], a ?? sys.undefined, b ?? sys.undefined);
        if (r.error) return { error: r.error };
        const text = sys.typeof(r.value) === 'string' ? sys.getString(r.value) : undefined;
        r.value.dispose();
        if (op === OP.RUN || op === OP.END) ended = true;
        return { text };
      };
      const pastDeadline = (during: string): JobVerdict => ({ verdict: 'timeout', reason: `${during} ran past the ${limits.timeoutMs} ms deadline` });
      // Why a guest error ended things. The error may be any value the program threw, so
      // it is read in the guest, under the deadline; not at all once the deadline passed.
      const classify = (error: QuickJSHandle, during: string): JobVerdict => {
        if (this.interrupted) return pastDeadline(during);
        const r = call(OP.CLASSIFY, undefined, error);
        if (r.error) {
          r.error.dispose();
          return this.interrupted ? pastDeadline(during) : { verdict: 'error', reason: `${during} failed and its error could not be read` };
        }
        const text = r.text ?? 'throw\n';
        const cut = text.indexOf('\n');
        const kind = text.slice(0, cut);
        const detail = text.slice(cut + 1);
        if (kind === 'memory' || kind === 'stack') return { verdict: 'memory', reason: `${during}: ${detail}` };
        if (kind === 'syntax') {
          const nl = detail.indexOf('\n');
          return { verdict: 'syntax', reason: `SyntaxError: ${detail.slice(0, nl)}${syntaxLocation(detail.slice(nl + 1))}` };
        }
        return { verdict: 'error', reason: `${during} threw ${detail}` };
      };

      // The system function captures the fresh context's builtins, evaluates the prelude
      // there and installs the determinism rules, all before any program code runs.
      const preludeSource = sys.newString(
        jobPreludeSource({ inputs: guestInputs, runs, maxOutputChars: limits.maxOutputChars, maxDepth: MAX_VALUE_DEPTH, memoryBytes: limits.memoryBytes, stackBytes: limits.stackBytes, ...features }),
      );
      const started = call(OP.START, ctx.global, preludeSource);
      preludeSource.dispose();
      if (started.error) {
        // The prelude is ours and small: only a deadline or a heap too small for it gets here.
        started.error.dispose();
        outcome = finish(this.interrupted ? pastDeadline('the sandbox setup') : { verdict: 'memory', reason: 'the sandbox setup ran out of memory (is the memory limit too small?)' });
      } else {
        const program = ctx.evalCode(job.program, PROGRAM_FILE, { type: 'global' });
        if (program.error) {
          const why = classify(program.error, 'the program (top-level code)');
          program.error.dispose();
          outcome = finish(why);
        } else {
          program.value.dispose();
          outcome = this.collect(call, classify, runnable, results, expected, limits.maxOutputChars, finish);
        }
      }

      // Release the job: the system context drops its references to the job's values
      // (op 0 did so already when it completed).
      this.stopAt = now() + READBACK_GRACE_MS;
      if (!ended) call(OP.END).error?.dispose();
      ctx.dispose();
      ctx = undefined;
      this.stopAt = Infinity;
      // After a limit was hit the heap may hold the job's garbage right up to the limit;
      // a fresh runtime starts the next job clean. (A timeout needs no replacement:
      // QuickJS unwinds an interrupt like any exception.)
      const hitLimit = outcome.verdict === 'memory' || outcome.results.some((r) => r.verdict === 'memory');
      if (hitLimit || system.jobs >= this.jobsPerRuntime || rt.hasPendingJob()) this.closeSystem();
    } catch (e) {
      hostFailure = e;
    }

    // Native work QuickJS cannot interrupt (printing a huge BigInt, say) can finish past
    // the deadline. The limit still held for the job, so it is still a timeout.
    const elapsed = now() - guestStart;
    if (hostFailure === undefined && outcome !== undefined && outcome.verdict !== 'timeout' && elapsed > limits.timeoutMs) {
      const reason = `the job took ${Math.round(elapsed)} ms, past its ${limits.timeoutMs} ms deadline, in work QuickJS could not interrupt (such as printing a huge BigInt)`;
      outcome.results = outcome.results.map((r) => (r.verdict === 'invalid-input' ? r : { verdict: 'timeout', reason }));
      outcome.verdict = 'timeout';
      outcome.reason = reason;
    }

    if (hostFailure !== undefined) {
      // Thrown by the QuickJS library on the host, not by guest code: the module's state
      // is unknown (disposing could abort it), so it is never used again.
      this.active.broken = true;
      this.system = undefined;
      replaceRealmSlot(this.active, undefined);
      const message = hostFailure instanceof Error ? hostFailure.message : String(hostFailure);
      const stack = /call stack|stack overflow/i.test(message);
      return finish({
        verdict: stack ? 'memory' : 'error',
        reason: stack ? 'stack overflow in the host while QuickJS ran this job (nesting too deep)' : `the sandbox failed on this job: ${clip(message)}`,
      });
    }
    return outcome!;
  }

  // Step 5: run f on the runnable inputs and fill `results`; after an abort, keep what finished.
  private collect(
    call: (op: number) => { text?: string; error?: QuickJSHandle },
    classify: (error: QuickJSHandle, during: string) => JobVerdict,
    runnable: number[],
    results: (InputResult | undefined)[],
    expected: (string | undefined)[],
    maxOutputChars: number,
    finish: (jobVerdict?: JobVerdict) => ExecResult,
  ): ExecResult {
    const store = (raw: RawResult[]): number => {
      raw.forEach(([verdict, reason, rawOutput, extra], k) => {
        const i = runnable[k];
        if (!VERDICT_SET.has(verdict)) throw new Error(`guest returned an unknown verdict ${verdict}`);
        const output = fromGuestCanonical(rawOutput);
        if (verdict === 'nondeterministic') {
          const first = clip(output);
          const detail =
            reason === 'outputs' ? `f gave different outputs for the same input: first ${first}, then ${clip(fromGuestCanonical(extra))}`
            : reason === 'result' ? `f gave different results for the same input: first ${first}, then ${extra}`
            : `f is no longer a function after run ${extra} (which gave ${first})`;
          results[i] = { verdict: 'nondeterministic', reason: detail };
        } else if (verdict !== 'ok') results[i] = { verdict: verdict as Verdict, reason };
        else if (output.length > maxOutputChars) {
          results[i] = { verdict: 'invalid-output', reason: `output is more than ${maxOutputChars} characters of canonical text` };
        } else if (expected[i] !== undefined && expected[i] !== output) {
          results[i] = { verdict: 'mismatch', reason: `expected ${clip(expected[i]!)} but got ${clip(output)}`, output };
        } else results[i] = { verdict: 'ok', reason: '', output };
      });
      return raw.length;
    };

    if (runnable.length === 0) {
      // Nothing to run, but the program must still define f.
      const r = call(OP.DEFINES_F);
      if (r.error) {
        const why = classify(r.error, 'looking up f');
        r.error.dispose();
        return finish(why);
      }
      return r.text === '' ? finish() : finish({ verdict: 'error', reason: r.text ?? 'program does not define a function f' });
    }

    const r = call(OP.RUN);
    if (r.error === undefined) {
      store(JSON.parse(r.text ?? '[]') as RawResult[]);
      return finish();
    }
    // Aborted part-way (the deadline, or a limit hit outside f's own try): inputs that
    // finished keep their results; the one running and the rest get the abort's verdict.
    const why = classify(r.error, 'f');
    r.error.dispose();
    this.stopAt = now() + READBACK_GRACE_MS;
    const partial = call(OP.PARTIAL);
    let finished = 0;
    if (partial.error) partial.error.dispose();
    else finished = store(JSON.parse(partial.text ?? '[]') as RawResult[]);
    for (let k = finished; k < runnable.length; k++) {
      results[runnable[k]] = k === finished ? why : { verdict: why.verdict, reason: `not run: ${why.reason} on an earlier input` };
    }
    return finish();
  }
}
