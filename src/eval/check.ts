// Run a list of tasks through an Executor and summarise: does each task's program map its
// input (and every example's input) to the output the file claims? This is how an imported
// or exported task file is vetted, and how the sandbox is checked against outside data.
import type { Task } from '../core/taskfile.ts';
import type { ExecJob, ExecLimits, ExecResult, Executor, Verdict } from '../sandbox/types.ts';

export interface TaskCheck {
  id: string;
  verdict: Verdict;
  /** Empty for `ok`; otherwise which pair failed and the executor's reason. */
  reason: string;
  /** Time the executor spent on this task, in ms. */
  ms: number;
}

export interface CheckSummary {
  total: number;
  ok: number;
  mismatch: number;
  /** Every verdict other than `ok` and `mismatch`, counted: the task could not be judged at all. */
  rejected: Partial<Record<Verdict, number>>;
  /** One entry per task, in file order. */
  tasks: TaskCheck[];
}

export interface CheckOptions {
  limits?: Partial<ExecLimits>;
  /** Jobs handed to the executor per call; progress is reported between calls. */
  chunkSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export class CheckError extends Error {
  override name = 'CheckError';
}

/** The job for one task: its own pair first, then the examples, in order. */
export function taskJob(task: Task, limits?: Partial<ExecLimits>): ExecJob {
  const pairs = [{ input: task.input, output: task.output }, ...(task.examples ?? [])];
  return { program: task.program, inputs: pairs.map((p) => p.input), expected: pairs.map((p) => p.output), ...(limits ? { limits } : {}) };
}

function pairName(index: number): string {
  return index === 0 ? 'input' : `example ${index}`;
}

/** Fold one ExecResult into a task's line, pointing at the pair that failed. */
export function judge(task: Task, result: ExecResult): TaskCheck {
  // Hundredths of a ms are already below the timer's noise; more digits only bloat the JSON.
  const ms = Math.round(result.ms * 100) / 100;
  if (result.verdict === 'ok') return { id: task.id, verdict: 'ok', reason: '', ms };
  const index = result.results.findIndex((r) => r.verdict !== 'ok');
  // A job-level failure (syntax, a missing f, a timeout before any input ran) has no per-input culprit.
  if (index < 0) return { id: task.id, verdict: result.verdict, reason: result.reason, ms };
  const r = result.results[index];
  return { id: task.id, verdict: r.verdict, reason: `${pairName(index)}: ${r.reason}`, ms };
}

export function summarise(checks: TaskCheck[]): CheckSummary {
  const summary: CheckSummary = { total: checks.length, ok: 0, mismatch: 0, rejected: {}, tasks: checks };
  for (const c of checks) {
    if (c.verdict === 'ok') summary.ok++;
    else if (c.verdict === 'mismatch') summary.mismatch++;
    else summary.rejected[c.verdict] = (summary.rejected[c.verdict] ?? 0) + 1;
  }
  return summary;
}

export async function checkTasks(tasks: readonly Task[], executor: Executor, options: CheckOptions = {}): Promise<CheckSummary> {
  const chunkSize = options.chunkSize ?? 32;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new CheckError(`chunkSize must be an integer >= 1, got ${chunkSize}`);
  const checks: TaskCheck[] = [];
  options.onProgress?.(0, tasks.length);
  for (let start = 0; start < tasks.length; start += chunkSize) {
    const chunk = tasks.slice(start, start + chunkSize);
    const results = await executor.run(chunk.map((t) => taskJob(t, options.limits)));
    // A short answer would silently pair results with the wrong tasks.
    if (results.length !== chunk.length) throw new CheckError(`the executor answered ${results.length} results for ${chunk.length} jobs`);
    chunk.forEach((task, i) => checks.push(judge(task, results[i])));
    options.onProgress?.(checks.length, tasks.length);
  }
  return summarise(checks);
}

/** The verdict-count table and the list of failures, as a person reads them. */
export function formatSummary(summary: CheckSummary): string {
  const counts = new Map<string, number>([['ok', summary.ok], ['mismatch', summary.mismatch]]);
  for (const [verdict, n] of Object.entries(summary.rejected)) counts.set(verdict, n ?? 0);
  const pct = (n: number) => (summary.total === 0 ? '-' : `${((100 * n) / summary.total).toFixed(1)}%`);
  const width = Math.max(...[...counts.keys()].map((k) => k.length), 'verdict'.length);
  const rows = [...counts].filter(([k, n]) => n > 0 || k === 'ok').map(([k, n]) => `  ${k.padEnd(width)}  ${String(n).padStart(6)}  ${pct(n).padStart(6)}`);
  const failed = summary.tasks.filter((t) => t.verdict !== 'ok');
  const lines = [
    `${summary.total} tasks: ${summary.ok} ok, ${summary.mismatch} mismatch, ${summary.total - summary.ok - summary.mismatch} rejected`,
    '',
    `  ${'verdict'.padEnd(width)}  ${'tasks'.padStart(6)}  ${'share'.padStart(6)}`,
    ...rows,
  ];
  if (failed.length > 0) {
    lines.push('', 'not ok:');
    const idWidth = Math.max(...failed.map((t) => t.id.length));
    const verdictWidth = Math.max(...failed.map((t) => t.verdict.length));
    for (const t of failed) lines.push(`  ${t.id.padEnd(idWidth)}  ${t.verdict.padEnd(verdictWidth)}  ${t.reason}`);
  }
  return lines.join('\n');
}
