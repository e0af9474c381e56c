// A run's first tasks, drawn from the graded world: programs of the levels the config names
// (core/levels.ts), each run in the sandbox on random inputs of its parameters' types, so
// the proposer's first references and the solver's first questions are of the world the run
// is meant to start in (L0 for a run that should climb from one operation upward) instead of
// the identity triplet alone. Seeded from the run's seed: the same config gives the same
// tasks. They enter the buffers once, at the start of a fresh run; a resumed run has its
// buffers in its snapshot.
import { generateProgram, randomArgs, type VType } from '../core/corpus.ts';
import type { Level } from '../core/levels.ts';
import { Rng } from '../core/rng.ts';
import { promptFieldProblem } from '../core/tasks.ts';
import type { Task } from '../core/taskfile.ts';
import type { ExecJob, Executor } from '../sandbox/types.ts';

/** Longest executed output kept: the response budget is 192 tokens. */
export const MAX_ANSWER_CHARS = 120;
/** Tasks a fresh run starts from when its config names seed levels. */
export const SEED_TASKS = 24;

/** Up to `n` distinct random argument lists of the parameters' types. */
export function distinctInputs(rng: Rng, params: readonly VType[], n: number): string[] {
  return [...new Set(Array.from({ length: n }, () => randomArgs(rng, params)))];
}

/**
 * The executed outputs of each draft, or null where self-play's validation would drop the
 * task: the program throws, times out or is not deterministic, or an output is too long or
 * cannot be shown in a prompt.
 */
export async function executeDrafts(executor: Executor, drafts: readonly { program: string; inputs: string[] }[], timeoutMs: number): Promise<(string[] | null)[]> {
  const jobs: ExecJob[] = drafts.map((d) => ({ program: d.program, inputs: d.inputs, determinismRuns: 2, limits: { timeoutMs } }));
  return (await executor.run(jobs)).map((r) => {
    if (r.verdict !== 'ok') return null;
    const outputs = r.results.map((x) => x.output as string);
    return outputs.some((o) => o.length > MAX_ANSWER_CHARS || promptFieldProblem(o) !== null) ? null : outputs;
  });
}

/** "L0" → 0: the config spells levels as words so the URL stays readable. */
export function levelNumbers(names: readonly string[]): Level[] {
  return names.map((n) => Number(n.slice(1)) as Level);
}

/**
 * `count` tasks of the given levels (uniformly), each with 6 executed pairs (1 + 5 examples:
 * enough for an induction question with half held out), ids `seed-L<level>-<k>`.
 */
export async function levelSeedTasks(levels: readonly Level[], count: number, seed: number, executor: Executor, timeoutMs: number): Promise<Task[]> {
  const rng = new Rng(`seed-tasks-${seed}`);
  const tasks: Task[] = [];
  const programs = new Set<string>();
  for (let attempt = 0; tasks.length < count && attempt < 20; attempt++) {
    const drafts = Array.from({ length: 2 * (count - tasks.length) }, () => {
      const p = generateProgram(rng, rng.choice(levels));
      return { program: p.program, level: p.level, inputs: distinctInputs(rng, p.params, 6) };
    }).filter((d) => d.inputs.length >= 4 && !programs.has(d.program));
    const outs = await executeDrafts(executor, drafts, timeoutMs);
    drafts.forEach((d, i) => {
      const o = outs[i];
      if (o === null || tasks.length >= count || programs.has(d.program)) return;
      // A program that returns the same value on every input teaches nothing as a first task.
      if (new Set(o).size < 2) return;
      programs.add(d.program);
      tasks.push({ id: `seed-L${d.level}-${tasks.length + 1}`, program: d.program, input: d.inputs[0], output: o[0], examples: d.inputs.slice(1).map((input, k) => ({ input, output: o[k + 1] })), level: d.level });
    });
  }
  return tasks;
}
