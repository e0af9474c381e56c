// The Node sandbox pool: scheduling, the host watchdog, replacement and recycling.
//
// Part one drives the pool with a scripted runner (a data: module loaded by the real
// worker threads) so each pool behaviour can be provoked on purpose: a runner that
// never returns, one that throws, a thread that exits. Part two runs the real QuickJS
// runner, including native work it cannot interrupt.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { createNodePool } from '../../../src/sandbox/node-pool.ts';
import { planChunks, SandboxPoolError, type SandboxPool } from '../../../src/sandbox/pool.ts';
import type { ExecJob, ExecResult } from '../../../src/sandbox/types.ts';

// Programs understood by the scripted runner:
//   "echo"      → ok, each output is `<threadId>:<input>`
//   "spin"      → busy-waits 60 s inside runJob, as native code the runner cannot interrupt
//   "fault"     → runJob throws (a runner bug, not a guest error)
//   "exit"      → the worker thread exits
//   "abort"     → the runner's own verdict `timeout`
const SCRIPTED_RUNNER =
  'data:text/javascript,' +
  encodeURIComponent(`
import { threadId } from 'node:worker_threads';
export async function createRunner() {
  return {
    runJob(job) {
      if (job.program === 'spin') { const t = Date.now(); while (Date.now() - t < 60000); }
      if (job.program === 'fault') throw new Error('scripted runner fault');
      if (job.program === 'exit') process.exit(3);
      if (job.program === 'abort') return { verdict: 'timeout', reason: 'interrupted', results: job.inputs.map(() => ({ verdict: 'timeout', reason: 'interrupted' })), ms: 1 };
      const results = job.inputs.map((i) => ({ verdict: 'ok', reason: '', output: threadId + ':' + i }));
      return { verdict: 'ok', reason: '', results, ms: 0 };
    },
  };
}`);

const BROKEN_RUNNER = 'data:text/javascript,' + encodeURIComponent(`export async function createRunner() { throw new Error('no wasm here'); }`);

const pools: SandboxPool[] = [];
function scripted(opts: Parameters<typeof createNodePool>[0] = {}): SandboxPool {
  const pool = createNodePool({ runnerModule: SCRIPTED_RUNNER, ...opts });
  pools.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.dispose()));
});

const echo = (input: string, timeoutMs = 1000): ExecJob => ({ program: 'echo', inputs: [input], limits: { timeoutMs } });
const thread = (r: ExecResult) => r.results[0].output!.split(':')[0];
const value = (r: ExecResult) => r.results[0].output!.split(':')[1];

