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
// Levers beyond the optimizer: --induction-pairs (how many pairs an induction row carries; half
// are shown, so fewer is a shorter sequence), and, from random weights (--init random, since
// the shipped base has one shape and one tokenizer), --model-size and --tokenizer js;
// --answer-format worked (deduction answers that write the program's intermediate values
// first, judged by their last line). Every
// evaluation also scores the held-out answer loss (nats per answer), which compares them.
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
import { generateProgram } from '../src/core/corpus.ts';
import { Rng } from '../src/core/rng.ts';
import { parseTaskFile } from '../src/core/taskfile.ts';
import { TASK_TYPES, type TaskType } from '../src/core/tasks.ts';
import { TOK } from '../src/core/tasks.ts';
import { INDUCTION_NS, finalLine, makeExecutedExamples, type ExecutedExample } from '../src/eval/executed.ts';
import { MODEL_SIZE_NAMES, type ModelSize } from '../src/core/config.ts';
import { responseLogprobs } from '../src/model/train.ts';
import { distinctInputs, executeDrafts } from '../src/selfplay/seed-tasks.ts';
import { isLevel, type Level } from '../src/core/levels.ts';
import { evaluate } from '../src/eval/evaluate.ts';
import { initBackend } from '../src/model/backend-node.ts';
import { captureCheckpoint } from '../src/model/checkpoint.ts';
import { loadCheckpointPath, saveCheckpointDir } from '../src/model/checkpoint-node.ts';
import { createExecutor } from '../src/sandbox/index.ts';
import { InlineExecutor } from '../src/sandbox/inline.ts';
import { TransformerPolicy, taskTokenizer, type Policy } from '../src/selfplay/policy.ts';
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
    levels: { type: 'string', default: '3' },
    types: { type: 'string', default: 'deduction,abduction,induction' },
    warmup: { type: 'string', default: '0' },
    schedule: { type: 'string', default: 'constant' },
    optimizer: { type: 'string', default: 'adamw' },
    'id-tasks': { type: 'string' },
    'induction-pairs': { type: 'string' },
    'model-size': { type: 'string', default: 'tiny' },
    tokenizer: { type: 'string', default: 'char' },
    'nll-examples': { type: 'string', default: '96' },
    'answer-format': { type: 'string', default: 'value' },
    'skip-first-eval': { type: 'boolean', default: false },
  },
});
/** The generator levels the examples are drawn from, in equal shares (core/levels.ts). */
const levels = values.levels!.split(',').map((x) => Number(x.trim())) as Level[];
if (levels.length === 0 || !levels.every(isLevel)) {
  console.error(`--levels must be a comma-separated list of 0, 1, 2, 3; got "${values.levels}"`);
  process.exit(2);
}
const types = values.types!.split(',').map((x) => x.trim()) as TaskType[];
if (types.length === 0 || !types.every((t) => (TASK_TYPES as readonly string[]).includes(t))) {
  console.error(`--types must be a comma-separated list of ${TASK_TYPES.join(', ')}; got "${values.types}"`);
  process.exit(2);
}
if (values.schedule !== 'constant' && values.schedule !== 'cosine') {
  console.error(`--schedule must be constant or cosine; got "${values.schedule}"`);
  process.exit(2);
}
if (values.optimizer !== 'adamw' && values.optimizer !== 'muon') {
  console.error(`--optimizer must be adamw or muon; got "${values.optimizer}"`);
  process.exit(2);
}
function positive(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) {
    console.error(`--${name} must be a number > 0, got "${v}"`);
    process.exit(2);
  }
  return n;
}
if (values['make-tasks']) {
  await makeTaskFile(values['make-tasks'], Math.round(positive('n', values.n)));
  process.exit(0);
}
if (!values['eval-tasks'] || !values.out) {
  console.error('usage: npx tsx scripts/supervised-ceiling.ts --eval-tasks FILE --out DIR [--cpu-minutes 30] [--eval-every 5] [--seed 1] [--lr 1e-3] [--batch 16] [--init base|random|CKPT]\n  [--levels 0,1] [--types deduction,abduction] [--warmup STEPS] [--schedule constant|cosine] [--optimizer adamw|muon] [--id-tasks FILE]\n  [--induction-pairs 6,10] [--nll-examples 96] [--model-size tiny|small|medium|large --tokenizer char|js (with --init random)] [--answer-format value|worked] [--skip-first-eval]');
  process.exit(2);
}
const inductionPairs = values['induction-pairs'] === undefined ? INDUCTION_NS : values['induction-pairs'].split(',').map((x) => Number(x.trim()));
if (inductionPairs.length === 0 || !inductionPairs.every((n) => Number.isInteger(n) && n >= 4)) {
  console.error(`--induction-pairs must be a comma-separated list of integers >= 4 (half are shown); got "${values['induction-pairs']}"`);
  process.exit(2);
}
if (!(MODEL_SIZE_NAMES as readonly string[]).includes(values['model-size']!)) {
  console.error(`--model-size must be one of ${MODEL_SIZE_NAMES.join(', ')}; got "${values['model-size']}"`);
  process.exit(2);
}
if (values.tokenizer !== 'char' && values.tokenizer !== 'js') {
  console.error(`--tokenizer must be char or js; got "${values.tokenizer}"`);
  process.exit(2);
}
if (values.init !== 'random' && (values['model-size'] !== 'tiny' || values.tokenizer !== 'char')) {
  console.error('--model-size and --tokenizer choose a fresh model: they need --init random (a checkpoint brings its own)');
  process.exit(2);
}
if (values['answer-format'] !== 'value' && values['answer-format'] !== 'worked') {
  console.error(`--answer-format must be value or worked; got "${values['answer-format']}"`);
  process.exit(2);
}
const answerFormat = values['answer-format'] as 'value' | 'worked';
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

