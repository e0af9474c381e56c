// The page stays responsive while the sandbox works: 1,000 checks go through the pool
// while a long-task observer and a requestAnimationFrame heartbeat watch the main thread.
// Guest code runs in the workers only; the page merely posts chunks and reads results.
import { afterAll, expect, test } from 'vitest';
import { createExecutor, type SandboxPool } from '../../../src/sandbox/index.ts';
import { BENCH_MIX, checksOf } from '../../../src/sandbox/bench.ts';

let pool: SandboxPool | null = null;
afterAll(() => pool?.dispose());

test('1,000 checks through the pool leave the main thread free: no long task, small frame gaps', async () => {
  expect(crossOriginIsolated, 'the test page is cross-origin isolated (COOP/COEP), and module workers still start').toBe(true);
  pool = await createExecutor();
  await pool.ready();

  const copies = Math.ceil(1000 / checksOf(BENCH_MIX.map((c) => c.job)));
  const cases = Array.from({ length: copies }, () => BENCH_MIX).flat();
  const jobs = cases.map((c) => c.job);
  expect(checksOf(jobs)).toBeGreaterThanOrEqual(1000);

  const longTasks: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push(e.duration);
  });
  observer.observe({ type: 'longtask' });

  const frames: number[] = [];
  let beating = true;
  const beat = (t: number) => {
    frames.push(t);
    if (beating) requestAnimationFrame(beat);
  };
  requestAnimationFrame(beat);

  const t0 = performance.now();
  const results = await pool.run(jobs);
  const ms = performance.now() - t0;
  // One more frame so the last stretch of work is inside the heartbeat window.
  await new Promise((r) => requestAnimationFrame(r));
  beating = false;
  // Long-task entries are delivered asynchronously; give the observer a turn.
  await new Promise((r) => setTimeout(r, 100));
  observer.disconnect();

  results.forEach((r, i) => expect(r.verdict, `${cases[i].name}: ${r.reason}`).toBe(cases[i].verdict));
  const gaps = frames.slice(1).map((t, i) => t - frames[i]);
  const maxGap = Math.max(...gaps);
  console.log(
    `responsive: ${checksOf(jobs)} checks in ${ms.toFixed(0)} ms on ${pool.size} worker(s); ` +
      `${frames.length} frames, max frame gap ${maxGap.toFixed(1)} ms, long tasks: ${longTasks.length ? longTasks.map((d) => d.toFixed(0)).join(', ') + ' ms' : 'none'}`,
  );
  expect(longTasks, 'main-thread tasks over 50 ms while the pool worked').toEqual([]);
  expect(frames.length).toBeGreaterThan(2);
  expect(maxGap).toBeLessThan(100);
});

test('control: the long-task observer does see main-thread work (so the test above can fail)', async () => {
  const longTasks: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push(e.duration);
  });
  observer.observe({ type: 'longtask' });
  // What running guest code on the page would do: block the thread for a while.
  await new Promise<void>((r) =>
    setTimeout(() => {
      const t = performance.now();
      while (performance.now() - t < 120);
      r();
    }, 0),
  );
  await new Promise((r) => setTimeout(r, 100));
  observer.disconnect();
  expect(longTasks.some((d) => d >= 100), `long tasks seen: ${longTasks.join(', ')}`).toBe(true);
});
