// `azr pretrain`: the base model. Next-token cross-entropy on the generated corpus
// (src/core/corpus.ts): short programs and the six self-play prompt formats with RANDOM,
// unverified answers, so the model learns the language and the format, never what a
// program computes. Writes a checkpoint directory (config.json + weights.safetensors,
// no optimizer state: fine-tuning starts its own) and DIR/loss.jsonl.
//
// Loss on ALL tokens by default, prompt and response alike (not only the response): the
// programs, literals and argument lists the model must learn to read sit mostly in prompts,
// and a response-only loss would throw most of the corpus away. The answers are random, so
// training on them teaches their shape (a literal of a plausible type, then <eos>), not
// their value — and also, measured later, that answers do not depend on the program. So a
// continued stage can drop the loss on the random answers of solve prompts
// (`--answer-loss none`), draw its programs from chosen levels (`--levels`, core/levels.ts),
// and mix in solve examples whose answers the executor computed, of L0 programs only
// (`--executed-levels 0 --executed-share F`, src/eval/executed.ts): the base's rule is that it
// never sees an executed answer above L0, so whatever it later knows of L1 and above,
// self-play taught it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { emitJson, intFlag, log, noPositionals, parse, showHelp, UsageError } from './args.ts';
import { BACKEND_PREFS, DEFAULT_CONFIG } from '../src/core/config.ts';
import { corpus, sampleCorpus, type CorpusExample, type CorpusOptions } from '../src/core/corpus.ts';
import { isLevel, type Level } from '../src/core/levels.ts';
import { Rng } from '../src/core/rng.ts';
import { makeExecutedExamples, type ExecutedExample } from '../src/eval/executed.ts';
import { InlineExecutor } from '../src/sandbox/inline.ts';
import { SPECIAL_TOKENS } from '../src/core/tasks.ts';
import { CharTokenizer, type Tokenizer } from '../src/model/tokenizer.ts';
import { countParams, isModelSize, modelConfig, MODEL_SIZES, type ModelSize } from '../src/model/config.ts';
import { Transformer } from '../src/model/transformer.ts';
import { ceLoss, packCe, Trainer } from '../src/model/train.ts';
import { captureCheckpoint, CheckpointError, parseCheckpoint, restoreCheckpoint, type ParsedCheckpoint } from '../src/model/checkpoint.ts';
import { loadCheckpointPath, saveCheckpointDir } from '../src/model/checkpoint-node.ts';
import { initBackend } from '../src/model/backend-node.ts';
import { BASE_CHECKPOINT } from './eval.ts';
import { formatBackendInfo, type BackendPref } from '../src/model/backend.ts';

const DEFAULTS = { size: 'tiny' as ModelSize, steps: 1000, seed: 1, batch: 16, lr: 2e-3, warmup: 50, logEvery: 10, saveEvery: 200 };

/** Rows per forward/backward pass (see main). */
const MICRO_BATCH = 4;
/** Longest training example in tokens; the few longer ones are skipped. */
const MAX_TRAIN_TOKENS = 1024;

/** The held-out sample a checkpoint's loss is quoted on: its own stream, never trained on. */
export const HELDOUT = { seed: 'heldout', n: 256 } as const;

/** The context the default run config needs (prompt budget + response budget), so `azr train --init` accepts the base. */
export const PRETRAIN_CONTEXT = DEFAULT_CONFIG.maxPromptTokens + DEFAULT_CONFIG.maxResponseTokens;

