// Pure parts of the app's state: the starter tasks hold in the real sandbox and fill the
// buffers, the feed folds events into items (with the loop's own advantages) and stays
// capped, the highlighter never loses a character, and benchmark evaluations become chart
// columns and stored rows (old rows without one still load).
import { describe, expect, it } from 'vitest';
import { InlineExecutor } from '../../../src/sandbox/inline.ts';
import { TaskBuffers } from '../../../src/core/buffer.ts';
import { computeAdvantages } from '../../../src/core/advantages.ts';
import { STARTER_TASKS } from '../../../src/ui/state/starter-tasks.ts';
import { FeedModel, type ProposalItem, type SolveItem } from '../../../src/ui/state/feed.ts';
import { highlight } from '../../../src/ui/state/highlight.ts';
import { accuracyOver, benchColumns, chartTiers, CHARTS, columns, meanAccuracy, sameTiers, tiersLabel, type BenchPoint } from '../../../src/ui/state/series.ts';
import { rowsFromLog, runLogText, splitRows, type MetricRow } from '../../../src/ui/state/runs.ts';
import { parseRunLog } from '../../../src/selfplay/runlog.ts';
import type { ProposalEvent, RolloutEvent, StepReport } from '../../../src/selfplay/report.ts';
import type { BenchmarkResult, TrainerEvent } from '../../../src/selfplay/trainer.ts';

describe('starter tasks', () => {
  it('every pair of every starter task holds in the sandbox', async () => {
    const exec = await InlineExecutor.create();
    const jobs = STARTER_TASKS.map((t) => {
      const pairs = [{ input: t.input, output: t.output }, ...(t.examples ?? [])];
      return { program: t.program, inputs: pairs.map((p) => p.input), expected: pairs.map((p) => p.output) };
    });
    const results = await exec.run(jobs);
    results.forEach((r, i) => expect(r.verdict, `${STARTER_TASKS[i].id}: ${r.reason}`).toBe('ok'));
    await exec.dispose();
  });

  it('fill all three buffers with nothing skipped', () => {
    const { buffers, skipped } = TaskBuffers.fromTasks(STARTER_TASKS, { identity: true });
    expect(skipped).toEqual([]);
    const tasks = buffers.toTasks();
    for (const type of ['deduction', 'abduction', 'induction']) expect(tasks.filter((t) => t.type === type).length).toBeGreaterThanOrEqual(STARTER_TASKS.length);
  });
});

const proposal = (step: number, type: ProposalEvent['type'], reward: number, status: ProposalEvent['status'] = 'valid'): TrainerEvent => ({
  type: 'proposal',
  event: { step, type, text: 'x', status, reason: status === 'valid' ? '' : 'why', reward, solveRate: status === 'valid' ? 0.5 : null, task: null, references: [], source: null },
});
const rollout = (step: number, purpose: RolloutEvent['purpose'], task: number, reward: number, type: RolloutEvent['type'] = 'deduction'): TrainerEvent => ({
  type: 'rollout',
  event: { step, type, purpose, task, problem: { program: 'function f(x) { return x; }', input: '1', output: '1' }, text: 'a', answer: 'a', outcome: reward > 0 ? 'correct' : 'wrong', reason: '', reward },
});
const stepEvent = (step: number): TrainerEvent => ({ type: 'step', event: { step } as StepReport });

describe('feed model', () => {
  it('attaches learnability rollouts to their proposal and gives the loop’s TRR++ advantages at the step’s end', () => {
    const feed = new FeedModel();
    const events = [
      proposal(1, 'deduction', 0.5),
      proposal(1, 'deduction', -1, 'syntax'),
      rollout(1, 'learnability', 0, 1),
      rollout(1, 'learnability', 0, -0.5),
      rollout(1, 'solve', 0, 1),
      rollout(1, 'solve', 0, -0.5),
      rollout(1, 'solve', 1, -0.5),
    ];
    for (const e of events) feed.add(e, 'task-relative');
    const [p0, p1, s0, s1] = feed.items as [ProposalItem, ProposalItem, SolveItem, SolveItem];
    expect(p0.rollouts.map((r) => r.outcome)).toEqual(['correct', 'wrong']);
    expect(p1.rollouts).toEqual([]);
    expect(s0.samples).toHaveLength(2);
    expect(s0.samples[0].advantage).toBeNull();
    feed.add(stepEvent(1), 'task-relative');
    const want = computeAdvantages([
      { type: 'deduction', role: 'propose', reward: 0.5 },
      { type: 'deduction', role: 'propose', reward: -1 },
      { type: 'deduction', role: 'solve', reward: 1 },
      { type: 'deduction', role: 'solve', reward: -0.5 },
      { type: 'deduction', role: 'solve', reward: -0.5 },
    ]).advantages;
    expect([p0.advantage, p1.advantage, ...s0.samples.map((a) => a.advantage), ...s1.samples.map((a) => a.advantage)]).toEqual(want);
    expect(p0.advantage).toBeGreaterThan(0);
  });

  it('keeps only the newest items past its cap', () => {
    const feed = new FeedModel(5);
    for (let i = 0; i < 12; i++) feed.add(proposal(1, 'abduction', i), 'task-relative');
    expect(feed.items).toHaveLength(5);
    expect((feed.items[0] as ProposalItem).event.reward).toBe(7);
  });
});

