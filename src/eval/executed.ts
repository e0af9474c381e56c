// Solve examples whose answers the executor computed: a generated program of a chosen level,
// random inputs of its parameters' types, and what the program really returns on them.
//
// Two users, with two different rules. The supervised yardstick (scripts/supervised-ceiling.ts)
// trains on them at any level, to measure how much a budget can teach at all. The base model
// may see them only at L0 (`azr pretrain --executed-levels 0`): a miniature of a pretrained
// language model that has seen a little code run, so that self-play starts with a foothold —
// and never an executed answer above L0, so that whatever the model later learns about L1 and
// above, self-play taught it. Each example carries its program's level so that rule can be
// checked (tests/unit/eval/executed.test.ts).
import { generateProgram } from '../core/corpus.ts';
import { intermediateSteps, type Level } from '../core/levels.ts';
import type { Rng } from '../core/rng.ts';
import { formatAnswer, makeInductionTask, type TaskType } from '../core/tasks.ts';
import type { Executor } from '../sandbox/types.ts';
import { distinctInputs, executeDrafts } from '../selfplay/seed-tasks.ts';
import { solvePrompt, type SolveTask } from '../selfplay/judge.ts';

/** Induction pairs per task, as the benchmark asks them (10 = 5 shown + 5 held out) and the default preset proposes (6). */
export const INDUCTION_NS: readonly number[] = [6, 10];

export interface ExecutedExample {
  type: TaskType;
  level: Level;
  program: string;
  prompt: string;
  /** The right answer, formatted as a response (ends in <eos>). */
  response: string;
}

export interface ExecutedOptions {
  levels: readonly Level[];
  types: readonly TaskType[];
  timeoutMs: number;
  /** Pairs per induction task, one drawn per task (default INDUCTION_NS); half are shown in the prompt. */
  inductionPairs?: readonly number[];
  /**
   * 'worked': a deduction's response first writes the values its program computes on the way
   * to the answer, one per line (core/levels.ts `intermediateSteps`), then the answer — an
   * answer format that follows the computation; read back with `finalLine`. Default 'value'.
   */
  answerFormat?: 'value' | 'worked';
}

/** The answer of a worked response: its last line (a canonical value never holds a raw newline). */
export function finalLine(text: string): string {
  return text.slice(text.lastIndexOf('\n') + 1);
}

/** `count` drafts, each of a level and a type drawn in equal shares; those that execute cleanly become examples. */
export async function makeExecutedExamples(rng: Rng, executor: Executor, count: number, opts: ExecutedOptions): Promise<ExecutedExample[]> {
  const drafts = Array.from({ length: count }, () => {
    const p = generateProgram(rng, rng.choice(opts.levels));
    const type = rng.choice(opts.types);
    return { type, level: p.level, program: p.program, inputs: distinctInputs(rng, p.params, type === 'induction' ? rng.choice(opts.inductionPairs ?? INDUCTION_NS) : 1) };
  });
  const executed = await executeDrafts(executor, drafts, opts.timeoutMs);
  const examples: ExecutedExample[] = [];
  const worked: { example: ExecutedExample; probes: number[] }[] = [];
  const probes: { program: string; inputs: string[] }[] = [];
  drafts.forEach((d, i) => {
    const outputs = executed[i];
    if (outputs === null) return;
    let task: SolveTask;
    let response: string;
    if (d.type === 'induction') {
      if (d.inputs.length < 4) return;
      task = { type: 'induction', task: makeInductionTask(d.program, '', d.inputs.map((input, k) => ({ input, output: outputs[k] }))) };
      response = formatAnswer('induction', { program: d.program });
    } else {
      const t = { program: d.program, input: d.inputs[0], output: outputs[0] };
      task = { type: d.type, task: t };
      response = d.type === 'deduction' ? formatAnswer('deduction', { output: t.output }) : formatAnswer('abduction', { input: t.input });
    }
    const example = { type: d.type, level: d.level, program: d.program, prompt: solvePrompt(task), response };
    examples.push(example);
    const steps = opts.answerFormat === 'worked' && d.type === 'deduction' ? intermediateSteps(d.program) : null;
    if (steps && steps.steps.length > 0) {
      // Each step is run as a program of its own on the task's input: the sandbox, not this
      // process, says what JavaScript computes.
      worked.push({ example, probes: steps.steps.map((e) => probes.push({ program: `function f(${steps.params}) { return ${e}; }`, inputs: [d.inputs[0]] }) - 1) });
    }
  });
  if (worked.length > 0) {
    const values = await executeDrafts(executor, probes, opts.timeoutMs);
    for (const w of worked) {
      const lines = w.probes.map((k) => values[k]?.[0] ?? null);
      // A step the sandbox could not show leaves the plain answer.
      if (lines.every((v): v is string => v !== null)) w.example.response = lines.join('\n') + '\n' + w.example.response;
    }
  }
  return examples;
}