const examplesOf = (rng: Rng, executor: InlineExecutor, count: number) => makeExecutedExamples(rng, executor, count, { levels, types, inductionPairs, answerFormat, timeoutMs: DEFAULT_CONFIG.executorTimeoutMs });

/** A task file of `n` generated programs, each run on 10 distinct random inputs (first = the task's own). */
async function makeTaskFile(file: string, n: number): Promise<void> {
  // The historic stream for L3 alone (the fourth round's file); a stream per level mix otherwise.
  const rng = new Rng(levels.length === 1 && levels[0] === 3 ? 'heldout-yardstick' : `heldout-yardstick-L${levels.join('')}`);
  const executor = await InlineExecutor.create();
  const lines: string[] = [];
  while (lines.length < n) {
    const p = generateProgram(rng, rng.choice(levels));
    const d = { program: p.program, inputs: distinctInputs(rng, p.params, 10) };
    if (d.inputs.length < 6) continue;
    const [outs] = await executeDrafts(executor, [d], DEFAULT_CONFIG.executorTimeoutMs);
    if (outs === null) continue;
    lines.push(JSON.stringify({ id: `g-${lines.length + 1}`, program: d.program, input: d.inputs[0], output: outs[0], examples: d.inputs.slice(1).map((input, k) => ({ input, output: outs[k + 1] })), ...(p.level === 3 ? {} : { tier: p.level, level: p.level }) }));
  }
  writeFileSync(file, lines.join('\n') + '\n');
  await executor.dispose();
  console.error(`${n} generated tasks with executed outputs → ${file}`);
}

// ---- Training and evaluation -------------------------------------------------------------

const backend = await initBackend('auto');
const train = { ...DEFAULT_CONFIG, lr, klCoef: 0, entropyCoef: 0, optimizer: values.optimizer as 'adamw' | 'muon' };
// From random weights (the model-size and tokenizer levers, where no base of that shape
// exists) or from a checkpoint (the shipped base by default).
const policy =
  values.init === 'random'
    ? TransformerPolicy.create({ ...train, seed, modelSize: values['model-size'] as ModelSize }, taskTokenizer(values.tokenizer as 'char' | 'js'))
    : TransformerPolicy.fromCheckpoint((await loadCheckpointPath(values.init === 'base' ? BASE_CHECKPOINT : values.init!)).files, train);
const tok = policy.tokenizer;
const context = policy.model.config.contextLength;
const maxTokens = DEFAULT_CONFIG.maxResponseTokens;
const dataExecutor = await InlineExecutor.create();
const evalExecutor = await createExecutor();
const warmup = Number(values.warmup);
if (!(Number.isInteger(warmup) && warmup >= 0)) {
  console.error(`--warmup must be an integer >= 0 (steps), got "${values.warmup}"`);
  process.exit(2);
}
const idTasks = values['id-tasks'] ? parseTaskFile(readFileSync(values['id-tasks'], 'utf8')) : null;
const meta = { command: ['npx tsx scripts/supervised-ceiling.ts', ...process.argv.slice(2)].join(' '), backend: backend.name, init: values.init, model: policy.model.config, tokenizer: tok.toJSON().kind, lr, batch, seed, budgetS, evalEveryS, levels, types, inductionPairs, answerFormat, warmup, schedule: values.schedule, optimizer: values.optimizer };

