// The run store: every run the page has trained, in IndexedDB (database "azr-runs"), so a
// reload resumes where it was and past runs can be compared, exported and deleted.
//
//   store "runs":    RunRecord, keyed by id — cheap to list
//   store "metrics": {run, step, report, eval?}, keyed [run, step] — one StepReport per
//                    step, written after every step (the run log, and the charts' rows),
//                    and the benchmark evaluation of that step's weights when one ran.
//                    Rows stored before evaluations existed have no `eval` and load as they
//                    were; a row at step 0 holds only an evaluation (the starting weights).
// A run's weights, optimizer and self-play snapshot live in the checkpoint database
// (src/model/checkpoint-browser.ts) under `checkpointName(id)`, written every few steps;
// the record's `checkpointStep` says which step that checkpoint holds.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Config } from '../../core/config.ts';
import type { StepReport } from '../../selfplay/report.ts';
import type { BenchmarkResult } from '../../selfplay/trainer.ts';
import type { RunLogLine } from '../../selfplay/runlog.ts';
import { formatRunLogLine } from '../../selfplay/runlog.ts';

export const RUNS_DB = 'azr-runs';

/** Where a run's first weights came from. */
export type RunOrigin = 'base' | 'random' | 'imported';

export interface RunRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  /** The preset the config was built on (for the URL), and the config itself. */
  preset: string;
  config: Config;
  configHash: string;
  origin: RunOrigin;
  /** Steps with a stored report. */
  step: number;
  /** Step held by the stored checkpoint; null when none is stored yet. */
  checkpointStep: number | null;
}

export interface MetricRow {
  run: string;
  step: number;
  /** Absent only on a step-0 row, which holds an evaluation of the starting weights. */
  report?: StepReport;
  /** The benchmark evaluation of the weights after this step (absent on most rows, and on every older one). */
  eval?: BenchmarkResult;
}

/** A run's rows as the page uses them: the step reports, and the evaluations, both by step. */
export function splitRows(rows: readonly MetricRow[]): { reports: StepReport[]; evals: BenchmarkResult[] } {
  const sorted = [...rows].sort((a, b) => a.step - b.step);
  return {
    reports: sorted.flatMap((r) => (r.report ? [r.report] : [])),
    evals: sorted.flatMap((r) => (r.eval ? [r.eval] : [])),
  };
}

/**
 * The run log of a run (JSONL, the CLI's format): an evaluation rides on its step's line
 * as "eval", as `azr train --eval-every` writes it. A step-0 evaluation has no line to ride
 * on (a run log has a line per step done) and is not in the log.
 */