describe('pool mechanics (scripted runner)', () => {
  test('results come back in input order across many chunks, and both workers take part', async () => {
    const pool = scripted({ size: 2 });
    await pool.ready(); // otherwise the first worker up may drain this (instant) batch alone
    const jobs = Array.from({ length: 300 }, (_, i): ExecJob => ({ program: 'echo', inputs: Array.from({ length: 1 + (i % 10) }, (_, k) => `${i}.${k}`) }));
    const results = await pool.run(jobs);
    expect(results).toHaveLength(300);
    results.forEach((r, i) => {
      expect(r.verdict).toBe('ok');
      expect(r.results.map((x) => x.output!.split(':')[1])).toEqual(jobs[i].inputs);
    });
    expect(new Set(results.map(thread)).size).toBe(2);
    // Batched: far fewer messages than jobs (each worker's runner saw whole chunks).
    expect(pool.stats().jobs).toBe(300);
  });

  test('concurrent run() calls each get their own results', async () => {
    const pool = scripted({ size: 2 });
    const batches = [0, 1, 2, 3].map((b) => Array.from({ length: 40 }, (_, i) => echo(`${b}-${i}`)));
    const all = await Promise.all(batches.map((b) => pool.run(b)));
    all.forEach((results, b) => expect(results.map(value)).toEqual(batches[b].map((j) => j.inputs[0])));
  });

  for (const sharedProgress of [true, false]) {
    test(`a job the runner cannot stop gets \`timeout\` and its chunk-mates their own results (shared progress: ${sharedProgress})`, async () => {
      const pool = scripted({ size: 1, slackMs: 300, maxChunkChecks: 1000, sharedProgress });
      await pool.ready();
      const jobs = [echo('a', 200), echo('b', 200), { program: 'spin', inputs: ['1', '2'], limits: { timeoutMs: 200 } }, echo('c', 200), echo('d', 200)];
      const t0 = performance.now();
      const results = await pool.run(jobs);
      const ms = performance.now() - t0;
      expect(results.map((r) => r.verdict)).toEqual(['ok', 'ok', 'timeout', 'ok', 'ok']);
      expect(results[2].reason).toMatch(/^the sandbox worker stopped responding/);
      expect(results[2].results.map((r) => r.verdict)).toEqual(['timeout', 'timeout']);
      expect(results.filter((r) => r.verdict === 'ok').map(value)).toEqual(['a', 'b', 'c', 'd']);
      // The whole chunk's budget is 5 × 200 ms; with progress the hang is caught at ~200 + 300 ms.
      expect(ms).toBeLessThan(sharedProgress ? 3000 : 6000);
      const stats = pool.stats();
      expect(stats.hostTimeouts).toBe(1);
      expect(stats.spawned).toBeGreaterThanOrEqual(2); // the stuck worker was replaced
      // The replacement answers the next call.
      const [after] = await pool.run([echo('next')]);
      expect(after.verdict).toBe('ok');
      expect(thread(after)).not.toBe(thread(results[0]));
    });
  }

  for (const sharedProgress of [true, false]) {
    test(`a hang in a chunk queued behind another: the culprit gets \`timeout\`, every other job its own result (shared progress: ${sharedProgress})`, async () => {
      // Chunks of two, two held by the one worker at a time: [a b] runs while [c spin] waits behind it.
      const pool = scripted({ size: 1, slackMs: 300, maxChunkChecks: 2, chunksInFlight: 2, sharedProgress });
      await pool.ready();
      const jobs = [echo('a', 200), echo('b', 200), echo('c', 200), { program: 'spin', inputs: ['1'], limits: { timeoutMs: 200 } }, echo('d', 200), echo('e', 200)];
      const results = await pool.run(jobs);
      expect(results.map((r) => r.verdict)).toEqual(['ok', 'ok', 'ok', 'timeout', 'ok', 'ok']);
      expect(results[3].reason).toMatch(/^the sandbox worker stopped responding/);
      expect(results.filter((r) => r.verdict === 'ok').map(value)).toEqual(['a', 'b', 'c', 'd', 'e']);
      // [a b] was answered before the hang; what came after ran on the replacement.
      expect(thread(results[0])).not.toBe(thread(results[4]));
      // Without the count the host cannot tell c from spin: it re-runs them one job per
      // chunk and meets the hang a second time, alone.
      expect(pool.stats().hostTimeouts).toBe(sharedProgress ? 1 : 2);
    });
  }

  test('with several chunks held per worker, a batch still spreads over all workers and comes back in order', async () => {
    const pool = scripted({ size: 2, chunksInFlight: 3, maxChunkChecks: 4 });
    await pool.ready();
    const jobs = Array.from({ length: 100 }, (_, i) => echo(String(i)));
    const results = await pool.run(jobs);
    expect(results.map(value)).toEqual(jobs.map((j) => j.inputs[0]));
    expect(new Set(results.map(thread)).size).toBe(2);
    expect(() => scripted({ chunksInFlight: 1.5 })).toThrow(/chunksInFlight must be an integer/);
  });

  test('a worker that exits mid-chunk answers its job with a clear error; the rest still run', async () => {
    const pool = scripted({ size: 1, maxChunkChecks: 1000 });
    const results = await pool.run([echo('a'), { program: 'exit', inputs: ['1'] }, echo('b')]);
    expect(results.map((r) => r.verdict)).toEqual(['ok', 'error', 'ok']);
    expect(results[1].reason).toMatch(/sandbox worker crashed while running this job .*exited \(code 3\)/);
    expect(pool.stats().crashes).toBe(1);
    expect((await pool.run([echo('c')]))[0].verdict).toBe('ok');
  });

  test('a runner fault answers that job, re-runs the rest and replaces the worker', async () => {
    const pool = scripted({ size: 1, maxChunkChecks: 1000 });
    const results = await pool.run([echo('a'), { program: 'fault', inputs: ['1'] }, echo('b'), echo('c')]);
    expect(results.map((r) => r.verdict)).toEqual(['ok', 'error', 'ok', 'ok']);
    expect(results[1].reason).toMatch(/runner failed on this job \(Error: scripted runner fault\)/);
    expect(thread(results[2])).not.toBe(thread(results[0]));
    expect(pool.stats().recycled).toBe(1);
  });

  test('a worker is recycled after K jobs', async () => {
    const pool = scripted({ size: 1, recycleAfterJobs: 10, maxChunkChecks: 5 });
    const results = await pool.run(Array.from({ length: 35 }, (_, i) => echo(String(i))));
    const threads = results.map(thread);
    // Chunks of 5: jobs 0–9 on one thread, 10–19 on the next, …
    expect(new Set(threads).size).toBe(4);
    for (let i = 0; i < 35; i++) expect(threads[i]).toBe(threads[Math.floor(i / 10) * 10]);
    expect(pool.stats().recycled).toBe(3);
  });

  test('a worker is recycled after a job ends in `timeout` or `memory`', async () => {
    const pool = scripted({ size: 1, maxChunkChecks: 1 });
    const results = await pool.run([echo('a'), { program: 'abort', inputs: ['1'] }, echo('b')]);
    expect(results.map((r) => r.verdict)).toEqual(['ok', 'timeout', 'ok']);
    expect(thread(results[2])).not.toBe(thread(results[0]));
    expect(pool.stats().recycled).toBe(1);
  });

  test('a worker that cannot start answers the jobs with an error instead of hanging', async () => {
    const pool = createNodePool({ runnerModule: BROKEN_RUNNER, size: 1 });
    pools.push(pool);
    const results = await pool.run([echo('a'), echo('b')]);
    expect(results.map((r) => r.verdict)).toEqual(['error', 'error']);
    expect(results[0].reason).toMatch(/failed to start: .*no wasm here/);
  });

  test('dispose answers pending jobs, stops the workers, and later calls are refused by name', async () => {
    const pool = scripted({ size: 1, maxChunkChecks: 1 });
    await pool.ready();
    const pending = pool.run([{ program: 'spin', inputs: ['1'], limits: { timeoutMs: 60_000 } }, echo('x')]);
    await new Promise((r) => setTimeout(r, 100));
    await pool.dispose();
    const results = await pending;
    expect(results.map((r) => r.verdict)).toEqual(['error', 'error']);
    expect(results[0].reason).toMatch(/disposed/);
    await expect(pool.run([echo('y')])).rejects.toThrow(SandboxPoolError);
    await expect(pool.run([echo('y')])).rejects.toThrow(/disposed/);
  });

  test('malformed jobs are refused with a named error that points at the job', async () => {
    const pool = scripted({ size: 1 });
    await expect(pool.run('nope' as never)).rejects.toThrow(/run\(\) takes an array of jobs, got the string "nope"/);
    await expect(pool.run([echo('a'), { program: 1 } as never])).rejects.toThrow(/job 1: program must be a string, got number/);
    await expect(pool.run([{ program: 'f', inputs: [1] } as never])).rejects.toThrow(/job 0: inputs\[0\] must be a string/);
    await expect(pool.run([{ program: 'f', inputs: ['1'], limits: { timeoutMs: -1 } }])).rejects.toThrow(/limits\.timeoutMs must be a positive number/);
    await expect(pool.run([{ program: 'f', inputs: ['1'], limits: { time: 5 } } as never])).rejects.toThrow(SandboxPoolError);
    expect(() => createNodePool({ size: 0 })).toThrow(/pool size must be an integer >= 1/);
    expect(await pool.run([])).toEqual([]);
  });
});

