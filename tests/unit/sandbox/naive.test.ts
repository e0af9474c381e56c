// The naive baseline against real QuickJS: it must be a working sandbox that agrees
// with the real runner, or the bench's ratio would compare against something else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NaiveRunner } from '../../../src/sandbox/naive.ts';
import { QuickJsRunner } from '../../../src/sandbox/runner.ts';
import { BENCH_MIX, splitPerCheck } from '../../../src/sandbox/bench.ts';
import { NAIVE_SYSTEM_SOURCE, SYSTEM_SOURCE } from '../../../src/sandbox/guest.ts';
import { HOSTILE_CASES } from './hostile-programs.ts';
import type { ExecJob } from '../../../src/sandbox/types.ts';

let naive: NaiveRunner;
let runner: QuickJsRunner;
beforeAll(async () => {
  naive = await NaiveRunner.create();
  runner = await QuickJsRunner.create({ spare: false });
});
afterAll(() => runner.dispose());

describe('naive runner', () => {
  it('evaluates the same canonicaliser, less the realm hardening', () => {
    expect(NAIVE_SYSTEM_SOURCE.length).toBeLessThan(SYSTEM_SOURCE.length);
    expect(SYSTEM_SOURCE).toContain('freeze');
    expect(NAIVE_SYSTEM_SOURCE).not.toContain('freeze');
  });

  it('gives every check of the bench mix the verdict and output the runner gives', () => {
    for (const c of BENCH_MIX) {
      const a = naive.runJob(c.job);
      const b = runner.runJob(c.job);
      expect(a.verdict, c.name).toBe(c.verdict);
      expect(a.results.map((r) => [r.verdict, r.output]), c.name).toEqual(b.results.map((r) => [r.verdict, r.output]));
      for (const single of splitPerCheck([c.job])) expect(naive.runJob(single).results[0].verdict).toBe(runner.runJob(single).results[0].verdict);
    }
  });

  it('runs every check in a runtime of its own: nothing survives into the next check', () => {
    const polluter = "Object.prototype.polluted = 'yes'; globalThis.leak = 1; Math.max = () => 0; function f(a) { return a; }";
    expect(naive.runJob({ program: polluter, inputs: ['1'] }).verdict).toBe('ok');
    const probe = naive.runJob({ program: 'function f(a) { return [({}).polluted, typeof leak, Math.max(1, 2)]; }', inputs: ['1'] });
    expect(probe.results[0].output).toBe('[undefined,"undefined",2]');
    // Two inputs of one job are two checks: a counter starts over for each.
    const counter = naive.runJob({ program: 'let n = 0; function f(a) { return a + n++ * 0; }', inputs: ['1', '2'], determinismRuns: 1 });
    expect(counter.results.map((r) => r.output)).toEqual(['1', '2']);
  });

  it('keeps the determinism rules: seeded Math.random is caught, Date is frozen', () => {
    expect(naive.runJob({ program: 'function f() { return Math.random(); }', inputs: [''] }).verdict).toBe('nondeterministic');
    const date = naive.runJob({ program: 'function f() { return Date.now(); }', inputs: [''] });
    expect(date.results[0].output).toBe(runner.runJob({ program: 'function f() { return Date.now(); }', inputs: [''] }).results[0].output);
  });

  // The hostile list through the naive runner; cases that can only stall get a shorter
  // deadline (each one costs its whole deadline).
  for (const c of HOSTILE_CASES.filter((h) => !h.needsHostTimeout && !h.leanRealm)) {
    it(`holds against: ${c.name}`, async () => {
      const stall = c.verdicts.length === 1 && c.verdicts[0] === 'timeout';
      const job: ExecJob = { program: c.program, inputs: [c.input], expected: c.expected === undefined ? undefined : [c.expected], limits: stall ? { timeoutMs: 300 } : undefined };
      // A host stack overflow on an earlier case leaves the module unusable, as in the runner.
      await naive.recover();
      const r = naive.runJob(job);
      expect(c.verdicts, `${c.name}: got ${r.verdict} (${r.reason})`).toContain(r.verdict);
      expect(r.reason).not.toBe('');
    });
  }

  it('a malformed job is a caller error, as with the runner', () => {
    expect(() => naive.runJob({ program: 1 } as unknown as ExecJob)).toThrow(/job.program must be a string/);
    expect(() => naive.runJob({ program: 'function f() {}', inputs: ['1'], limits: { timeoutMs: -1 } })).toThrow(/timeoutMs/);
  });
});
