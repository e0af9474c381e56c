// The sandbox bench's pieces: the mix, its split into single checks, the verdict check
// that refuses to time wrong answers, the timing loop and the V8 ceiling's verdicts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_MIX, checksOf, combine, runPerCheck, splitPerCheck, timeLoop, timeOneByOne, v8Check, wrongVerdicts } from '../../../src/sandbox/bench.ts';
import { QuickJsRunner } from '../../../src/sandbox/runner.ts';
import { NaiveRunner } from '../../../src/sandbox/naive.ts';
import type { ExecResult } from '../../../src/sandbox/types.ts';

let runner: QuickJsRunner;
let naive: NaiveRunner;
beforeAll(async () => {
  runner = await QuickJsRunner.create({ spare: false });
  naive = await NaiveRunner.create();
});
afterAll(() => runner.dispose());

describe('the bench mix', () => {
  it('is varied: every kind, ten-input and one-input jobs, failing verdicts of several sorts', () => {
    expect(new Set(BENCH_MIX.map((c) => c.kind))).toEqual(new Set(['string', 'array', 'number', 'object', 'failing']));
    expect(BENCH_MIX.some((c) => c.job.inputs.length === 10)).toBe(true);
    expect(BENCH_MIX.some((c) => c.job.inputs.length === 1)).toBe(true);
    expect(new Set(BENCH_MIX.filter((c) => c.kind === 'failing').map((c) => c.verdict)).size).toBeGreaterThanOrEqual(3);
  });

  it('splits into one job per check, expected outputs aligned', () => {
    const jobs = BENCH_MIX.map((c) => c.job);
    const single = splitPerCheck(jobs);
    expect(single.length).toBe(checksOf(jobs));
    expect(single.every((j) => j.inputs.length === 1 && j.expected?.length === 1)).toBe(true);
    const gcd = BENCH_MIX.find((c) => c.name === 'gcd ×10')!.job;
    expect(splitPerCheck([gcd]).map((j) => [j.inputs[0], j.expected![0]])).toEqual(gcd.inputs.map((i, k) => [i, gcd.expected![k]]));
  });

  it('every path gives every job its verdict: runner batched and one by one, naive, V8', () => {
    expect(wrongVerdicts(BENCH_MIX, BENCH_MIX.map((c) => runner.runJob(c.job)))).toEqual([]);
    expect(wrongVerdicts(BENCH_MIX, runPerCheck(runner, BENCH_MIX))).toEqual([]);
    expect(wrongVerdicts(BENCH_MIX, runPerCheck(naive, BENCH_MIX))).toEqual([]);
    for (const c of BENCH_MIX) {
      const verdicts = v8Check(c.job);
      expect(verdicts.find((v) => v !== 'ok') ?? 'ok', c.name).toBe(c.verdict);
    }
  });

  it('wrongVerdicts names the job, what it should get and what it got', () => {
    const results: ExecResult[] = BENCH_MIX.map((c) => ({ verdict: c.verdict, reason: '', results: [], ms: 0 }));
    results[2] = { verdict: 'timeout', reason: 'slow', results: [], ms: 0 };
    expect(wrongVerdicts(BENCH_MIX, results)).toEqual([`${BENCH_MIX[2].name}: expected ${BENCH_MIX[2].verdict}, got timeout (slow)`]);
    expect(wrongVerdicts(BENCH_MIX, results.slice(0, 5)).length).toBe(BENCH_MIX.length - 5 + 1);
  });
});

describe('timing', () => {
  it('timeLoop calls at least once and counts checks over the whole window', async () => {
    let calls = 0;
    const t = await timeLoop(0.05, () => {
      calls++;
      const until = performance.now() + 5;
      while (performance.now() < until) {}
      return { checks: 3, runnerMs: 1 };
    });
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(t.checks).toBe(3 * calls);
    expect(t.ms).toBeGreaterThanOrEqual(50);
    expect(t.checksPerSec).toBeCloseTo((t.checks * 1000) / t.ms, 6);
    expect(t.runnerMs).toBe(calls);
  });

  it('combine is total checks over total time, not a mean of rates', () => {
    const c = combine([
      { checks: 10, ms: 1000, checksPerSec: 10, runnerMs: 1 },
      { checks: 90, ms: 1000, checksPerSec: 90, runnerMs: 2 },
    ]);
    expect(c).toEqual({ checks: 100, ms: 2000, checksPerSec: 50, runnerMs: 3 });
  });

  it('the one-by-one paths run whole passes of the mix, one check per job', async () => {
    const jobs = BENCH_MIX.map((c) => c.job);
    const t = await timeOneByOne(naive, jobs, 0.01);
    expect(t.checks % checksOf(jobs)).toBe(0);
    expect(t.checks).toBeGreaterThan(0);
    expect(t.runnerMs).toBeGreaterThan(0);
  });
});
