// The run store: every run the page has trained, in IndexedDB (database "azr-runs"), so a
// reload resumes where it was and past runs can be compared, exported and deleted.
//
//   store "runs":    RunRecord, keyed by id — cheap to list
//   store "metrics": {run, step, report}, keyed [run, step] — one StepReport per step,
//                    written after every step (the run log, and the charts' rows)
// A run's weights, optimizer and self-play snapshot live in the checkpoint database
// (src/model/checkpoint-browser.ts) under `checkpointName(id)`, written every few steps;
// the record's `checkpointStep` says which step that checkpoint holds.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Config } from '../../core/config.ts';
import type { StepReport } from '../../selfplay/report.ts';

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

interface MetricRow {
  run: string;
  step: number;
  report: StepReport;
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

export async function putMetrics(id: string, reports: readonly StepReport[]): Promise<void> {
  const tx = (await db()).transaction('metrics', 'readwrite');
  await Promise.all([...reports.map((report) => tx.store.put({ run: id, step: report.step, report })), tx.done]);
}

export async function loadMetrics(id: string): Promise<StepReport[]> {
  const rows = await (await db()).getAll('metrics', runRange(id));
  return rows.map((r) => r.report);
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