// Held-out answer loss: nats per answer (the sum over its tokens) on executed examples of the
// training levels and types, drawn from a stream of their own with the default induction
// pairs, so every arm is scored on the same examples. Unlike greedy accuracy it moves before
// answers come out right, and unlike a per-token loss it compares tokenizers and sizes.
const nllCount = Math.round(positive('nll-examples', values['nll-examples']));
const nllRng = new Rng(`heldout-nll-L${levels.join('')}-${types.join(',')}`);
const nllExamples: ExecutedExample[] = [];
while (nllExamples.length < nllCount) nllExamples.push(...(await makeExecutedExamples(nllRng, dataExecutor, nllCount, { levels, types, answerFormat, timeoutMs: DEFAULT_CONFIG.executorTimeoutMs })));
nllExamples.length = nllCount;
async function heldOutNll(): Promise<Record<string, number>> {
  const sums: Record<string, { nats: number; n: number }> = {};
  for (let i = 0; i < nllExamples.length; i += 16) {
    const chunk = nllExamples.slice(i, i + 16);
    const prompts = chunk.map((ex) => tok.encode(ex.prompt));
    const seqs = chunk.map((ex, k) => [...prompts[k], ...tok.encode(ex.response)]);
    const lps = await responseLogprobs(policy.model, seqs, prompts.map((p) => p.length));
    chunk.forEach((ex, k) => {
      for (const key of [ex.type, 'all']) {
        const s = (sums[key] ??= { nats: 0, n: 0 });
        s.nats -= lps[k].reduce((a, b) => a + b, 0);
        s.n++;
      }
    });
  }
  return Object.fromEntries([...types, 'all'].filter((k) => sums[k]).map((k) => [k, sums[k].nats / sums[k].n]));
}
writeFileSync(join(out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
console.error(`backend ${backend.name}; supervised fine-tuning of ${values.init} for ${budgetS / 60} CPU-minutes, batch ${batch}, lr ${lr}, seed ${seed} → ${out}`);

// A worked deduction answer is judged by its last line (the answer after the steps); the
// benchmark's questions and judge are otherwise the same.
const judged: Policy =
  answerFormat === 'value'
    ? policy
    : {
        generate: async (prompts, o) => (await policy.generate(prompts, o)).map((g, i) => (prompts[i].startsWith(TOK.bos + TOK.ded) ? { ...g, text: finalLine(g.text) } : g)),
        update: (items) => policy.update(items),
        promptTokens: (p) => policy.promptTokens(p),
      };

let step = 0;
let examplesSeen = 0;
let spent = 0;
async function runEval(): Promise<void> {
  const t0 = performance.now();
  const opts = { maxTokens, maxPromptTokens: context - maxTokens, limits: { timeoutMs: DEFAULT_CONFIG.executorTimeoutMs } };
  const r = await evaluate(judged, evalExecutor, evalTasks, opts);
  // In-distribution: held-out programs of the training levels, beside the benchmark, so how
  // fast the world is learned and how far it transfers are seen apart.
  const id = idTasks ? await evaluate(judged, evalExecutor, idTasks, opts) : null;
  const nll = await heldOutNll();
  const acc = r.accuracy;
  const pct = (x: number | null) => (x === null ? '–' : (100 * x).toFixed(1));
  const mean = (a: typeof acc) => ((a.deduction ?? 0) + (a.abduction ?? 0) + (a.induction ?? 0)) / 3;
  record({ step, cpuSeconds: spent, examples: examplesSeen, eval: { accuracy: acc, byTier: r.byTier, answers: r.answers }, heldOutNll: nll, ...(id ? { inDistribution: { accuracy: id.accuracy, byTier: id.byTier } } : {}) });
  const tiers = Object.entries(r.byTier).map(([t, b]) => `t${t} ${pct(b.accuracy.deduction)}/${pct(b.accuracy.abduction)}/${pct(b.accuracy.induction)} (${pct(mean(b.accuracy))})`).join('  ');
  const idText = id ? `  in-dist ${pct(id.accuracy.deduction)}/${pct(id.accuracy.abduction)}/${pct(id.accuracy.induction)} (${pct(mean(id.accuracy))})` : '';
  const nllText = `  held-out nats/answer ${Object.entries(nll).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(' ')}`;
  console.error(`eval at step ${step} (${(spent / 60).toFixed(1)} CPU-min, ${examplesSeen} examples): ${tiers}${idText}${nllText}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

const rng = new Rng(seed).fork('supervised');
let pending: ExecutedExample[] = [];
// From random weights the first evaluation is the same for every seed (nothing right, every
// answer run to its token limit) and costs minutes: --skip-first-eval leaves it out.
if (!values['skip-first-eval']) await runEval();
let nextEval = evalEveryS;
let windowLoss = 0;
let windowSteps = 0;
while (spent < budgetS) {
  const c0 = cpuSeconds();
  while (pending.length < batch) pending.push(...(await examplesOf(rng, dataExecutor, 2 * batch)));
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
  // Warm-up over the first steps, then constant or a cosine to 10% over the CPU budget.
  const frac = Math.min(1, spent / budgetS);
  const warm = warmup > 0 && step < warmup ? (step + 1) / warmup : 1;
  policy.trainer.lr = lr * warm * (values.schedule === 'cosine' ? 0.1 + 0.45 * (1 + Math.cos(Math.PI * frac)) : 1);
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
