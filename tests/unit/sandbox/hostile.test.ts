// Every hostile case through the inline executor: each must end in one of its named
// non-ok verdicts within 2 s of wall time, and an ordinary task run right after it must
// still come out ok (nothing a case did may survive into the next job).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineExecutor } from '../../../src/sandbox/inline.ts';
import { HOSTILE_CASES, ORDINARY_TASK } from './hostile-programs.ts';

let executor: InlineExecutor;
beforeAll(async () => {
  executor = await InlineExecutor.create();
});
afterAll(async () => {
  await executor.dispose();
});

describe('hostile programs (inline executor)', () => {
  it('has at least 30 cases, all with named non-ok verdicts', () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(HOSTILE_CASES.map((c) => c.name)).size).toBe(HOSTILE_CASES.length);
    for (const c of HOSTILE_CASES) {
      expect(c.verdicts.length, c.name).toBeGreaterThan(0);
      expect(c.verdicts, c.name).not.toContain('ok');
    }
  });

  for (const c of HOSTILE_CASES) {
    // On the current thread nothing can stop native work that QuickJS does not
    // interrupt; only the pool's watchdog (which terminates the worker) meets the 2 s
    // budget for these. runner.test.ts checks that the runner still calls it a timeout.
    it.skipIf(c.needsHostTimeout === true)(c.name, async () => {
      const t0 = performance.now();
      const [result] = await executor.run([{ program: c.program, inputs: [c.input], expected: c.expected === undefined ? undefined : [c.expected] }]);
      const wall = performance.now() - t0;
      expect(c.verdicts, `${c.name}: got ${result.verdict} (${result.reason})`).toContain(result.verdict);
      expect(result.reason).not.toBe('');
      expect(wall).toBeLessThan(2000);

      const [after] = await executor.run([ORDINARY_TASK]);
      expect(after.verdict, `ordinary task after "${c.name}": ${after.reason}`).toBe('ok');
      expect(after.results[0].output).toBe('2');
    });
  }
});
