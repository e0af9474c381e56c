// Every hostile case through the Node worker pool. Each must end in one of its named
// verdicts within 2 s, including the ones QuickJS cannot interrupt (the host watchdog
// terminates the worker); an ordinary task right after must come out ok; a batch that
// mixes every case with ordinary tasks must answer each on its own merits; and no
// worker may be left stuck at the end.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createExecutor, type ExecJob, type SandboxPool } from '../../../src/sandbox/index.ts';
import { HOSTILE_CASES, ORDINARY_TASK, type HostileCase } from './hostile-programs.ts';

const jobOf = (c: HostileCase): ExecJob => ({ program: c.program, inputs: [c.input], expected: c.expected === undefined ? undefined : [c.expected] });

let pool: SandboxPool;
beforeAll(async () => {
  pool = await createExecutor();
  await pool.ready();
});
afterAll(() => pool?.dispose());

describe('hostile programs (Node worker pool)', () => {
  test('the list includes work only the host can stop', () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(30);
    expect(HOSTILE_CASES.some((c) => c.needsHostTimeout)).toBe(true);
  });

  for (const c of HOSTILE_CASES) {
    test(c.name, async () => {
      // Measured from a warm pool: a worker replaced after the previous case may still be starting.
      await pool.ready();
      const t0 = performance.now();
      const [result] = await pool.run([jobOf(c)]);
      const wall = performance.now() - t0;
      expect(c.verdicts, `${c.name}: got ${result.verdict} (${result.reason})`).toContain(result.verdict);
      expect(result.reason).not.toBe('');
      expect(wall).toBeLessThan(2000);
      if (c.needsHostTimeout) {
        expect(result.reason).toMatch(/^the sandbox worker stopped responding/);
        console.log(`${c.name}: answered by the host watchdog in ${wall.toFixed(0)} ms`);
      }

      const [after] = await pool.run([ORDINARY_TASK]);
      expect(after.verdict, `ordinary task after "${c.name}": ${after.reason}`).toBe('ok');
      expect(after.results[0].output).toBe('2');
    });
  }

  test('one batch of every case, each between two ordinary tasks: every job gets its own verdict', async () => {
    const jobs: ExecJob[] = [ORDINARY_TASK, ...HOSTILE_CASES.flatMap((c) => [jobOf(c), ORDINARY_TASK])];
    const results = await pool.run(jobs);
    expect(results).toHaveLength(jobs.length);
    expect(results[0].verdict).toBe('ok');
    HOSTILE_CASES.forEach((c, k) => {
      const hostile = results[1 + 2 * k];
      const ordinary = results[2 + 2 * k];
      expect(c.verdicts, `${c.name}: got ${hostile.verdict} (${hostile.reason})`).toContain(hostile.verdict);
      expect(ordinary.verdict, `ordinary task after "${c.name}": ${ordinary.reason}`).toBe('ok');
    });
  });

  test('no worker is left stuck: all are idle and answer', async () => {
    await pool.ready();
    const stats = pool.stats();
    expect(stats.idle).toBe(stats.workers);
    expect(stats.hostTimeouts).toBeGreaterThanOrEqual(2 * HOSTILE_CASES.filter((c) => c.needsHostTimeout).length);
    const results = await pool.run(Array.from({ length: 4 * pool.size }, () => ORDINARY_TASK));
    expect(results.every((r) => r.verdict === 'ok')).toBe(true);
  });
});
