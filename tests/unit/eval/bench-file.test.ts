// The built-in benchmark (public/bench/azr-bench.jsonl) and the fixed-set baseline's tasks
// (data/fixed-tasks.jsonl): hand-written programs whose outputs the real executor confirms.
// Every line serves deduction, abduction and induction, so it needs ≥ 9 extra examples
// (10 pairs: 5 shown, 5 held out, as self-play splits them).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTaskFile, type Task } from '../../../src/core/taskfile.ts';
import { promptFieldProblem } from '../../../src/core/tasks.ts';
import { sampleCorpus } from '../../../src/core/corpus.ts';
import { checkTasks } from '../../../src/eval/check.ts';
import { classifyLevel } from '../../../src/core/levels.ts';
import { createExecutor } from '../../../src/sandbox/index.ts';

const read = (rel: string) => readFileSync(fileURLToPath(new URL(`../../../${rel}`, import.meta.url)), 'utf8');
const BENCH = parseTaskFile(read('public/bench/azr-bench.jsonl'));
const FIXED = parseTaskFile(read('data/fixed-tasks.jsonl'));

/** Programs compared without their whitespace: reformatting a program does not make it new. */
const norm = (p: string) => p.replace(/\s+/g, '');

function checkForm(name: string, tasks: Task[], perTier: number, tierList: number[]) {
  describe(`${name}: form`, () => {
    it(`has tiers ${tierList.join(', ')} with at least ${perTier} programs each`, () => {
      const tiers = new Map<number | undefined, number>();
      for (const t of tasks) tiers.set(t.tier, (tiers.get(t.tier) ?? 0) + 1);
      expect([...tiers.keys()].sort()).toEqual(tierList);
      for (const tier of tierList) expect(tiers.get(tier), `tier ${tier}`).toBeGreaterThanOrEqual(perTier);
    });

    it('has unique ids and no program twice', () => {
      expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
      expect(new Set(tasks.map((t) => norm(t.program))).size).toBe(tasks.length);
    });

    it('gives every task 10 distinct inputs (≥ 9 examples) for the induction split', () => {
      for (const t of tasks) {
        expect(t.examples?.length ?? 0, t.id).toBeGreaterThanOrEqual(9);
        const inputs = [t.input, ...t.examples!.map((e) => e.input)];
        expect(new Set(inputs).size, `${t.id} repeats an input`).toBe(inputs.length);
      }
    });

    it('writes every field in the model\'s alphabet, programs short', () => {
      for (const t of tasks) {
        for (const text of [t.program, t.input, t.output, ...t.examples!.flatMap((e) => [e.input, e.output])]) {
          expect(promptFieldProblem(text), `${t.id}: ${text}`).toBeNull();
        }
        expect(t.program.length, t.id).toBeLessThanOrEqual(260);
      }
    });
  });
}

checkForm('benchmark', BENCH, 60, [0, 1, 2, 3]);
checkForm('fixed set', FIXED, 30, [1, 2, 3]);

describe('benchmark tier 0', () => {
  it('holds only L0 programs (one operation on one argument), by the level classifier', () => {
    const zero = BENCH.filter((t) => t.tier === 0);
    expect(zero.filter((t) => classifyLevel(t.program) !== 0).map((t) => t.program)).toEqual([]);
  });
});

describe('benchmark and fixed set together', () => {
  it('the fixed set holds at least 90 programs', () => {
    expect(FIXED.length).toBeGreaterThanOrEqual(90);
  });

  it('share no program (after whitespace normalisation) and no id', () => {
    const bench = new Set(BENCH.map((t) => norm(t.program)));
    const common = FIXED.filter((t) => bench.has(norm(t.program))).map((t) => t.id);
    expect(common).toEqual([]);
    const ids = new Set(BENCH.map((t) => t.id));
    expect(FIXED.filter((t) => ids.has(t.id))).toEqual([]);
  });

  it('neither appears in the pretraining corpus stream the base model was trained on', () => {
    // The shipped base was trained on the stream of seed 1 (public/checkpoints/base/MODEL_CARD.md);
    // 10,000 examples is more than it saw. A benchmark program found there would have been
    // trained on.
    const text = sampleCorpus(1, 10_000).map((e) => norm(e.prompt + e.response)).join('\n');
    const found = [...BENCH, ...FIXED].filter((t) => text.includes(norm(t.program))).map((t) => t.id);
    expect(found).toEqual([]);
  }, 60_000);
});

describe('every line holds in the real executor', () => {
  const executor = createExecutor();
  afterAll(async () => (await executor).dispose());

  for (const [name, tasks] of [['benchmark', BENCH], ['fixed set', FIXED]] as const) {
    it(`${name}: every program gives its output on the input and on every example`, async () => {
      const summary = await checkTasks(tasks, await executor, { limits: { timeoutMs: 2000 } });
      const failing = summary.tasks.filter((c) => c.verdict !== 'ok').map((c) => `${c.id}: ${c.verdict} ${c.reason}`);
      expect(failing).toEqual([]);
      expect(summary.tasks.length).toBe(tasks.length);
    }, 120_000);
  }
});
