// The sandbox worker pool: an Executor that spreads jobs over N workers, each running
// the QuickJS runner, and that survives whatever a guest program does to a worker.
//
// - Batching: run(jobs) cuts the batch into chunks (one message per chunk, not per job),
//   sized so every worker gets several, and hands the next chunk to whichever worker
//   has room. Results come back in input order.
// - Pipelining: a worker holds up to `chunksInFlight` chunks (default 2): the next one
//   is already waiting in its message queue when it finishes one, so it never idles
//   while its results travel to the host and the host answers. A worker's chunks run
//   strictly one after another.
// - Watchdog: the runner interrupts guest code at its deadline, but some native work
//   (e.g. printing a huge BigInt) cannot be interrupted. Each worker counts the jobs it
//   has started in a shared cell, which tells the host which job of which chunk it is
//   on; the host gives that job its timeout plus some slack and, past it, terminates
//   the worker, answers the job with `timeout`, re-runs its chunk-mates (and any chunk
//   queued behind) elsewhere and starts a replacement. Without SharedArrayBuffer (a
//   page that is not cross-origin isolated) the deadline is the whole chunk's budget and
//   the chunk-mates are re-run one by one, which finds the culprit the same way.
// - Recycling: a worker is replaced after an abort (a host kill, a `timeout` or `memory`
//   verdict) and after K jobs, so WASM heap growth never accumulates.
// - Nothing hangs: a worker that dies answers its chunk; dispose() answers everything.
//
// Environment-free: the browser spawner is at the bottom of this file; the Node one
// lives in node-pool.ts so that the browser bundle never sees node:* modules.
import { wrap } from 'comlink';
import { DEFAULT_LIMITS, type ExecJob, type ExecResult, type Executor, type Verdict } from './types.ts';
import type { ChunkOutcome, SandboxWorkerApi } from './worker-api.ts';

/** Misuse of the pool (bad jobs, use after dispose). Guest misbehaviour is a verdict, never this. */
export class SandboxPoolError extends Error {
  override name = 'SandboxPoolError';
}

export interface PoolOptions {
  /** Number of workers (default: browser hardwareConcurrency − 1, Node availableParallelism). */
  size?: number;
  /**
   * Replace a worker after it has run this many jobs (sheds WASM heap growth). The runner
   * already replaces its QuickJS runtime every 1,000 jobs and after any `memory` verdict,
   * which keeps the WASM heap flat (16 MiB over 60,000 bench jobs), while a replacement
   * costs a worker start — a QuickJS compile, ~0.3 s of CPU with the worker missing
   * meanwhile: every 5,000 jobs that was ~7% of the pool's CPU time.
   */
  recycleAfterJobs?: number;
  /** Replace a worker after a chunk in which a job ended in `timeout` or `memory`. */
  recycleOnAbort?: boolean;
  /** Added to a job's own timeout before the host gives up on the worker, in ms. */
  slackMs?: number;
  /** How long a new worker may take to compile QuickJS and answer, in ms. */
  startTimeoutMs?: number;
  /** Upper bound on the checks (inputs) sent in one message. */
  maxChunkChecks?: number;
  /** How many chunks per worker a batch is cut into, so uneven jobs still balance. */
  chunksPerWorker?: number;
  /** Chunks a worker holds at once, the one it runs and those queued behind it (default 2). */
  chunksInFlight?: number;
  /**
   * Track each worker's current job through a SharedArrayBuffer (default: wherever one
   * exists). Off, the watchdog falls back to whole-chunk deadlines, as in a page that is
   * not cross-origin isolated.
   */
  sharedProgress?: boolean;
}

export const DEFAULT_POOL_OPTIONS = {
  recycleAfterJobs: 50_000,
  recycleOnAbort: true,
  slackMs: 300,
  startTimeoutMs: 30_000,
  maxChunkChecks: 256,
  chunksPerWorker: 4,
  chunksInFlight: 2,
  sharedProgress: true,
} satisfies Omit<Required<PoolOptions>, 'size'>;

/** One started worker, as the pool sees it: the comlink proxy plus lifecycle hooks. */
export interface WorkerHandle {
  api: SandboxWorkerApi;
  /** Stop the worker now (it may be stuck in a synchronous loop). */
  terminate(): void | Promise<unknown>;
  /** Register the listener for a death the pool did not ask for (crash, OOM, load failure). */
  onDeath(listener: (reason: string, verdict: Verdict) => void): void;
  /** Node: keep the process alive only while work is pending, so an idle pool never blocks exit. */
  setRef?(ref: boolean): void;
}