const USAGE = `usage: azr pretrain [--size S] [--steps N] [--seed S] [--out DIR] [--backend B]
                    [--batch B] [--lr LR] [--save-every K] [--init CKPT] [--json]
                    [--levels L] [--answer-loss all|none] [--executed-levels 0 --executed-share F]

Pretrains a base policy on the generated corpus (programs and the self-play prompt formats
with random, unverified answers): next-token cross-entropy on every token. Writes a
checkpoint to DIR (config.json, weights.safetensors) and DIR/loss.jsonl.

  --size S        model size: ${Object.keys(MODEL_SIZES).join(', ')} (default ${DEFAULTS.size})
  --steps N       optimizer steps (default ${DEFAULTS.steps})
  --seed S        seed of the weights and of the corpus stream (default ${DEFAULTS.seed})
  --out DIR       checkpoint directory (default runs/pretrain-<size>-<time>); an existing
                  checkpoint there is replaced, any other non-empty directory is refused
  --backend B     tfjs backend: ${BACKEND_PREFS.join(', ')} (default auto)
  --batch B       sequences per step (default ${DEFAULTS.batch})
  --lr LR         peak learning rate (default ${DEFAULTS.lr}; ${DEFAULTS.warmup} warm-up steps, cosine to 10%)
  --save-every K  save the checkpoint every K steps (default ${DEFAULTS.saveEvery}; always at the end)
  --init CKPT     continue from a pretrained checkpoint's weights (directory or bundle; 'base' is
                  public/checkpoints/base) with a fresh optimizer and schedule; its size is the
                  checkpoint's. Give a --seed other than the one it was trained on, or the
                  corpus stream replays the examples it has already seen
  --levels L      draw the corpus's programs from these levels, e.g. 0,1 (default: the
                  full grammar, L3; levels are in src/core/levels.ts)
  --answer-loss none
                  no loss on the random answers of solve prompts (default all: every token)
  --executed-levels 0
                  mix in solve examples whose answers the executor computed, of these
                  levels; only 0 is allowed (a base never sees an executed answer above L0)
  --executed-share F
                  the share of each batch that is executed examples (default 0.25 with
                  --executed-levels, else 0)
  --json          print a summary as one JSON object on the last line of stdout
  -h, --help      this message`;

const OPTIONS = {
  size: { type: 'string' },
  steps: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  backend: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  'save-every': { type: 'string' },
  init: { type: 'string' },
  json: { type: 'boolean' },
  levels: { type: 'string' },
  'answer-loss': { type: 'string' },
  'executed-levels': { type: 'string' },
  'executed-share': { type: 'string' },
} as const;

/** `--levels 0,1` → [0, 1]; anything else is a usage error naming the flag. */
export function levelsFlag(value: string, name: string): Level[] {
  const levels = value.split(',').map((x) => Number(x.trim()));
  if (levels.length === 0 || !levels.every(isLevel)) throw new UsageError(`--${name} must be a comma-separated list of levels 0, 1, 2, 3; got "${value}"`);
  return [...new Set(levels)] as Level[];
}

/** Token ids and per-token loss weights: with answerLoss false, a solve example's random answer carries none. */
export function encodeWithMask(tok: Tokenizer, ex: CorpusExample, answerLoss: boolean): { ids: number[]; mask: number[] } {
  const ids = encodeExample(tok, ex);
  if (answerLoss || ex.role !== 'solve') return { ids, mask: ids.map(() => 1) };
  const n = tok.encode(ex.prompt).length;
  return { ids, mask: ids.map((_, j) => (j < n ? 1 : 0)) };
}

export function pretrainTokenizer(): CharTokenizer {
  return new CharTokenizer([...SPECIAL_TOKENS]);
}

/** Token ids of one example: the prompt and its response, one sequence. */
export function encodeExample(tok: Tokenizer, ex: CorpusExample): number[] {
  return tok.encode(ex.prompt + ex.response);
}

/**
 * Mean next-token cross-entropy (nats per predicted token) of `model` on `examples`,
 * weighted by tokens, in chunks of `chunk` sequences. The figure the model card quotes.
 */
export async function corpusLoss(model: Transformer, tok: Tokenizer, examples: readonly CorpusExample[], chunk = 32): Promise<{ loss: number; tokens: number }> {
  const seqs = examples.map((e) => encodeExample(tok, e));
  let sum = 0;
  let tokens = 0;
  for (let i = 0; i < seqs.length; i += chunk) {
    const p = packCe(model, { sequences: seqs.slice(i, i + chunk) });
    const n = p.weights.reduce((a, w) => a + w, 0);
    const t = ceLoss(model, p, 1);
    sum += (await t.data())[0];
    t.dispose();
    tokens += n;
  }
  return { loss: sum / tokens, tokens };
}

