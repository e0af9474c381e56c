// The app's one controller: it owns the trainer worker, the current run and everything
// the components render (reports, feed, notices), as Svelte 5 runes. Components call its
// methods (toggle, stepOnce, reset, applyConfig, openRun…) and read its fields; nothing
// else talks to the worker or to IndexedDB.
//
// The page drives training one step at a time (`step()` in a loop) rather than with the
// trainer's `run()`: between two steps it stores the report, saves a checkpoint when one is
// due, and can check the step before keeping it. A step that throws (a lost GPU device, a
// crashed worker) or whose update is not finite is not kept: the worker is replaced and
// the run continues from the last checkpoint saved after a good step.
//
// Every `benchEvery` steps (and on "Evaluate now") the trainer measures the weights on the
// built-in benchmark (greedy, tier 1 unless all tiers are chosen); the result is stored on
// that step's metrics row, so the chart of it survives a reload.
import { configHash, type Config } from '../../core/config.ts';
import { isPresetName, type PresetName } from '../../core/presets.ts';
import { parseUrlState, serializeUrlState, type UrlProblem } from '../../core/urlstate.ts';
import { parseRunLog, type RunLogLine } from '../../selfplay/runlog.ts';
import type { StepReport } from '../../selfplay/report.ts';
import type { BenchmarkProgress, BenchmarkRequest, BenchmarkResult, BenchmarkTiers, PlaygroundRequest, PlaygroundResult, SeedingStatus, TrainerEvent, TrainerInfo, TrainerStart, TrainerStatus } from '../../selfplay/trainer.ts';
import type { CheckpointFiles } from '../../model/checkpoint-files.ts';
import { clearBackendVerdicts, readBackendVerdicts, storeBackendVerdict } from './backend-verdicts.ts';
import { saveDue } from './save-cadence.ts';
import type { BaseCheckpoint } from './base-checkpoint.ts';
import { FeedModel, type FeedItem } from './feed.ts';
import * as store from './runs.ts';
import type { RunOrigin, RunRecord } from './runs.ts';
import { STARTER_TASKS } from './starter-tasks.ts';
import { TrainerClient } from './trainer-client.ts';
import type { Task } from '../../core/taskfile.ts';
import type { TasksSnapshot } from '../../selfplay/state.ts';

export type Status = 'loading' | 'ready' | 'running' | 'pausing' | 'stepping' | 'evaluating' | 'recovering' | 'failed';

export interface Notice {
  id: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}

/** The worker-facing surface the controller needs (the real TrainerClient, or one a test wraps). */
export interface TrainerLike {
  start(opts: TrainerStart, onEvent: (e: TrainerEvent) => void): Promise<TrainerInfo>;
  step(): Promise<StepReport>;
  save(): Promise<CheckpointFiles>;
  status(): Promise<TrainerStatus>;
  playground(req: PlaygroundRequest): Promise<PlaygroundResult>;
  evaluate(req: BenchmarkRequest, onProgress?: (p: BenchmarkProgress) => void): Promise<BenchmarkResult>;
  cancelEvaluate(): Promise<void>;
  dispose(): Promise<void>;
}

/** How often the page evaluates, and on what; the visitor's choice, kept in this browser. */
export interface BenchmarkSettings {
  /** Evaluate after every this many steps; 0 = only when asked. */
  every: number;
  tiers: BenchmarkTiers;
}

/**
 * A first visit evaluates tier 1 every 20 steps: on the default preset that is ~20 s of
 * evaluation (wasm, 2 CPU cores) after ~2 minutes of training, about a seventh of the time;
 * all three tiers take about three times as long.
 */
export const DEFAULT_BENCHMARK: BenchmarkSettings = { every: 20, tiers: [1] };

/** An evaluation under way: which weights, on what, how far. */
export interface EvalProgress {
  step: number;
  tiers: BenchmarkTiers;
  /** Questions answered and judged, of `total` (0 of 0 until the task file is read). */
  done: number;
  total: number;
}

const BENCH_KEY = 'azr.benchmark';

function readBenchmarkSettings(): BenchmarkSettings {
  try {
    const v = JSON.parse(localStorage.getItem(BENCH_KEY) ?? 'null') as Partial<BenchmarkSettings> | null;
    const every = Number.isInteger(v?.every) && v!.every! >= 0 ? v!.every! : DEFAULT_BENCHMARK.every;
    const tiers = v?.tiers === 'all' || (Array.isArray(v?.tiers) && v.tiers.length > 0 && v.tiers.every(Number.isInteger)) ? v!.tiers! : DEFAULT_BENCHMARK.tiers;
    return { every, tiers };
  } catch {
    return { ...DEFAULT_BENCHMARK };
  }
}

export interface ControllerOptions {
  makeClient?: () => TrainerLike;
  /**
   * Also save at least every this many steps while running, whatever saving costs (default:
   * no such rule; see saveDue). A checkpoint is always saved on pause.
   */
  checkpointEvery?: number;
  /** The benchmark task file's absolute URL; default the app's /bench/azr-bench.jsonl. */
  benchmarkUrl?: string;
  /** Benchmark settings to start with; default the ones stored in this browser (or DEFAULT_BENCHMARK). */
  benchmark?: BenchmarkSettings;
  /** Where to reflect the config (a test passes its own). */
  location?: { hash: string; replace(hash: string): void };
}

