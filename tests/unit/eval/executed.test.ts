// Solve examples with executed answers: right answers (checked again in the real sandbox), of
// the levels asked for — and the base model's rule that it never sees one above L0.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyLevel, intermediateSteps } from '../../../src/core/levels.ts';
import { Rng } from '../../../src/core/rng.ts';
import { TOK } from '../../../src/core/tasks.ts';
import { finalLine, makeExecutedExamples } from '../../../src/eval/executed.ts';
import { parseCheckpoint } from '../../../src/model/checkpoint.ts';
import { loadCheckpointDir } from '../../../src/model/checkpoint-node.ts';
import { createExecutor } from '../../../src/sandbox/index.ts';
import { judgeAll } from '../../../src/selfplay/judge.ts';
import { azr, ROOT } from '../../support/cli.ts';

const executor = await createExecutor({ size: 1 });
afterAll(() => executor.dispose());

describe('executed examples', () => {
  it('are of the levels asked for, and their answers are right by the judge', async () => {
    const rng = new Rng('executed-test');
    const examples = await makeExecutedExamples(rng, executor, 60, { levels: [0], types: ['deduction', 'abduction', 'induction'], timeoutMs: 1000 });
    expect(examples.length).toBeGreaterThan(40);
    expect(new Set(examples.map((e) => e.type))).toEqual(new Set(['deduction', 'abduction', 'induction']));
    for (const e of examples) {
      expect(e.level).toBe(0);
      expect(classifyLevel(e.program), e.program).toBe(0);
      expect(e.response.endsWith(TOK.eos)).toBe(true);
    }
    // Judge each response as self-play would judge a solver's answer to this prompt.
    const tasks = examples.map((e) => {
      const prompt = e.prompt;
      if (e.type === 'induction') {
        return null;
      }
      const prog = /<prog>(.*)<(?:in|out)>/s.exec(prompt)![1];
      const field = /<(?:in|out)>(.*)<ans>$/s.exec(prompt)![1];
      const answer = e.response.slice(0, -TOK.eos.length);
      return e.type === 'deduction'
        ? { task: { type: 'deduction' as const, task: { program: prog, input: field, output: answer } }, text: e.response }
        : { task: { type: 'abduction' as const, task: { program: prog, input: answer, output: field } }, text: e.response };
    }).filter((t) => t !== null);
    const judged = await judgeAll(executor, tasks, { timeoutMs: 1000 });
    expect(judged.filter((j) => j.outcome !== 'correct')).toEqual([]);
  });

  it('induction rows carry the pairs asked for, half of them shown (the sequence-length lever)', async () => {
    const shown = async (inductionPairs?: number[]) => {
      const ex = await makeExecutedExamples(new Rng('executed-pairs'), executor, 24, { levels: [0], types: ['induction'], timeoutMs: 1000, ...(inductionPairs ? { inductionPairs } : {}) });
      expect(ex.length).toBeGreaterThan(10);
      return new Set(ex.map((e) => e.prompt.split(TOK.in).length - 1));
    };
    // A program with few distinct inputs (a boolean argument) gets fewer pairs, never more.
    const most = (s: Set<number>) => Math.max(...s);
    expect(most(await shown([4]))).toBe(2);
    expect(most(await shown([4, 6]))).toBe(3);
    // Without the option, as the benchmark asks (5 shown).
    expect(most(await shown())).toBe(5);
  });

  it('worked deduction answers: the steps, each what the sandbox computes, then the plain answer', async () => {
    const opts = { levels: [1] as const, types: ['deduction'] as const, timeoutMs: 1000 };
    const plain = await makeExecutedExamples(new Rng('executed-worked'), executor, 40, opts);
    const worked = await makeExecutedExamples(new Rng('executed-worked'), executor, 40, { ...opts, answerFormat: 'worked' });
    expect(worked.map((e) => e.prompt)).toEqual(plain.map((e) => e.prompt));
    let withSteps = 0;
    for (const [k, e] of worked.entries()) {
      const text = e.response.slice(0, -TOK.eos.length);
      // The last line is exactly the plain answer; every other line is one step's value.
      expect(finalLine(text) + TOK.eos).toBe(plain[k].response);
      const lines = text.split('\n');
      if (lines.length === 1) continue;
      withSteps++;
      const input = /<in>(.*)<ans>$/s.exec(e.prompt)![1];
      const steps = intermediateSteps(e.program)!;
      expect(lines.length - 1).toBe(steps.steps.length);
      const run = await executor.run(steps.steps.map((s) => ({ program: `const f = (${steps.params}) => (${s});`, inputs: [input] })));
      expect(run.map((r) => r.results[0].output)).toEqual(lines.slice(0, -1));
    }
    expect(withSteps).toBeGreaterThan(5);
  });

  it('L1 examples are L1 programs (the yardstick may use any level)', async () => {
    const examples = await makeExecutedExamples(new Rng('executed-l1'), executor, 20, { levels: [1], types: ['deduction'], timeoutMs: 1000 });
    expect(examples.every((e) => e.level === 1 && classifyLevel(e.program) === 1)).toBe(true);
  });
});

describe("the base model's rule: no executed answer above L0", () => {
  it('azr pretrain refuses executed examples of any other level, by name', async () => {
    const r = await azr('pretrain', '--executed-levels', '0,1', '--steps', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--executed-levels may only be 0: a base model never sees an executed answer above L0/);
  }, 60_000);

  it('the shipped base says what it saw, and its card says the same', async () => {
    const dir = join(ROOT, 'public/checkpoints/base');
    const meta = parseCheckpoint((await loadCheckpointDir(dir)).files).config.meta as Record<string, any>;
    const card = readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8');
    // Every stage of its lineage: executed examples, where any, are of L0 only.
    const stages: Record<string, any>[] = [];
    for (let m: Record<string, any> | undefined = meta; m; m = m.init?.meta) stages.push(m);
    for (const s of stages) if (s.executed) expect(s.executed.levels).toEqual([0]);
    if (meta.executed) {
      expect(card).toMatch(/executed answers of L0 programs only/i);
      expect(card).toContain(`${meta.executed.examples.toLocaleString('en')} `);
    }
  });
});