/** Linear warm-up, then cosine decay to 10% of the peak at the last step. */
export function lrAt(step: number, steps: number, peak: number, warmup: number): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const t = steps > warmup ? (step - warmup) / (steps - warmup) : 1;
  return peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t))));
}

/**
 * Batches from the corpus stream: draws 4 batches' worth of examples, sorts them by length
 * and cuts them into 4 batches (less padding, so fewer wasted tokens), in drawn order.
 */
function* batches(seed: number, batch: number, maxLen: number, tok: Tokenizer, opts: CorpusOptions = {}, answerLoss = true): Generator<{ ids: number[]; mask: number[] }[]> {
  const stream = corpus(seed, opts);
  for (;;) {
    const pool: { ids: number[]; mask: number[] }[] = [];
    while (pool.length < 4 * batch) {
      const row = encodeWithMask(tok, stream.next().value as CorpusExample, answerLoss);
      // The model sees at most maxLen inputs (+1 target); longer examples are rare and skipped.
      if (row.ids.length <= maxLen + 1) pool.push(row);
    }
    pool.sort((a, b) => a.ids.length - b.ids.length);
    for (let i = 0; i < 4; i++) yield pool.slice(i * batch, (i + 1) * batch);
  }
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

function numFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new UsageError(`--${name} must be a number in (0, 1], got "${value}"`);
  return n;
}

