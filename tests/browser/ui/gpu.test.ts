import { expect, test } from 'vitest';
import { probeWebGpu, describeGpu } from '../../../src/ui/gpu.ts';

test('the test browser exposes a WebGPU adapter (SwiftShader when there is no GPU)', async () => {
  const status = await probeWebGpu();
  expect(status.available, JSON.stringify(status)).toBe(true);
  expect(describeGpu(status)).toMatch(/^WebGPU ready/);
});

test('a navigator without gpu gets a reason, not a crash', async () => {
  const status = await probeWebGpu({} as Navigator);
  expect(status.available).toBe(false);
  expect(describeGpu(status)).toMatch(/No WebGPU: .*falls back/);
});
