// The QuickJS runner: runs one ExecJob (a program and its inputs) in a fresh QuickJS
// runtime + context and turns whatever happens into verdicts. Synchronous (the
// release-sync WASM build), so one worker runs one job at a time.
//
// Per job:
//   1. host: check every input (and expected output) with acorn — literals only — and
//      re-print the inputs so the program cannot hijack them (core/literals.ts);
//   2. a fresh runtime with the memory limit, the stack limit and an interrupt handler
//      that stops guest code at the job's deadline; a fresh context;
//   3. eval the prelude (guest.ts): captured intrinsics, seeded Math.random, frozen
//      Date, the canonicaliser, the input factories; its value, a function, stays with
//      the host and is unreachable from the program;
//   4. eval the program as a classic script (top-level code runs under the deadline);
//   5. one call into the prelude runs f on every input `determinismRuns` times and
//      returns every canonical output as one string; the host compares expected outputs;
//   6. dispose every handle, the context and the runtime.
// The deadline and limits stay installed through steps 3–5, so getters, Proxy traps and
// the like that run while outputs are read are bounded too. QuickJS's interrupt is
// uncatchable (try/catch/finally in the guest cannot swallow it), and its regex engine
// polls the same handler, so catastrophic backtracking times out as well.
//
// One thing the guest can do that QuickJS does not catch: nesting deep enough that the
// *host's* native stack overflows before QuickJS's own stack check fires (its parser,
// JSON and some builtins recurse natively and barely touch the emulated stack the
// limit measures). The WASM module is unusable after that, so the runner marks it
// broken, answers the job with `memory`, and continues on a spare module it loaded in
// advance; a fresh spare is then loaded in the background. Brackets nested deeper than
// MAX_PROGRAM_NESTING are refused before parsing, which keeps the common case (a
// degenerate program full of `(`) away from that path altogether.
import { newQuickJSWASMModuleFromVariant, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { bracketDepth, checkArgumentList, guestArgumentsSource, LiteralError, MAX_VALUE_DEPTH } from '../core/literals.ts';
import { canonicalOfLiteral } from '../core/values.ts';
import { FROZEN_NOW, preludeSource, RANDOM_SEED, type RawResult } from './guest.ts';
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

const PROGRAM_FILE = 'program.js';
const PRELUDE_FILE = 'prelude.js';
/** Time allowed to read back the finished inputs' results after an abort. No program code runs then. */
const READBACK_GRACE_MS = 50;
const CLIP = 200;

const now = (): number => performance.now();
const clip = (s: string, n = CLIP): string => (s.length > n ? `${s.slice(0, n)}…` : s);
const VERDICT_SET: ReadonlySet<string> = new Set(VERDICTS);

// ---- the WASM module ---------------------------------------------------------------------

/** One instantiated QuickJS module and whether it can still be trusted. */
interface ModuleSlot {
  module: QuickJSWASMModule;
  broken: boolean;
}

const loadSlot = async (): Promise<ModuleSlot> => ({ module: await newQuickJSWASMModuleFromVariant(variant), broken: false });

// One module per realm (page, worker, Node process), instantiated on first use; runners
// share it. A module that breaks is dropped from here so the next runner gets a new one.
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
}

// ---- job checking ------------------------------------------------------------------------

function resolveLimits(partial: Partial<ExecLimits> | undefined): ExecLimits {
  if (partial !== undefined && (partial === null || typeof partial !== 'object')) throw new ExecJobError('job.limits must be an object');
  const limits: ExecLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ExecLimits)[]) {
    const v = partial?.[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ExecJobError(`job.limits.${key} must be a positive number, got ${String(v)}`);
    limits[key] = v;
  }
  // QuickJS needs some heap and stack for its own setup; below these nothing can run.
  if (limits.memoryBytes < 1 << 20) throw new ExecJobError(`job.limits.memoryBytes must be at least 1 MiB, got ${limits.memoryBytes}`);
  if (limits.stackBytes < 16 << 10) throw new ExecJobError(`job.limits.stackBytes must be at least 16 KiB, got ${limits.stackBytes}`);
  return limits;
}