/** A directory the run may write: new, empty, or holding a checkpoint (which is replaced). */
function checkOut(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${dir} exists and is not a directory`);
  const entries = readdirSync(dir);
  if (entries.length > 0 && !entries.includes('config.json')) throw new UsageError(`--out ${dir} is not empty and holds no checkpoint; refusing to write into it`);
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, USAGE);
  if (values.help) return showHelp(USAGE);
  noPositionals(positionals, USAGE);
  // With --init the weights (so the size) come from the checkpoint; read it before anything else.
  const initPath = values.init === 'base' ? BASE_CHECKPOINT : values.init;
  let init: ParsedCheckpoint | null = null;
  if (initPath !== undefined) {
    try {
      init = parseCheckpoint((await loadCheckpointPath(initPath)).files);
    } catch (e) {
      if (e instanceof CheckpointError) throw new UsageError(`--init ${initPath}: ${e.name}: ${e.message}`);
      throw e;
    }
  }
  const initMeta = (init?.config.meta ?? {}) as Record<string, unknown>;
  const initSize = typeof initMeta.size === 'string' ? initMeta.size : undefined;
  if (init && values.size !== undefined && initSize !== undefined && values.size !== initSize) {
    throw new UsageError(`--size ${values.size} contradicts --init ${initPath}, a ${initSize} checkpoint`);
  }
  const size = values.size ?? initSize ?? DEFAULTS.size;
  if (!isModelSize(size)) throw new UsageError(`--size must be one of ${Object.keys(MODEL_SIZES).join(', ')}, got "${size}"`);
  const steps = intFlag(values.steps, 'steps', DEFAULTS.steps);
  const seed = intFlag(values.seed, 'seed', DEFAULTS.seed, 0);
  const batch = intFlag(values.batch, 'batch', DEFAULTS.batch);
  const saveEvery = intFlag(values['save-every'], 'save-every', DEFAULTS.saveEvery);
  const lr = numFlag(values.lr, 'lr', DEFAULTS.lr);
  if (values.backend !== undefined && !(BACKEND_PREFS as readonly string[]).includes(values.backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_PREFS.join(', ')}, got "${values.backend}"`);
  }
  const corpusLevels = values.levels !== undefined ? levelsFlag(values.levels, 'levels') : undefined;
  if (values['answer-loss'] !== undefined && values['answer-loss'] !== 'all' && values['answer-loss'] !== 'none') {
    throw new UsageError(`--answer-loss must be all or none, got "${values['answer-loss']}"`);
  }
  const answerLoss = values['answer-loss'] !== 'none';
  const executedLevels = values['executed-levels'] !== undefined ? levelsFlag(values['executed-levels'], 'executed-levels') : [];
  if (executedLevels.some((l) => l !== 0)) {
    throw new UsageError(`--executed-levels may only be 0: a base model never sees an executed answer above L0 (got "${values['executed-levels']}")`);
  }
  let executedShare = 0;
  if (values['executed-share'] !== undefined) {
    executedShare = Number(values['executed-share']);
    if (!(executedShare >= 0 && executedShare < 1)) throw new UsageError(`--executed-share must be a number in [0, 1), got "${values['executed-share']}"`);
    if (executedShare > 0 && executedLevels.length === 0) throw new UsageError('--executed-share needs --executed-levels 0');
  } else if (executedLevels.length > 0) {
    executedShare = 0.25;
  }
  const executedRows = Math.round(executedShare * batch);
  const out = resolve(values.out ?? `runs/pretrain-${size}-${stamp()}`);
  checkOut(out);
  const warmup = Math.min(DEFAULTS.warmup, Math.max(1, Math.floor(steps / 10)));

  const backend = await initBackend((values.backend as BackendPref | undefined) ?? 'auto');
  log(`backend: ${formatBackendInfo(backend)}`);
  const tok = pretrainTokenizer();
  const cfg = modelConfig(size, tok.vocabSize, { contextLength: PRETRAIN_CONTEXT });
  const model = new Transformer(cfg, seed);
  if (init) {
    // Validates config and tokenizer against the checkpoint before touching any weight.
    try {
      restoreCheckpoint(init, { model: cfg, variables: model.namedVariables(), tokenizer: tok });
    } catch (e) {
      model.dispose();
      if (e instanceof CheckpointError) throw new UsageError(`--init ${initPath}: ${e.name}: ${e.message}`);
      throw e;
    }
    if (initMeta.seed === seed) log(`warning: --seed ${seed} is the seed ${initPath} was trained on; the corpus stream replays its examples`);
    log(`continuing from ${initPath} (${String(initMeta.steps ?? '?')} steps, ${Number(initMeta.tokens ?? 0).toLocaleString('en')} tokens)`);
  }
  // Rows per forward/backward pass, gradients summed over them: attention memory grows
  // with rows × length², and a batch of the longest examples in one pass ran the wasm
  // heap out of bounds (4 × 4 heads × 1024² floats per layer is ~64 MB; 16 rows is 4×).
  const trainer = new Trainer(model, { lr, microBatch: MICRO_BATCH });
  const command = ['azr', 'pretrain', ...argv].join(' ');
  log(`pretraining ${size} (${countParams(cfg).toLocaleString('en')} parameters, context ${cfg.contextLength}) for ${steps} steps of ${batch} sequences, lr ${lr}, seed ${seed} → ${out}`);

  const lossLog: { step: number; loss: number; lr: number; tokens: number; t: number }[] = [];
  const started = performance.now();
  let tokens = 0;
  let windowLoss = 0;
  let windowSteps = 0;
  let windowTokens = 0;
  let windowStart = performance.now();
  let lastLoss = NaN;
  let executedSeen = 0;
  const save = async (step: number, extra: Record<string, unknown> = {}) => {
    const files = await captureCheckpoint({
      model: cfg,
      tokenizer: tok,
      variables: model.namedVariables(),
      meta: {
        kind: 'pretrained-base', corpus: 'src/core/corpus.ts', lossOn: answerLoss ? 'all tokens' : 'all tokens but the random answers of solve prompts',
        ...(corpusLevels ? { levels: corpusLevels } : {}),
        ...(executedRows > 0 ? { executed: { levels: executedLevels, rowsPerBatch: executedRows, examples: executedSeen, source: 'src/eval/executed.ts' } } : {}),
        seed, size, step, steps, batch, lr, tokens, wallS: (performance.now() - started) / 1000, backend: backend.name, command,
        // What this run continued from: its meta (steps, tokens, seed, command), so the lineage is rebuildable.
        ...(init ? { init: { path: initPath, meta: { seed: initMeta.seed, steps: initMeta.steps, tokens: initMeta.tokens, wallS: initMeta.wallS, command: initMeta.command, lossOn: initMeta.lossOn, levels: initMeta.levels, executed: initMeta.executed, heldout: initMeta.heldout, init: initMeta.init } } } : {}),
        ...extra,
      },
    });
    await saveCheckpointDir(out, files);
    await writeFile(join(out, 'loss.jsonl'), lossLog.map((l) => JSON.stringify(l)).join('\n') + '\n');
  };
  const executor = executedRows > 0 ? await InlineExecutor.create() : null;
  const execRng = new Rng(seed).fork('executed');
  let executedPool: ExecutedExample[] = [];
  if (executedRows > 0) log(`${executedRows} of every ${batch} rows: solve examples with executed answers, levels ${executedLevels.join(',')}`);
  try {
    const maxLen = Math.min(cfg.contextLength, MAX_TRAIN_TOKENS);
    const stream = batches(seed, batch - executedRows, maxLen, tok, corpusLevels ? { levels: corpusLevels } : {}, answerLoss);
    for (let step = 0; step < steps; step++) {
      trainer.lr = lrAt(step, steps, lr, warmup);
      const rows = stream.next().value as { ids: number[]; mask: number[] }[];
      if (executor) {
        while (executedPool.length < executedRows) executedPool.push(...(await makeExecutedExamples(execRng, executor, 2 * executedRows, { levels: executedLevels, types: ['deduction', 'abduction', 'induction'], timeoutMs: DEFAULT_CONFIG.executorTimeoutMs })));
        for (const ex of executedPool.splice(0, executedRows)) {
          // Loss on every token, as on the rest of the corpus: the answer here is the true one.
          const ids = tok.encode(ex.prompt + ex.response);
          if (ids.length <= maxLen + 1) rows.push({ ids, mask: ids.map(() => 1) });
          executedSeen++;
        }
      }
      const s = await trainer.ceStep({ sequences: rows.map((r) => r.ids), ...(answerLoss && !executor ? {} : { lossMask: rows.map((r) => r.mask) }) });
      if (!Number.isFinite(s.loss)) throw new Error(`loss became ${s.loss} at step ${step + 1}; lower --lr`);
      tokens += s.tokens;
      windowLoss += s.loss;
      windowSteps++;
      windowTokens += s.tokens;
      lastLoss = s.loss;
      const done = step + 1;
      if (done % DEFAULTS.logEvery === 0 || done === steps || done === 1) {
        const now = performance.now();
        const loss = windowLoss / windowSteps;
        lossLog.push({ step: done, loss, lr: trainer.lr, tokens, t: (now - started) / 1000 });
        log(`step ${done}/${steps}  loss ${loss.toFixed(4)}  lr ${trainer.lr.toExponential(2)}  ${Math.round((windowTokens * 1000) / (now - windowStart))} tok/s  ${tokens.toLocaleString('en')} tokens  ${((now - started) / 1000).toFixed(0)} s  ${tf.memory().numTensors} tensors`);
        windowLoss = windowSteps = windowTokens = 0;
        windowStart = now;
      }
      if (done % saveEvery === 0 && done < steps) await save(done);
    }
    const wallS = (performance.now() - started) / 1000;
    const held = await corpusLoss(model, tok, sampleCorpus(HELDOUT.seed, HELDOUT.n));
    log(`held-out loss ${held.loss.toFixed(4)} nats/token on ${HELDOUT.n} fresh examples (${held.tokens} tokens); trained on ${tokens.toLocaleString('en')} tokens in ${wallS.toFixed(0)} s`);
    await save(steps, { heldout: { seed: HELDOUT.seed, n: HELDOUT.n, loss: held.loss, tokens: held.tokens }, finalLoss: lastLoss, wallS });
    if (values.json) {
      emitJson({ out, size, params: countParams(cfg), steps, tokens, firstLoss: lossLog[0]?.loss, finalLoss: lossLog.at(-1)?.loss, heldoutLoss: held.loss, wallS, backend: backend.name });
    }
    return 0;
  } finally {
    await executor?.dispose();
    trainer.dispose();
    model.dispose();
  }
}