describe('highlight', () => {
  it('tokens put back together are the source, broken programs included', () => {
    for (const src of ['function f(a) { return a + 1; } // done', 'function f(s) { return "unterminated', "const f = (x) => x.map(y => y * 2.5e3) /* open", '']) {
      expect(highlight(src).map((t) => t.text).join('')).toBe(src);
    }
    const kinds = highlight('function f(x) { return "s" + 12; }');
    expect(kinds.find((t) => t.text === 'function')?.kind).toBe('kw');
    expect(kinds.find((t) => t.text === '"s"')?.kind).toBe('str');
    expect(kinds.find((t) => t.text === '12')?.kind).toBe('num');
  });
});

describe('chart series', () => {
  it('every chart has a column per series, a row per report', () => {
    for (const spec of CHARTS) {
      const cols = columns(spec, []);
      expect(cols).toHaveLength(spec.series.length + 1);
    }
    expect(CHARTS.find((c) => c.id === 'reward')!.series).toHaveLength(6);
  });

  it("the curriculum charts: each level's share of the valid new tasks and its solve rate, gaps where a step had none or a log predates levels", () => {
    const levels = CHARTS.find((c) => c.id === 'levels')!;
    const solve = CHARTS.find((c) => c.id === 'level-solve')!;
    const lv = (v0: number, v1: number, r0: number | null, r1: number | null) => ({
      L0: { valid: v0, meanSolveRate: r0 },
      L1: { valid: v1, meanSolveRate: r1 },
      L2: { valid: 0, meanSolveRate: null },
      L3: { valid: 0, meanSolveRate: null },
    });
    const reports = [
      { step: 1, levels: lv(3, 1, 0.5, 0.25) },
      { step: 2, levels: lv(0, 0, null, null) },
      { step: 3 }, // a run log written before levels were reported
    ] as unknown as StepReport[];
    expect(columns(levels, reports)).toEqual([[1, 2, 3], [0.75, null, null], [0.25, null, null], [0, null, null], [0, null, null]]);
    expect(columns(solve, reports)).toEqual([[1, 2, 3], [0.5, null, null], [0.25, null, null], [null, null, null], [null, null, null]]);
    expect(levels.series.map((s) => s.label)).toEqual(['L0 one operation', 'L1 one expression', 'L2 statements', 'L3 full grammar']);
  });
});

const counts = (d: number, a: number, i: number) => ({ deduction: d, abduction: a, induction: i });
const acc = (d: number | null, a: number | null, i: number | null) => ({ deduction: d, abduction: a, induction: i });
/** An evaluation as the trainer returns it. */
function evalAt(step: number, tiers: BenchmarkResult['tiers'], byTier: BenchmarkResult['byTier']): BenchmarkResult {
  // Totals pooled from the tiers, as evaluate.ts computes them.
  const keys = Object.keys(byTier);
  const n = counts(0, 0, 0);
  const right = counts(0, 0, 0);
  for (const k of keys) for (const t of ['deduction', 'abduction', 'induction'] as const) {
    n[t] += byTier[k].n[t];
    right[t] += (byTier[k].accuracy[t] ?? 0) * byTier[k].n[t];
  }
  const accuracy = acc(n.deduction ? right.deduction / n.deduction : null, n.abduction ? right.abduction / n.abduction : null, n.induction ? right.induction / n.induction : null);
  return { step, tiers, n, accuracy, byTier, samples: 1, skipped: [], tasks: 60, ms: 1234 };
}
const T1 = (d: number, a: number, i: number) => ({ '1': { n: counts(60, 60, 60), accuracy: acc(d, a, i) } });

