// Accuracy of a policy on a task file, per task type and per tier: the benchmark behind
// `azr eval` and the `--eval-every` checks of `azr train`.
//
// Every task is asked as deduction (given program and input, write the output) and as
// abduction (given program and output, write an input that gives it); a task with
// `examples` is also asked as induction, its pairs split into shown and held-out halves
// exactly as self-play splits a proposer's N inputs (core/tasks.ts makeInductionTask).
// Answers are judged by the executor the same way the solver's are in self-play
// (selfplay/judge.ts). Greedy decoding by default; with `samples` k > 1 each task is
// sampled k times at `temperature` and the accuracy is the mean over all samples.
import type { Task } from '../core/taskfile.ts';
import { makeInductionTask, promptFieldProblem, TASK_TYPES, type TaskType } from '../core/tasks.ts';
import type { ExecLimits, Executor } from '../sandbox/types.ts';
import type { Policy } from '../selfplay/policy.ts';
import { judgeAll, solvePrompt, type SolveTask } from '../selfplay/judge.ts';

export interface EvaluateOptions {
  /** Responses per task and type (default 1, greedy). */
  samples?: number;
  /** Sampling temperature when samples > 1 (default 1); samples = 1 is always greedy. */
  temperature?: number;
  /** Most response tokens. */
  maxTokens: number;
  /** Longest prompt; longer ones are skipped (and listed). */
  maxPromptTokens: number;
  seed?: number;
  limits?: Partial<ExecLimits>;
  /** Prompts per call to the policy, so progress can be reported between calls. */
  chunk?: number;
  /**
   * Called after every chunk. A promise it returns is awaited before the next chunk (a
   * worker yields there so it can hear a cancel); a throw ends the evaluation with it.
   */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

export interface TypeCounts {
  deduction: number;
  abduction: number;
  induction: number;
}

/** Accuracy per type; null where the file has no task of that type. */
export type Accuracy = Record<TaskType, number | null>;

export interface EvalResult {
  /** Tasks asked, per type. */
  n: TypeCounts;
  accuracy: Accuracy;
  /** The same per `tier` of the task file (tasks without one are only in the totals). */
  byTier: Record<string, { n: TypeCounts; accuracy: Accuracy }>;
  samples: number;
  /**
   * With samples k > 1: pass@k, the share of questions with at least one right answer among
   * their k samples, in total and per tier (what RL can amplify: a question the policy
   * never answers right gives it no signal). Absent for greedy evaluations.
   */
  passAtK?: { k: number; accuracy: Accuracy; byTier: Record<string, Accuracy> };
  /**
   * How varied the answers were, per type: distinct answers over all questions and the most
   * common one with its share. A policy that has collapsed onto one shortcut answer ("0" for
   * everything) shows it here long before accuracy says why it stopped moving. (Absent from
   * results saved before it was measured.)
   */
  answers?: Record<TaskType, { distinct: number; top: string | null; topShare: number }>;
  /** Tasks (or one type of a task) that could not be asked, and why. */
  skipped: { id: string; type: TaskType; reason: string }[];
}

export class EvaluateError extends Error {
  override name = 'EvaluateError';
}

interface Question {
  id: string;
  tier: number | undefined;
  task: SolveTask;
  prompt: string;
}

const zeros = (): TypeCounts => ({ deduction: 0, abduction: 0, induction: 0 });

/** The questions a task file asks, and the ones it cannot (a field the model cannot be shown, a prompt too long). */
export function questionsOf(tasks: readonly Task[], fits: (prompt: string) => boolean): { questions: Question[]; skipped: EvalResult['skipped'] } {
  const questions: Question[] = [];
  const skipped: EvalResult['skipped'] = [];
  for (const t of tasks) {
    const message = typeof t.message === 'string' ? t.message : '';
    const pairs = [{ input: t.input, output: t.output }, ...(t.examples ?? [])];
    const asks: SolveTask[] = [
      { type: 'deduction', task: { program: t.program, input: t.input, output: t.output } },
      { type: 'abduction', task: { program: t.program, input: t.input, output: t.output } },
    ];
    if (pairs.length >= 2) asks.push({ type: 'induction', task: makeInductionTask(t.program, message, pairs) });
    for (const task of asks) {
      // Only the fields the prompt of this type shows must be promptable.
      const shown =
        task.type === 'induction'
          ? [message, ...task.task.shown.flatMap((p) => [p.input, p.output])]
          : task.type === 'deduction'
            ? [t.program, t.input]
            : [t.program, t.output];
      const bad = shown.map(promptFieldProblem).find((x) => x !== null);
      if (bad) {
        skipped.push({ id: t.id, type: task.type, reason: `a field ${bad}` });
        continue;
      }
      const prompt = solvePrompt(task);
      if (!fits(prompt)) {
        skipped.push({ id: t.id, type: task.type, reason: 'the prompt is longer than the policy can take' });
        continue;
      }
      questions.push({ id: t.id, tier: t.tier, task, prompt });
    }
  }
  return { questions, skipped };
}

export async function evaluate(policy: Policy, executor: Executor, tasks: readonly Task[], opts: EvaluateOptions): Promise<EvalResult> {
  const samples = opts.samples ?? 1;
  if (!Number.isInteger(samples) || samples < 1) throw new EvaluateError(`samples must be an integer >= 1, got ${samples}`);
  const temperature = samples === 1 ? 0 : (opts.temperature ?? 1);
  const chunk = opts.chunk ?? 256;
  const { questions, skipped } = questionsOf(tasks, (p) => policy.promptTokens(p) <= opts.maxPromptTokens);

  const rows = questions.flatMap((q) => Array.from({ length: samples }, () => q));
  const correct: boolean[] = [];
  const given = new Map<TaskType, Map<string, number>>(TASK_TYPES.map((t) => [t, new Map()]));
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const gens = await policy.generate(
      part.map((q) => q.prompt),
      { maxTokens: opts.maxTokens, temperature, topP: 1, seed: ((opts.seed ?? 0) + start) >>> 0 },
    );
    const judged = await judgeAll(executor, part.map((q, i) => ({ task: q.task, text: gens[i].text })), opts.limits ?? {});
    judged.forEach((j, i) => {
      correct.push(j.outcome === 'correct');
      // An unreadable response counts by its raw text: two different garbles are two answers.
      const key = j.answer ?? `\u0000${gens[i].text}`;
      const counts = given.get(part[i].task.type)!;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    });
    await opts.onProgress?.(Math.min(start + chunk, rows.length), rows.length);
  }

