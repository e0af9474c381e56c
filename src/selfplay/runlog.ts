// The run log: JSONL, one line per step, `{step, t, configHash, ...metrics}` — a
// StepReport with those three keys first so a line reads well in a terminal, plus any
// extras the caller measured that step (an evaluation). The same lines feed the UI's
// charts, so writing and reading them lives here, free of any file system.
import type { StepReport } from './report.ts';

export type RunLogLine = StepReport & Record<string, unknown>;

export class RunLogError extends Error {
  override name = 'RunLogError';
}

/** One line of the log (no trailing newline). */
export function formatRunLogLine(report: StepReport, extra: Record<string, unknown> = {}): string {
  const { step, t, configHash, ...metrics } = report;
  return JSON.stringify({ step, t, configHash, ...metrics, ...extra });
}

/** Every line of a log; a line that is not a JSON object with a numeric `step` is an error naming it. */
export function parseRunLog(text: string): RunLogLine[] {
  const out: RunLogLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new RunLogError(`run log line ${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { step?: unknown }).step !== 'number') {
      throw new RunLogError(`run log line ${i + 1}: expected an object with a numeric "step"`);
    }
    out.push(value as RunLogLine);
  });
  return out;
}

/**
 * The log as it stands at a snapshot of `step` steps: lines of later steps are dropped
 * (they belong to steps the resumed run will play again, identically). Text is returned
 * unchanged when nothing is dropped.
 */
export function truncateRunLog(text: string, step: number): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const keep = lines.filter((l) => {
    try {
      return (JSON.parse(l) as { step: number }).step <= step;
    } catch {
      // A torn last line (the process died mid-write) goes too.
      return false;
    }
  });
  return keep.length === lines.length ? text : keep.map((l) => l + '\n').join('');
}
