// What a sandbox worker (browser Worker or Node worker thread) offers the pool. The
// pool talks to it through comlink; both entry points in workers/ expose the same
// object, so the scheduling, watchdog and recycling logic is one piece of code.
import type { ExecJob, ExecResult } from './types.ts';

/** The part of the QuickJS runner a worker needs. */
export interface JobRunner {
  runJob(job: ExecJob): ExecResult;
  /** False after the runner's WASM module broke with no spare ready; `recover()` then waits for one. */
  readonly ready?: boolean;
  recover?(): Promise<void>;
}

/** How a chunk ended inside the worker. */
export interface ChunkOutcome {
  /** Results of the jobs that completed, in order (a prefix of the chunk). */
  results: ExecResult[];
  /**
   * Set when the runner itself threw on job `results.length` (a runner fault, not a
   * guest error). The worker then stops: its runner state is not trusted any more, so
   * the pool answers that job, re-runs the rest elsewhere and replaces this worker.
   */
  fault?: string;
}

export interface SandboxWorkerApi {
  /**
   * Build the runner (compile QuickJS) and attach the progress cell. The cell is a
   * one-slot Int32Array on a SharedArrayBuffer (or null where there is none): the
   * worker writes into it the number of jobs it has started, over all its chunks, as
   * each job starts. The host knows which jobs it sent in which order, so it can tell
   * which job hung when the worker stops answering, and give each job its own deadline.
   * `quickjs`, when given, is the QuickJS .wasm already compiled by the host (one compile
   * and one fetch for the whole pool); without it the worker loads the file itself.
   */
  init(progress: Int32Array | null, quickjs?: WebAssembly.Module | null): Promise<{ ms: number }>;
  /** Run a chunk. Chunks sent while one runs wait their turn: they run in the order sent, one at a time. */
  runChunk(jobs: ExecJob[]): Promise<ChunkOutcome>;
}

const WARM_UP: ExecJob = { program: 'function f(a) { return [a, String(a)]; }', inputs: ['1'], expected: ['[1, "1"]'] };

export function createSandboxWorkerApi(createRunner: (quickjs?: WebAssembly.Module) => Promise<JobRunner>): SandboxWorkerApi {
  let runner: Promise<JobRunner> | null = null;
  let progress: Int32Array | null = null;
  let started = 0;
  // The chunk running now, or resolved: the next chunk starts after it (a chunk only
  // yields while its runner recovers, and another chunk must not run then).
  let turn: Promise<unknown> = Promise.resolve();
  // Lazy: the worker must answer comlink at once, and compiling the WASM module is the
  // slow part of starting, so it happens on the first call rather than at import.
  const getRunner = (quickjs?: WebAssembly.Module) => (runner ??= createRunner(quickjs));

  return {
    async init(cell, quickjs) {
      const t0 = performance.now();
      progress = cell;
      const r = await getRunner(quickjs ?? undefined);
      // One throwaway job: the runner builds its long-lived runtime on first use, and the
      // host's watchdog should time the first real job, not that setup.
      r.runJob(WARM_UP);
      return { ms: performance.now() - t0 };
    },
    runChunk(jobs) {
      const outcome = turn.then(() => runChunk(jobs));
      turn = outcome.catch(() => undefined);
      return outcome;
    },
  };

  async function runChunk(jobs: ExecJob[]): Promise<ChunkOutcome> {
    const r = await getRunner();
    const results: ExecResult[] = [];
    for (let i = 0; i < jobs.length; i++) {
      try {
        if (r.ready === false) await r.recover?.();
        if (progress) Atomics.store(progress, 0, ++started);
        results.push(r.runJob(jobs[i]));
      } catch (e) {
        const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        // A malformed job is the caller's mistake; the runner is fine and goes on.
        if (e instanceof Error && e.name === 'ExecJobError') {
          results.push({ verdict: 'error', reason: `the job is malformed (${why})`, results: jobs[i].inputs.map(() => ({ verdict: 'error', reason: why })), ms: 0 });
          continue;
        }
        return { results, fault: why };
      }
    }
    return { results };
  }
}