function checkJobShape(job: ExecJob): number {
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

/** Where QuickJS put a parse error: `    at program.js:3:14` → "line 3, column 14". */
function syntaxLocation(stack: string): string {
  const m = /program\.js:(\d+):(\d+)/.exec(stack);
  return m ? ` at line ${m[1]}, column ${m[2]}` : '';
}

// ---- the runner --------------------------------------------------------------------------

export class QuickJsRunner {
  private spare: ModuleSlot | undefined;
  private sparePending: Promise<void> | undefined;
  private disposed = false;

  private constructor(
    private active: ModuleSlot,
    private readonly keepSpare: boolean,
  ) {}

  /** Instantiate (or reuse) the realm's QuickJS module, plus a spare one unless asked not to. */
  static async create(options: RunnerOptions = {}): Promise<QuickJsRunner> {
    const runner = new QuickJsRunner(await sharedSlot(), options.spare ?? true);
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

  dispose(): void {
    this.disposed = true;
    this.spare = undefined;
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
    if (this.keepSpare && !this.disposed) this.loadSpare().catch(() => {
      // A failed background load leaves no spare; the next break then surfaces as
      // SandboxBrokenError, which the caller handles by recovering or replacing us.
    });
  }

  private usableModule(): QuickJSWASMModule {
    if (this.disposed) throw new SandboxBrokenError('the runner was disposed');
    if (this.active.broken) {
      if (this.spare === undefined) throw new SandboxBrokenError('the QuickJS module broke on an earlier job (host stack overflow) and no spare is loaded yet; await recover()');
      this.swapToSpare();
    }
    return this.active.module;
  }

  /** Run one job. Guest behaviour always ends in a verdict; only a malformed job or an unusable runner throws. */
  runJob(job: ExecJob): ExecResult {
    const t0 = now();
    const runs = checkJobShape(job);
    const limits = resolveLimits(job.limits);
    const module = this.usableModule();
    const n = job.inputs.length;

    // 1. Inputs and expected outputs, on the host.
    const results: (InputResult | undefined)[] = new Array(n).fill(undefined);
    const expected: (string | undefined)[] = new Array(n).fill(undefined);
    const runnable: number[] = [];
    const guestInputs: string[] = [];
    for (let i = 0; i < n; i++) {
      try {
        const exp = job.expected?.[i];
        if (exp !== undefined && exp !== null) expected[i] = canonicalOfLiteral(exp, 'expected output');
        const source = guestArgumentsSource(checkArgumentList(job.inputs[i], 'input'));
        runnable.push(i);
        guestInputs.push(source);
      } catch (e) {
        if (!(e instanceof LiteralError)) throw e;
        results[i] = { verdict: 'invalid-input', reason: e.message };
      }
    }

    const finish = (jobVerdict?: { verdict: Verdict; reason: string }): ExecResult => {
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
    const deadline = t0 + limits.timeoutMs;
    let stopAt = deadline;
    let interrupted = false;
    let rt: QuickJSRuntime | undefined;
    let ctx: QuickJSContext | undefined;
    let host: QuickJSHandle | undefined;
    let hostFailure: unknown;
    let outcome: ExecResult | undefined;
    try {
      rt = module.newRuntime();
      rt.setMemoryLimit(limits.memoryBytes);
      rt.setMaxStackSize(limits.stackBytes);
      rt.setInterruptHandler(() => {
        if (now() <= stopAt) return false;
        interrupted = true;
        return true;
      });
      ctx = rt.newContext();
      const c = ctx;

      const call = (op: number, arg?: QuickJSHandle): { text?: string; error?: QuickJSHandle } => {
        const opHandle = c.newNumber(op);
        const r = arg ? c.callFunction(host!, c.undefined, opHandle, arg) : c.callFunction(host!, c.undefined, opHandle);
        opHandle.dispose();
        if (r.error) return { error: r.error };
        const text = c.typeof(r.value) === 'string' ? c.getString(r.value) : undefined;
        r.value.dispose();
        return { text };
      };
      // Why a guest error ended things, as a verdict. Reads the error in the guest
      // (it may be any value the program threw) unless the deadline has passed.
      const classify = (error: QuickJSHandle, during: string): { verdict: Verdict; reason: string } => {
        if (interrupted) return { verdict: 'timeout', reason: `${during} ran past the ${limits.timeoutMs} ms deadline` };
        const r = call(2, error);
        if (r.error) {
          r.error.dispose();
          return interrupted ? { verdict: 'timeout', reason: `${during} ran past the ${limits.timeoutMs} ms deadline` } : { verdict: 'error', reason: `${during} failed and its error could not be read` };
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

      const prelude = ctx.evalCode(
        preludeSource({
          inputs: guestInputs,
          runs,
          maxOutputChars: limits.maxOutputChars,
          maxDepth: MAX_VALUE_DEPTH,
          memoryBytes: limits.memoryBytes,
          stackBytes: limits.stackBytes,
          programFile: PROGRAM_FILE,
          seed: RANDOM_SEED,
          now: FROZEN_NOW,
        }),
        PRELUDE_FILE,
        { type: 'global', strict: true },
      );
      if (prelude.error) {
        // Only tiny limits get here (the prelude is ours and fixed).
        const why = interrupted ? { verdict: 'timeout' as const, reason: `the sandbox setup ran past the ${limits.timeoutMs} ms deadline` } : { verdict: 'memory' as const, reason: 'the sandbox setup failed (are the memory or stack limits too small?)' };
        prelude.error.dispose();
        outcome = finish(why);
      } else {
        host = prelude.value;
        const program = ctx.evalCode(job.program, PROGRAM_FILE, { type: 'global' });
        if (program.error) {
          const why = classify(program.error, 'the program (top-level code)');
          program.error.dispose();
          outcome = finish(why);
        } else {
          program.value.dispose();
          outcome = this.collect(call, classify, runnable, results, expected, finish, () => {
            stopAt = now() + READBACK_GRACE_MS;
          });
        }
      }
    } catch (e) {
      hostFailure = e;
    }

    if (hostFailure === undefined) {
      try {
        host?.dispose();
        ctx?.dispose();
        rt?.dispose();
      } catch (e) {
        hostFailure = e;
      }
    }
    if (hostFailure !== undefined) {
      // Thrown by the QuickJS library on the host, not by guest code: the module's state
      // is unknown (handles are not disposed; that could abort it). Never use it again.
      this.active.broken = true;
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

  // Step 5: run f on the runnable inputs and fill `results`; on an abort, keep what finished.
  private collect(
    call: (op: number) => { text?: string; error?: QuickJSHandle },
    classify: (error: QuickJSHandle, during: string) => { verdict: Verdict; reason: string },
    runnable: number[],
    results: (InputResult | undefined)[],
    expected: (string | undefined)[],
    finish: (jobVerdict?: { verdict: Verdict; reason: string }) => ExecResult,
    extendForReadback: () => void,
  ): ExecResult {
    const store = (raw: RawResult[]) => {
      raw.forEach(([verdict, reason, output], k) => {
        const i = runnable[k];
        if (!VERDICT_SET.has(verdict)) throw new Error(`guest returned an unknown verdict ${verdict}`);
        if (verdict !== 'ok') results[i] = { verdict: verdict as Verdict, reason };
        else if (expected[i] !== undefined && expected[i] !== output) {
          results[i] = { verdict: 'mismatch', reason: `expected ${clip(expected[i]!)} but got ${clip(output)}`, output };
        } else results[i] = { verdict: 'ok', reason: '', output };
      });
      return raw.length;
    };

    const r = call(0);
    if (r.error === undefined) {
      store(JSON.parse(r.text ?? '[]') as RawResult[]);
      // With no runnable input, the program must still define f.
      if (runnable.length === 0) return this.checkDefinesF(call, finish);
      return finish();
    }
    // Aborted part-way (deadline, or a limit hit outside f's own try): the inputs that
    // finished keep their results, the one running and the rest get the abort's verdict.
    const why = classify(r.error, 'f');
    r.error.dispose();
    extendForReadback();
    const partial = call(1);
    let finished = 0;
    if (partial.error) partial.error.dispose();
    else finished = store(JSON.parse(partial.text ?? '[]') as RawResult[]);
    for (let k = finished; k < runnable.length; k++) {
      results[runnable[k]] = k === finished ? why : { verdict: why.verdict, reason: `not run: ${why.reason} on an earlier input` };
    }
    return finish();
  }

  private checkDefinesF(call: (op: number) => { text?: string; error?: QuickJSHandle }, finish: (jobVerdict?: { verdict: Verdict; reason: string }) => ExecResult): ExecResult {
    const r = call(3);
    if (r.error) {
      r.error.dispose();
      return finish({ verdict: 'error', reason: 'program does not define a function f' });
    }
    return r.text === '' ? finish() : finish({ verdict: 'error', reason: r.text ?? 'program does not define a function f' });
  }
}
