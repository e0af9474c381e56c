// The policy's speed, measured in one run so the ratios compare like with like:
//   - training: PPO-clip steps (pgStep) on a realistic self-play batch, tokens/s;
//   - sampling: batch 32, 128-token replies after a short prompt, with the KV cache and
//     with full recompute (the same seed, so both sample the same tokens);
//   - the same training step on wasm and on cpu (the backend ratio of DESIGN §6);
//   - tensors leaked per self-play step (sample + update), over 50 steps: must be 0.
// Platform-neutral: the caller supplies the backend switch (backend-node's or the
// browser's initBackend), so the page could run the same measurement.
import * as tf from '@tensorflow/tfjs';
import { countParams, modelConfig, type ModelConfig, type ModelSize } from './config.ts';
import { CharTokenizer } from './tokenizer.ts';
import { Transformer } from './transformer.ts';
import { generate } from './sampler.ts';
import { Trainer, type PgBatch } from './train.ts';
import type { BackendInfo, BackendName } from './backend.ts';

export interface ModelBenchOptions {
  size: ModelSize;
  /** Training batch: rows × (prompt + response) tokens. */
  trainBatch: number;
  trainPrompt: number;
  trainResponse: number;
  /** Timed training steps (after one warm-up step). */
  trainSteps: number;
  sampleBatch: number;
  sampleTokens: number;
  /** The smaller step timed on both wasm and cpu (cpu is ~20× slower). */
  compareBatch: number;
  compareSeqLen: number;
  /** Self-play steps counted for leaks (after one warm-up step). */
  leakSteps: number;
  seed: number;
}

/** Defaults sized for about a minute on 2 cores with the wasm backend and the tiny model. */
export const MODEL_BENCH_DEFAULTS: ModelBenchOptions = {
  size: 'tiny',
  trainBatch: 32,
  trainPrompt: 48,
  trainResponse: 80,
  trainSteps: 3,
  sampleBatch: 32,
  sampleTokens: 128,
  compareBatch: 8,
  compareSeqLen: 64,
  leakSteps: 50,
  seed: 1,
};

export interface ModelBenchResult {
  backend: string;
  size: ModelSize;
  params: number;
  /** Tokens through forward + backward + AdamW per second (all B×T positions). */
  trainTokensPerSec: number;
  sampleTokensPerSecKV: number;
  sampleTokensPerSecRecompute: number;
  kvSpeedup: number;
  /** cpu time / wasm time of the same training step. */
  wasmVsCpu: number;
  leakedTensorsPerStep: number;
  detail: {
    trainStepMs: number;
    trainTokensPerStep: number;
    sampleMsKV: number;
    sampleMsRecompute: number;
    sampledTokens: number;
    kvAndRecomputeAgree: boolean;
    compareStepMsWasm: number;
    compareStepMsCpu: number;
    compareTokensPerStep: number;
    leakSteps: number;
    tensorsBefore: number;
    tensorsAfter: number;
  };
}

export const BENCH_SPECIALS = ['<pad>', '<bos>', '<eos>'];
/** A short prompt, as a deduction task's opening might be. */
const SAMPLE_PROMPT = '<bos>function f(a) { return a';

export interface BenchHooks {
  /** Activate a backend (the caller's initBackend). */
  useBackend(name: BackendName): Promise<BackendInfo>;
  log?(line: string): void;
}

