// Accuracy per type and tier on a task file, with a scripted policy (answers chosen by
// prompt) and the real QuickJS sandbox, so every count can be checked exactly.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createExecutor, type SandboxPool } from '../../../src/sandbox/index.ts';
import { evaluate, formatEval, EvaluateError } from '../../../src/eval/evaluate.ts';
import { TOK } from '../../../src/core/tasks.ts';
import type { Task } from '../../../src/core/taskfile.ts';
import type { Generation, GenerateOptions, Policy, UpdateItem, UpdateStats } from '../../../src/selfplay/policy.ts';

let executor: SandboxPool;
beforeAll(async () => {
  executor = await createExecutor({ size: 1 });
});
afterAll(async () => {
  await executor?.dispose();
});

const ADD = 'function f(a, b) { return a + b; }';
const NEG = 'function f(x) { return -x; }';

/**
 * Deduction: the right output for ADD, a wrong one for NEG. Abduction: an input that
 * works (for ADD "0, <output>", for NEG "-<output>"). Induction: writes the task's own
 * program for ADD (right), garbage without <eos> for the rest.
 */
class Scripted implements Policy {
  calls: GenerateOptions[] = [];
  promptTokens(p: string): number {
    return p.length;
  }
  async generate(prompts: string[], opts: GenerateOptions): Promise<Generation[]> {
    this.calls.push(opts);
    return prompts.map((p) => {
      let text = 'function f(';
      if (p.includes(TOK.ded + TOK.solve)) {
        const [, prog, input] = /<prog>(.*)<in>(.*)<ans>$/s.exec(p)!;
        text = (prog === ADD ? String(input.split(',').map(Number).reduce((a, b) => a + b, 0)) : '12345') + TOK.eos;
      } else if (p.includes(TOK.abd + TOK.solve)) {
        const [, prog, out] = /<prog>(.*)<out>(.*)<ans>$/s.exec(p)!;
        text = (prog === ADD ? `0, ${out}` : `-(${out})`) + TOK.eos;
      } else if (p.includes(TOK.ind + TOK.solve) && p.includes('<msg>add')) {
        text = ADD + TOK.eos;
      }
      return { text, tokens: [...text].map(() => 0), logprobs: [...text].map(() => -1) };
    });
  }
  async update(_items: UpdateItem[]): Promise<UpdateStats> {
    throw new Error('not used');
  }
}

const TASKS: Task[] = [
  { id: 'add', program: ADD, input: '1, 2', output: '3', tier: 1, message: 'add', examples: [{ input: '2, 2', output: '4' }, { input: '5, 1', output: '6' }, { input: '0, 0', output: '0' }] },
  { id: 'neg', program: NEG, input: '4', output: '-4', tier: 2, examples: [{ input: '1', output: '-1' }] },
  { id: 'plain', program: NEG, input: '7', output: '-7' },
  // A character the model cannot be shown: skipped where the field is in the prompt.
  { id: 'accent', program: 'function f(s) { return s + "é"; }', input: '"a"', output: '"aé"' },
];

describe('evaluate', () => {
  test('accuracy per type and per tier, greedy by default, unpromptable tasks listed as skipped', async () => {
    const policy = new Scripted();
    const r = await evaluate(policy, executor, TASKS, { maxTokens: 32, maxPromptTokens: 500 });
    expect(policy.calls.every((c) => c.temperature === 0)).toBe(true);
    expect(r.samples).toBe(1);
    expect(r.n).toEqual({ deduction: 3, abduction: 3, induction: 2 });
    // Deduction: only ADD right (1/3). Abduction: "-(-4)" for NEG is not a literal → wrong, ADD right (1/3).
    expect(r.accuracy.deduction).toBeCloseTo(1 / 3);
    expect(r.accuracy.abduction).toBeCloseTo(1 / 3);
    expect(r.accuracy.induction).toBeCloseTo(1 / 2);
    expect(r.byTier).toEqual({
      '1': { n: { deduction: 1, abduction: 1, induction: 1 }, accuracy: { deduction: 1, abduction: 1, induction: 1 } },
      '2': { n: { deduction: 1, abduction: 1, induction: 1 }, accuracy: { deduction: 0, abduction: 0, induction: 0 } },
    });
    expect(r.skipped.map((s) => [s.id, s.type])).toEqual([['accent', 'deduction'], ['accent', 'abduction']]);
    expect(r.skipped[0].reason).toMatch(/U\+00E9/);
    // Answer variety: deduction said "3" once and "12345" for both NEG tasks.
    expect(r.answers!.deduction).toEqual({ distinct: 2, top: '12345', topShare: 2 / 3 });
    // Induction: ADD's program once, one unreadable garble: two answers, neither more common.
    expect(r.answers!.induction.distinct).toBe(2);
    expect(formatEval(r)).toMatch(/answers: deduction 2 distinct \(most common "12345", 67%\)/);
  });

  test('k samples per task: the mean over samples; no task of a type gives null, not 0', async () => {
    const policy = new Scripted();
    const r = await evaluate(policy, executor, [TASKS[0]], { maxTokens: 32, maxPromptTokens: 500, samples: 3, temperature: 0.7 });
    expect(policy.calls.every((c) => c.temperature === 0.7)).toBe(true);
    expect(r.n).toEqual({ deduction: 1, abduction: 1, induction: 1 });
    expect(r.accuracy).toEqual({ deduction: 1, abduction: 1, induction: 1 });
    const none = await evaluate(policy, executor, [TASKS[2]], { maxTokens: 32, maxPromptTokens: 500 });
    expect(none.accuracy.induction).toBeNull();
    expect(none.byTier).toEqual({});
    await expect(evaluate(policy, executor, TASKS, { maxTokens: 32, maxPromptTokens: 500, samples: 0 })).rejects.toThrow(EvaluateError);
  });

  test('pass@k: the share of questions with a right answer among their k samples, beside the mean', async () => {
    // Right only on the first of each question's 4 consecutive samples (ADD); never on NEG.
    class OneInFour extends Scripted {
      override async generate(prompts: string[], opts: GenerateOptions): Promise<Generation[]> {
        const gens = await super.generate(prompts, opts);
        return gens.map((g, i) => (i % 4 === 0 ? g : { ...g, text: '99' + TOK.eos }));
      }
    }
    const r = await evaluate(new OneInFour(), executor, [TASKS[0], TASKS[1]], { maxTokens: 32, maxPromptTokens: 500, samples: 4 });
    expect(r.accuracy.deduction).toBeCloseTo(1 / 8);
    expect(r.passAtK!.k).toBe(4);
    expect(r.passAtK!.accuracy.deduction).toBeCloseTo(1 / 2);
    expect(r.passAtK!.byTier['1'].deduction).toBe(1);
    expect(r.passAtK!.byTier['2'].deduction).toBe(0);
    expect(formatEval(r)).toMatch(/pass@4 \(a right answer among 4 samples\): deduction 50\.0%/);
    // Greedy evaluations carry no pass@k.
    expect((await evaluate(new Scripted(), executor, [TASKS[0]], { maxTokens: 32, maxPromptTokens: 500 })).passAtK).toBeUndefined();
  });

  test('prompts over the budget are skipped with a reason', async () => {
    const r = await evaluate(new Scripted(), executor, [TASKS[0]], { maxTokens: 32, maxPromptTokens: 40 });
    expect(r.n.deduction + r.n.abduction + r.n.induction).toBeLessThan(3);
    expect(r.skipped.some((s) => /longer than the policy can take/.test(s.reason))).toBe(true);
  });
});
