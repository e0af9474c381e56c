// The yardstick for the learning experiment: how far the base model gets in a CPU budget when
// every training example carries its right answer. The base is fine-tuned by cross-entropy on
// solve prompts whose answers the executor computed (deduction: f(i); abduction: the i that
// gave o; induction: the program behind the shown pairs) — exactly what the base model's own
// rule forbids, which is why this lives outside src/ and its weights are never shipped or used
// by self-play. Against self-play at the same CPU budget it is generous twice over: a right
// answer on every example is more signal than any reward on a sampled answer gives, and no
// compute goes to sampling. So a budget in which this cannot reach an accuracy is a budget in
// which no reward design on this model is likely to.
//
// Programs and inputs come from the corpus generator (src/core/corpus.ts), never from the
// benchmark. Evaluation is `azr eval`'s (src/eval/evaluate.ts): greedy, the same judging.
//
//   npx tsx scripts/supervised-ceiling.ts --cpu-minutes 30 --eval-every 5 \
//     --eval-tasks runs/tier1.jsonl --out runs/supervised-s1 [--seed 1] [--lr 1e-3] [--batch 16]
//
// With --make-tasks FILE it only writes a task file of --n (default 90) generated programs
// with executed outputs and 9 more pairs each (a held-out sample of the yardstick's own
// distribution, for `azr eval`; its seed's stream is not the training one) and exits.
//
// Writes OUT/meta.json, OUT/checkpoint (the final weights) and OUT/run.jsonl (the run-log
// shape scripts/plot-runs.mjs reads): one line per logged step ({step, cpuSeconds, examples, loss}) and one
// per evaluation ({eval: {accuracy, byTier, answers}, step, cpuSeconds}). The budget is CPU
// time of the process (all threads) spent making data and training; evaluation is excluded,
// as `azr train --cpu-minutes` excludes it.
import { mkdirSync, readFileSync, writeFileSync, appendFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG } from '../src/core/config.ts';
import { generateProgram, randomArgs } from '../src/core/corpus.ts';
import { Rng } from '../src/core/rng.ts';
import { parseTaskFile } from '../src/core/taskfile.ts';
import { formatAnswer, makeInductionTask, promptFieldProblem, type TaskType } from '../src/core/tasks.ts';
import { evaluate } from '../src/eval/evaluate.ts';
import { initBackend } from '../src/model/backend-node.ts';
import { captureCheckpoint } from '../src/model/checkpoint.ts';
import { loadCheckpointPath, saveCheckpointDir } from '../src/model/checkpoint-node.ts';
import { createExecutor } from '../src/sandbox/index.ts';
import { InlineExecutor } from '../src/sandbox/inline.ts';
import type { ExecJob } from '../src/sandbox/types.ts';
import { solvePrompt, type SolveTask } from '../src/selfplay/judge.ts';
import { TransformerPolicy } from '../src/selfplay/policy.ts';
import { BASE_CHECKPOINT } from '../cli/eval.ts';
import { cpuSeconds } from '../cli/train.ts';