export type SpawnWorker = () => WorkerHandle;

export interface PoolStats {
  workers: number;
  /** Workers started and waiting for work right now. */
  idle: number;
  /** Workers started so far, replacements included. */
  spawned: number;
  /** Workers replaced after K jobs, an abort verdict or a runner fault. */
  recycled: number;
  /** Workers killed by the host watchdog. */
  hostTimeouts: number;
  /** Workers that died on their own. */
  crashes: number;
  /** Jobs answered by a worker (host-made answers excluded). */
  jobs: number;
}

interface Task {
  job: ExecJob;
  timeoutMs: number;
  done: boolean;
  settle(result: ExecResult): void;
}

type Chunk = Task[];

/** A chunk sent to a worker and not answered yet. */
interface InFlight {
  chunk: Chunk;
  /** Jobs sent to this worker before this chunk: its first job is the worker's job base + 1. */
  base: number;
  /** When it became the chunk the worker is on, as far as the host knows (sent to an idle worker, or the one before it answered). */
  start: number;
}

interface Slot {
  index: number;
  handle: WorkerHandle;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  progress: Int32Array | null;
  /** Settles (never rejects) when the start attempt is over, either way. */
  started: Promise<void>;
  markStarted: () => void;
  startTimer: ReturnType<typeof setTimeout> | null;
  /** Oldest first: inflight[0] is the chunk the worker is on (or has just finished). */
  inflight: InFlight[];
  /** Jobs sent to this worker, answered or not. */
  assigned: number;
  jobsDone: number;
  /** Last progress value seen by the watchdog, and since when it is the worker's state. */
  seen: number;
  seenAt: number;
}

const ABORT_VERDICTS: ReadonlySet<Verdict> = new Set(['timeout', 'memory']);

export class SandboxPool implements Executor {
  readonly size: number;
  private readonly opts: Omit<Required<PoolOptions>, 'size'>;
  private readonly slots: (Slot | null)[];
  private readonly queue: Chunk[] = [];
  private readonly live = new Set<Task>();
  private disposed = false;
  private holds = 0;
  private startFailures = 0;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private readonly counters = { spawned: 0, recycled: 0, hostTimeouts: 0, crashes: 0, jobs: 0 };

  constructor(private readonly spawn: SpawnWorker, options: PoolOptions = {}) {
    const size = options.size ?? 1;
    if (!Number.isInteger(size) || size < 1) throw new SandboxPoolError(`pool size must be an integer >= 1, got ${size}`);
    const opts = { ...DEFAULT_POOL_OPTIONS, ...stripUndefined(options) };
    for (const key of ['recycleAfterJobs', 'slackMs', 'startTimeoutMs', 'maxChunkChecks', 'chunksPerWorker', 'chunksInFlight'] as const) {
      const v = opts[key];
      if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new SandboxPoolError(`pool option ${key} must be a positive number, got ${v}`);
    }
    if (!Number.isInteger(opts.chunksInFlight)) throw new SandboxPoolError(`pool option chunksInFlight must be an integer, got ${opts.chunksInFlight}`);
    this.size = size;
    this.opts = opts;
    this.slots = Array.from({ length: size }, () => null);
    // Start every worker now: compiling QuickJS takes a while, and the first batch
    // should find the pool warm.
    for (let i = 0; i < size; i++) this.startSlot(i);
  }

  stats(): PoolStats {
    const idle = this.slots.filter((s) => s?.state === 'idle').length;
    return { workers: this.size, idle, ...this.counters };
  }

  /** Resolves once every worker has finished starting (successfully or not). */
  async ready(): Promise<void> {
    this.hold(1);
    try {
      await Promise.all(this.slots.map((s) => s?.started));
    } finally {
      this.hold(-1);
    }
  }

