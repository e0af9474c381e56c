import { afterAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { BackendError, formatBackendInfo, isSoftwareAdapter, parseBackendPref, selectBackend, type BackendPlatform } from '../../../src/model/backend.ts';
import { initBackend } from '../../../src/model/backend-node.ts';

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** A small fixed computation touching matMul, softmax and a reduction. */
async function probe(): Promise<Float32Array> {
  const a = tf.tensor2d(Array.from({ length: 48 }, (_, i) => Math.sin(i)), [6, 8]);
  const b = tf.tensor2d(Array.from({ length: 40 }, (_, i) => Math.cos(i * 0.7)), [8, 5]);
  const out = tf.tidy(() => tf.concat([tf.softmax(tf.matMul(a, b)).reshape([-1]), tf.sum(tf.tanh(a), 1)]));
  const v = (await out.data()) as Float32Array;
  tf.dispose([a, b, out]);
  return v;
}

describe('backend selection in Node', () => {
  test('auto picks wasm with SIMD and says why', async () => {
    const info = await initBackend();
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.simd).toBe(true);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.reason).toMatch(/^wasm: first choice/);
    expect(formatBackendInfo(info)).toMatch(/^wasm \[SIMD on, \d+ threads?\]: /);
  });

  test('wasm and cpu agree on a small computation', async () => {
    await initBackend('wasm');
    const w = await probe();
    const info = await initBackend('cpu');
    expect(info).toMatchObject({ name: 'cpu', reason: 'cpu: requested' });
    const c = await probe();
    for (let i = 0; i < c.length; i++) expect(Math.abs(w[i] - c[i])).toBeLessThan(1e-5);
  });

  test('a named backend that cannot run is an error, not a silent fallback', async () => {
    await expect(initBackend('webgl')).rejects.toThrow(BackendError);
    await expect(initBackend('webgl')).rejects.toThrow(/webgl is not available: not available in Node/);
  });

  test('bad names are rejected with the list of choices', () => {
    expect(parseBackendPref('webgpu')).toBe('webgpu');
    expect(() => parseBackendPref('gpu')).toThrow(/unknown backend "gpu" \(expected auto, webgpu, webgl, wasm, cpu\)/);
  });

  test('auto explains every backend it skipped', async () => {
    const platform: BackendPlatform = {
      order: ['webgpu', 'webgl', 'cpu'],
      prepare: async (name) => (name === 'webgpu' ? 'no adapter (navigator.gpu missing)' : name === 'webgl' ? 'no canvas' : null),
      describe: async () => ({ info: {}, note: '' }),
    };
    const info = await selectBackend('auto', platform);
    expect(info.name).toBe('cpu');
    expect(info.reason).toBe('webgpu: no adapter (navigator.gpu missing); webgl: no canvas; fell back to cpu');
  });

  test('when nothing can start, the error lists every reason', async () => {
    const platform: BackendPlatform = {
      order: ['webgpu', 'wasm'],
      prepare: async (name) => `${name} broken`,
      describe: async () => ({ info: {}, note: '' }),
    };
    await expect(selectBackend('auto', platform)).rejects.toThrow('no tfjs backend could start: webgpu: webgpu broken; wasm: wasm broken');
  });

  test('a backend whose initialisation throws is skipped with tfjs\'s cause in the reason', async () => {
    // Node has no webgl backend registered, so we can register a broken one under that name.
    expect(tf.findBackendFactory('webgl')).toBeNull();
    tf.registerBackend('webgl', () => {
      throw new Error('no context for you');
    });
    try {
      const platform: BackendPlatform = {
        order: ['webgl', 'cpu'],
        prepare: async () => null,
        describe: async () => ({ info: {}, note: '' }),
      };
      const info = await selectBackend('auto', platform);
      expect(info.name).toBe('cpu');
      expect(info.reason).toMatch(/^webgl: initialisation failed \(.*no context for you.*\); fell back to cpu$/);
    } finally {
      tf.removeBackend('webgl');
    }
  });

  test('software adapters are recognised', () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'nvidia' }, true)).toBe(true);
  });
});

// Dawn + SwiftShader: the webgpu backend must start and agree with cpu. This runs last
// in the file because it leaves a Dawn instance alive in the worker.
describe('webgpu in Node (Dawn)', () => {
  test('initialises and matches cpu on a small forward', async (ctx) => {
    let info;
    try {
      info = await initBackend('webgpu');
    } catch (e) {
      if (e instanceof BackendError && /no adapter/.test(e.message)) {
        ctx.skip(`Dawn found no WebGPU adapter on this machine: ${e.message}`);
      }
      throw e;
    }
    expect(info.name).toBe('webgpu');
    expect(info.adapter).toBeDefined();
    expect(info.reason).toMatch(/^webgpu: requested \(Dawn, /);
    if (info.adapter!.software) expect(info.reason).toMatch(/software adapter/);
    const g = await probe();
    await initBackend('cpu');
    const c = await probe();
    // f32 on both sides, different summation order and exp/tanh implementations: a few ulps of values ≤ ~8.
    for (let i = 0; i < c.length; i++) expect(Math.abs(g[i] - c[i])).toBeLessThan(1e-5);
  });
});