export function runLogText(reports: readonly StepReport[], evals: readonly BenchmarkResult[]): string {
  const byStep = new Map(evals.map((e) => [e.step, e]));
  const lines = reports.map((r) => {
    const ev = byStep.get(r.step);
    return formatRunLogLine(r, ev ? { eval: ev } : {});
  });
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** Looks like evaluate.ts's result: per-type counts and accuracies (anything else is not plotted). */
function isEval(x: unknown): x is Partial<BenchmarkResult> & Pick<BenchmarkResult, 'n' | 'accuracy'> {
  const e = x as BenchmarkResult;
  return typeof e === 'object' && e !== null && typeof e.n === 'object' && e.n !== null && typeof e.accuracy === 'object' && e.accuracy !== null;
}

/**
 * Rows of an imported run log: its step reports, and the evaluations its lines carry (this
 * page's, or the CLI's `--eval-every` ones, which do not say their tiers: "all" of their file).
 */
export function rowsFromLog(id: string, lines: readonly RunLogLine[]): MetricRow[] {
  return lines.map((line) => {
    const { eval: ev, ...report } = line;
    const row: MetricRow = { run: id, step: line.step, report: report as StepReport };
    if (isEval(ev)) row.eval = { byTier: {}, samples: 1, skipped: [], tasks: 0, ms: 0, tiers: 'all', ...ev, step: line.step } as BenchmarkResult;
    return row;
  });
}

interface Schema extends DBSchema {
  runs: { key: string; value: RunRecord };
  metrics: { key: [string, number]; value: MetricRow };
}

export class RunStoreError extends Error {
  override name = 'RunStoreError';
}

let dbPromise: Promise<IDBPDatabase<Schema>> | undefined;

function db(): Promise<IDBPDatabase<Schema>> {
  if (typeof indexedDB === 'undefined') return Promise.reject(new RunStoreError('IndexedDB is not available: runs cannot be saved in this browser'));
  dbPromise ??= openDB<Schema>(RUNS_DB, 1, {
    upgrade(d) {
      d.createObjectStore('runs', { keyPath: 'id' });
      d.createObjectStore('metrics', { keyPath: ['run', 'step'] });
    },
  }).catch((e: unknown) => {
    dbPromise = undefined; // a later call may succeed (storage freed, private mode left)
    throw new RunStoreError(`cannot open the run database: ${(e as Error)?.message ?? e}`);
  });
  return dbPromise;
}

const runRange = (id: string, from = 0) => IDBKeyRange.bound([id, from], [id, Number.MAX_SAFE_INTEGER]);

export function checkpointName(id: string): string {
  return `run:${id}`;
}

export function newRunId(): string {
  return `${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0')}`;
}

export async function putRun(run: RunRecord): Promise<void> {
  await (await db()).put('runs', run);
}

export async function getRun(id: string): Promise<RunRecord | undefined> {
  return (await db()).get('runs', id);
}

/** Every run, most recently updated first. */
export async function listRuns(): Promise<RunRecord[]> {
  return (await (await db()).getAll('runs')).sort((a, b) => b.updatedAt - a.updatedAt);
}

/** Stores one step's report and moves the run's step forward, in one transaction. */
export async function appendMetric(run: RunRecord, report: StepReport): Promise<void> {
  const d = await db();
  const tx = d.transaction(['runs', 'metrics'], 'readwrite');
  await Promise.all([tx.objectStore('metrics').put({ run: run.id, step: report.step, report }), tx.objectStore('runs').put(run), tx.done]);
}

/** Adds an evaluation to its step's row (a step-0 row when the starting weights were measured), keeping the report. */
export async function putEval(id: string, result: BenchmarkResult): Promise<void> {
  const tx = (await db()).transaction('metrics', 'readwrite');
  const row = await tx.store.get([id, result.step]);
  await Promise.all([tx.store.put({ ...row, run: id, step: result.step, eval: result }), tx.done]);
}

export async function putMetrics(id: string, reports: readonly StepReport[]): Promise<void> {
  await putRows(reports.map((report) => ({ run: id, step: report.step, report })));
}

export async function putRows(rows: readonly MetricRow[]): Promise<void> {
  const tx = (await db()).transaction('metrics', 'readwrite');
  await Promise.all([...rows.map((row) => tx.store.put(row)), tx.done]);
}

/** A run's step reports and evaluations, in step order. */
export async function loadRows(id: string): Promise<{ reports: StepReport[]; evals: BenchmarkResult[] }> {
  return splitRows(await (await db()).getAll('metrics', runRange(id)));
}

export async function loadMetrics(id: string): Promise<StepReport[]> {
  return (await loadRows(id)).reports;
}

export async function loadEvals(id: string): Promise<BenchmarkResult[]> {
  return (await loadRows(id)).evals;
}

/** Drops the reports after `step` (a resume replays those steps from the checkpoint). */
export async function truncateMetrics(id: string, step: number): Promise<void> {
  await (await db()).delete('metrics', runRange(id, step + 1));
}

export async function deleteRun(id: string): Promise<void> {
  const tx = (await db()).transaction(['runs', 'metrics'], 'readwrite');
  await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('metrics').delete(runRange(id)), tx.done]);
}

// The run the page shows, so a reload reopens it. localStorage: one short string, read
// synchronously before anything else loads.
const CURRENT_KEY = 'azr.currentRun';

export function currentRunId(): string | null {
  try {
    return localStorage.getItem(CURRENT_KEY);
  } catch {
    return null;
  }
}

export function setCurrentRunId(id: string | null): void {
  try {
    if (id === null) localStorage.removeItem(CURRENT_KEY);
    else localStorage.setItem(CURRENT_KEY, id);
  } catch {
    // Storage disabled: the run still trains, it just will not reopen after a reload.
  }
}
