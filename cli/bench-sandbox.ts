// `azr bench sandbox`: checks per second of the sandbox pool against a naive runner
// (fresh QuickJS runtime and canonicaliser per check, one thread, one at a time) and raw
// V8 (the ceiling), all measured in this one run so the ratios compare like with like.
// A fourth row, the real runner one check at a time on one thread, shows which part of
// the speed-up comes from the runner itself and which from batching and workers.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { emitJson, intFlag, log, noPositionals, parse, showHelp, UsageError } from './args.ts';
import { createNodePool } from '../src/sandbox/node-pool.ts';
import { BENCH_MIX, checksOf, combine, runPerCheck, timeOneByOne, timePool, timeV8, v8Check, wrongVerdicts, type Timing } from '../src/sandbox/bench.ts';
import type { ExecJob, ExecResult, Verdict } from '../src/sandbox/types.ts';
import type { JobRunner } from '../src/sandbox/worker-api.ts';

const USAGE = `usage: azr bench sandbox [--seconds S] [--workers N] [--batch R] [--json]

Times a fixed mix of ${BENCH_MIX.length} programs (${checksOf(BENCH_MIX.map((c) => c.job))} checks: string, array, number
and object programs, ten-input and one-input jobs, a few failing ones) four ways:
  pool     the worker pool, the mix repeated R times per run() call
  single   the pool's runner, one check per job, on one thread, one at a time
  naive    a fresh QuickJS runtime, context and canonicaliser per check, on one
           thread, one at a time (src/sandbox/naive.ts)
  v8       the same programs as trusted code through new Function (the ceiling)

options:
  --seconds S   seconds per measurement, after a warm-up (default 3)
  --workers N   pool size (default: os.availableParallelism())
  --batch R     copies of the mix per pool call (default 16)
  --json        print {checksPerSec, naiveChecksPerSec, v8ChecksPerSec, ratio, singleThreadChecksPerSec,
                v8Ratio, workers, checks, cpu} last on stdout (ratio = pool / naive, v8Ratio = v8 / pool)

CPU time is measured too, since checks/s on a busy machine measures the other load as
much as the sandbox: cpu = {hostUsPerCheck (the pool's calling thread), workerUsPerCheck
(every other thread of this process: the workers, V8's helpers), totalUsPerCheck,
singleUsPerCheck, naiveUsPerCheck, cores, projectedChecksPerSec}. The projection is what
the pool would do with the machine to itself: the fewest checks/s any limit allows (all
cores over the total CPU per check, each worker thread, the host thread); a projection,
not a measurement. Fields are null where the platform has no per-thread CPU clock.`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { json: { type: 'boolean' }, seconds: { type: 'string' }, workers: { type: 'string' }, batch: { type: 'string' } },
    USAGE,
  );
  if (values.help) return showHelp(USAGE);
  noPositionals(positionals, USAGE);
  const seconds = values.seconds === undefined ? 3 : Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) throw new UsageError(`--seconds must be a number in (0, 600], got "${values.seconds}"`);
  const workers = values.workers === undefined ? undefined : intFlag(values.workers, 'workers', 1);
  const copies = intFlag(values.batch, 'batch', 16);

  const mix = BENCH_MIX.map((c) => c.job);
  const batch: ExecJob[] = Array.from({ length: copies }, () => mix).flat();
  const { QuickJsRunner } = await import('../src/sandbox/runner.ts');
  const { NaiveRunner } = await import('../src/sandbox/naive.ts');
  const runner: JobRunner = await QuickJsRunner.create();
  const naiveRunner: JobRunner = await NaiveRunner.create();
  const pool = createNodePool({ size: workers });
  try {
    await pool.ready();
    log(`sandbox bench: ${BENCH_MIX.length} programs, ${checksOf(mix)} checks per pass; pool of ${pool.size} workers, ${checksOf(batch)} checks per call; ${seconds} s per measurement`);

    // Speed of wrong answers is worth nothing: every path must give each job its verdict.
    const wrong = [
      ...wrongVerdicts(BENCH_MIX, await pool.run(mix)).map((w) => `pool: ${w}`),
      ...wrongVerdicts(BENCH_MIX, runPerCheck(runner, BENCH_MIX)).map((w) => `single thread: ${w}`),
      ...wrongVerdicts(BENCH_MIX, runPerCheck(naiveRunner, BENCH_MIX)).map((w) => `naive: ${w}`),
      ...wrongVerdicts(BENCH_MIX, mix.map(v8Result)).map((w) => `v8: ${w}`),
    ];
    if (wrong.length) {
      log(`the mix did not give the verdicts it should; not timing:\n  ${wrong.join('\n  ')}`);
      return 1;
    }

    // Warm-up: JIT on the host side, QuickJS heaps and code caches in the workers.
    await timePool((j) => pool.run(j), batch, Math.min(1, seconds / 3));
    await timeOneByOne(runner, mix, Math.min(0.5, seconds / 6));
    await timeOneByOne(naiveRunner, mix, Math.min(0.5, seconds / 6));
    await timeV8(mix, Math.min(0.5, seconds / 6));

    // Interleaved rounds, so a change in machine load (this box is shared) hits all
    // four paths alike instead of skewing the ratios.
    const rounds = Math.max(1, Math.round(seconds / 0.5));
    const slice = seconds / rounds;
    const parts: { naive: Timing[]; single: Timing[]; pool: Timing[]; v8: Timing[] } = { naive: [], single: [], pool: [], v8: [] };
    const cpu = { naive: new CpuMeter(), single: new CpuMeter(), pool: new CpuMeter() };
    for (let r = 0; r < rounds; r++) {
      parts.naive.push(await cpu.naive.measure(() => timeOneByOne(naiveRunner, mix, slice)));
      parts.single.push(await cpu.single.measure(() => timeOneByOne(runner, mix, slice)));
      parts.pool.push(await cpu.pool.measure(() => timePool((j) => pool.run(j), batch, slice)));
      parts.v8.push(await timeV8(mix, slice));
    }
    const naive = combine(parts.naive);
    const single = combine(parts.single);
    const pooled = combine(parts.pool);
    const v8 = combine(parts.v8);
    const costs = runnerCosts(runner);

    const ratio = pooled.checksPerSec / naive.checksPerSec;
    const v8Ratio = v8.checksPerSec / pooled.checksPerSec;
    const row = (name: string, t: Timing, vsNaive: string) => `  ${name.padEnd(40)} ${fmt(t.checksPerSec).padStart(12)}  ${vsNaive.padStart(8)}  ${fmt(t.checks).padStart(10)}`;
    log(`  ${'path'.padEnd(40)} ${'checks/s'.padStart(12)}  ${'vs naive'.padStart(8)}  ${'checks'.padStart(10)}`);
    log(row('naive (runtime per check, 1 thread)', naive, '1.0×'));
    log(row('runner, 1 check per job, 1 thread', single, `${(single.checksPerSec / naive.checksPerSec).toFixed(1)}×`));
    log(row(`pool (${pool.size} workers, batched)`, pooled, `${ratio.toFixed(1)}×`));
    log(row('raw V8 (new Function, trusted)', v8, `${(v8.checksPerSec / naive.checksPerSec).toFixed(0)}×`));
    log(`  raw V8 / pool = ${v8Ratio.toFixed(1)}×`);
    // Where the pool's time goes, for whoever tunes the runner or the pool.
    const workerMs = pooled.ms * pool.size;
    log(
      `  pool time: ${pct(pooled.runnerMs / workerMs)} of worker time inside runner.runJob, ` +
        `${pct(1 - pooled.runnerMs / workerMs)} messaging, cloning and idle; ` +
        `runner on one thread: ~${costs.perJobMs.toFixed(3)} ms per job (runtime + context + compile) + ~${costs.perInputMs.toFixed(3)} ms per input`,
    );

    const cores = availableParallelism();
    const perCheck = (us: number | undefined, t: Timing) => (us === undefined ? undefined : us / t.checks);
    const hostUs = perCheck(cpu.pool.threadUs, pooled);
    const totalUs = cpu.pool.processUs / pooled.checks;
    const workerUs = hostUs === undefined ? undefined : totalUs - hostUs;
    const singleUs = perCheck(cpu.single.threadUs, single);
    const naiveUs = perCheck(cpu.naive.threadUs, naive);
    const projected = hostUs === undefined || workerUs === undefined ? undefined : projectedRate(cores, pool.size, hostUs, workerUs);
    const us = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(1)} µs`);
    log(
      `  CPU per check: pool ${us(totalUs)} (host thread ${us(hostUs)}, workers and helpers ${us(workerUs)}); ` +
        `runner on one thread ${us(singleUs)}; naive ${us(naiveUs)}` +
        (naiveUs === undefined ? '' : `; naive / pool = ${(naiveUs / totalUs).toFixed(1)}× less CPU per check`),
    );
    if (projected !== undefined) log(`  projected with the machine to itself (${cores} cores, from CPU per check; not measured): ${fmt(projected)} checks/s`);

    if (values.json) {
      emitJson({
        checksPerSec: round(pooled.checksPerSec),
        naiveChecksPerSec: round(naive.checksPerSec),
        v8ChecksPerSec: round(v8.checksPerSec),
        ratio: round(ratio, 2),
        singleThreadChecksPerSec: round(single.checksPerSec),
        v8Ratio: round(v8Ratio, 2),
        workers: pool.size,
        checks: pooled.checks,
        cpu: {
          hostUsPerCheck: roundOrNull(hostUs, 2),
          workerUsPerCheck: roundOrNull(workerUs, 2),
          totalUsPerCheck: round(totalUs, 2),
          singleUsPerCheck: roundOrNull(singleUs, 2),
          naiveUsPerCheck: roundOrNull(naiveUs, 2),
          cores,
          projectedChecksPerSec: roundOrNull(projected),
        },
      });
    }
    return 0;
  } finally {
    await pool.dispose();
  }
}

/** The V8 path's verdicts in ExecResult form, for the verdict check. */
function v8Result(j: ExecJob): ExecResult {
  const verdicts = v8Check(j);
  const verdict: Verdict = verdicts.find((v) => v !== 'ok') ?? 'ok';
  return { verdict, reason: '', results: verdicts.map((v) => ({ verdict: v, reason: '' })), ms: 0 };
}

/**
 * Fixed and per-input cost of the runner on this thread: a trivial program on one
 * input and on ten, many times each; the difference is the per-input part.
 */
function runnerCosts(runner: JobRunner): { perJobMs: number; perInputMs: number } {
  const program = 'function f(x) { return x + 1; }';
  const one: ExecJob = { program, inputs: ['1'] };
  const ten: ExecJob = { program, inputs: Array.from({ length: 10 }, (_, i) => String(i)) };
  const time = (j: ExecJob, n: number) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) runner.runJob(j);
    return (performance.now() - t0) / n;
  };
  time(one, 50);
  time(ten, 50);
  const a = time(one, 300);
  const b = time(ten, 300);
  const perInputMs = Math.max(0, (b - a) / 9);
  return { perJobMs: Math.max(0, a - perInputMs), perInputMs };
}

/**
 * CPU time spent while a measurement ran: this thread's, and the whole process's (every
 * thread: the pool's workers, V8's and libuv's helpers). The other measurements run on
 * this thread with the workers idle, so between them they split the process's time.
 */
class CpuMeter {
  processUs = 0;
  threadUs: number | undefined = 0;

  async measure(run: () => Promise<Timing>): Promise<Timing> {
    const p0 = processCpuUs();
    const t0 = threadCpuUs();
    const t = await run();
    const t1 = threadCpuUs();
    this.processUs += processCpuUs() - p0;
    this.threadUs = t0 === undefined || t1 === undefined || this.threadUs === undefined ? undefined : this.threadUs + (t1 - t0);
    return t;
  }
}

function processCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** This thread's CPU time in µs: Node's own clock where it has one (≥ 23.9), else Linux's per-thread schedstat. */
function threadCpuUs(): number | undefined {
  const own = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  if (typeof own === 'function') {
    const u = own.call(process);
    return u.user + u.system;
  }
  try {
    // First field: nanoseconds this thread has spent on a CPU.
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1000;
  } catch {
    return undefined;
  }
}

/**
 * Checks/s the pool could reach on an otherwise idle machine: the tightest of the cores
 * shared by every thread, each worker on a core of its own, and the one host thread.
 */
export function projectedRate(cores: number, workers: number, hostUs: number, workerUs: number): number {
  const limits = [(cores * 1e6) / (hostUs + workerUs)];
  if (workerUs > 0) limits.push((Math.min(workers, cores) * 1e6) / workerUs);
  if (hostUs > 0) limits.push(1e6 / hostUs);
  return Math.min(...limits);
}

const roundOrNull = (n: number | undefined, digits = 0) => (n === undefined ? null : round(n, digits));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (x: number) => `${Math.round(Math.max(0, Math.min(1, x)) * 100)}%`;
const round = (n: number, digits = 0) => Number(n.toFixed(digits));
