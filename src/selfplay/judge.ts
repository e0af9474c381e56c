// Solving and judging one task, the same way in self-play and in evaluation: the prompt a
// solver sees, how its response is read, and the executor job that decides whether the
// answer is right.
//
//   deduction  answer o'   correct when canonical(o') == canonical(f(i)): f runs on i again
//                          with o' as the expected output, so the executor compares
//                          canonical forms (and rejects an o' that is not a plain literal)
//   abduction  answer i'   correct when canonical(f(i')) == canonical(o)
//   induction  answer p'   correct when p' maps every held-out input to its output
//
// A response the parser cannot read is 'unparseable'; a readable answer that the executor
// rejects for any reason (mismatch, throws, not a literal, times out) is 'wrong': the
// rewards tell format failures from wrong answers (core/rewards.ts). A wrong answer also
// records whether it was the right kind of value (number, string, array…), for the reward
// variant that gives that partial credit:
//   deduction  the answer literal is of the kind f(i) is
//   abduction  f(i') is of the kind o is
//   induction  p' ran on every held-out input and each output is of the expected kind
// and how close its value came (`closeness`, in [0, 1)), for the variant that pays for that:
// 1 − edit distance / longer length between canonical texts — deduction: o' and f(i);
// abduction: f(i') and o; induction: the mean over held-out pairs (0 where p' gave nothing).
import { buildPrompt, parseAnswer, type InductionTask, type Triplet } from '../core/tasks.ts';
import type { SolverOutcome } from '../core/rewards.ts';
import { canonicalKind, canonicalOfLiteral, type ValueKind } from '../core/values.ts';
import type { ExecJob, ExecLimits, ExecResult, Executor, Verdict } from '../sandbox/types.ts';

export type SolveTask =
  | { type: 'deduction' | 'abduction'; task: Triplet }
  | { type: 'induction'; task: InductionTask };

export interface Judgement {
  outcome: SolverOutcome;
  /** The executor's verdict on the answer, or 'unparseable'. */
  verdict: Verdict | 'unparseable';
  /** Empty when correct; otherwise why not. */
  reason: string;
  /** The answer as parsed (output, input or program text), or null when unparseable. */
  answer: string | null;
  /** A wrong answer of the right kind of value (see the header); false otherwise. */
  rightKind: boolean;
  /** How near a wrong answer's value came to the right one, in [0, 1) (see the header); 0 otherwise,
   *  and 0 unless judgeAll was asked for it. */
  closeness: number;
}

export function solvePrompt(t: SolveTask): string {
  return t.type === 'induction' ? buildPrompt({ type: 'induction', role: 'solve', task: t.task }) : buildPrompt({ type: t.type, role: 'solve', task: t.task });
}

/** The parsed answer of a response, or why it cannot be read. */
export function readAnswer(t: SolveTask, text: string): { ok: true; answer: string } | { ok: false; reason: string } {
  if (t.type === 'deduction') {
    const p = parseAnswer('deduction', text);
    return p.ok ? { ok: true, answer: p.value.output } : p;
  }
  if (t.type === 'abduction') {
    const p = parseAnswer('abduction', text);
    return p.ok ? { ok: true, answer: p.value.input } : p;
  }
  const p = parseAnswer('induction', text);
  return p.ok ? { ok: true, answer: p.value.program } : p;
}

/** The executor job that checks `answer` for task `t` (see the header). */
export function judgeJob(t: SolveTask, answer: string, limits: Partial<ExecLimits>): ExecJob {
  // One run per input: determinism was established when the task was validated, and an
  // answer that is only sometimes right is still judged on what it gives now.
  if (t.type === 'induction') return { program: answer, inputs: t.task.heldOut.map((p) => p.input), expected: t.task.heldOut.map((p) => p.output), determinismRuns: 1, limits };
  if (t.type === 'deduction') return { program: t.task.program, inputs: [t.task.input], expected: [answer], determinismRuns: 1, limits };
  return { program: t.task.program, inputs: [answer], expected: [t.task.output], determinismRuns: 1, limits };
}

