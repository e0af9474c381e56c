// Backend selection in a real page (Chromium with SwiftShader's WebGPU): the order,
// the reasons, and that the wasm binaries are served by Vite and compute correctly.
import { afterAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { formatBackendInfo, initBackend } from '../../../src/model/backend.ts';

afterAll(async () => {
  await tf.setBackend('cpu');
});

async function probe(): Promise<Float32Array> {
  const a = tf.tensor2d(Array.from({ length: 48 }, (_, i) => Math.sin(i)), [6, 8]);
  const b = tf.tensor2d(Array.from({ length: 40 }, (_, i) => Math.cos(i * 0.7)), [8, 5]);
  const out = tf.tidy(() => tf.concat([tf.softmax(tf.matMul(a, b)).reshape([-1]), tf.sum(tf.tanh(a), 1)]));
  const v = (await out.data()) as Float32Array;
  tf.dispose([a, b, out]);
  return v;
}

test('auto picks webgpu first and names the software adapter', async () => {
  const info = await initBackend();
  expect(info.name, info.reason).toBe('webgpu');
  expect(tf.getBackend()).toBe('webgpu');
  expect(info.reason).toMatch(/^webgpu: first choice/);
  expect(info.adapter).toBeDefined();
  // The test browser runs SwiftShader (see tests/support/chromium.ts): a CPU emulation.
  expect(info.adapter!.software, JSON.stringify(info.adapter)).toBe(true);
  expect(formatBackendInfo(info)).toMatch(/software adapter/);
});

test('wasm loads its binaries through Vite, with SIMD, and agrees with cpu', async () => {
  await initBackend('cpu');
  const ref = await probe();
  const info = await initBackend('wasm');
  expect(info.name).toBe('wasm');
  expect(info.simd).toBe(true);
  expect(info.threads).toBeGreaterThanOrEqual(1);
  // The test page is cross-origin isolated, so the threaded build can run.
  // The binary was fetched from the dev server: the threaded one when the page is
  // cross-origin isolated (tfjs then sizes its pool itself: half the cores, at least 1).
  const fetched = performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('.wasm'));
  const want = crossOriginIsolated ? 'tfjs-backend-wasm-threaded-simd.wasm' : 'tfjs-backend-wasm-simd.wasm';
  expect(fetched.some((n) => n.includes(want)), fetched.join(', ')).toBe(true);
  if (crossOriginIsolated) expect(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(true);
  const got = await probe();
  for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThan(1e-5);
});

test('webgpu agrees with cpu on a small computation', async () => {
  await initBackend('cpu');
  const ref = await probe();
  await initBackend('webgpu');
  const got = await probe();
  for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThan(1e-5);
});

test('webgl either starts or says why', async () => {
  try {
    const info = await initBackend('webgl');
    expect(info.name).toBe('webgl');
    expect(info.reason).toBe('webgl: requested');
  } catch (e) {
    expect((e as Error).message).toMatch(/^backend webgl is not available: /);
  }
});
