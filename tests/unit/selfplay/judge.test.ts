// Judging answers with the real QuickJS executor: correct / wrong / unparseable, and
// whether a wrong answer was at least the right kind of value (the partial-credit reward).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAnswer, makeInductionTask } from '../../../src/core/tasks.ts';
import { InlineExecutor } from '../../../src/sandbox/inline.ts';
import { judgeAll, textCloseness, type SolveTask } from '../../../src/selfplay/judge.ts';

let executor: InlineExecutor;
beforeAll(async () => {
  executor = await InlineExecutor.create();
});
afterAll(async () => {
  await executor.dispose();
});

const ded = (program: string, input: string, output: string): SolveTask => ({ type: 'deduction', task: { program, input, output } });
const abd = (program: string, input: string, output: string): SolveTask => ({ type: 'abduction', task: { program, input, output } });
const answer = (t: SolveTask, value: string): string =>
  t.type === 'deduction' ? formatAnswer('deduction', { output: value }) : t.type === 'abduction' ? formatAnswer('abduction', { input: value }) : formatAnswer('induction', { program: value });

async function judge(t: SolveTask, value: string) {
  const [j] = await judgeAll(executor, [{ task: t, text: answer(t, value) }], { timeoutMs: 1000 }, { closeness: true });
  return j;
}

describe('judge: right kind of a wrong answer', () => {
  it('deduction: the answer literal against the kind f(i) is', async () => {
    const t = ded('const f = (s) => s.length > 3;', '"hello"', 'true');
    expect(await judge(t, 'true')).toMatchObject({ outcome: 'correct', rightKind: false });
    expect(await judge(t, 'false')).toMatchObject({ outcome: 'wrong', rightKind: true });
    expect(await judge(t, '0')).toMatchObject({ outcome: 'wrong', rightKind: false });
    expect(await judge(t, '"true"')).toMatchObject({ outcome: 'wrong', rightKind: false });
    const u = ded('function f(s) { return s.toUpperCase(); }', '"ab"', '"AB"');
    expect(await judge(u, '"ab"')).toMatchObject({ outcome: 'wrong', rightKind: true });
    expect(await judge(u, '["AB"]')).toMatchObject({ outcome: 'wrong', rightKind: false });
  });

  it('abduction: what f makes of the answer against the kind of the output', async () => {
    const t = abd('const f = (n) => n * 2;', '3', '6');
    expect(await judge(t, '3')).toMatchObject({ outcome: 'correct' });
    expect(await judge(t, '4')).toMatchObject({ outcome: 'wrong', rightKind: true });
    // "4" * 2 is the number 8: the right kind, though the input was a string.
    expect(await judge(t, '"4"')).toMatchObject({ outcome: 'wrong', rightKind: true });
    // [1, 2] * 2 is NaN, a number too; {} * 2 as well. A throw is never the right kind.
    const s = abd('const f = (s) => s.toUpperCase();', '"a"', '"A"');
    expect(await judge(s, '"b"')).toMatchObject({ outcome: 'wrong', rightKind: true });
    expect(await judge(s, '5')).toMatchObject({ outcome: 'wrong', verdict: 'error', rightKind: false });
  });

  it('induction: every held-out output of the right kind', async () => {
    const pairs = [
      { input: '1', output: '2' },
      { input: '2', output: '4' },
      { input: '3', output: '6' },
      { input: '4', output: '8' },
    ];
    const t: SolveTask = { type: 'induction', task: makeInductionTask('const f = (n) => n * 2;', 'double', pairs) };
    expect(await judge(t, 'const f = (n) => n + n;')).toMatchObject({ outcome: 'correct' });
    expect(await judge(t, 'const f = (n) => n + 1;')).toMatchObject({ outcome: 'wrong', rightKind: true });
    expect(await judge(t, 'const f = (n) => n > 3 ? n * 2 : "x";')).toMatchObject({ outcome: 'wrong', rightKind: false });
    expect(await judge(t, 'const f = (n) => String(n);')).toMatchObject({ outcome: 'wrong', rightKind: false });
  });

  it('an unparseable response is never the right kind', async () => {
    const t = ded('const f = (n) => n;', '1', '1');
    const [j] = await judgeAll(executor, [{ task: t, text: 'no eos here' }], { timeoutMs: 1000 });
    expect(j).toMatchObject({ outcome: 'unparseable', rightKind: false });
  });
});

describe('judge: closeness of a wrong answer', () => {
  it('textCloseness is 1 − edit distance / the longer length', () => {
    expect(textCloseness('abc', 'abc')).toBe(1);
    expect(textCloseness('[4,1,3]', '[4,1,3,0]')).toBeCloseTo(1 - 2 / 9, 12);
    expect(textCloseness('kitten', 'sitting')).toBeCloseTo(1 - 3 / 7, 12);
    expect(textCloseness('', 'x')).toBe(0);
    expect(textCloseness('ab', 'cd')).toBe(0);
    // Long values are compared on their first 256 characters.
    expect(textCloseness('a'.repeat(300) + 'x', 'a'.repeat(300) + 'y')).toBe(1);
  });

  it('deduction: the answer against f(i); never 1 for a wrong answer', async () => {
    const t = ded('const f = (s) => s.toUpperCase();', '"banana"', '"BANANA"');
    const near = await judge(t, '"BANANB"');
    expect(near).toMatchObject({ outcome: 'wrong' });
    expect(near.closeness).toBeCloseTo(1 - 1 / 8, 12);
    expect((await judge(t, '12')).closeness).toBe(0);
    expect(await judge(t, '"BANANA"')).toMatchObject({ outcome: 'correct', closeness: 0 });
    // Canonical forms are compared, so spacing does not count against an answer.
    const a = ded('const f = (xs) => xs.concat([0]);', '[4,1,3]', '[4,1,3,0]');
    expect((await judge(a, '[4, 1, 3]')).closeness).toBeCloseTo(1 - 2 / 9, 12);
    // A value that is wrong only past the compared prefix still pays less than a right one.
    const long = ded('const f = (n) => "a".repeat(n) + "x";', '300', '""');
    expect((await judge(long, JSON.stringify('a'.repeat(300) + 'y'))).closeness).toBeLessThan(1);
  });

  it('abduction: f(answer) against the output; 0 when f throws', async () => {
    const t = abd('const f = (n) => n * 2;', '50', '100');
    expect((await judge(t, '5')).closeness).toBeCloseTo(1 - 1 / 3, 12);
    const s = abd('const f = (s) => s.toUpperCase();', '"a"', '"A"');
    expect(await judge(s, '5')).toMatchObject({ verdict: 'error', closeness: 0 });
  });

  it('induction: the mean over held-out pairs', async () => {
    const pairs = [1, 2, 3, 4].map((n) => ({ input: String(n), output: String(n * 11) }));
    const t: SolveTask = { type: 'induction', task: makeInductionTask('const f = (n) => n * 11;', '', pairs) };
    // Held out: 3 → 33 and 4 → 44. n * 10 gives 30 and 40: one character of two off in each.
    expect((await judge(t, 'const f = (n) => n * 10;')).closeness).toBeCloseTo(0.5, 12);
    expect((await judge(t, 'const f = (n) => { throw 1; };')).closeness).toBe(0);
  });
});
