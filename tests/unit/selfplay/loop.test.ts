// The self-play loop end to end: real QuickJS (the Node sandbox pool) in every test.
//
// Part one drives the loop with a scripted policy — responses chosen by prompt — so each
// path through a step (valid, duplicate, throwing and unparseable proposals; correct,
// wrong and unparseable answers; the seeding phase) happens on purpose and its reward,
// verdict and buffer effect can be checked exactly.
//
// Part two is the real thing: the `smoke` preset with a real tfjs transformer on the wasm
// backend — three steps with every metric finite, and 2 steps + snapshot + resume + 2 steps
// equal to 4 straight steps, weights and metrics alike.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PRESETS, resolvePreset } from '../../../src/core/presets.ts';
import { TaskBuffers } from '../../../src/core/buffer.ts';
import { formatAnswer, TOK, type Triplet } from '../../../src/core/tasks.ts';
import { DEFAULT_CONFIG, type Config } from '../../../src/core/config.ts';
import { createExecutor, type SandboxPool } from '../../../src/sandbox/index.ts';
import { initBackend } from '../../../src/model/backend-node.ts';
import { responseLogprobs } from '../../../src/model/train.ts';
import { JsTokenizer } from '../../../src/model/tokenizer.ts';
import { SelfPlay, SelfPlayError, modalAnswers } from '../../../src/selfplay/loop.ts';
import { solvePrompt, textCloseness } from '../../../src/selfplay/judge.ts';
import { fingerprints } from '../../../src/selfplay/behaviour.ts';
import { TransformerPolicy, taskTokenizer, type Generation, type GenerateOptions, type Policy, type UpdateItem, type UpdateStats } from '../../../src/selfplay/policy.ts';
import { CONFIG_KEYS, type ProposalEvent, type RolloutEvent, type StepReport } from '../../../src/selfplay/report.ts';
import { parseState, StateError } from '../../../src/selfplay/state.ts';

let executor: SandboxPool;

beforeAll(async () => {
  executor = await createExecutor({ size: 1 });
  await executor.ready();
  await initBackend('wasm');
});

afterAll(async () => {
  await executor?.dispose();
});

// ---- Part one: a scripted policy -------------------------------------------------------

const DOUBLE = 'function f(x) { return x * 2; }';

/**
 * Answers by prompt, the way a policy that knows some tasks would:
 * - deduction proposer: always the doubling program on 21 (so the second copy in a step
 *   and every later one are duplicates)
 * - abduction proposer: a program that throws, then an unparseable response
 * - induction proposer: inputs 1..N with a message
 * - deduction solver: the right output (it knows the identity and the doubling program)
 * - abduction solver: the input "wrong" (well-formed, never right for these tasks)
 * - induction solver: a cut-off response (no <eos>: unparseable)
 */
class ScriptedPolicy implements Policy {
  updates: UpdateItem[][] = [];
  prompts: string[][] = [];
  private abductionCalls = 0;

  constructor(private readonly inductionInputs: number) {}

  promptTokens(prompt: string): number {
    return prompt.length;
  }

  async generate(prompts: string[], _opts: GenerateOptions): Promise<Generation[]> {
    this.prompts.push(prompts);
    return prompts.map((p) => {
      const text = this.respond(p);
      return { text, tokens: [...text].map(() => 3), logprobs: [...text].map(() => -1) };
    });
  }

  protected respond(p: string): string {
    const head = p.slice(0, 20);
    if (head.startsWith(TOK.bos + TOK.ded + TOK.prop)) return `${TOK.prog}${DOUBLE}${TOK.in}21${TOK.eos}`;
    if (head.startsWith(TOK.bos + TOK.abd + TOK.prop)) {
      return this.abductionCalls++ % 2 === 0 ? `${TOK.prog}function f(x) { throw new Error("no"); }${TOK.in}1${TOK.eos}` : 'no fields at all';
    }
    if (head.startsWith(TOK.bos + TOK.ind + TOK.prop)) {
      return Array.from({ length: this.inductionInputs }, (_, i) => `${TOK.in}${i + 1}`).join('') + `${TOK.msg}numbers${TOK.eos}`;
    }
    if (head.startsWith(TOK.bos + TOK.ded + TOK.solve)) {
      const m = /<prog>(.*)<in>(.*)<ans>$/s.exec(p)!;
      return (m[1] === DOUBLE ? String(2 * Number(m[2])) : m[2]) + TOK.eos;
    }
    if (head.startsWith(TOK.bos + TOK.abd + TOK.solve)) return `"wrong"${TOK.eos}`;
    return 'function f(';
  }