  const total = { n: zeros(), right: zeros(), any: zeros() };
  const tiers = new Map<string, { n: TypeCounts; right: TypeCounts; any: TypeCounts }>();
  questions.forEach((q, qi) => {
    const hits = correct.slice(qi * samples, (qi + 1) * samples).filter(Boolean).length;
    const buckets = [total];
    if (q.tier !== undefined) {
      const key = String(q.tier);
      if (!tiers.has(key)) tiers.set(key, { n: zeros(), right: zeros(), any: zeros() });
      buckets.push(tiers.get(key)!);
    }
    for (const b of buckets) {
      b.n[q.task.type]++;
      b.right[q.task.type] += hits / samples;
      b.any[q.task.type] += hits > 0 ? 1 : 0;
    }
  });
  const accuracy = (b: { n: TypeCounts; right: TypeCounts }): Accuracy =>
    Object.fromEntries(TASK_TYPES.map((t) => [t, b.n[t] > 0 ? b.right[t] / b.n[t] : null])) as Accuracy;
  const byTier: EvalResult['byTier'] = {};
  for (const key of [...tiers.keys()].sort((a, b) => Number(a) - Number(b))) {
    const b = tiers.get(key)!;
    byTier[key] = { n: b.n, accuracy: accuracy(b) };
  }
  const answers = Object.fromEntries(
    TASK_TYPES.map((t) => {
      const counts = [...given.get(t)!.entries()].sort((a, b) => b[1] - a[1]);
      const all = counts.reduce((a, [, c]) => a + c, 0);
      const top = counts[0];
      return [t, { distinct: counts.length, top: top ? (top[0].startsWith('\u0000') ? null : top[0]) : null, topShare: top ? top[1] / all : 0 }];
    }),
  ) as EvalResult['answers'];
  const passAtK =
    samples > 1
      ? {
          k: samples,
          accuracy: accuracy({ n: total.n, right: total.any }),
          byTier: Object.fromEntries([...Object.keys(byTier)].map((key) => [key, accuracy({ n: tiers.get(key)!.n, right: tiers.get(key)!.any })])),
        }
      : undefined;
  return { n: total.n, accuracy: accuracy(total), byTier, samples, ...(passAtK ? { passAtK } : {}), answers, skipped };
}

/** One line per type: "deduction 12/40 (30.0%)". */
export function formatEval(r: EvalResult): string {
  const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
  const lines = TASK_TYPES.map((t) => `${t.padEnd(10)} n=${String(r.n[t]).padStart(4)}  accuracy ${pct(r.accuracy[t])}`);
  for (const [tier, b] of Object.entries(r.byTier)) lines.push(`tier ${tier}: ` + TASK_TYPES.map((t) => `${t} ${pct(b.accuracy[t])} (n=${b.n[t]})`).join(', '));
  if (r.passAtK) {
    const p = r.passAtK;
    lines.push(`pass@${p.k} (a right answer among ${p.k} samples): ` + TASK_TYPES.map((t) => `${t} ${pct(p.accuracy[t])}`).join(', '));
    for (const [tier, a] of Object.entries(p.byTier)) lines.push(`pass@${p.k} tier ${tier}: ` + TASK_TYPES.map((t) => `${t} ${pct(a[t])}`).join(', '));
  }
  const answers = r.answers;
  if (answers) {
    const show = (t: TaskType) => {
      const a = answers[t];
      if (r.n[t] === 0) return `${t} —`;
      const top = a.top === null ? 'an unreadable one' : JSON.stringify(a.top.length > 24 ? a.top.slice(0, 24) + '…' : a.top);
      return `${t} ${a.distinct} distinct (most common ${top}, ${(100 * a.topShare).toFixed(0)}%)`;
    };
    lines.push('answers: ' + TASK_TYPES.map(show).join(', '));
  }
  if (r.skipped.length > 0) lines.push(`skipped ${r.skipped.length} (first: ${r.skipped[0].id} ${r.skipped[0].type}: ${r.skipped[0].reason})`);
  return lines.join('\n');
}