/** ", and 24 generated tasks of levels L0, L1" when the config names seed levels. */
function levelNote(info: TrainerInfo, config: Config): string {
  return info.levelTasks ? ` and ${info.levelTasks} generated tasks of level${config.seedLevels.length > 1 ? 's' : ''} ${config.seedLevels.join(', ')}` : '';
}

/** Page-level hash key (not a config knob): `init=random` skips the base checkpoint. */
const INIT_KEY = 'init';
export type InitChoice = 'auto' | 'random';

/** Every number in a value, with its path (for the non-finite check). */
function numbers(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, path ? `${path}.${k}` : k));
  return [];
}

/** The first non-finite number of a report, as `path = value`, or null. */
export function nonFinite(report: StepReport): string | null {
  const bad = numbers(report).find(([, x]) => !Number.isFinite(x));
  return bad ? `${bad[0]} = ${bad[1]}` : null;
}

function splitInit(hash: string): { rest: string; init: InitChoice } {
  let init: InitChoice = 'auto';
  const parts = hash.replace(/^#/, '').split('&').filter((p) => {
    if (p === `${INIT_KEY}=random`) {
      init = 'random';
      return false;
    }
    return p !== '' && !p.startsWith(`${INIT_KEY}=`);
  });
  return { rest: parts.join('&'), init };
}

function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const safeName = (s: string) => s.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';

/** The feed survives a reload in this tab's sessionStorage (written on pagehide: a synchronous store). */
const feedKey = (id: string) => `azr.feed.${id}`;

export class Controller {
  status = $state<Status>('loading');
  statusText = $state('Starting the trainer…');
  run = $state<RunRecord | null>(null);
  reports = $state.raw<StepReport[]>([]);
  feed = $state.raw<FeedItem[]>([]);
  phase = $state('');
  info = $state<TrainerInfo | null>(null);
  /** What the run's first weights are, in words. */
  originText = $state('');
  notices = $state<Notice[]>([]);
  savedStep = $state<number | null>(null);
  urlProblems = $state.raw<UrlProblem[]>([]);
  hidden = $state.raw<Set<string>>(new Set());
  preset = $state<PresetName>('default');
  init = $state<InitChoice>('auto');
  runs = $state.raw<RunRecord[]>([]);
  /** The buffers as of the last checkpoint (the trainer hands them over only inside one). */
  buffers = $state.raw<TasksSnapshot | null>(null);
  /** The seeding phase as the trainer last reported it (null until it has started). */
  seeding = $state.raw<SeedingStatus | null>(null);
  /** The run's benchmark evaluations, by step. */
  evals = $state.raw<BenchmarkResult[]>([]);
  /** The evaluation under way, or null. */
  evalProgress = $state.raw<EvalProgress | null>(null);
  /** "Evaluate now" pressed while training: the loop evaluates after the step under way. */
  evalQueued = $state(false);
  benchmark = $state.raw<BenchmarkSettings>({ ...DEFAULT_BENCHMARK });
  /** Tasks a new run's buffers start from: the starter list, or an imported task file. */
  private seedTasks: Task[] = [...STARTER_TASKS];
  private seedName = 'built-in starter tasks';
  /** Steps in a row that failed from the same checkpoint. */
  private failures = 0;
  /** The last save's cost: ms in all, ms for the worker's capture and the transfer, and the checkpoint's bytes. */
  lastSave = $state.raw<{ ms: number; workerMs: number; blockedMs: number; bytes: number } | null>(null);
  /** The IndexedDB write of the last checkpoint, possibly still running. */
  private writing: Promise<void> = Promise.resolve();
  private pendingBlockedMs: number | null = null;
  /** When the last save ended (performance.now()), and steps done since. */
  private savedAt = 0;
  private stepsSinceSave = 0;
  /** A step is running in the worker (a save now would wait for it). */
  private inStep = false;
  /** The page was hidden mid-step: save right after it, whatever saving costs. */
  private saveAfterStep = false;
  /** The next start times the backends again instead of reusing a stored verdict. */
  private remeasureNext = false;
  private unlisten: (() => void) | null = null;

  private client: TrainerLike | null = null;
  private base: BaseCheckpoint | null = null;
  private feedModel = new FeedModel();
  private feedTimer: ReturnType<typeof setTimeout> | null = null;
  private wantRun = false;
  private loopDone: Promise<void> = Promise.resolve();
  private evalDone: Promise<void> = Promise.resolve();
  private readonly benchmarkUrl: () => string;
  private noticeId = 0;
  private readonly makeClient: () => TrainerLike;
  private readonly checkpointEvery: number | undefined;
  private readonly location: { hash: string; replace(hash: string): void };