  async update(items: UpdateItem[]): Promise<UpdateStats> {
    this.updates.push(items);
    return { loss: 0.5, entropy: 1.5, clipFrac: 0, gradNorm: 0.25, approxKl: 0, tokens: items.reduce((s, it) => s + ('tokens' in it ? it.tokens.length : it.answer.length), 0) };
  }
}

const DEFAULT_REWARDS = DEFAULT_CONFIG.rewards;

function smoke(over: Parameters<typeof resolvePreset>[1] = {}): Config {
  return resolvePreset('smoke', over);
}

/** The first step of a fresh loop, and the proposal and rollout events it emitted. */
async function firstStep(config: Config, policy: Policy): Promise<{ proposals: ProposalEvent[]; rollouts: RolloutEvent[] }> {
  const loop = new SelfPlay(config, policy, executor);
  const proposals: ProposalEvent[] = [];
  const rollouts: RolloutEvent[] = [];
  loop.events.on('proposal', (e) => proposals.push(e));
  loop.events.on('rollout', (e) => rollouts.push(e));
  await loop.step();
  return { proposals, rollouts };
}

describe('one step, scripted policy', () => {
  test('rewards, verdicts, buffers and the seeding phase follow the paper', async () => {
    const config = smoke();
    const policy = new ScriptedPolicy(config.inductionInputs);
    const loop = new SelfPlay(config, policy, executor);
    const proposals: ProposalEvent[] = [];
    const rollouts: RolloutEvent[] = [];
    loop.events.on('proposal', (e) => proposals.push(e));
    loop.events.on('rollout', (e) => rollouts.push(e));

    // Step 1: only the identity triplet is buffered, fewer than seedFactor × batch = 2.
    const r1 = await loop.step();
    expect(r1.step).toBe(1);
    expect(r1.seeding).toBe(true);
    expect(r1.update.updated).toBe(false);
    expect(policy.updates).toHaveLength(0);
    expect(r1.proposals.total).toBe(6);
    expect(r1.proposals.verdicts).toMatchObject({ valid: 2, duplicate: 2, error: 1, unparseable: 1 });
    expect(r1.proposals.validityRate).toBeCloseTo(2 / 6);

    const byType = (type: string) => proposals.filter((p) => p.step === 1 && p.type === type);
    const [ded1, ded2] = byType('deduction');
    expect(ded1).toMatchObject({ status: 'valid', task: { program: DOUBLE, input: '21', output: '42' } });
    // Every learnability rollout solves it: r̄ = 1, a trivial task, worth 0 in the paper's equation.
    expect(ded1.solveRate).toBe(1);
    expect(ded1.reward).toBe(0);
    expect(ded2).toMatchObject({ status: 'duplicate', reward: config.rewards.duplicatePenalty, solveRate: null });
    const [abd1, abd2] = byType('abduction');
    expect(abd1).toMatchObject({ status: 'error', reward: config.rewards.proposerInvalid });
    expect(abd1.reason).toMatch(/no/);
    expect(abd2).toMatchObject({ status: 'unparseable', reward: config.rewards.proposerFormat });
    const [ind1, ind2] = byType('induction');
    expect(ind1.status).toBe('valid');
    expect(ind1.task?.pairs).toHaveLength(config.inductionInputs);
    // Nobody solves it (the solver's answers are cut off): r̄ = 0, also worth 0.
    expect(ind1).toMatchObject({ solveRate: 0, reward: 0 });
    expect(ind2.status).toBe('duplicate');

    // The solver batch came from the buffer alone (no earlier proposals): the identity task.
    expect(r1.solve.deduction).toMatchObject({ tasks: 1, samples: config.groupSize, solveRate: 1, formatErrorRate: 0, distinctAnswers: 1 });
    expect(r1.solve.abduction).toMatchObject({ tasks: 1, samples: config.groupSize, solveRate: 0, formatErrorRate: 0 });
    expect(r1.solve.induction).toMatchObject({ tasks: 0, samples: 0, solveRate: 0 });
    const solveEvents = rollouts.filter((e) => e.step === 1 && e.purpose === 'solve');
    expect(solveEvents.filter((e) => e.type === 'abduction').every((e) => e.outcome === 'wrong' && e.reward === config.rewards.solverWrong)).toBe(true);
    expect(rollouts.filter((e) => e.step === 1 && e.purpose === 'learnability')).toHaveLength(2 * config.rollouts);

    expect(r1.buffers).toEqual({ deduction: 2, abduction: 1, induction: 1 });
    expect(r1.roles['deduction.propose']).toMatchObject({ count: 2, meanReward: (0 + config.rewards.duplicatePenalty) / 2 });
    expect(r1.roles['deduction.solve']).toMatchObject({ count: 2, meanReward: config.rewards.solverCorrect, advMean: 0, advStd: 0 });

    // Step 2: two unique triplets now, so the update runs, on every proposer and solver response.
    const r2 = await loop.step();
    expect(r2.seeding).toBe(false);
    expect(r2.update).toMatchObject({ updated: true, loss: 0.5, gradNorm: 0.25 });
    expect(policy.updates).toHaveLength(1);
    const batch = policy.updates[0];
    // Last step's proposals head the solver batch: doubling + identity, identity, the induction task.
    expect(r2.solve.deduction.tasks).toBe(2);
    expect(r2.solve.induction).toMatchObject({ tasks: 1, samples: config.groupSize, solveRate: 0, formatErrorRate: 1 });
    const solverSamples = (r2.solve.deduction.samples + r2.solve.abduction.samples + r2.solve.induction.samples);
    expect(batch).toHaveLength(r2.proposals.total + solverSamples);
    // Within each (type, role) the advantages are normalised: they sum to 0.
    expect(Math.abs(batch.reduce((s, it) => s + it.advantage, 0))).toBeLessThan(1e-9);
    expect(byType('deduction').length).toBe(2);
    expect(proposals.filter((p) => p.step === 2 && p.type === 'deduction').every((p) => p.status === 'duplicate')).toBe(true);
  });

  test("executorAnswers: each valid new task joins the update with the executor's answer as the solver's response; levels are reported", async () => {
    const config = smoke({ seedFactor: 0, executorAnswers: 0.5 });
    const policy = new ScriptedPolicy(config.inductionInputs);
    const loop = new SelfPlay(config, policy, executor);
    const proposals: ProposalEvent[] = [];
    loop.events.on('proposal', (e) => proposals.push(e));
    const r = await loop.step();
    const valid = proposals.filter((p) => p.status === 'valid');
    expect(valid.map((p) => p.type)).toEqual(['deduction', 'induction']);
    expect(r.executorAnswers).toBe(2);
    const given = policy.updates[0].filter((it) => 'answer' in it);
    expect(given).toHaveLength(2);
    const ded = valid.find((p) => p.type === 'deduction')!.task!;
    const ind = valid.find((p) => p.type === 'induction')!.task!;
    expect(given[0]).toMatchObject({ prompt: solvePrompt({ type: 'deduction', task: ded as Triplet }), answer: formatAnswer('deduction', { output: '42' }), advantage: 0.5 });
    expect(given[1]).toMatchObject({ answer: formatAnswer('induction', { program: ind.program }), advantage: 0.5 });
    // The doubling program is one operation on one argument (L0); the induction task's source is the identity (L0 too).
    expect(r.levels.L0.valid).toBe(2);
    expect(r.levels.L0.meanSolveRate).toBeCloseTo((1 + 0) / 2);
    expect(r.levels.L1).toEqual({ valid: 0, meanSolveRate: null });
    // Off (the paper): no given answers.
    const plain = new ScriptedPolicy(config.inductionInputs);
    const r0 = await new SelfPlay(smoke({ seedFactor: 0 }), plain, executor).step();
    expect(r0.executorAnswers).toBe(0);
    expect(plain.updates[0].some((it) => 'answer' in it)).toBe(false);
  });

  test("learnability 'validity' pays every valid new task 1, whatever its solve rate (the no-curriculum ablation)", async () => {
    const { proposals } = await firstStep(smoke({ rewards: { learnability: 'validity' } }), new ScriptedPolicy(smoke().inductionInputs));
    const valid = proposals.filter((p) => p.status === 'valid');
    expect(valid.map((p) => p.solveRate)).toEqual([1, 0]);
    expect(valid.every((p) => p.reward === 1)).toBe(true);
    expect(proposals.filter((p) => p.status === 'duplicate').every((p) => p.reward === smoke().rewards.duplicatePenalty)).toBe(true);
  });

  test.each([
    ['function f(t) { t; }', 'the program returns undefined: a task must return a value', 'undefined'],
    ['function f(y) { return 1; }', 'the program never reads its input: a task must depend on it', '1'],
  ])('strictValidity rejects %s by name; off (the paper), it is valid', async (program, reason, output) => {
    class ConstantProposer extends ScriptedPolicy {
      protected override respond(p: string): string {
        return p.startsWith(TOK.bos + TOK.ded + TOK.prop) ? `${TOK.prog}${program}${TOK.in}3${TOK.eos}` : super.respond(p);
      }
    }
    const on = await firstStep(smoke({ strictValidity: true }), new ConstantProposer(smoke().inductionInputs));
    const ded = on.proposals.filter((p) => p.type === 'deduction');
    expect(ded[0]).toMatchObject({ status: 'invalid-output', reason, reward: smoke().rewards.proposerInvalid });
    const off = await firstStep(smoke({ strictValidity: false }), new ConstantProposer(smoke().inductionInputs));
    expect(off.proposals.filter((p) => p.type === 'deduction')[0]).toMatchObject({ status: 'valid', task: { output } });
  });

  test('behaviourDuplicates: a program that computes what a buffered one does is a duplicate however it is spelled; off, it is new', async () => {
    const spellings = ['const f = (word) => word;', 'function f(x) { return x + 0 * 1; }'];
    class IdentityProposer extends ScriptedPolicy {
      private calls = 0;
      protected override respond(p: string): string {
        // Deduction: the identity (buffered from the start) in another spelling, then doubling twice over.
        if (p.startsWith(TOK.bos + TOK.ded + TOK.prop)) return `${TOK.prog}${this.calls++ === 0 ? spellings[0] : DOUBLE}${TOK.in}3${TOK.eos}`;
        return super.respond(p);
      }
    }
    const on = await firstStep(smoke({ behaviourDuplicates: true }), new IdentityProposer(smoke().inductionInputs));
    const ded = on.proposals.filter((p) => p.type === 'deduction');
    expect(ded[0]).toMatchObject({ status: 'duplicate', reward: smoke().rewards.duplicatePenalty });
    expect(ded[0].reason).toMatch(/the same outputs on all \d+ probe inputs/);
    expect(ded[1].status).toBe('valid');
    const off = await firstStep(smoke({ behaviourDuplicates: false }), new IdentityProposer(smoke().inductionInputs));
    expect(off.proposals.filter((p) => p.type === 'deduction')[0].status).toBe('valid');
    // The probes tell x + 0 * 1 from x only if they differ somewhere: on numbers they agree, on strings they do not.
    const fps = await fingerprints(executor, ['function f(s) { return s; }', spellings[0], spellings[1], DOUBLE], {});
    expect(fps[0]).toBe(fps[1]);
    expect(fps[0]).not.toBe(fps[2]);
    expect(fps[0]).not.toBe(fps[3]);
  });

  test('the proposer is left out of the update when it is not trained; rejected duplicates are invalid', async () => {
    const config = smoke({ trainProposer: false, seedFactor: 0, rewards: { duplicate: 'reject' } });
    const policy = new ScriptedPolicy(config.inductionInputs);
    const loop = new SelfPlay(config, policy, executor);
    const proposals: ProposalEvent[] = [];
    loop.events.on('proposal', (e) => proposals.push(e));
    const r = await loop.step();
    expect(r.seeding).toBe(false);
    expect(policy.updates).toHaveLength(1);
    const solverSamples = r.solve.deduction.samples + r.solve.abduction.samples + r.solve.induction.samples;
    expect(policy.updates[0]).toHaveLength(solverSamples);
    expect(proposals.filter((p) => p.status === 'duplicate').every((p) => p.reward === config.rewards.proposerInvalid)).toBe(true);
  });

  test('klRoles "propose" puts the KL penalty on proposer responses only; "both" leaves every response its default weight', async () => {
    const weights = async (klRoles: Config['klRoles']) => {
      const config = smoke({ seedFactor: 0, klCoef: 0.1, klRoles });
      const policy = new ScriptedPolicy(config.inductionInputs);
      await new SelfPlay(config, policy, executor).step();
      expect(policy.updates).toHaveLength(1);
      return policy.updates[0].map((it) => ({ propose: it.prompt.slice(0, 20).includes(TOK.prop), w: it.klWeight }));
    };
    const only = await weights('propose');
    expect(only.some((x) => x.propose)).toBe(true);
    expect(only.some((x) => !x.propose)).toBe(true);
    expect(only.every((x) => x.w === (x.propose ? 1 : 0))).toBe(true);
    expect((await weights('both')).every((x) => x.w === undefined)).toBe(true);
  });

  test('modalAnswers: the most frequent parsed answer per type, only when given on two or more tasks', () => {
    const r = (type: 'deduction' | 'abduction', prompt: string, answer: string | null) =>
      ({ task: { type, task: { program: 'p', input: '1', output: '1' } }, prompt, judgement: { outcome: 'wrong', verdict: 'wrong', reason: '', answer, rightKind: false } }) as never;
    const habits = modalAnswers([
      r('deduction', 'A', '7'), r('deduction', 'A', '7'), r('deduction', 'A', '7'), // frequent, but one task only
      r('deduction', 'A', '1'), r('deduction', 'B', '1'), // on two tasks
      r('deduction', 'C', null), r('deduction', 'D', null), // unparseable: no answer
      r('abduction', 'A', '"x"'),
    ]);
    expect(habits.get('deduction')).toBe('1');
    expect(habits.has('abduction')).toBe(false);
    expect(habits.has('induction')).toBe(false);
  });

  test('rewards.ignoreModalHits: a right answer that is the solver\'s habit (same answer on other tasks) does not count toward r̄', async () => {
    // This solver answers 42 to every deduction question: right for the doubling task on 21,
    // wrong for the identity task of the batch — a habit, not a reading of the program.
    class Habitual extends ScriptedPolicy {
      protected override respond(p: string): string {
        return p.startsWith(TOK.bos + TOK.ded + TOK.solve) ? `42${TOK.eos}` : super.respond(p);
      }
    }
    const rateOf = async (ignoreModalHits: boolean) => {
      const config = smoke({ rewards: { ignoreModalHits } });
      const { proposals } = await firstStep(config, new Habitual(config.inductionInputs));
      return proposals.find((p) => p.type === 'deduction' && p.status === 'valid')!.solveRate;
    };
    expect(await rateOf(false)).toBe(1);
    expect(await rateOf(true)).toBe(0);
  });

  test('rewards.solverNearCredit: a wrong answer earns the credit times its closeness to the right value', async () => {
    // The abduction solver answers "wrong" to the identity task on "Hello world": f gives
    // "wrong", some characters away from the output.
    const rewardsOf = async (solverNearCredit: number) => {
      const config = smoke({ rewards: { solverNearCredit } });
      const { rollouts } = await firstStep(config, new ScriptedPolicy(config.inductionInputs));
      return rollouts.filter((e) => e.purpose === 'solve' && e.type === 'abduction').map((e) => e.reward);
    };
    const closeness = textCloseness('"wrong"', '"Hello world"');
    expect(closeness).toBeGreaterThan(0);
    const plain = await rewardsOf(0);
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.every((r) => r === DEFAULT_REWARDS.solverWrong)).toBe(true);
    expect((await rewardsOf(0.5)).every((r) => Math.abs(r - (DEFAULT_REWARDS.solverWrong + 0.5 * closeness)) < 1e-12)).toBe(true);
  });

  test('fixed-set (propose: false): no proposer prompt, no seeding, the solver trains on the starting buffers only', async () => {
    // The smoke sizes, and a seed factor far above what the buffers hold (64 × 2 > 4 tasks):
    // without a proposer the buffers never grow, so the loop must not wait for them to.
    const config = resolvePreset('fixed-set', { ...PRESETS.smoke.config, seedFactor: 64 });
    expect(config).toMatchObject({ propose: false, trainProposer: false, batch: 2 });
    const policy = new ScriptedPolicy(config.inductionInputs);
    const buffers = new TaskBuffers();
    const fixed = [
      { program: DOUBLE, input: '3', output: '6' },
      { program: 'function f(s) { return s.length; }', input: '"abc"', output: '3' },
      { program: 'function f(a, b) { return a + b; }', input: '1, 2', output: '3' },
    ];
    for (const t of fixed) {
      buffers.add('deduction', t);
      buffers.add('abduction', t);
    }
    // The identity triplet is buffered too (TaskBuffers starts with it).
    const programs = new Set(buffers.toTasks().map((t) => t.program));
    expect(programs.size).toBe(fixed.length + 1);
    const before = { deduction: buffers.size('deduction'), abduction: buffers.size('abduction'), induction: buffers.size('induction') };
    const loop = new SelfPlay(config, policy, executor, { buffers });
    const proposals: ProposalEvent[] = [];
    const rollouts: RolloutEvent[] = [];
    loop.events.on('proposal', (e) => proposals.push(e));
    loop.events.on('rollout', (e) => rollouts.push(e));
    const reports: StepReport[] = [];
    for (let i = 0; i < 2; i++) reports.push(await loop.step());

    // Not one proposer prompt was sampled; every prompt is a solver prompt on a buffered task.
    const prompts = policy.prompts.flat();
    expect(prompts.length).toBeGreaterThan(0);
    expect(prompts.filter((p) => p.includes(TOK.prop))).toEqual([]);
    expect(prompts.every((p) => p.includes(TOK.solve))).toBe(true);
    expect(proposals).toEqual([]);
    expect(rollouts.every((e) => e.purpose === 'solve')).toBe(true);
    const taught = prompts.map((p) => /<prog>(.*?)<(in|out)>/s.exec(p)?.[1]);
    expect(taught.every((prog) => prog !== undefined && programs.has(prog))).toBe(true);
    for (const r of reports) {
      expect(r.seeding).toBe(false);
      expect(r.proposals.total).toBe(0);
      expect(r.buffers).toEqual(before);
      expect(r.solve.deduction).toMatchObject({ tasks: config.batch, samples: config.batch * config.groupSize });
      expect(r.solve.abduction).toMatchObject({ tasks: config.batch, samples: config.batch * config.groupSize });
    }
    // An update every step, from the first (nothing to seed), made of solver responses only.
    expect(policy.updates).toHaveLength(2);
    for (const [i, batch] of policy.updates.entries()) {
      const r = reports[i];
      expect(batch).toHaveLength(r.solve.deduction.samples + r.solve.abduction.samples + r.solve.induction.samples);
      expect(batch.every((it) => it.prompt.includes(TOK.solve) && !it.prompt.includes(TOK.prop))).toBe(true);
    }
  });

  test('a snapshot with another config is refused, and a damaged one names its field', async () => {
    const loop = new SelfPlay(smoke(), new ScriptedPolicy(4), executor);
    const state = loop.state();
    expect(() => new SelfPlay(smoke({ seed: 7 }), new ScriptedPolicy(4), executor, { state })).toThrow(SelfPlayError);
    expect(() => parseState({ ...state, step: -1 })).toThrow(/step must be an integer >= 0/);
    expect(() => parseState({ ...state, buffers: { ...state.buffers, deduction: [{ program: 1 }] } })).toThrow(StateError);
    expect(() => parseState({ ...state, configHash: 'x' })).toThrow(/does not match/);
  });
});