const { values } = parseArgs({
  options: {
    'cpu-minutes': { type: 'string', default: '30' },
    'eval-every': { type: 'string', default: '5' },
    'eval-tasks': { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    lr: { type: 'string', default: '1e-3' },
    batch: { type: 'string', default: '16' },
    init: { type: 'string', default: 'base' },
    'make-tasks': { type: 'string' },
    n: { type: 'string', default: '90' },
  },
});
function positive(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) {
    console.error(`--${name} must be a number > 0, got "${v}"`);
    process.exit(2);
  }
  return n;
}
/** Longest executed answer kept: the response budget is 192 tokens. */
const MAX_ANSWER_CHARS = 120;
if (values['make-tasks']) {
  await makeTaskFile(values['make-tasks'], Math.round(positive('n', values.n)));
  process.exit(0);
}
if (!values['eval-tasks'] || !values.out) {
  console.error('usage: npx tsx scripts/supervised-ceiling.ts --eval-tasks FILE --out DIR [--cpu-minutes 30] [--eval-every 5] [--seed 1] [--lr 1e-3] [--batch 16] [--init base|CKPT]');
  process.exit(2);
}
const budgetS = positive('cpu-minutes', values['cpu-minutes']) * 60;
const evalEveryS = positive('eval-every', values['eval-every']) * 60;
const lr = positive('lr', values.lr);
const batch = Math.round(positive('batch', values.batch));
const seed = Math.round(positive('seed', values.seed));
const out = values.out;
if (existsSync(out) && readdirSync(out).length > 0) {
  console.error(`--out ${out} is not empty; refusing to overwrite a previous measurement`);
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const logPath = join(out, 'run.jsonl');
const record = (line: object) => appendFileSync(logPath, JSON.stringify(line) + '\n');
const evalTasks = parseTaskFile(readFileSync(values['eval-tasks'], 'utf8'));

// ---- Examples with executed answers ----------------------------------------------------

/** Induction pairs per task, as the benchmark asks them (10 = 5 shown + 5 held out) and the default preset proposes (6). */
const INDUCTION_NS = [6, 10];

interface Example {
  type: TaskType;
  prompt: string;
  response: string;
}

/** Up to `n` distinct random argument lists of the parameters' types. */
function distinctInputs(rng: Rng, params: Parameters<typeof randomArgs>[1], n: number): string[] {
  return [...new Set(Array.from({ length: n }, () => randomArgs(rng, params)))];
}

/**
 * The executed outputs of each draft, or null where self-play's validation would drop the
 * task: the program throws, times out or is not deterministic, or an output is too long or
 * cannot be shown in a prompt.
 */
async function execute(executor: InlineExecutor, drafts: readonly { program: string; inputs: string[] }[]): Promise<(string[] | null)[]> {
  const jobs: ExecJob[] = drafts.map((d) => ({ program: d.program, inputs: d.inputs, determinismRuns: 2, limits: { timeoutMs: DEFAULT_CONFIG.executorTimeoutMs } }));
  return (await executor.run(jobs)).map((r) => {
    if (r.verdict !== 'ok') return null;
    const outputs = r.results.map((x) => x.output as string);
    return outputs.some((o) => o.length > MAX_ANSWER_CHARS || promptFieldProblem(o) !== null) ? null : outputs;
  });
}

/** `count` drafts, each of a type drawn in equal shares; those that execute cleanly become examples. */
async function makeExamples(rng: Rng, executor: InlineExecutor, count: number): Promise<Example[]> {
  const drafts = Array.from({ length: count }, () => {
    const p = generateProgram(rng);
    const type = (['deduction', 'abduction', 'induction'] as const)[rng.int(0, 3)];
    return { type, program: p.program, inputs: distinctInputs(rng, p.params, type === 'induction' ? rng.choice(INDUCTION_NS) : 1) };
  });
  const executed = await execute(executor, drafts);
  const examples: Example[] = [];
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
    examples.push({ type: d.type, prompt: solvePrompt(task), response });
  });
  return examples;
}

/** A task file of `n` generated programs, each run on 10 distinct random inputs (first = the task's own). */
async function makeTaskFile(file: string, n: number): Promise<void> {
  const rng = new Rng('heldout-yardstick');
  const executor = await InlineExecutor.create();
  const lines: string[] = [];
  while (lines.length < n) {
    const p = generateProgram(rng);
    const d = { program: p.program, inputs: distinctInputs(rng, p.params, 10) };
    if (d.inputs.length < 6) continue;
    const [outs] = await execute(executor, [d]);
    if (outs === null) continue;
    lines.push(JSON.stringify({ id: `g-${lines.length + 1}`, program: d.program, input: d.inputs[0], output: outs[0], examples: d.inputs.slice(1).map((input, k) => ({ input, output: outs[k + 1] })) }));
  }
  writeFileSync(file, lines.join('\n') + '\n');
  await executor.dispose();
  console.error(`${n} generated tasks with executed outputs → ${file}`);
}

// ---- Training and evaluation -------------------------------------------------------------

