import { expect, test } from 'vitest';
import { mount, unmount, flushSync } from 'svelte';
import App from '../../../src/ui/App.svelte';
import { Controller } from '../../../src/ui/state/controller.svelte.ts';

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the first page says what the project is, which WebGPU adapter it found, and the trainer worker picks webgpu by default', async () => {
  const target = document.createElement('div');
  document.body.append(target);
  let hash = 'preset=smoke&init=random';
  const ctl = new Controller({ location: { get hash() { return hash; }, replace: (h) => (hash = h) } });
  const app = mount(App, { target, props: { controller: ctl } });
  flushSync();
  expect(target.querySelector('h1')?.textContent).toContain('AZR Playground');
  expect(target.textContent).toMatch(/proposes[\s\S]*solving/);
  expect(target.textContent).toMatch(/Space[\s\S]*start \/ pause[\s\S]*step once/);
  const backend = target.querySelector('[data-testid="backend"]')!;
  await until(() => !backend.textContent!.includes('Looking'));
  expect(backend.textContent).toMatch(/^\s*WebGPU ready: /);
  const policy = target.querySelector('[data-testid="policy-backend"]')!;
  await until(() => ctl.status === 'ready' || ctl.status === 'failed', 90_000);
  flushSync();
  expect(ctl.status, ctl.statusText).toBe('ready');
  expect(policy.textContent).toMatch(/Policy trains on: webgpu/);
  expect(target.querySelector('[data-testid="run-toggle"]')?.textContent).toMatch(/Start training/);
  expect(target.querySelector('[data-testid="origin"]')?.textContent).toMatch(/random weights/);
  unmount(app);
  await ctl.dispose();
  target.remove();
});
