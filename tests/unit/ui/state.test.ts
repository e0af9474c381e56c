// Pure parts of the app's state: the starter tasks hold in the real sandbox and fill the
// buffers, the feed folds events into items (with the loop's own advantages) and stays
// capped, and the highlighter never loses a character.
import { describe, expect, it } from 'vitest';
import { InlineExecutor } from '../../../src/sandbox/inline.ts';
import { TaskBuffers } from '../../../src/core/buffer.ts';
import { computeAdvantages } from '../../../src/core/advantages.ts';
import { STARTER_TASKS } from '../../../src/ui/state/starter-tasks.ts';
import { FeedModel, type ProposalItem, type SolveItem } from '../../../src/ui/state/feed.ts';
import { highlight } from '../../../src/ui/state/highlight.ts';
import { CHARTS, columns } from '../../../src/ui/state/series.ts';
import type { ProposalEvent, RolloutEvent, StepReport } from '../../../src/selfplay/report.ts';
import type { TrainerEvent } from '../../../src/selfplay/trainer.ts';

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
});