  run(jobs: ExecJob[]): Promise<ExecResult[]> {
    if (this.disposed) return Promise.reject(new SandboxPoolError('the sandbox pool has been disposed; create a new executor'));
    try {
      validateJobs(jobs);
    } catch (e) {
      return Promise.reject(e);
    }
    if (jobs.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const out = new Array<ExecResult>(jobs.length);
      let left = jobs.length;
      this.hold(1);
      const tasks = jobs.map((job, i): Task => {
        const task: Task = {
          job,
          timeoutMs: job.limits?.timeoutMs ?? DEFAULT_LIMITS.timeoutMs,
          done: false,
          settle: (result) => {
            if (task.done) return;
            task.done = true;
            this.live.delete(task);
            out[i] = result;
            if (--left === 0) {
              this.hold(-1);
              resolve(out);
            }
          },
        };
        this.live.add(task);
        return task;
      });
      this.queue.push(...this.plan(tasks));
      this.pump();
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.stopWatchdog();
    this.queue.length = 0;
    const stopping = this.slots.map((s) => (s ? this.kill(s) : undefined));
    for (const task of [...this.live]) task.settle(hostResult(task.job, 'error', 'the sandbox pool was disposed before this job finished', 0));
    await Promise.all(stopping);
  }

  // --- scheduling -------------------------------------------------------------------

  private plan(tasks: Task[]): Chunk[] {
    return planChunks(tasks, (t) => t.job.inputs.length, this.size, this.opts);
  }

  private pump(): void {
    if (this.disposed) return;
    for (let i = 0; i < this.size; i++) {
      const s = this.slots[i];
      if (!s || s.state === 'dead') {
        // Replace dead workers eagerly while starting works; after a failed start,
        // only when there is work waiting, so a broken environment cannot spin.
        if (this.queue.length > 0 || this.startFailures === 0) this.startSlot(i);
      }
    }
    // Every started worker gets a chunk before any gets a second, and so on.
    for (let depth = 1; depth <= this.opts.chunksInFlight && this.queue.length > 0; depth++) {
      for (const s of this.slots) {
        if (this.queue.length === 0) break;
        if (!s || (s.state !== 'idle' && s.state !== 'busy') || s.inflight.length >= depth) continue;
        // A worker due for recycling finishes what it holds and takes nothing more.
        if (s.inflight.length > 0 && s.assigned >= this.opts.recycleAfterJobs) continue;
        this.send(s, this.queue.shift()!);
      }
    }
  }

  private startSlot(index: number): void {
    const progress = this.opts.sharedProgress ? makeProgressCell() : null;
    let handle: WorkerHandle;
    try {
      handle = this.spawn();
    } catch (e) {
      this.startFailed(index, null, `the sandbox worker could not be created: ${message(e)}`);
      return;
    }
    this.counters.spawned++;
    let markStarted!: () => void;
    const slot: Slot = {
      index,
      handle,
      state: 'starting',
      progress,
      started: new Promise((r) => (markStarted = r)),
      markStarted: () => markStarted(),
      startTimer: null,
      inflight: [],
      assigned: 0,
      jobsDone: 0,
      seen: 0,
      seenAt: 0,
    };
    this.slots[index] = slot;
    handle.setRef?.(this.holds > 0);
    handle.onDeath((reason, verdict) => this.onDeath(slot, reason, verdict));
    slot.startTimer = setTimeout(() => {
      if (slot.state === 'starting') this.startFailed(index, slot, `the sandbox worker did not start within ${this.opts.startTimeoutMs} ms`);
    }, this.opts.startTimeoutMs);
    // The timer alone must not keep a Node process alive: pending work does that.
    (slot.startTimer as { unref?: () => void }).unref?.();
    handle.api.init(progress).then(
      () => {
        this.clearStartTimer(slot);
        markStarted();
        if (slot.state !== 'starting') return;
        slot.state = 'idle';
        this.startFailures = 0;
        this.pump();
      },
      (e) => {
        this.clearStartTimer(slot);
        markStarted();
        if (slot.state === 'starting') this.startFailed(index, slot, `the sandbox worker failed to start: ${message(e)}`);
      },
    );
  }

  private startFailed(index: number, slot: Slot | null, reason: string): void {
    if (slot) {
      void this.kill(slot);
    } else {
      this.slots[index] = null;
    }
    if (this.disposed) return;
    // Three failed starts in a row: the environment cannot run workers. Answer what is
    // waiting instead of retrying forever; a later run() tries again.
    if (++this.startFailures >= 3) {
      this.startFailures = 1;
      for (const chunk of this.queue.splice(0)) for (const t of chunk) t.settle(hostResult(t.job, 'error', reason, 0));
    }
    setTimeout(() => this.pump(), 0);
  }

  private send(s: Slot, chunk: Chunk): void {
    const now = performance.now();
    if (s.inflight.length === 0) s.seenAt = now; // the worker's clock starts now, whatever its counter says
    const entry: InFlight = { chunk, base: s.assigned, start: now };
    s.inflight.push(entry);
    s.assigned += chunk.length;
    s.state = 'busy';
    s.handle.api.runChunk(chunk.map((t) => t.job)).then(
      (outcome) => this.chunkDone(s, entry, outcome),
      (e) => {
        if (s.inflight.includes(entry)) this.abort(s, 'error', `the sandbox worker failed while running this job: ${message(e)}`);
      },
    );
    this.startWatchdog();
  }

  private chunkDone(s: Slot, entry: InFlight, outcome: ChunkOutcome): void {
    if (s.state !== 'busy' || s.inflight[0] !== entry) return; // aborted meanwhile; already answered
    s.inflight.shift();
    const chunk = entry.chunk;
    const n = outcome.results.length;
    for (let i = 0; i < n; i++) chunk[i].settle(outcome.results[i]);
    s.jobsDone += n;
    this.counters.jobs += n;
    const next = s.inflight[0];
    if (next !== undefined) {
      // The worker has moved on to the next chunk; it may not have reported starting it yet.
      next.start = performance.now();
      if (s.seen <= next.base) s.seenAt = next.start;
    }
    let recycle = s.jobsDone >= this.opts.recycleAfterJobs;
    if (this.opts.recycleOnAbort && outcome.results.some((r) => ABORT_VERDICTS.has(r.verdict))) recycle = true;
    if (outcome.fault !== undefined || n < chunk.length) {
      const culprit = chunk[n];
      culprit?.settle(hostResult(culprit.job, 'error', `the sandbox runner failed on this job (${outcome.fault ?? 'no result'}); the worker was replaced`, 0));
      this.requeue(chunk.slice(n + 1));
      recycle = true;
    }
    if (recycle) {
      this.counters.recycled++;
      // What it still holds runs elsewhere, from the start.
      const held = s.inflight.splice(0);
      void this.kill(s);
      for (let i = held.length - 1; i >= 0; i--) this.requeue(held[i].chunk);
    } else if (s.inflight.length === 0) {
      s.state = 'idle';
    }
    this.pump();
  }

  /** Put unanswered tasks back at the front of the queue, as one chunk. */
  private requeue(tasks: Task[]): void {
    const open = tasks.filter((t) => !t.done);
    if (open.length) this.queue.unshift(open);
  }

  // --- failure handling --------------------------------------------------------------

  private onDeath(s: Slot, reason: string, verdict: Verdict): void {
    if (s.state === 'dead') return; // terminated by us
    if (s.state === 'starting') return this.startFailed(s.index, s, `the sandbox worker died while starting: ${reason}`);
    this.counters.crashes++;
    if (s.state === 'busy') return this.abort(s, verdict, `the sandbox worker crashed while running this job (${reason}); it was replaced`);
    void this.kill(s);
    this.pump();
  }

  /**
   * The worker is stuck or gone: answer the job it was on, re-run its chunk-mates
   * elsewhere, replace it. With a progress cell the culprit is known; without one, a
   * multi-job chunk is re-run one job per chunk so the culprit answers alone.
   */
  private abort(s: Slot, verdict: Verdict, reason: string): void {
    const held = s.inflight.splice(0);
    // The worker's job count says which job of which held chunk it is on.
    let on = -1;
    let at = -1;
    if (s.progress) {
      const started = Atomics.load(s.progress, 0);
      on = held.findIndex((e) => started > e.base && started <= e.base + e.chunk.length);
      if (on >= 0) at = started - 1 - held[on].base;
    }
    if (on < 0 && held.length > 0) {
      // No count, or it had not started a job it holds: it is on the oldest chunk, and
      // only a chunk of one names its culprit (so re-running one job per chunk always ends).
      on = 0;
      at = held[0].chunk.length === 1 ? 0 : -1;
    }
    const ms = performance.now() - (s.progress ? s.seenAt : (held[0]?.start ?? s.seenAt));
    void this.kill(s);
    // Front of the queue, in their order: the held chunks but the culprit's, each whole
    // (results that were on their way back are lost with the worker), or one job per
    // chunk for a chunk whose culprit is unknown.
    for (let i = held.length - 1; i >= 0; i--) {
      const chunk = held[i].chunk;
      if (i !== on) this.requeue(chunk);
      else if (at >= 0) {
        chunk[at].settle(hostResult(chunk[at].job, verdict, reason, ms));
        this.requeue(chunk.filter((_, k) => k !== at));
      } else {
        for (let k = chunk.length - 1; k >= 0; k--) this.requeue([chunk[k]]);
      }
    }
    this.pump();
  }

  private clearStartTimer(s: Slot): void {
    if (s.startTimer !== null) clearTimeout(s.startTimer);
    s.startTimer = null;
  }

  private kill(s: Slot): Promise<unknown> | undefined {
    s.state = 'dead';
    s.inflight = [];
    // A worker killed while starting never answers init: release its timer and ready() waiters.
    this.clearStartTimer(s);
    s.markStarted();
    try {
      return Promise.resolve(s.handle.terminate()).catch(() => undefined);
    } catch {
      return undefined;
    }
  }

  private startWatchdog(): void {
    if (this.watchdog) return;
    // Polling (rather than one timer per chunk) lets each job of a chunk have its own
    // deadline, measured from when the worker reported starting it.
    const tick = Math.max(10, Math.min(100, this.opts.slackMs / 4));
    this.watchdog = setInterval(() => this.checkDeadlines(), tick);
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  private checkDeadlines(): void {
    const now = performance.now();
    let busy = false;
    for (const s of this.slots) {
      if (!s || s.state !== 'busy' || s.inflight.length === 0) continue;
      busy = true;
      let deadline: number;
      let limit: number;
      if (s.progress) {
        const v = Atomics.load(s.progress, 0);
        if (v !== s.seen) {
          s.seen = v;
          s.seenAt = now;
        }
        // The job it started last, if that is one it holds; between chunks (v at a chunk
        // boundary not yet answered) it must start the next one within the slack.
        const e = s.inflight.find((x) => v > x.base && v <= x.base + x.chunk.length);
        limit = e ? e.chunk[v - 1 - e.base].timeoutMs : 0;
        deadline = s.seenAt + limit + this.opts.slackMs;
      } else {
        const first = s.inflight[0];
        limit = first.chunk.reduce((n, t) => n + t.timeoutMs, 0);
        deadline = first.start + limit + this.opts.slackMs;
      }
      if (now > deadline) {
        this.counters.hostTimeouts++;
        this.abort(
          s,
          'timeout',
          `the sandbox worker stopped responding: the job ran past its ${limit} ms limit (+${this.opts.slackMs} ms slack) in code the runner could not interrupt, so the worker was stopped and replaced`,
        );
      }
    }
    if (!busy) this.stopWatchdog();
  }

  /** Count pending work; Node workers are ref'd only while there is some. */
  private hold(delta: number): void {
    const before = this.holds > 0;
    this.holds += delta;
    const after = this.holds > 0;
    if (before !== after) for (const s of this.slots) if (s && s.state !== 'dead') s.handle.setRef?.(after);
  }
}

/**
 * Cut a batch into chunks of roughly equal checks, `chunksPerWorker` per worker (at most
 * maxChunkChecks each), keeping jobs whole. `checks` is an item's weight (a job with no
 * inputs still counts one). Chunks that shrink towards the end of a batch were tried: with
 * two chunks held per worker they balanced no better and cost more messages.
 */
export function planChunks<T>(items: readonly T[], checks: (item: T) => number, workers: number, opts: { chunksPerWorker: number; maxChunkChecks: number }): T[][] {
  const weight = (item: T) => Math.max(1, checks(item));
  const total = items.reduce((n, item) => n + weight(item), 0);
  const target = Math.min(opts.maxChunkChecks, Math.max(1, Math.ceil(total / (workers * opts.chunksPerWorker))));
  const chunks: T[][] = [];
  let cur: T[] = [];
  let w = 0;
  for (const item of items) {
    cur.push(item);
    w += weight(item);
    if (w >= target) {
      chunks.push(cur);
      cur = [];
      w = 0;
    }
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}

/** An answer made by the host when no worker could give one: every input shares it. */
export function hostResult(job: ExecJob, verdict: Verdict, reason: string, ms: number): ExecResult {
  return { verdict, reason, results: job.inputs.map(() => ({ verdict, reason })), ms };
}

function makeProgressCell(): Int32Array | null {
  // Browsers expose SharedArrayBuffer only to cross-origin isolated pages.
  if (typeof SharedArrayBuffer !== 'function') return null;
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return null;
  return new Int32Array(new SharedArrayBuffer(4));
}

const LIMIT_KEYS = new Set(Object.keys(DEFAULT_LIMITS));

/** Reject what cannot be a job before it reaches postMessage (which would fail less clearly). */
export function validateJobs(jobs: unknown): asserts jobs is ExecJob[] {
  if (!Array.isArray(jobs)) throw new SandboxPoolError(`run() takes an array of jobs, got ${kind(jobs)}`);
  jobs.forEach((j: unknown, i) => {
    const bad = (what: string) => new SandboxPoolError(`job ${i}: ${what}`);
    if (typeof j !== 'object' || j === null || Array.isArray(j)) throw bad(`must be an object {program, inputs}, got ${kind(j)}`);
    const job = j as Record<string, unknown>;
    if (typeof job.program !== 'string') throw bad(`program must be a string, got ${kind(job.program)}`);
    if (!Array.isArray(job.inputs)) throw bad(`inputs must be an array of argument-list strings, got ${kind(job.inputs)}`);
    job.inputs.forEach((x: unknown, k) => {
      if (typeof x !== 'string') throw bad(`inputs[${k}] must be a string, got ${kind(x)}`);
    });
    if (job.expected !== undefined) {
      if (!Array.isArray(job.expected)) throw bad(`expected must be an array of literal strings, got ${kind(job.expected)}`);
      if (job.expected.length > job.inputs.length) throw bad(`expected has ${job.expected.length} entries for ${job.inputs.length} inputs`);
      job.expected.forEach((x: unknown, k) => {
        if (x !== null && x !== undefined && typeof x !== 'string') throw bad(`expected[${k}] must be a string, null or undefined, got ${kind(x)}`);
      });
    }
    if (job.determinismRuns !== undefined && (!Number.isInteger(job.determinismRuns) || (job.determinismRuns as number) < 1)) {
      throw bad(`determinismRuns must be an integer >= 1, got ${String(job.determinismRuns)}`);
    }
    if (job.limits !== undefined) {
      if (typeof job.limits !== 'object' || job.limits === null) throw bad(`limits must be an object, got ${kind(job.limits)}`);
      for (const [key, v] of Object.entries(job.limits)) {
        if (!LIMIT_KEYS.has(key)) throw bad(`unknown limit "${key}" (known: ${[...LIMIT_KEYS].join(', ')})`);
        if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) throw bad(`limits.${key} must be a positive number, got ${String(v)}`);
      }
    }
  });
}

function kind(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'string' ? `the string ${JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x)}` : typeof x;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// --- browser ----------------------------------------------------------------------------

/** The pool for a page: module workers, N = hardwareConcurrency − 1 (at least 1). */
export function createBrowserPool(options: PoolOptions = {}): SandboxPool {
  const size = options.size ?? Math.max(1, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1);
  return new SandboxPool(spawnBrowserWorker, { ...options, size });
}

let compiledQuickJs: Promise<WebAssembly.Module | null> | undefined;

/**
 * QuickJS's .wasm, fetched and compiled once for every worker of every pool in this realm
 * (a compiled module crosses postMessage without a copy or a recompile); null when that
 * fails, and each worker then loads the file itself as before.
 */
function quickJsModule(): Promise<WebAssembly.Module | null> {
  compiledQuickJs ??= (async () => {
    try {
      const { default: url } = await import('@jitl/quickjs-wasmfile-release-sync/wasm?url');
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      // From bytes rather than compileStreaming: that one also needs the host to send
      // application/wasm, which not every static server does.
      return await WebAssembly.compile(await res.arrayBuffer());
    } catch {
      return null;
    }
  })();
  return compiledQuickJs;
}

function spawnBrowserWorker(): WorkerHandle {
  const worker = new Worker(new URL('../../workers/sandbox.worker.ts', import.meta.url), { type: 'module' });
  const remote = wrap<SandboxWorkerApi>(worker) as unknown as SandboxWorkerApi;
  let listener: ((reason: string, verdict: Verdict) => void) | null = null;
  worker.addEventListener('error', (e) => {
    // An uncaught error in the worker (or a script that failed to load): its runner
    // state is unknown, so the pool treats it as dead and replaces it.
    e.preventDefault();
    listener?.(e.message || 'the worker script failed to load or threw', 'error');
  });
  worker.addEventListener('messageerror', () => listener?.('a message from the worker could not be deserialised', 'error'));
  return {
    api: {
      init: async (progress) => remote.init(progress, await quickJsModule()),
      runChunk: (jobs) => remote.runChunk(jobs),
    },
    terminate: () => worker.terminate(),
    onDeath: (l) => {
      listener = l;
    },
  };
}
