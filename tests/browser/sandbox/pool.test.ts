// The sandbox pool in real Chromium: module workers under the test page's COOP/COEP,
// the QuickJS runner compiled in each worker, and the host watchdog for what QuickJS
// cannot interrupt.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createExecutor, type ExecJob, type SandboxPool } from '../../../src/sandbox/index.ts';
import { HOSTILE_CASES, ORDINARY_TASK } from '../../unit/sandbox/hostile-programs.ts';

let pool: SandboxPool;
beforeAll(async () => {
  pool = await createExecutor({ slackMs: 400 });
  await pool.ready();
});
afterAll(() => pool?.dispose());

const add: ExecJob = { program: 'function f(a, b) { return a + b; }', inputs: ['1, 2', '[1], [2]'], expected: ['3', '"12"'] };

test('the page pool has hardwareConcurrency − 1 workers (at least one) and a shared progress cell', () => {
  expect(pool.size).toBe(Math.max(1, navigator.hardwareConcurrency - 1));
  expect(pool.stats().idle).toBe(pool.size);
  expect(crossOriginIsolated).toBe(true);
});

test('real jobs get real verdicts, in order: ok, mismatch, timeout, syntax, error, invalid-input', async () => {
  const jobs: ExecJob[] = [
    add,
    { program: 'const f = (s) => s.toUpperCase();', inputs: ['"abc"'], expected: ['"abd"'] },
    { program: 'function f() { while (true) {} }', inputs: ['0'], limits: { timeoutMs: 300 } },
    { program: 'function f(a) { return a +; }', inputs: ['1'] },
    { program: 'function f() { throw new TypeError("nope"); }', inputs: ['1'] },
    { program: 'function f(a) { return a; }', inputs: ['alert(1)'] },
  ];
  const results = await pool.run(jobs);
  expect(results.map((r) => r.verdict)).toEqual(['ok', 'mismatch', 'timeout', 'syntax', 'error', 'invalid-input']);
  expect(results[0].results.map((r) => r.output)).toEqual(['3', '"12"']);
  expect(results[1].reason).toMatch(/"ABC"/);
  expect(results[4].reason).toMatch(/TypeError: nope/);
});

test('native work QuickJS cannot interrupt is stopped by terminating the worker; its neighbours still get answers', async () => {
  const before = pool.stats();
  const stuck: ExecJob = { program: 'function f(n) { return String(3n ** BigInt(n)).length; }', inputs: ['400000'], limits: { timeoutMs: 200 } };
  const t0 = performance.now();
  const results = await pool.run([add, stuck, add]);
  const ms = performance.now() - t0;
  expect(results.map((r) => r.verdict)).toEqual(['ok', 'timeout', 'ok']);
  expect(results[1].reason).toMatch(/^the sandbox worker stopped responding/);
  expect(ms).toBeLessThan(5000);
  expect(pool.stats().hostTimeouts).toBe(before.hostTimeouts + 1);
  expect((await pool.run([add]))[0].verdict).toBe('ok');
});

test('a worker that errors on load answers the jobs with a clear error instead of hanging', async () => {
  const { SandboxPool } = await import('../../../src/sandbox/pool.ts');
  const { wrap } = await import('comlink');
  const script = URL.createObjectURL(new Blob(['throw new Error("this worker cannot start")'], { type: 'text/javascript' }));
  const broken = new SandboxPool(
    () => {
      const w = new Worker(script, { type: 'module' });
      let onDeath: ((reason: string, verdict: 'error') => void) | null = null;
      w.addEventListener('error', (e) => {
        e.preventDefault();
        onDeath?.(e.message || 'load error', 'error');
      });
      return { api: wrap(w) as never, terminate: () => w.terminate(), onDeath: (l) => void (onDeath = l) };
    },
    { size: 1, startTimeoutMs: 5000 },
  );
  try {
    const results = await broken.run([add, add]);
    expect(results.map((r) => r.verdict)).toEqual(['error', 'error']);
    expect(results[0].reason).toMatch(/sandbox worker died while starting/);
  } finally {
    await broken.dispose();
    URL.revokeObjectURL(script);
  }
});

describe('hostile programs (Chromium worker pool)', () => {
  for (const c of HOSTILE_CASES) {
    test(c.name, async () => {
      await pool.ready(); // a worker replaced after the previous case may still be starting
      const t0 = performance.now();
      const [result] = await pool.run([{ program: c.program, inputs: [c.input], expected: c.expected === undefined ? undefined : [c.expected] }]);
      const wall = performance.now() - t0;
      expect(c.verdicts, `${c.name}: got ${result.verdict} (${result.reason})`).toContain(result.verdict);
      expect(result.reason).not.toBe('');
      expect(wall).toBeLessThan(2000);
      const [after] = await pool.run([ORDINARY_TASK]);
      expect(after.verdict, `ordinary task after "${c.name}": ${after.reason}`).toBe('ok');
    });
  }

  test('no worker is left stuck', async () => {
    await pool.ready();
    expect(pool.stats().idle).toBe(pool.size);
    expect((await pool.run([ORDINARY_TASK]))[0].verdict).toBe('ok');
  });
});