  constructor(opts: ControllerOptions = {}) {
    this.makeClient = opts.makeClient ?? (() => new TrainerClient());
    this.checkpointEvery = opts.checkpointEvery;
    this.benchmark = opts.benchmark ?? readBenchmarkSettings();
    // Resolved against the page, not the worker: the worker's own URL is its bundle's.
    this.benchmarkUrl = () => opts.benchmarkUrl ?? new URL(`${import.meta.env.BASE_URL}bench/azr-bench.jsonl`, globalThis.location.href).href;
    this.location = opts.location ?? {
      get hash() {
        return globalThis.location.hash;
      },
      replace(hash: string) {
        history.replaceState(null, '', hash ? `#${hash}` : globalThis.location.pathname + globalThis.location.search);
      },
    };
  }

  get step(): number {
    return this.run?.step ?? 0;
  }

  get running(): boolean {
    return this.status === 'running' || this.status === 'pausing';
  }

  get config(): Config | null {
    return this.run?.config ?? null;
  }

  notify(level: Notice['level'], text: string): void {
    this.notices = [...this.notices.slice(-4), { id: ++this.noticeId, level, text }];
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  // ---- Start-up ---------------------------------------------------------------------------

  /** Reads the URL, reopens the current run if the URL agrees with it, else starts a new one. */
  async boot(): Promise<void> {
    this.listenForHide();
    const { rest, init } = splitInit(this.location.hash);
    this.init = init;
    const { state, problems } = parseUrlState(rest);
    this.urlProblems = problems;
    this.hidden = state.hidden;
    if (problems.length) {
      this.notify('warn', `The link's settings had ${problems.length} problem${problems.length > 1 ? 's' : ''} (listed in Settings); those keys fell back to the preset's values, the rest were kept.`);
    }
    // Checkpoints are stored from this thread (as bytes: no tfjs here); load that code now,
    // while nothing trains, so the first save never waits for a chunk mid-run.
    void import('../../model/checkpoint-browser.ts').catch(() => undefined);
    await this.refreshRuns();
    const id = store.currentRunId();
    const current = id ? await store.getRun(id).catch(() => undefined) : undefined;
    if (current && (rest === '' || current.configHash === configHash(state.config))) {
      await this.resume(current);
    } else {
      await this.newRun(state.preset, state.config);
    }
  }

  private async loadBase(): Promise<BaseCheckpoint> {
    if (!this.base) {
      const { fetchBaseCheckpoint } = await import('./base-checkpoint.ts');
      this.base = await fetchBaseCheckpoint();
    }
    return this.base;
  }

  private writeUrl(): void {
    if (!this.run) return;
    const preset = isPresetName(this.run.preset) ? this.run.preset : 'default';
    let hash = serializeUrlState({ preset, config: this.run.config, hidden: this.hidden });
    if (this.init === 'random') hash = hash ? `${hash}&${INIT_KEY}=random` : `${INIT_KEY}=random`;
    this.location.replace(hash);
  }

  private onEvent = (e: TrainerEvent): void => {
    if (e.type === 'backend') {
      if (this.status === 'loading') this.statusText = `Starting the trainer: ${e.event.text}`;
      return;
    }
    if (e.type === 'phase') {
      const names = { propose: 'proposed', validate: 'validated', solve: 'solved', update: 'updated' } as const;
      this.phase = `step ${e.event.step}: ${names[e.event.phase]} in ${Math.round(e.event.ms)} ms`;
      return;
    }
    if (this.feedModel.add(e, this.run?.config.baseline ?? 'task-relative') && !this.feedTimer) {
      // Many events arrive per step: render them in batches, never one DOM update each.
      this.feedTimer = setTimeout(() => {
        this.feedTimer = null;
        this.feed = this.feedModel.items.slice();
      }, 150);
    }
  };

  /** A fresh worker, started; replaces (and stops) the previous one. */
  private async startClient(opts: TrainerStart): Promise<TrainerInfo> {
    const old = this.client;
    this.client = null;
    await old?.dispose();
    const client = this.makeClient();
    const remeasure = this.remeasureNext;
    this.remeasureNext = false;
    try {
      const info = await client.start({ ...opts, events: ['step', 'proposal', 'rollout', 'phase'], backendVerdicts: readBackendVerdicts(), remeasure }, this.onEvent);
      // A verdict measured now is kept for the next visit (this browser, this model, this machine).
      if (info.backendVerdict && !info.backendCached) storeBackendVerdict(info.backendVerdict);
      this.client = client;
      this.info = info;
      await this.readSeeding();
      return info;
    } catch (e) {
      await client.dispose();
      throw e;
    }
  }

  /** Starts a run at step 0 with the base checkpoint's weights when the base is the config's
   *  model (its size and context, as `azr train` decides: core/init.ts), else random weights. */
  private async startFresh(config: Config): Promise<RunOrigin> {
    const base = this.init === 'random' ? null : await this.loadBase();
    const tasks = [...this.seedTasks];
    const { pageStart } = await import('./base-checkpoint.ts');
    const start = pageStart(base, this.preset, config);
    let why = start.init === 'random' ? start.why : '';
    if (start.init === 'base' && base?.found) {
      try {
        const info = await this.startClient({ config, checkpoint: base.files, tasks });
        this.originText = `Started from the ${base.note}; buffers seeded from ${tasks.length} ${this.seedName}${levelNote(info, config)}.`;
        return 'base';
      } catch (e) {
        this.notify('warn', `The base checkpoint cannot train with this config (${(e as Error).message}); starting from random weights instead.`);
        why = 'the base checkpoint could not start this run';
      }
    }
    const info = await this.startClient({ config, tasks });
    this.originText = `Started from random weights (${why}); buffers seeded from ${tasks.length} ${this.seedName}${levelNote(info, config)}.`;
    return 'random';
  }

  async newRun(preset: PresetName, config: Config, name?: string): Promise<void> {
    await this.pauseAndWait();
    // A run that never stepped holds nothing worth keeping: replace it rather than list it.
    const previous = this.run;
    if (previous && previous.step === 0 && previous.checkpointStep === null) await store.deleteRun(previous.id).catch(() => undefined);
    this.status = 'loading';
    this.statusText = 'Starting the trainer (backend, sandbox, policy)…';
    this.resetView();
    const now = Date.now();
    const run: RunRecord = {
      id: store.newRunId(),
      name: name ?? `${preset} · seed ${config.seed} · ${new Date(now).toLocaleString()}`,
      createdAt: now,
      updatedAt: now,
      preset,
      config,
      configHash: configHash(config),
      origin: 'random',
      step: 0,
      checkpointStep: null,
    };
    this.run = run;
    this.preset = preset;
    this.writeUrl();
    try {
      run.origin = await this.startFresh(config);
      this.run = { ...run };
      await this.persistRun();
      store.setCurrentRunId(run.id);
      this.ready();
    } catch (e) {
      this.fail(`The trainer could not start: ${(e as Error).message}`);
    }
  }

  /** Reopens a stored run from its checkpoint (or from step 0 if it has none yet). */
  async resume(run: RunRecord): Promise<void> {
    await this.pauseAndWait();
    this.status = 'loading';
    this.statusText = `Reopening "${run.name}"…`;
    this.resetView();
    this.run = { ...run };
    this.preset = isPresetName(run.preset) ? run.preset : 'default';
    this.writeUrl();
    store.setCurrentRunId(run.id);
    try {
      const at = await this.startFromCheckpoint(run);
      const rows = await store.loadRows(run.id);
      this.reports = rows.reports.filter((r) => r.step <= at);
      this.evals = rows.evals.filter((r) => r.step <= at);
      this.restoreFeed(run.id, at);
      this.run = { ...this.run, step: at, updatedAt: Date.now() };
      await this.persistRun();
      this.ready();
      if (at > 0) this.notify('info', `Resumed "${run.name}" at step ${at}.`);
    } catch (e) {
      this.fail(`Run "${run.name}" could not be reopened: ${(e as Error).message}. Start a new run from Settings, or open another run.`);
    }
  }

  /** Starts the worker at the run's checkpoint; returns the step it holds (0 without one). */
  private async startFromCheckpoint(run: RunRecord): Promise<number> {
    if (run.checkpointStep === null) {
      await store.truncateMetrics(run.id, 0);
      const origin = await this.startFresh(run.config);
      if (this.run) this.run = { ...this.run, origin };
      return 0;
    }
    const { loadCheckpointFromDb } = await import('../../model/checkpoint-browser.ts');
    const files = await loadCheckpointFromDb(store.checkpointName(run.id));
    const info = await this.startClient({ checkpoint: files, backend: run.config.backend });
    this.readBuffers(files);
    await store.truncateMetrics(run.id, info.step);
    this.originText = `Resumed from its checkpoint at step ${info.step} (run started from ${run.origin === 'base' ? 'the base checkpoint' : run.origin === 'imported' ? 'an imported checkpoint' : 'random weights'}).`;
    this.savedStep = info.step;
    return info.step;
  }

  private resetView(): void {
    this.reports = [];
    this.feedModel.clear();
    this.feed = [];
    this.phase = '';
    this.savedStep = null;
    this.failures = 0;
    this.buffers = null;
    this.seeding = null;
    this.evals = [];
    this.evalProgress = null;
    this.evalQueued = false;
    this.stepsSinceSave = 0;
    this.saveAfterStep = false;
    this.savedAt = performance.now();
  }

  private ready(): void {
    this.status = 'ready';
    this.statusText = this.step === 0 ? 'Ready: press Start training (or Space).' : `Paused at step ${this.step}.`;
  }

  private fail(text: string): void {
    this.wantRun = false;
    this.status = 'failed';
    this.statusText = text;
    this.notify('error', text);
  }

  private async persistRun(): Promise<void> {
    if (!this.run) return;
    try {
      await store.putRun($state.snapshot(this.run) as RunRecord);
      await this.refreshRuns();
    } catch (e) {
      this.notify('warn', `The run could not be saved in this browser: ${(e as Error).message}`);
    }
  }

  async refreshRuns(): Promise<void> {
    try {
      this.runs = await store.listRuns();
    } catch (e) {
      this.runs = [];
      this.notify('warn', (e as Error).message);
    }
  }

  // ---- Training ---------------------------------------------------------------------------

  /** Space: start when idle, pause when running. */
  toggle(): void {
    if (this.running) this.pause();
    else void this.start();
  }

  async start(): Promise<void> {
    if (this.status !== 'ready' || !this.client) return;
    this.wantRun = true;
    this.status = 'running';
    this.statusText = 'Training…';
    this.loopDone = this.loop();
    await this.loopDone;
  }

  pause(): void {
    if (this.status !== 'running') return;
    this.wantRun = false;
    this.status = 'pausing';
    this.evalQueued = false;
    // An evaluation can take minutes on the cpu fallback: a pause does not wait for it.
    if (this.evalProgress) {
      this.statusText = 'Pausing: cancelling the benchmark evaluation…';
      void this.client?.cancelEvaluate().catch(() => undefined);
    } else {
      this.statusText = 'Pausing after this step…';
    }
  }

  private async pauseAndWait(): Promise<void> {
    this.pause();
    if (this.evalProgress) await this.client?.cancelEvaluate().catch(() => undefined);
    await this.loopDone;
    await this.evalDone;
  }

  private async loop(): Promise<void> {
    while (this.wantRun && this.client) {
      if (!(await this.oneStep(false))) break;
    }
    // On pause the newest step is saved at once, so a reload reopens exactly here.
    await this.writing;
    if (this.client && this.run && this.savedStep !== this.run.step && this.status !== 'failed') await this.checkpoint();
    if (this.status === 'running' || this.status === 'pausing') this.ready();
  }

  async stepOnce(): Promise<void> {
    if (this.status !== 'ready' || !this.client) return;
    this.status = 'stepping';
    this.statusText = `Running step ${this.step + 1}…`;
    if (await this.oneStep(true)) this.ready();
  }

  /** One step, kept or rolled back; false when training should stop. */
  private async oneStep(saveAfter: boolean): Promise<boolean> {
    const client = this.client!;
    const run = this.run!;
    let report: StepReport;
    const t0 = performance.now();
    this.inStep = true;
    try {
      report = await client.step();
    } catch (e) {
      return this.recover(`step ${run.step + 1} failed: ${(e as Error).message}`);
    } finally {
      this.inStep = false;
    }
    const stepMs = performance.now() - t0;
    const bad = nonFinite(report);
    if (bad) return this.recover(`step ${report.step} produced a non-finite number (${bad}); its update was not kept`);
    this.failures = 0;
    this.reports = [...this.reports, report];
    const wasSeeding = this.seeding?.seeding ?? false;
    await this.readSeeding();
    if (wasSeeding && this.seeding && !this.seeding.seeding) {
      this.notify('info', `Seeding done: the buffers hold ${this.seeding.unique} unique tasks (${this.seeding.target} needed). Weight updates start with step ${report.step + 1}.`);
    }
    // Read this.run afresh: a checkpoint written in the background may have moved checkpointStep meanwhile.
    this.run = { ...this.run!, step: report.step, updatedAt: Date.now() };
    try {
      await store.appendMetric($state.snapshot(this.run) as RunRecord, report);
      await this.refreshRuns();
    } catch (e) {
      this.notify('warn', `Step ${report.step} could not be stored: ${(e as Error).message}`);
    }
    const evalDue = this.benchmark.every > 0 && report.step % this.benchmark.every === 0;
    if ((evalDue || this.evalQueued) && (this.wantRun || this.status === 'stepping')) {
      this.evalQueued = false;
      if (this.status === 'stepping') this.statusText = `Step ${report.step} done`;
      await this.runEvaluation();
    }
    this.stepsSinceSave++;
    // A save's cost is what training waits for: the worker's capture (the write runs beside the next step).
    const saveMs = this.lastSave?.blockedMs ?? this.pendingBlockedMs;
    const due = saveDue({ stepMs, saveMs, sinceSaveMs: performance.now() - this.savedAt, stepsSinceSave: this.stepsSinceSave, everySteps: this.checkpointEvery });
    if (saveAfter || due || this.saveAfterStep) await this.checkpoint({ background: !saveAfter });
    return true;
  }

  // ---- Benchmark --------------------------------------------------------------------------

  /** The visitor's benchmark settings (every K steps, tiers), kept in this browser. */
  setBenchmark(next: Partial<BenchmarkSettings>): void {
    const every = next.every ?? this.benchmark.every;
    if (!Number.isInteger(every) || every < 0) return this.notify('error', `"Benchmark every" must be a whole number of steps, 0 or more (got ${every}).`);
    this.benchmark = { every, tiers: next.tiers ?? this.benchmark.tiers };
    try {
      localStorage.setItem(BENCH_KEY, JSON.stringify(this.benchmark));
    } catch {
      // Storage disabled: the setting holds for this page only.
    }
  }

  /**
   * "Evaluate now": measures the current weights at once when idle; while training, after
   * the step under way. Pressed again during its own evaluation, it cancels it.
   */
  async evaluateNow(): Promise<void> {
    if (this.status === 'evaluating') {
      await this.client?.cancelEvaluate().catch(() => undefined);
      return;
    }
    if (this.running || this.status === 'stepping') {
      if (this.status !== 'pausing') this.evalQueued = true;
      return;
    }
    if (this.status !== 'ready' || !this.client) return;
    this.status = 'evaluating';
    // The status line adds the evaluation's progress to this.
    this.statusText = `Paused at step ${this.step}`;
    this.evalDone = this.runEvaluation();
    await this.evalDone;
    if (this.status === 'evaluating') this.ready();
  }

  /** One evaluation of the current weights, shown and stored; a failure is a notice, never a rollback. */
  private async runEvaluation(): Promise<void> {
    const client = this.client;
    const run = this.run;
    if (!client || !run) return;
    const tiers = this.benchmark.tiers;
    this.evalProgress = { step: run.step, tiers, done: 0, total: 0 };
    const current = () => this.client === client && this.run?.id === run.id;
    try {
      const result = await client.evaluate({ url: this.benchmarkUrl(), tiers }, (p) => {
        if (current()) this.evalProgress = { ...p, tiers };
      });
      if (!current()) return;
      this.evals = [...this.evals.filter((e) => e.step !== result.step), result].sort((a, b) => a.step - b.step);
      try {
        await store.putEval(run.id, result);
      } catch (e) {
        this.notify('warn', `The evaluation of step ${result.step} could not be stored: ${(e as Error).message}`);
      }
    } catch (e) {
      if (!current()) return;
      const msg = (e as Error).message;
      if (/cancelled/.test(msg)) this.notify('info', `The benchmark evaluation of step ${run.step} was cancelled.`);
      else this.notify('warn', `The benchmark evaluation of step ${run.step} failed: ${msg}`);
    } finally {
      if (this.client === client) this.evalProgress = null;
    }
  }

  async evalsOf(id: string): Promise<BenchmarkResult[]> {
    return this.run?.id === id ? this.evals : store.loadEvals(id);
  }

  /**
   * Saves the trainer's state as the run's checkpoint (only ever after a good step). The
   * worker's capture is waited for (steps and saves are serialised there); the IndexedDB
   * write is too, unless `background`: then the next step runs while it is written (a
   * write is one transaction, so a reload mid-write reopens at the previous checkpoint).
   * Each save waits for the previous write first, so writes never pile up.
   */
  async checkpoint(opts: { background?: boolean } = {}): Promise<void> {
    if (!this.client || !this.run) return;
    this.saveAfterStep = false;
    const t0 = performance.now();
    await this.writing;
    let files: CheckpointFiles;
    const step = this.run.step;
    const id = this.run.id;
    try {
      files = await this.client.save();
    } catch (e) {
      this.notify('warn', `The checkpoint could not be saved: ${(e as Error).message}`);
      return;
    }
    const workerMs = performance.now() - t0;
    const write = (async () => {
      try {
        const { saveCheckpointToDb } = await import('../../model/checkpoint-browser.ts');
        const saved = await saveCheckpointToDb(store.checkpointName(id), files, { fromTrainer: true });
        if (this.run?.id !== id) return;
        this.readBuffers(files);
        this.run = { ...this.run, checkpointStep: step };
        await this.persistRun();
        this.savedStep = step;
        this.lastSave = { ms: performance.now() - t0, workerMs, blockedMs: this.lastSave?.blockedMs ?? workerMs, bytes: saved.bytes };
      } catch (e) {
        this.notify('warn', `The checkpoint could not be saved: ${(e as Error).message}`);
      }
    })();
    this.writing = write;
    this.savedAt = performance.now();
    this.stepsSinceSave = 0;
    if (!opts.background) await write;
    // What training waited for: the previous write, the capture, and this write unless in the background.
    const blockedMs = performance.now() - t0;
    if (this.lastSave) this.lastSave = { ...this.lastSave, blockedMs };
    else this.pendingBlockedMs = blockedMs;
  }

  /**
   * "Re-measure": forgets this browser's backend verdicts and restarts the trainer from the
   * run's checkpoint, so `auto` times the candidates again (a named backend is unaffected).
   */
  async remeasureBackend(): Promise<void> {
    if (!this.run || this.status === 'loading' || this.status === 'recovering') return;
    clearBackendVerdicts();
    this.remeasureNext = true;
    this.saveFeed();
    await this.resume(this.run);
  }

  /**
   * The page is going away (pagehide) or out of sight (visibilitychange): the feed goes to
   * sessionStorage at once (synchronous, so it is written even on unload), and a checkpoint
   * is saved if the newest step is not in one — now when idle, or right after the step in
   * flight. Metrics rows are already stored per step.
   */
  private onHide = (): void => {
    this.saveFeed();
    if (!this.client || !this.run || this.savedStep === this.run.step || this.status === 'loading' || this.status === 'recovering' || this.status === 'failed') return;
    if (this.inStep) this.saveAfterStep = true;
    else void this.checkpoint();
  };

  private listenForHide(): void {
    if (this.unlisten || typeof window === 'undefined' || typeof document === 'undefined') return;
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') this.onHide();
    };
    window.addEventListener('pagehide', this.onHide);
    document.addEventListener('visibilitychange', onVisibility);
    this.unlisten = () => {
      window.removeEventListener('pagehide', this.onHide);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }

  private saveFeed(): void {
    if (!this.run) return;
    try {
      sessionStorage.setItem(feedKey(this.run.id), JSON.stringify(this.feedModel.items));
    } catch {
      // Storage off or full: the feed starts empty after a reload, the rest is intact.
    }
  }

  /** The feed as the page last showed it (same tab), up to the step the run resumes at. */
  private restoreFeed(id: string, at: number): void {
    try {
      const raw = sessionStorage.getItem(feedKey(id));
      const items = raw ? (JSON.parse(raw) as FeedItem[]) : [];
      if (!Array.isArray(items)) return;
      this.feedModel.items = items.filter((x) => x && typeof x.step === 'number' && x.step <= at && typeof x.key === 'string');
      this.feed = this.feedModel.items.slice();
    } catch {
      // A feed that does not parse is left out.
    }
  }

  /** Asks the trainer how far the seeding phase is; a failure only leaves the old value. */
  private async readSeeding(): Promise<void> {
    try {
      this.seeding = (await this.client?.status())?.seeding ?? null;
    } catch {
      // The status line is a courtesy; a step that failed says so on its own.
    }
  }

  /**
   * The playground's question, answered by the trainer between steps. Refused with a reason
   * the page can show when there is no trainer or it is busy training.
   */
  async playground(req: PlaygroundRequest): Promise<PlaygroundResult> {
    if (this.status === 'loading' || this.status === 'recovering') throw new Error('the trainer is still starting; try again in a moment');
    if (!this.client || this.status === 'failed') throw new Error('no trainer is running: start a new run from Settings first');
    if (this.running || this.status === 'stepping') throw new Error('the trainer is busy training: pause it (Space) and ask again');
    if (this.status === 'evaluating') throw new Error('the trainer is busy evaluating the benchmark: wait for it (or cancel it) and ask again');
    return this.client.playground(req);
  }

  private readBuffers(files: CheckpointFiles): void {
    try {
      const meta = (JSON.parse(files.config) as { meta?: { selfplay?: { buffers?: TasksSnapshot } } }).meta;
      this.buffers = meta?.selfplay?.buffers ?? null;
    } catch {
      this.buffers = null;
    }
  }

  /** A new run (current settings) whose buffers start from these tasks instead of the starter list. */
  async newRunWithTasks(tasks: Task[], source: string): Promise<void> {
    if (!this.run) return;
    this.seedTasks = tasks;
    this.seedName = `tasks from ${source}`;
    await this.newRun(this.preset, this.run.config);
  }

  /**
   * A step went wrong: nothing of it is kept. The worker (and its GPU device) is replaced
   * and restarted from the last checkpoint; training goes on unless the same step has now
   * failed twice from the same state, which would only repeat.
   */
  private async recover(why: string): Promise<boolean> {
    const run = this.run!;
    this.failures++;
    const wasRunning = this.wantRun;
    this.status = 'recovering';
    const from = run.checkpointStep ?? 0;
    this.notify('error', `Skipped: ${why}. Restarting the trainer from the last good state (step ${from}).`);
    this.statusText = `Recovering from a failed step: restarting at step ${from}…`;
    try {
      const at = await this.startFromCheckpoint(run);
      this.reports = this.reports.filter((r) => r.step <= at);
      this.evals = this.evals.filter((r) => r.step <= at);
      this.run = { ...this.run!, step: at };
      await this.persistRun();
    } catch (e) {
      this.fail(`Recovery failed: ${(e as Error).message}`);
      return false;
    }
    if (this.failures >= 2) {
      this.wantRun = false;
      this.status = 'ready';
      this.statusText = `Paused: the step after ${this.run!.step} failed ${this.failures} times from the same state. Try a lower learning rate or another backend (Settings).`;
      this.notify('error', this.statusText);
      return false;
    }
    this.status = wasRunning ? 'running' : 'ready';
    this.statusText = wasRunning ? 'Training…' : `Paused at step ${this.run!.step}.`;
    return wasRunning;
  }

  /** A new run with the same config (the old one stays in the runs table). */
  async reset(): Promise<void> {
    if (!this.run) return;
    await this.newRun(this.preset, this.run.config);
  }

  async applyConfig(preset: PresetName, config: Config): Promise<void> {
    this.urlProblems = []; // the settings on screen are now the page's own, not the link's
    await this.newRun(preset, config);
  }

  setInit(init: InitChoice): void {
    this.init = init;
    this.writeUrl();
  }

  // ---- Runs table -------------------------------------------------------------------------

  async openRun(id: string): Promise<void> {
    const run = await store.getRun(id);
    if (!run) return this.notify('error', 'That run is no longer stored.');
    await this.resume(run);
  }

  async renameRun(id: string, name: string): Promise<void> {
    const trimmed = name.trim();
    if (trimmed === '') return this.notify('error', 'A run needs a name (it cannot be empty).');
    const run = await store.getRun(id);
    if (!run) return;
    await store.putRun({ ...run, name: trimmed.slice(0, 200) });
    if (this.run?.id === id) this.run = { ...this.run, name: trimmed.slice(0, 200) };
    await this.refreshRuns();
  }

  async deleteRun(id: string): Promise<void> {
    if (this.run?.id === id) return this.notify('error', 'This is the run on screen: start or open another run before deleting it.');
    await store.deleteRun(id);
    const { deleteCheckpointFromDb } = await import('../../model/checkpoint-browser.ts');
    await deleteCheckpointFromDb(store.checkpointName(id)).catch(() => undefined);
    await this.refreshRuns();
  }

  async metricsOf(id: string): Promise<StepReport[]> {
    return this.run?.id === id ? this.reports : store.loadMetrics(id);
  }

  /** Downloads the run log (JSONL) and, when there is one, the checkpoint (.ckpt.tar). */
  async exportRun(id: string): Promise<void> {
    const run = await store.getRun(id);
    if (!run) return;
    const { reports, evals } = await store.loadRows(id);
    const log = store.runLogText(reports, evals);
    download(new Blob([log], { type: 'application/jsonl' }), `${safeName(run.name)}.run.jsonl`);
    if (run.checkpointStep !== null) {
      const cb = await import('../../model/checkpoint-browser.ts');
      const files = await cb.loadCheckpointFromDb(store.checkpointName(id));
      download(cb.checkpointBlob(files), `${safeName(run.name)}.ckpt.tar`);
    }
  }

  /**
   * Imports a run from its checkpoint (.ckpt.tar, which holds the config and the self-play
   * state) and, optionally, its run log (.jsonl). Everything is checked before anything is
   * stored, so a bad file changes nothing.
   */
  async importFiles(files: readonly File[]): Promise<RunRecord | null> {
    try {
      const tars = files.filter((f) => f.name.endsWith('.tar'));
      const logs = files.filter((f) => f.name.endsWith('.jsonl'));
      const other = files.filter((f) => !tars.includes(f) && !logs.includes(f));
      if (other.length) throw new Error(`${other.map((f) => f.name).join(', ')}: expected a .ckpt.tar checkpoint and optionally a .run.jsonl run log`);
      if (tars.length !== 1) throw new Error(tars.length ? 'choose one checkpoint (.ckpt.tar) at a time' : 'a run is imported from its checkpoint (.ckpt.tar), optionally with its .run.jsonl: the checkpoint holds the config and the state to resume');
      if (logs.length > 1) throw new Error('choose at most one run log (.jsonl)');
      const cb = await import('../../model/checkpoint-browser.ts');
      const { validateCheckpoint } = await import('../../model/checkpoint-files.ts');
      const { parseState } = await import('../../selfplay/state.ts');
      const ckpt = await cb.checkpointFromFile(tars[0]);
      const meta = validateCheckpoint(ckpt).meta;
      if (!meta.selfplay) throw new Error(`${tars[0].name}: this checkpoint holds weights but no self-play run (no "selfplay" in its meta); it cannot be resumed as a run`);
      const state = parseState(meta.selfplay);
      let reports: RunLogLine[] = [];
      if (logs[0]) {
        try {
          reports = parseRunLog(await logs[0].text());
        } catch (e) {
          throw new Error(`${logs[0].name}: ${(e as Error).message}`);
        }
        reports.forEach((r, i) => {
          if (r.configHash !== state.configHash) throw new Error(`${logs[0].name} line ${i + 1}: config ${String(r.configHash)} is not the checkpoint's (${state.configHash}); these files are from different runs`);
          if (!r.roles || !r.solve || !r.update || !r.proposals) throw new Error(`${logs[0].name} line ${i + 1}: not a step report (roles, solve, proposals and update are required)`);
        });
        reports = reports.filter((r) => r.step <= state.step);
      }
      const now = Date.now();
      const run: RunRecord = {
        id: store.newRunId(),
        name: `${tars[0].name.replace(/\.ckpt\.tar$|\.tar$/, '')} (imported)`,
        createdAt: now,
        updatedAt: now,
        preset: 'default',
        config: state.config,
        configHash: state.configHash,
        origin: 'imported',
        step: state.step,
        checkpointStep: state.step,
      };
      await cb.saveCheckpointToDb(store.checkpointName(run.id), ckpt);
      await store.putRows(store.rowsFromLog(run.id, reports));
      await store.putRun(run);
      await this.refreshRuns();
      this.notify('info', `Imported "${run.name}" at step ${run.step}${reports.length ? ` with ${reports.length} logged steps` : ''}. Open it from the runs table.`);
      return run;
    } catch (e) {
      this.notify('error', `Import failed, nothing was changed: ${(e as Error).message}`);
      return null;
    }
  }

  async dispose(): Promise<void> {
    this.unlisten?.();
    this.unlisten = null;
    this.wantRun = false;
    if (this.feedTimer) clearTimeout(this.feedTimer);
    const c = this.client;
    this.client = null;
    await c?.dispose();
  }
}