describe('chunk planning', () => {
  const sizes = (weights: number[], workers: number, opts = { chunksPerWorker: 4, maxChunkChecks: 256 }) =>
    planChunks(weights, (w) => w, workers, opts).map((c) => c.reduce((n, w) => n + Math.max(1, w), 0));

  test('chunksPerWorker chunks of equal checks per worker, at most maxChunkChecks, jobs kept whole', () => {
    expect(sizes(Array(1312).fill(1), 2)).toEqual(Array(8).fill(164));
    expect(Math.max(...sizes(Array(5000).fill(1), 2))).toBe(256);
    // A ten-check job is never cut: it closes its chunk.
    expect(planChunks([10, 10, 10, 1], (w) => w, 1, { chunksPerWorker: 4, maxChunkChecks: 256 }).map((c) => c.length)).toEqual([1, 1, 1, 1]);
    expect(sizes(Array(10).fill(1), 2)).toEqual([2, 2, 2, 2, 2]);
    expect(sizes([0, 0, 0], 1)).toEqual([1, 1, 1]); // a job with no inputs weighs one
  });
});

describe('with the QuickJS runner', () => {
  const real = (opts: Parameters<typeof createNodePool>[0] = {}) => {
    const pool = createNodePool(opts);
    pools.push(pool);
    return pool;
  };
  const add: ExecJob = { program: 'function f(a, b) { return a + b; }', inputs: ['1, 2', '"a", "b"'], expected: ['3', '"ab"'] };
  // Printing a ~200,000-digit BigInt is one native call that QuickJS's interrupt
  // handler never sees: only the host watchdog can stop it.
  const bigint = (timeoutMs: number): ExecJob => ({ program: 'function f(n) { return String(3n ** BigInt(n)).length; }', inputs: ['400000'], limits: { timeoutMs } });

  test('real verdicts come back in order from a mixed batch', async () => {
    const pool = real();
    const jobs: ExecJob[] = [
      add,
      { program: 'function f(a, b) { return a * b; }', inputs: ['6, 7'], expected: ['43'] },
      { program: 'function f() { for (;;) {} }', inputs: ['1'], limits: { timeoutMs: 200 } },
      { program: 'function f(a { return a; }', inputs: ['1'] },
      { program: 'function f(o) { return o.x.y; }', inputs: ['{}'] },
      { program: 'function f(a) { return a; }', inputs: ['globalThis'] },
      ...Array.from({ length: 40 }, (_, i): ExecJob => ({ program: 'function f(s) { return s.length; }', inputs: [JSON.stringify('x'.repeat(i))], expected: [String(i)] })),
    ];
    const results = await pool.run(jobs);
    expect(results.slice(0, 6).map((r) => r.verdict)).toEqual(['ok', 'mismatch', 'timeout', 'syntax', 'error', 'invalid-input']);
    expect(results[0].results.map((r) => r.output)).toEqual(['3', '"ab"']);
    results.slice(6).forEach((r, i) => expect(r.results[0].output).toBe(String(i)));
  });

  test('native work QuickJS cannot interrupt is stopped by the host; chunk-mates keep their real verdicts', async () => {
    const pool = real({ size: 1, slackMs: 300, maxChunkChecks: 1000 });
    await pool.ready();
    const t0 = performance.now();
    const results = await pool.run([add, bigint(200), { ...add, expected: ['3', '"ba"'] }]);
    const ms = performance.now() - t0;
    expect(results.map((r) => r.verdict)).toEqual(['ok', 'timeout', 'mismatch']);
    expect(results[1].reason).toMatch(/^the sandbox worker stopped responding/);
    expect(ms).toBeLessThan(4000); // ~0.5 s to the kill, then a fresh worker re-runs the third job
    expect(pool.stats().hostTimeouts).toBe(1);
    const [next] = await pool.run([add]);
    expect(next.verdict).toBe('ok');
  });

  test('a malformed job that passes the pool is answered by the runner’s named error; the worker carries on', async () => {
    const pool = real({ size: 1, maxChunkChecks: 1000 });
    const results = await pool.run([add, { ...add, determinismRuns: 50 }, add]);
    expect(results.map((r) => r.verdict)).toEqual(['ok', 'error', 'ok']);
    expect(results[1].reason).toMatch(/ExecJobError: job\.determinismRuns/);
    expect(pool.stats().recycled).toBe(0);
  });

  test('workers are recycled after K jobs and keep answering', async () => {
    const pool = real({ size: 1, recycleAfterJobs: 20, maxChunkChecks: 10 });
    const results = await pool.run(Array.from({ length: 50 }, () => add));
    expect(results.every((r) => r.verdict === 'ok')).toBe(true);
    expect(pool.stats().recycled).toBe(2); // after jobs 20 and 40
    expect(pool.stats().spawned).toBe(3);
  });
});

describe('the pool and the Node process', () => {
  // Each script runs in its own process; it must exit on its own, promptly.
  const exitTime = (body: string) => {
    const script = `import { createNodePool } from './src/sandbox/node-pool.ts';\n${body}`;
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 25_000 });
    return { ms: performance.now() - t0, status: r.status, out: r.stdout + r.stderr };
  };

  test('disposing while workers are still starting lets the process exit at once', () => {
    const r = exitTime(`const pool = createNodePool(); await pool.dispose(); console.log('disposed');`);
    expect(r.out).toContain('disposed');
    expect(r.status).toBe(0);
    expect(r.ms).toBeLessThan(10_000); // not the 30 s start timeout
  });

  test('an idle pool that is never disposed does not hold the process open', () => {
    const r = exitTime(`const pool = createNodePool(); const [x] = await pool.run([{ program: 'function f(a) { return a; }', inputs: ['1'] }]); console.log(x.verdict);`);
    expect(r.out).toContain('ok');
    expect(r.status).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
  });
});