describe('benchmark series', () => {
  it('tier-1 columns from tier-1 and all-tier evaluations alike, by step, newest per step', () => {
    const all = evalAt(30, 'all', { ...T1(0.5, 0.25, 0), '2': { n: counts(62, 62, 62), accuracy: acc(0, 0, 0) } });
    expect(all.accuracy.deduction).toBeCloseTo(30 / 122);
    const evals: BenchPoint[] = [evalAt(20, [1], T1(0.1, 0.2, 0)), all, evalAt(10, [1], T1(0, 0.05, 0)), evalAt(20, [1], T1(0.15, 0.2, 0))];
    const cols = benchColumns(evals, [1]);
    expect(cols).toHaveLength(4); // x, then deduction, abduction, induction
    expect(cols[0]).toEqual([10, 20, 30]);
    expect(cols[1]).toEqual([0, 0.15, 0.5]); // the all-tier run contributes its tier-1 part
    expect(cols[2]).toEqual([0.05, 0.2, 0.25]);
    // All tiers: only evaluations that covered them.
    expect(benchColumns(evals, 'all')).toEqual([[30], [all.accuracy.deduction], [all.accuracy.abduction], [all.accuracy.induction]]);
    expect(benchColumns([], [1])).toEqual([[], [], [], []]);
    for (const col of benchColumns(evals, [1]).slice(1)) for (const y of col) expect(y === null || (y >= 0 && y <= 1)).toBe(true);
  });

  it('pools tiers by question count; a tier not measured gives null; types not asked stay null', () => {
    const ev = evalAt(5, 'all', { '1': { n: counts(10, 10, 0), accuracy: acc(1, 0.5, null) }, '2': { n: counts(30, 30, 0), accuracy: acc(0, 0.5, null) } });
    expect(accuracyOver(ev, [1, 2])).toEqual({ n: counts(40, 40, 0), accuracy: acc(0.25, 0.5, null) });
    expect(accuracyOver(ev, [2, 1])!.accuracy).toEqual(accuracyOver(ev, 'all')!.accuracy);
    expect(accuracyOver(ev, [3])).toBeNull();
    expect(accuracyOver(evalAt(5, [1], T1(0, 0, 0)), 'all')).toBeNull();
    expect(meanAccuracy(acc(0.25, 0.5, null))).toBeCloseTo(0.375);
    expect(meanAccuracy(acc(null, null, null))).toBeNull();
  });

  it('the chart shows the newest evaluation’s tiers, tier 1 before any; tiers read as words', () => {
    expect(chartTiers([])).toEqual([1]);
    expect(chartTiers([evalAt(40, 'all', T1(0, 0, 0)), evalAt(20, [1], T1(0, 0, 0))])).toBe('all');
    expect(sameTiers([2, 1], [1, 2])).toBe(true);
    expect(sameTiers('all', [1])).toBe(false);
    expect([tiersLabel([1]), tiersLabel([2, 1]), tiersLabel('all')]).toEqual(['tier 1', 'tiers 1, 2', 'all tiers']);
  });
});

describe('stored rows and run logs', () => {
  const report = (step: number) => ({ step, t: step, configHash: 'abc123abc123', roles: {}, solve: {}, update: { loss: 0.5 }, proposals: { total: 0 } }) as unknown as StepReport;

  it('rows saved before evaluations existed load as they were; a step-0 row holds an evaluation only', () => {
    const old: MetricRow[] = [{ run: 'r', step: 2, report: report(2) }, { run: 'r', step: 1, report: report(1) }];
    expect(splitRows(old)).toEqual({ reports: [report(1), report(2)], evals: [] });
    const ev0 = evalAt(0, [1], T1(0, 0.1, 0));
    const ev2 = evalAt(2, [1], T1(0.1, 0.1, 0));
    const rows: MetricRow[] = [...old, { run: 'r', step: 0, eval: ev0 }, { run: 'r', step: 2, report: report(2), eval: ev2 }];
    const { reports, evals } = splitRows(rows);
    expect(reports.map((r) => r.step)).toEqual([1, 2, 2]);
    expect(evals).toEqual([ev0, ev2]);
  });

  it('a run log carries each evaluation on its step’s line as "eval" (the CLI’s key) and reads back into rows', () => {
    const ev2 = evalAt(2, [1], T1(0.1, 0.2, 0));
    const text = runLogText([report(1), report(2)], [evalAt(0, [1], T1(0, 0, 0)), ev2]);
    const lines = parseRunLog(text);
    expect(lines.map((l) => l.step)).toEqual([1, 2]); // no line for step 0: a log has one per step done
    expect(lines[0].eval).toBeUndefined();
    expect(lines[1].eval).toEqual(ev2);
    const rows = rowsFromLog('new', lines);
    expect(rows.map((r) => [r.run, r.step, r.eval?.step ?? null])).toEqual([['new', 1, null], ['new', 2, 2]]);
    expect(rows[1].report).not.toHaveProperty('eval');
    expect(rows[1].eval).toEqual(ev2);
    // The CLI's --eval-every lines hold evaluate.ts's result alone: read as "all" of its file.
    const { step: _s, tiers: _t, tasks: _k, ms: _m, ...cli } = ev2;
    const fromCli = rowsFromLog('x', [{ ...report(4), eval: cli } as never]);
    expect(fromCli[0].eval).toMatchObject({ step: 4, tiers: 'all', n: ev2.n, accuracy: ev2.accuracy });
    // Anything else under "eval" is not an evaluation.
    expect(rowsFromLog('x', [{ ...report(4), eval: 'soon' } as never])[0].eval).toBeUndefined();
  });
});