/** A deterministic pseudo-random batch of token ids (no special except <bos> first). */
function syntheticPgBatch(tok: CharTokenizer, rows: number, prompt: number, response: number, seed: number): PgBatch {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
  const first = tok.specials.length;
  const span = tok.vocabSize - first;
  const sequences: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const seq = [tok.id('<bos>')];
    while (seq.length < prompt + response) seq.push(first + (next() % span));
    sequences.push(seq);
  }
  return {
    sequences,
    promptLengths: sequences.map(() => prompt),
    // Alternating signs, as group-normalised advantages are.
    advantages: sequences.map((_, r) => (r % 2 ? 1 : -1) * (0.5 + (r % 3) * 0.25)),
    // A plausible behaviour log-prob (≈ log 1/V) for every response token.
    oldLogprobs: sequences.map(() => new Array(response).fill(-Math.log(tok.vocabSize))),
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

function modelFor(size: ModelSize, tok: CharTokenizer): ModelConfig {
  return modelConfig(size, tok.vocabSize);
}

/** Mean ms of `steps` pgSteps after one warm-up step, on the active backend. */
async function timeTraining(cfg: ModelConfig, batch: PgBatch, steps: number, seed: number): Promise<number> {
  const model = new Transformer(cfg, seed);
  // lr 0: the step does all its work (AdamW included) but the weights stay put, so every
  // timed step sees the same model.
  const trainer = new Trainer(model, { lr: 0 });
  try {
    await trainer.pgStep(batch);
    const { ms } = await timed(async () => {
      for (let i = 0; i < steps; i++) await trainer.pgStep(batch);
    });
    return ms / steps;
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

export async function runModelBench(backend: BackendInfo, hooks: BenchHooks, opts: ModelBenchOptions = MODEL_BENCH_DEFAULTS): Promise<ModelBenchResult> {
  const log = hooks.log ?? (() => {});
  const tok = new CharTokenizer(BENCH_SPECIALS);
  const cfg = modelFor(opts.size, tok);
  const params = countParams(cfg);
  const T = opts.trainPrompt + opts.trainResponse;
  if (T > cfg.contextLength + 1) throw new RangeError(`training sequences of ${T} tokens exceed the context length ${cfg.contextLength}`);
  await hooks.useBackend(backend.name);

  // 1. Training throughput.
  log(`training: ${opts.trainBatch} × ${T} tokens per PPO step, ${opts.trainSteps} timed steps…`);
  const trainBatch = syntheticPgBatch(tok, opts.trainBatch, opts.trainPrompt, opts.trainResponse, opts.seed);
  const trainStepMs = await timeTraining(cfg, trainBatch, opts.trainSteps, opts.seed);
  const trainTokensPerStep = opts.trainBatch * T;

  // 2. Sampling throughput, KV cache vs recompute: same seed, no stop token, so both
  //    produce exactly sampleBatch × sampleTokens tokens — and, on a deterministic
  //    backend, the same ones.
  const model = new Transformer(cfg, opts.seed);
  const prompts = Array.from({ length: opts.sampleBatch }, () => tok.encode(SAMPLE_PROMPT));
  const sampleOpts = { maxTokens: opts.sampleTokens, temperature: 1, topP: 1, stopTokens: [] as number[], seed: opts.seed };
  let kv: { ms: number; value: Awaited<ReturnType<typeof generate>> };
  let re: typeof kv;
  try {
    await generate(model, tok, prompts.slice(0, 2), { ...sampleOpts, maxTokens: 4 }); // warm-up: kernels, shaders
    await generate(model, tok, prompts.slice(0, 2), { ...sampleOpts, maxTokens: 4, useCache: false });
    log(`sampling: ${opts.sampleBatch} rows × ${opts.sampleTokens} tokens with the KV cache…`);
    kv = await timed(() => generate(model, tok, prompts, { ...sampleOpts, useCache: true }));
    log(`sampling: the same with full recompute…`);
    re = await timed(() => generate(model, tok, prompts, { ...sampleOpts, useCache: false }));
  } finally {
    model.dispose();
  }
  const sampledTokens = kv.value.reduce((s, r) => s + r.tokens.length, 0);
  const recomputed = re.value.reduce((s, r) => s + r.tokens.length, 0);
  const kvAndRecomputeAgree = kv.value.every((r, i) => r.tokens.join() === re.value[i].tokens.join());

  // 3. Leaks: full self-play-shaped steps (sample with the cache, then a PPO update on
  //    what was sampled), counting live tensors after a warm-up step.
  log(`leak check: ${opts.leakSteps} sample + update steps…`);
  const leak = await leakCheck(cfg, tok, opts);

  // 4. wasm vs cpu on one identical, smaller training step.
  const cmpBatch = syntheticPgBatch(tok, opts.compareBatch, Math.floor(opts.compareSeqLen / 2), Math.ceil(opts.compareSeqLen / 2), opts.seed + 1);
  log(`backend ratio: a ${opts.compareBatch} × ${opts.compareSeqLen} step on wasm, then on cpu…`);
  await hooks.useBackend('wasm');
  const compareStepMsWasm = await timeTraining(cfg, cmpBatch, 2, opts.seed);
  await hooks.useBackend('cpu');
  const compareStepMsCpu = await timeTraining(cfg, cmpBatch, 1, opts.seed);
  await hooks.useBackend(backend.name);

  return {
    backend: backend.name,
    size: opts.size,
    params,
    trainTokensPerSec: trainTokensPerStep / (trainStepMs / 1000),
    sampleTokensPerSecKV: sampledTokens / (kv.ms / 1000),
    sampleTokensPerSecRecompute: recomputed / (re.ms / 1000),
    kvSpeedup: re.ms / recomputed / (kv.ms / sampledTokens),
    wasmVsCpu: compareStepMsCpu / compareStepMsWasm,
    leakedTensorsPerStep: leak.perStep,
    detail: {
      trainStepMs,
      trainTokensPerStep,
      sampleMsKV: kv.ms,
      sampleMsRecompute: re.ms,
      sampledTokens,
      kvAndRecomputeAgree,
      compareStepMsWasm,
      compareStepMsCpu,
      compareTokensPerStep: opts.compareBatch * opts.compareSeqLen,
      leakSteps: opts.leakSteps,
      tensorsBefore: leak.before,
      tensorsAfter: leak.after,
    },
  };
}

async function leakCheck(cfg: ModelConfig, tok: CharTokenizer, opts: ModelBenchOptions): Promise<{ perStep: number; before: number; after: number }> {
  const model = new Transformer(cfg, opts.seed + 2);
  const trainer = new Trainer(model, { lr: 1e-3 });
  const prompt = tok.encode(SAMPLE_PROMPT);
  const step = async (i: number) => {
    const rows = await generate(model, tok, [prompt, prompt, prompt, prompt], {
      maxTokens: 12, temperature: 1, topP: 0.95, stopTokens: [tok.id('<eos>')], seed: opts.seed + i,
    });
    await trainer.pgStep({
      sequences: rows.map((r) => [...prompt, ...r.tokens]),
      promptLengths: rows.map(() => prompt.length),
      advantages: rows.map((_, r) => (r % 2 ? 1 : -1)),
      oldLogprobs: rows.map((r) => r.logprobs),
    });
  };
  try {
    await step(0);
    const before = tf.memory().numTensors;
    for (let i = 1; i <= opts.leakSteps; i++) await step(i);
    const after = tf.memory().numTensors;
    return { perStep: (after - before) / opts.leakSteps, before, after };
  } finally {
    trainer.dispose();
    model.dispose();
  }
}
