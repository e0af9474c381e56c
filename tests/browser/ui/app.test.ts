import { expect, test } from 'vitest';
import { mount, unmount, flushSync } from 'svelte';
import App from '../../../src/ui/App.svelte';

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the first page says what the project is and which WebGPU adapter it found', async () => {
  const target = document.createElement('div');
  document.body.append(target);
  const app = mount(App, { target });
  flushSync();
  expect(target.querySelector('h1')?.textContent).toContain('AZR Playground');
  expect(target.textContent).toMatch(/proposes[\s\S]*solving/);
  const backend = target.querySelector('[data-testid="backend"]')!;
  await until(() => !backend.textContent!.includes('Looking'));
  expect(backend.textContent).toMatch(/^WebGPU ready: /);
  const policy = target.querySelector('[data-testid="policy-backend"]')!;
  await until(() => !policy.textContent!.includes('Choosing'), 60_000);
  expect(policy.textContent).toMatch(/Policy trains on: webgpu/);
  unmount(app);
  target.remove();
});
