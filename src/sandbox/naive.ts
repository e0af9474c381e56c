// The naive sandbox: the straightforward checker a first implementation would be, kept
// as the baseline `azr bench sandbox` measures the real runner (runner.ts) against.
//
// For every check (one program on one input) it builds everything from scratch:
//   1. host: the input and expected output checked as literals (core/literals.ts);
//   2. a fresh QuickJS runtime with the memory and stack limits and a deadline, and a
//      fresh context in it;
//   3. the canonicaliser (guest.ts, the very source the runner uses, without the realm
//      hardening) evaluated in that context, then the job prelude (seeded Math.random,
//      frozen Date, the input), then the program; the context has QuickJS's default
//      intrinsics (typed arrays included) and both determinism shims, whatever the
//      program uses;
//   4. f called `determinismRuns` times and the canonical output read back as text;
//      the host compares it with the expected output;
//   5. every handle, the context and the runtime disposed.
// No runtime reuse, no shared system realm, no batching of inputs, one thread. Nothing
// is slowed on purpose: it calls the same guest code through the same library as the
// runner, so the difference between the two is what the runner's design buys.
//
// It is a measuring stick, not the executor: the canonicaliser shares its realm with
// the program, so a program that tampers with the builtins the canonicaliser reaches
// lazily can change what a failure message says. The verdicts it gives on the bench mix
// are checked against the runner's before anything is timed (cli/bench-sandbox.ts).
import { newQuickJSWASMModuleFromVariant, type QuickJSContext, type QuickJSHandle, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { bracketDepth, checkArgumentList, guestArgumentsSource, LiteralError, MAX_VALUE_DEPTH } from '../core/literals.ts';
import { canonicalOfLiteral } from '../core/values.ts';
import { jobPreludeSource, NAIVE_SYSTEM_SOURCE, OP, PROGRAM_FILE, type RawResult } from './guest.ts';
import { checkJobShape, fromGuestCanonical, MAX_PROGRAM_NESTING, resolveLimits, SandboxBrokenError } from './runner.ts';
import type { ExecJob, ExecLimits, ExecResult, InputResult, Verdict } from './types.ts';
import type { JobRunner } from './worker-api.ts';

const now = (): number => performance.now();

export class NaiveRunner implements JobRunner {
  private broken = false;
  private constructor(private module: QuickJSWASMModule) {}

  /** Instantiate a QuickJS module of its own (compiled once, like the runner's). */
  static async create(): Promise<NaiveRunner> {
    return new NaiveRunner(await newQuickJSWASMModuleFromVariant(variant));
  }

  get ready(): boolean {
    return !this.broken;
  }

  /** Load a fresh module after the last one broke (a host stack overflow). */
  async recover(): Promise<void> {
    if (!this.broken) return;
    this.module = await newQuickJSWASMModuleFromVariant(variant);
    this.broken = false;
  }

  /** Every input of the job is its own check, in its own runtime. */
  runJob(job: ExecJob): ExecResult {
    const t0 = now();
    const runs = checkJobShape(job);
    const limits = resolveLimits(job.limits);
    if (this.broken) throw new SandboxBrokenError('the naive runner broke on an earlier check; await recover()');
    const results = job.inputs.map((input, i) => this.check(job.program, input, job.expected?.[i], runs, limits));
    const n = results.length;
    const firstBad = results.findIndex((r) => r.verdict !== 'ok');
    if (firstBad < 0) return { verdict: 'ok', reason: '', results, ms: now() - t0 };
    const bad = results[firstBad];
    return { verdict: bad.verdict, reason: n > 1 ? `input ${firstBad + 1}: ${bad.reason}` : bad.reason, results, ms: now() - t0 };
  }

  private check(program: string, input: string, expectedSource: string | null | undefined, runs: number, limits: ExecLimits): InputResult {
    const start = now();
    const result = this.checkOnce(program, input, expectedSource, runs, limits);
    // Work QuickJS cannot interrupt (printing a huge BigInt) can end past the deadline;
    // the limit held all the same.
    const elapsed = now() - start;
    if (elapsed > limits.timeoutMs && result.verdict !== 'timeout' && result.verdict !== 'invalid-input') {
      return { verdict: 'timeout', reason: `the check took ${Math.round(elapsed)} ms, past its ${limits.timeoutMs} ms deadline` };
    }
    return result;
  }

  private checkOnce(program: string, input: string, expectedSource: string | null | undefined, runs: number, limits: ExecLimits): InputResult {
    let guestInput: string;
    let expected: string | undefined;
    try {
      if (expectedSource !== undefined && expectedSource !== null) expected = canonicalOfLiteral(expectedSource, 'expected output');
      guestInput = guestArgumentsSource(checkArgumentList(input, 'input'));
    } catch (e) {
      if (!(e instanceof LiteralError)) throw e;
      return { verdict: 'invalid-input', reason: e.message };
    }
    // QuickJS's parser recurses on the host stack; past this depth it can overflow it.
    const nesting = bracketDepth(program);
    if (nesting > MAX_PROGRAM_NESTING) return { verdict: 'memory', reason: `program nests brackets ${nesting} deep; the sandbox parses at most ${MAX_PROGRAM_NESTING} levels` };

    const rt = this.module.newRuntime();
    let ctx: QuickJSContext | undefined;
    const handles: QuickJSHandle[] = [];
    let interrupted = false;
    const deadline = now() + limits.timeoutMs;
    try {
      rt.setMemoryLimit(limits.memoryBytes);
      rt.setMaxStackSize(limits.stackBytes);
      rt.setInterruptHandler(() => (now() > deadline ? (interrupted = true) : false));
      ctx = rt.newContext();
      const c = ctx;
      const keep = (h: QuickJSHandle): QuickJSHandle => (handles.push(h), h);
      const timedOut = (during: string): InputResult => ({ verdict: 'timeout', reason: `${during} ran past the ${limits.timeoutMs} ms deadline` });

      const sys = c.evalCode(NAIVE_SYSTEM_SOURCE, 'system.js', { type: 'global', strict: true });
      if (sys.error) {
        keep(sys.error);
        return interrupted ? timedOut('the sandbox setup') : { verdict: 'memory', reason: 'the canonicaliser did not load (is the memory limit too small?)' };
      }
      const host = keep(sys.value);
      // The host function's calls; returns its string result or the guest error.
      const call = (op: number, ...args: QuickJSHandle[]): { text?: string; error?: QuickJSHandle } => {
        const r = c.callFunction(host, c.undefined, keep(c.newNumber(op)), ...args);
        if (r.error) return { error: keep(r.error) };
        keep(r.value);
        return { text: c.typeof(r.value) === 'string' ? c.getString(r.value) : undefined };
      };
      // The prelude (both determinism shims, always) is evaluated by the canonicaliser's
      // start, as in the runner.
      const prelude = keep(
        c.newString(
          jobPreludeSource({ inputs: [guestInput], runs, maxOutputChars: limits.maxOutputChars, maxDepth: MAX_VALUE_DEPTH, memoryBytes: limits.memoryBytes, stackBytes: limits.stackBytes, date: true, random: true }),
        ),
      );
      const started = call(OP.START, c.global, prelude);
      if (started.error) return interrupted ? timedOut('the sandbox setup') : { verdict: 'memory', reason: 'the sandbox setup ran out of memory (is the memory limit too small?)' };

      // A thrown value, classified by the canonicaliser (limits, parse errors, throws).
      const classify = (error: QuickJSHandle, during: string): InputResult => {
        if (interrupted) return timedOut(during);
        const r = call(OP.CLASSIFY, c.undefined, error);
        if (r.error || r.text === undefined) return interrupted ? timedOut(during) : { verdict: 'error', reason: `${during} failed and its error could not be read` };
        const cut = r.text.indexOf('\n');
        const kind = r.text.slice(0, cut);
        const detail = r.text.slice(cut + 1);
        if (kind === 'memory' || kind === 'stack') return { verdict: 'memory', reason: `${during}: ${detail}` };
        if (kind === 'syntax') return { verdict: 'syntax', reason: `SyntaxError: ${detail.slice(0, detail.indexOf('\n'))}` };
        return { verdict: 'error', reason: `${during} threw ${detail}` };
      };

      const evaluated = c.evalCode(program, PROGRAM_FILE, { type: 'global' });
      if (evaluated.error) return classify(keep(evaluated.error), 'the program (top-level code)');
      keep(evaluated.value);

      const ran = call(OP.RUN);
      if (ran.error) return classify(ran.error, 'f');
      const [[verdict, reason, raw, extra]] = JSON.parse(ran.text ?? '[]') as RawResult[];
      const output = fromGuestCanonical(raw);
      if (verdict === 'nondeterministic') return { verdict, reason: `f is not deterministic (${reason}): first ${output}, then ${fromGuestCanonical(extra)}` };
      if (verdict !== 'ok') return { verdict: verdict as Verdict, reason };
      if (output.length > limits.maxOutputChars) return { verdict: 'invalid-output', reason: `output is more than ${limits.maxOutputChars} characters of canonical text` };
      if (expected !== undefined && expected !== output) return { verdict: 'mismatch', reason: `expected ${expected} but got ${output}`, output };
      return { verdict: 'ok', reason: '', output };
    } catch (e) {
      // The QuickJS library itself failed (a host stack overflow): its module is unusable.
      this.broken = true;
      const message = e instanceof Error ? e.message : String(e);
      return /call stack|stack overflow/i.test(message)
        ? { verdict: 'memory', reason: 'stack overflow in the host while QuickJS ran this check (nesting too deep)' }
        : { verdict: 'error', reason: `the sandbox failed on this check: ${message}` };
    } finally {
      if (!this.broken) {
        for (const h of handles) if (h.alive) h.dispose();
        ctx?.dispose();
        rt.dispose();
      }
    }
  }
}