const backend = await initBackend('auto');
const { files } = await loadCheckpointPath(values.init === 'base' ? BASE_CHECKPOINT : values.init!);
const policy = TransformerPolicy.fromCheckpoint(files, { ...DEFAULT_CONFIG, lr, klCoef: 0, entropyCoef: 0 });
const tok = policy.tokenizer;
const context = policy.model.config.contextLength;
const maxTokens = DEFAULT_CONFIG.maxResponseTokens;
const dataExecutor = await InlineExecutor.create();
const evalExecutor = await createExecutor();
const meta = { command: ['npx tsx scripts/supervised-ceiling.ts', ...process.argv.slice(2)].join(' '), backend: backend.name, init: values.init, lr, batch, seed, budgetS, evalEveryS };
writeFileSync(join(out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
console.error(`backend ${backend.name}; supervised fine-tuning of ${values.init} for ${budgetS / 60} CPU-minutes, batch ${batch}, lr ${lr}, seed ${seed} → ${out}`);

let step = 0;
let examplesSeen = 0;
let spent = 0;
async function runEval(): Promise<void> {
  const t0 = performance.now();
  const r = await evaluate(policy, evalExecutor, evalTasks, { maxTokens, maxPromptTokens: context - maxTokens, limits: { timeoutMs: DEFAULT_CONFIG.executorTimeoutMs } });
  const acc = r.accuracy;
  const mean = ((acc.deduction ?? 0) + (acc.abduction ?? 0) + (acc.induction ?? 0)) / 3;
  record({ step, cpuSeconds: spent, examples: examplesSeen, eval: { accuracy: acc, byTier: r.byTier, answers: r.answers } });
  const pct = (x: number | null) => (x === null ? '–' : (100 * x).toFixed(1));
  console.error(`eval at step ${step} (${(spent / 60).toFixed(1)} CPU-min, ${examplesSeen} examples): ded ${pct(acc.deduction)} abd ${pct(acc.abduction)} ind ${pct(acc.induction)} mean ${pct(mean)}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

const rng = new Rng(seed).fork('supervised');
let pending: Example[] = [];
await runEval();
let nextEval = evalEveryS;
let windowLoss = 0;
let windowSteps = 0;
while (spent < budgetS) {
  const c0 = cpuSeconds();
  while (pending.length < batch) pending.push(...(await makeExamples(rng, dataExecutor, 2 * batch)));
  const chosen = pending.splice(0, batch);
  const sequences: number[][] = [];
  const lossMask: number[][] = [];
  for (const ex of chosen) {
    const p = tok.encode(ex.prompt);
    const ids = [...p, ...tok.encode(ex.response)];
    if (ids.length > context + 1) continue;
    sequences.push(ids);
    // Loss on the answer only: the prompt is the model's to read, not to predict.
    lossMask.push(ids.map((_, j) => (j >= p.length ? 1 : 0)));
  }
  const s = await policy.trainer.ceStep({ sequences, lossMask });
  if (!Number.isFinite(s.loss)) throw new Error(`loss became ${s.loss} at step ${step + 1}; lower --lr`);
  step++;
  examplesSeen += sequences.length;
  windowLoss += s.loss;
  windowSteps++;
  spent += cpuSeconds() - c0;
  if (step % 10 === 0) {
    record({ step, cpuSeconds: spent, examples: examplesSeen, loss: windowLoss / windowSteps });
    console.error(`step ${step}  loss ${(windowLoss / windowSteps).toFixed(4)}  ${(spent / 60).toFixed(1)} CPU-min`);
    windowLoss = windowSteps = 0;
  }
  if (spent >= nextEval || spent >= budgetS) {
    await runEval();
    nextEval += evalEveryS;
  }
}
// The final weights, so `azr eval --checkpoint OUT/checkpoint` can check the last figure.
await saveCheckpointDir(
  join(out, 'checkpoint'),
  await captureCheckpoint({ model: policy.model.config, tokenizer: tok, variables: policy.model.namedVariables(), meta: { kind: 'supervised-yardstick', ...meta, steps: step, examples: examplesSeen, cpuSeconds: spent } }),
);
policy.dispose();
await dataExecutor.dispose();
await evalExecutor.dispose();