/** The canonical form of a literal, or null when the checker cannot read it. */
function canonicalOrNull(src: string): string | null {
  try {
    return canonicalOfLiteral(src);
  } catch {
    return null;
  }
}

/** The kind of a literal's value, or null when it is not a literal the checker reads. */
function literalKind(src: string): ValueKind | null {
  const c = canonicalOrNull(src);
  return c === null ? null : canonicalKind(c);
}

/** Whether a wrong answer was the right kind of value (see the header). */
function rightKindOf(t: SolveTask, answer: string, result: ExecResult): boolean {
  if (t.type === 'induction') {
    return (
      result.results.length === t.task.heldOut.length &&
      result.results.every((r, k) => r.output !== undefined && canonicalKind(r.output) === literalKind(t.task.heldOut[k].output))
    );
  }
  const out = result.results[0]?.output;
  if (out === undefined) return false;
  return canonicalKind(out) === literalKind(t.type === 'deduction' ? answer : t.task.output);
}

/** Characters compared at most: enough for a shaping signal, and the cost stays quadratic in a constant. */
const CLOSENESS_CHARS = 256;

/**
 * 1 − Levenshtein distance / the longer length, over the first CLOSENESS_CHARS characters of
 * each text: 1 for equal texts, 0 for texts with nothing in common (or one of them empty).
 */
export function textCloseness(a: string, b: string): number {
  const x = a.slice(0, CLOSENESS_CHARS);
  const y = b.slice(0, CLOSENESS_CHARS);
  if (x === y) return 1;
  if (x.length === 0 || y.length === 0) return 0;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1)));
    prev = row;
  }
  return 1 - prev[y.length] / Math.max(x.length, y.length);
}

/**
 * How close a wrong answer came (see the header). Below 1 even when the texts agree after
 * truncation, so a wrong answer never earns the full credit of a right one.
 */
function closenessOf(t: SolveTask, answer: string, result: ExecResult): number {
  const near = (got: string | undefined, want: string | null) => (got === undefined || want === null ? 0 : textCloseness(got, want));
  let c: number;
  if (t.type === 'induction') {
    const held = t.task.heldOut;
    c = held.reduce((sum, p, k) => sum + near(result.results[k]?.output, canonicalOrNull(p.output)), 0) / held.length;
  } else if (t.type === 'deduction') {
    c = near(result.results[0]?.output, canonicalOrNull(answer));
  } else {
    c = near(result.results[0]?.output, canonicalOrNull(t.task.output));
  }
  return Math.min(c, 0.99);
}

function fromResult(t: SolveTask, result: ExecResult, answer: string, closeness: boolean): Judgement {
  if (result.verdict === 'ok') return { outcome: 'correct', verdict: 'ok', reason: '', answer, rightKind: false, closeness: 0 };
  return { outcome: 'wrong', verdict: result.verdict, reason: result.reason, answer, rightKind: rightKindOf(t, answer, result), closeness: closeness ? closenessOf(t, answer, result) : 0 };
}

/**
 * Judges every (task, response) pair with one executor call. `closeness` (an edit distance per
 * wrong answer) is measured only when asked: only the reward variant that pays for it needs it.
 */
export async function judgeAll(executor: Executor, items: readonly { task: SolveTask; text: string }[], limits: Partial<ExecLimits>, opts: { closeness?: boolean } = {}): Promise<Judgement[]> {
  const out = new Array<Judgement>(items.length);
  const jobs: ExecJob[] = [];
  const where: number[] = [];
  const answers: string[] = [];
  items.forEach((it, i) => {
    const read = readAnswer(it.task, it.text);
    if (!read.ok) {
      out[i] = { outcome: 'unparseable', verdict: 'unparseable', reason: read.reason, answer: null, rightKind: false, closeness: 0 };
      return;
    }
    jobs.push(judgeJob(it.task, read.answer, limits));
    where.push(i);
    answers.push(read.answer);
  });
  const results = jobs.length > 0 ? await executor.run(jobs) : [];
  results.forEach((r, k) => {
    out[where[k]] = fromResult(items[where[k]].task, r, answers[k], opts.closeness ?? false);
  });
  return out;
}
