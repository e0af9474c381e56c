import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTaskFile, type Task } from '../../../src/core/taskfile.ts';
import { checkTasks, CheckError, formatSummary, taskJob } from '../../../src/eval/check.ts';
import { createExecutor } from '../../../src/sandbox/index.ts';
import type { ExecJob, ExecResult, Executor, InputResult } from '../../../src/sandbox/types.ts';

// The summary is the subject here, not the sandbox: this executor answers from a script
// keyed by program text, and records what it was asked.
class ScriptedExecutor implements Executor {
  calls: ExecJob[][] = [];
  constructor(private answer: (job: ExecJob) => ExecResult) {}
  async run(jobs: ExecJob[]) {
    this.calls.push(jobs);
    return jobs.map(this.answer);
  }
  async dispose() {}
}

const ok: InputResult = { verdict: 'ok', reason: '' };
const task = (id: string, program: string, examples?: Task['examples']): Task => ({ id, program, input: '1', output: '1', ...(examples ? { examples } : {}) });

function scripted(job: ExecJob): ExecResult {
  const n = job.inputs.length;
  switch (job.program) {
    case 'good':
      return { verdict: 'ok', reason: '', results: Array(n).fill(ok), ms: 2 };
    case 'wrong-second-example':
      return { verdict: 'mismatch', reason: 'x', results: [ok, ok, { verdict: 'mismatch', reason: 'expected 3, got 4' }], ms: 5 };
    case 'throws':
      return { verdict: 'error', reason: 'x', results: [{ verdict: 'error', reason: 'f threw TypeError' }], ms: 1 };
    case 'broken':
      return { verdict: 'syntax', reason: 'program does not parse: unexpected token', results: [], ms: 0.5 };
    default:
      return { verdict: 'timeout', reason: 'x', results: [{ verdict: 'timeout', reason: 'ran past 1000 ms' }], ms: 1000 };
  }
}

describe('checkTasks with a scripted executor', () => {
  it('builds one job per task: its own pair first, then the examples', () => {
    const job = taskJob({ id: 'a', program: 'p', input: '1, 2', output: '3', examples: [{ input: '0, 0', output: '0' }] }, { timeoutMs: 50 });
    expect(job).toEqual({ program: 'p', inputs: ['1, 2', '0, 0'], expected: ['3', '0'], limits: { timeoutMs: 50 } });
    expect(taskJob(task('b', 'p'))).not.toHaveProperty('limits');
  });

  it('counts ok, mismatch and each rejected verdict, and names the failing pair', async () => {
    const tasks = [
      task('a', 'good'),
      task('b', 'wrong-second-example', [{ input: '2', output: '2' }, { input: '3', output: '3' }]),
      task('c', 'throws'),
      task('d', 'broken'),
      task('e', 'good', [{ input: '5', output: '5' }]),
      task('f', 'spins'),
      task('g', 'throws'),
    ];
    const ex = new ScriptedExecutor(scripted);
    const progress: [number, number][] = [];
    const s = await checkTasks(tasks, ex, { chunkSize: 3, limits: { timeoutMs: 250 }, onProgress: (d, t) => progress.push([d, t]) });

    expect(ex.calls.map((c) => c.length)).toEqual([3, 3, 1]);
    expect(ex.calls.flat().every((j) => j.limits?.timeoutMs === 250)).toBe(true);
    expect(progress).toEqual([[0, 7], [3, 7], [6, 7], [7, 7]]);

    expect(s.total).toBe(7);
    expect(s.ok).toBe(2);
    expect(s.mismatch).toBe(1);
    expect(s.rejected).toEqual({ error: 2, syntax: 1, timeout: 1 });
    expect(s.tasks.map((t) => t.id)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(s.tasks[0]).toEqual({ id: 'a', verdict: 'ok', reason: '', ms: 2 });
    expect(s.tasks[1]).toEqual({ id: 'b', verdict: 'mismatch', reason: 'example 2: expected 3, got 4', ms: 5 });
    expect(s.tasks[2].reason).toBe('input: f threw TypeError');
    expect(s.tasks[3]).toEqual({ id: 'd', verdict: 'syntax', reason: 'program does not parse: unexpected token', ms: 0.5 });

    const text = formatSummary(s);
    expect(text).toContain('7 tasks: 2 ok, 1 mismatch, 4 rejected');
    expect(text).toMatch(/^\s+error\s+2\s+28\.6%$/m);
    expect(text).toMatch(/^\s+b\s+mismatch\s+example 2: expected 3, got 4$/m);
    expect(text).not.toMatch(/^\s+a\s+ok/m);
  });

  it('refuses an executor that answers the wrong number of results', async () => {
    const short: Executor = { run: async (jobs) => jobs.slice(1).map(scripted), dispose: async () => {} };
    await expect(checkTasks([task('a', 'good'), task('b', 'good')], short)).rejects.toThrow(CheckError);
    await expect(checkTasks([task('a', 'good')], short)).rejects.toThrow('the executor answered 0 results for 1 jobs');
  });

  it('summarises an empty list', async () => {
    const s = await checkTasks([], new ScriptedExecutor(scripted));
    expect(s).toEqual({ total: 0, ok: 0, mismatch: 0, rejected: {}, tasks: [] });
    expect(formatSummary(s)).toContain('0 tasks: 0 ok');
  });
});

// CRUXEval-X's JavaScript set, run through the real sandbox: an outside check of the
// importer and of the executor together. The data has no licence, so it is read from
// ../shared/data and never copied here.
const CRUX = fileURLToPath(new URL('../../../../shared/data/cruxeval-x-js.jsonl', import.meta.url));
const haveCrux = existsSync(CRUX);

describe('CRUXEval-X JavaScript through the real sandbox', () => {
  it.skipIf(!haveCrux)('imports all 743 lines and at least 732 hold', { timeout: 300_000 }, async () => {
    const tasks = parseTaskFile(readFileSync(CRUX, 'utf8'));
    expect(tasks).toHaveLength(743);
    const executor = await createExecutor({ size: 2 });
    try {
      const summary = await checkTasks(tasks, executor);
      const failures = summary.tasks.filter((t) => t.verdict !== 'ok').map((t) => `${t.id} ${t.verdict}: ${t.reason}`);
      expect(summary.total).toBe(743);
      expect(summary.ok, `not ok:\n${failures.join('\n')}`).toBeGreaterThanOrEqual(732);
      // What is left is the data's own loose equality or a Node-only API, which surfaces
      // as a mismatch or an error. A timeout, syntax or invalid-* verdict would mean the
      // importer cut the source wrongly or the sandbox broke, not the data.
      for (const t of summary.tasks) expect(['ok', 'mismatch', 'error'], `${t.id}: ${t.reason}`).toContain(t.verdict);
    } finally {
      await executor.dispose();
    }
  });

  it.runIf(!haveCrux)('is skipped: ../shared/data/cruxeval-x-js.jsonl is absent', () => {
    console.warn(`CRUXEval-X check skipped: ${CRUX} not found`);
  });
});
