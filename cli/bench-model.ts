// `azr bench model`: how fast the policy trains and samples on this machine's Node
// backend, KV cache against full recompute, wasm against cpu, and whether a self-play
// step leaks tensors — one run, so the ratios compare like with like.
import { emitJson, log, noPositionals, parse, showHelp, UsageError } from './args.ts';
import { BackendError, formatBackendInfo, parseBackendPref } from '../src/model/backend.ts';
import { initBackend } from '../src/model/backend-node.ts';
import { isModelSize, MODEL_SIZES } from '../src/model/config.ts';
import { MODEL_BENCH_DEFAULTS, runModelBench } from '../src/model/bench.ts';

const D = MODEL_BENCH_DEFAULTS;
const USAGE = `usage: azr bench model [--backend B] [--size S] [--json]

Measures, in one run on one backend:
  training   PPO steps on ${D.trainBatch} sequences × ${D.trainPrompt + D.trainResponse} tokens (${D.trainSteps} timed after a warm-up): tokens/s
  sampling   ${D.sampleBatch} rows × ${D.sampleTokens}-token replies after a short prompt, KV cache vs full recompute
  backends   one ${D.compareBatch} × ${D.compareSeqLen} training step on wasm and on cpu: the speed ratio
  leaks      live tensors after ${D.leakSteps} sample + update steps (must not grow)
About a minute on 2 cores with the defaults (wasm, tiny); larger sizes take longer.

options:
  --backend B   auto (default: wasm in Node), wasm, cpu or webgpu (Dawn; a software
                adapter without a GPU, far slower than cpu: correctness only)
  --size S      model size: ${Object.keys(MODEL_SIZES).join(', ')} (default ${D.size})
  --json        print {backend, trainTokensPerSec, sampleTokensPerSecKV, sampleTokensPerSecRecompute,
                kvSpeedup, wasmVsCpu, leakedTensorsPerStep, params, size} last on stdout`;

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, backend: { type: 'string' }, size: { type: 'string' } }, USAGE);
  if (values.help) return showHelp(USAGE);
  noPositionals(positionals, USAGE);
  let pref;
  try {
    pref = parseBackendPref(values.backend ?? 'auto');
  } catch (e) {
    throw new UsageError(`--backend: ${(e as Error).message}`);
  }
  if (pref === 'webgl') throw new UsageError('--backend webgl: there is no WebGL in Node (choose auto, wasm, cpu or webgpu)');
  const size = values.size ?? D.size;
  if (!isModelSize(size)) throw new UsageError(`--size must be one of ${Object.keys(MODEL_SIZES).join(', ')}, got "${size}"`);

  let backend;
  try {
    backend = await initBackend(pref);
  } catch (e) {
    if (e instanceof BackendError) {
      log(`azr bench model: ${e.message}`);
      return 1;
    }
    throw e;
  }
  log(`backend: ${formatBackendInfo(backend)}`);
  const r = await runModelBench(backend, { useBackend: (name) => initBackend(name), log: (l) => log(`  ${l}`) }, { ...D, size });

  const d = r.detail;
  log('');
  log(`model ${r.size}: ${fmt(r.params)} parameters; backend ${r.backend}`);
  log(`  ${'measurement'.padEnd(40)} ${'tokens/s'.padStart(10)}  ${'ms'.padStart(9)}  note`);
  log(`  ${`training (PPO step, ${d.trainTokensPerStep} tokens)`.padEnd(40)} ${fmt(r.trainTokensPerSec).padStart(10)}  ${fmt(d.trainStepMs).padStart(9)}  per step`);
  log(`  ${`sampling, KV cache (${d.sampledTokens} tokens)`.padEnd(40)} ${fmt(r.sampleTokensPerSecKV).padStart(10)}  ${fmt(d.sampleMsKV).padStart(9)}  total`);
  log(`  ${'sampling, full recompute'.padEnd(40)} ${fmt(r.sampleTokensPerSecRecompute).padStart(10)}  ${fmt(d.sampleMsRecompute).padStart(9)}  total`);
  log(`  KV cache speed-up: ${r.kvSpeedup.toFixed(1)}× (target ≥ 5×)${d.kvAndRecomputeAgree ? '; both paths sampled the same tokens' : '; NOTE: the two paths sampled different tokens'}`);
  log(`  wasm vs cpu (${d.compareTokensPerStep}-token step): ${r.wasmVsCpu.toFixed(1)}× (wasm ${fmt(d.compareStepMsWasm)} ms, cpu ${fmt(d.compareStepMsCpu)} ms)`);
  log(`  leaked tensors per step: ${r.leakedTensorsPerStep} over ${d.leakSteps} sample + update steps (${d.tensorsBefore} → ${d.tensorsAfter} live; target 0)`);

  if (values.json) {
    emitJson({
      backend: r.backend,
      trainTokensPerSec: Math.round(r.trainTokensPerSec),
      sampleTokensPerSecKV: Math.round(r.sampleTokensPerSecKV),
      sampleTokensPerSecRecompute: Math.round(r.sampleTokensPerSecRecompute),
      kvSpeedup: Number(r.kvSpeedup.toFixed(2)),
      wasmVsCpu: Number(r.wasmVsCpu.toFixed(2)),
      leakedTensorsPerStep: r.leakedTensorsPerStep,
      params: r.params,
      size: r.size,
    });
  }
  // A leak is a bug, and a bench that hides one would pass it on.
  return r.leakedTensorsPerStep === 0 ? 0 : 1;
}