// ---- Part two: the real policy on the smoke preset --------------------------------------

/** A few tasks so the seeding phase is over and the update runs from the first step. */
function seededBuffers(): TaskBuffers {
  const b = new TaskBuffers();
  for (const type of ['deduction', 'abduction'] as const) {
    b.add(type, { program: DOUBLE, input: '3', output: '6' });
    b.add(type, { program: 'function f(s) { return s.length; }', input: '"abc"', output: '3' });
  }
  return b;
}

describe('a given answer (executorAnswers) in the real policy', () => {
  test("is the same update as that answer sampled with the current weights' log-probs: ratio 1, nothing clipped", async () => {
    const config = smoke({ seed: 3 });
    const prompt = solvePrompt({ type: 'deduction', task: { program: DOUBLE, input: '3', output: '6' } });
    const answer = formatAnswer('deduction', { output: '6' });
    const a = TransformerPolicy.create(config);
    const b = TransformerPolicy.create(config);
    try {
      const tokens = b.tokenizer.encode(answer);
      const p = b.tokenizer.encode(prompt);
      const [logprobs] = await responseLogprobs(b.model, [[...p, ...tokens]], [p.length]);
      const sa = await a.update([{ prompt, answer, advantage: 0.7 }]);
      const sb = await b.update([{ prompt, tokens, logprobs, advantage: 0.7 }]);
      expect(sa.tokens).toBe(tokens.length);
      expect(tokens.at(-1)).toBe(b.tokenizer.encode(TOK.eos)[0]);
      expect(sa.clipFrac).toBe(0);
      expect(Math.abs(sa.approxKl)).toBeLessThan(1e-6);
      expect(sa.loss).toBeCloseTo(sb.loss, 6);
      const wa = await a.weights();
      const wb = await b.weights();
      for (const [name, w] of wa) expect(Array.from(w), name).toEqual(Array.from(wb.get(name)!));
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('a policy with the js tokenizer', () => {
  test('runs a self-play step, and its checkpoint loads back for training and for sampling with the same tokenizer', async () => {
    const config = smoke({ seed: 4 });
    const tok = taskTokenizer('js');
    expect(tok).toBeInstanceOf(JsTokenizer);
    const policy = TransformerPolicy.create(config, tok);
    let files;
    try {
      const report = await new SelfPlay(config, policy, executor, { buffers: seededBuffers() }).step();
      expect(report.update.updated).toBe(true);
      files = await policy.save();
    } finally {
      policy.dispose();
    }
    const weights = await (async () => {
      const p = TransformerPolicy.fromCheckpoint(files, config);
      try {
        expect(p.tokenizer).toBeInstanceOf(JsTokenizer);
        expect(p.tokenizer.specials).toEqual(tok.specials);
        return await p.weights();
      } finally {
        p.dispose();
      }
    })();
    const sampler = TransformerPolicy.forInference(files);
    try {
      expect(sampler.tokenizer).toBeInstanceOf(JsTokenizer);
      for (const [name, w] of await sampler.weights()) expect(w, name).toEqual(weights.get(name));
      const prompt = solvePrompt({ type: 'deduction', task: { program: DOUBLE, input: '3', output: '6' } });
      expect(sampler.promptTokens(prompt)).toBeLessThan(taskTokenizer('char').encode(prompt).length);
      const [g] = await sampler.generate([prompt], { maxTokens: 8, temperature: 1, topP: 1, seed: 1 });
      expect(g.tokens.length).toBeGreaterThan(0);
      expect(g.text.replace(TOK.eos, '')).toBe(sampler.tokenizer.decode(g.tokens.filter((t) => t !== sampler.tokenizer.id(TOK.eos))));
    } finally {
      sampler.dispose();
    }
  });
});

/** Every number anywhere in `value`, with its path. */
function numbers(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, path ? `${path}.${k}` : k));
  return [];
}

/** A report without the fields that measure time (those differ between any two runs). */
function withoutTimes(r: StepReport): unknown {
  const { t: _t, wallMs: _w, time: _time, sampledTokensPerSec: _s, trainedTokensPerSec: _tr, ...rest } = r;
  return rest;
}

describe('smoke preset, real tfjs policy (wasm) and real QuickJS', () => {
  test('three steps: every metric present and finite, and no tensor leaks', async () => {
    const config = smoke();
    const policy = TransformerPolicy.create(config);
    const loop = new SelfPlay(config, policy, executor, { buffers: seededBuffers() });
    const reports: StepReport[] = [];
    const tensors: number[] = [];
    for (let i = 0; i < 3; i++) {
      reports.push(await loop.step());
      tensors.push(tf.memory().numTensors);
    }
    expect(reports.map((r) => r.step)).toEqual([1, 2, 3]);
    for (const r of reports) {
      expect(Object.keys(r.roles).sort()).toEqual([...CONFIG_KEYS].sort());
      for (const [path, x] of numbers(r)) expect(Number.isFinite(x), `${path} = ${x}`).toBe(true);
      expect(r.update.updated).toBe(true);
      expect(r.update.tokens).toBeGreaterThan(0);
      expect(r.update.gradNorm).toBeGreaterThan(0);
      expect(r.update.entropy).toBeGreaterThan(0);
      expect(r.sampledTokens).toBeGreaterThan(0);
      expect(r.proposals.total).toBe(config.batch * config.taskTypes.length);
      expect(r.solve.deduction.samples).toBe(config.batch * config.groupSize);
      expect(r.time.proposeMs + r.time.validateMs + r.time.solveMs + r.time.updateMs).toBeLessThanOrEqual(r.wallMs + 1);
      expect(r.configHash).toBe(loop.configHash);
    }
    expect(reports[2].t).toBeGreaterThan(reports[0].t);
    // The loop's tensors are freed every step: the count settles after the first.
    expect(tensors[2]).toBe(tensors[1]);
    policy.dispose();
  });

  test('2 steps + snapshot + resume + 2 steps equals 4 straight steps (metrics and weights)', async () => {
    const config = smoke({ seed: 5 });

    const straightPolicy = TransformerPolicy.create(config);
    const straight = new SelfPlay(config, straightPolicy, executor, { buffers: seededBuffers() });
    const a: StepReport[] = [];
    for (let i = 0; i < 4; i++) a.push(await straight.step());
    const straightWeights = await straightPolicy.weights();
    straightPolicy.dispose();

    const firstPolicy = TransformerPolicy.create(config);
    const first = new SelfPlay(config, firstPolicy, executor, { buffers: seededBuffers() });
    const b: StepReport[] = [await first.step(), await first.step()];
    // What a save writes: checkpoint files (weights + optimizer) and the JSON snapshot.
    const files = await firstPolicy.save();
    const state = JSON.parse(JSON.stringify(first.state()));
    firstPolicy.dispose();

    const resumedPolicy = TransformerPolicy.fromCheckpoint(files, config);
    const resumed = new SelfPlay(config, resumedPolicy, executor, { state: parseState(state) });
    expect(resumed.stepsDone).toBe(2);
    b.push(await resumed.step(), await resumed.step());
    const resumedWeights = await resumedPolicy.weights();
    resumedPolicy.dispose();

    expect(b.map(withoutTimes)).toEqual(a.map(withoutTimes));
    expect([...resumedWeights.keys()]).toEqual([...straightWeights.keys()]);
    for (const [name, w] of straightWeights) expect(resumedWeights.get(name), name).toEqual(w);
    // The update did move the weights (else equality above would prove little).
    expect(a.every((r) => r.update.updated && r.update.gradNorm > 0)).toBe(true);
  });
});
