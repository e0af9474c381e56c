import { afterAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/model/backend-node.ts';
import { MODEL_BENCH_DEFAULTS, runModelBench } from '../../../src/model/bench.ts';

afterAll(async () => {
  await tf.setBackend('cpu');
});

// The benchmark's plumbing at toy sizes: every figure is measured and finite, the leak
// count is exact, and the two sampling paths agree. Speeds here mean nothing.
test('the model bench runs end to end at toy sizes and finds no leak', async () => {
  const backend = await initBackend('wasm');
  const r = await runModelBench(backend, { useBackend: (n) => initBackend(n) }, {
    ...MODEL_BENCH_DEFAULTS,
    trainBatch: 2, trainPrompt: 4, trainResponse: 4, trainSteps: 1,
    sampleBatch: 2, sampleTokens: 8, compareBatch: 2, compareSeqLen: 8, leakSteps: 3,
  });
  expect(r.backend).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm'); // restored after the cpu comparison
  expect(r.params).toBeGreaterThan(100_000);
  for (const k of ['trainTokensPerSec', 'sampleTokensPerSecKV', 'sampleTokensPerSecRecompute', 'kvSpeedup', 'wasmVsCpu'] as const) {
    expect(Number.isFinite(r[k]) && r[k] > 0, `${k} = ${r[k]}`).toBe(true);
  }
  expect(r.detail.sampledTokens).toBe(16);
  expect(r.detail.kvAndRecomputeAgree).toBe(true);
  expect(r.leakedTensorsPerStep).toBe(0);
  expect(r.detail.tensorsAfter).toBe(r.detail.tensorsBefore);
});
