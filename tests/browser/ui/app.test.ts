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

test('the first page says what the project is, which WebGPU adapter it found, and the trainer worker picks the faster backend by timing it (wasm over SwiftShader here)', async () => {
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
  expect(policy.textContent).toMatch(/Policy trains on: wasm — wasm: fastest by measurement — measured (now in [\d.]+ m?s|earlier on this machine), a training step of this run's model .*webgpu \([^)]*software\)/);
  expect(target.querySelector('[data-testid="run-toggle"]')?.textContent).toMatch(/Start training/);
  expect(target.querySelector('[data-testid="origin"]')?.textContent).toMatch(/random weights/);
  unmount(app);
  await ctl.dispose();
  target.remove();
});

test('the playground: the sandbox output, three judged answers, a looping program named as a timeout; the seeding phase is said with its progress', async () => {
  const target = document.createElement('div');
  document.body.append(target);
  // seedFactor 8 × batch 2 = 16 unique tasks to reach; the starter tasks and the identity are 13.
  let hash = 'preset=smoke&seedFactor=8&backend=wasm&init=random';
  const ctl = new Controller({ location: { get hash() { return hash; }, replace: (h) => (hash = h) } });
  const app = mount(App, { target, props: { controller: ctl } });
  await until(() => ctl.status === 'ready' || ctl.status === 'failed', 90_000);
  flushSync();
  expect(ctl.status, ctl.statusText).toBe('ready');
  const q = (id: string) => target.querySelector(`[data-testid="${id}"]`) as HTMLElement;
  expect(q('seeding').textContent).toMatch(/Seeding: 13\/16 unique tasks — no weight updates yet/);
  expect((q('seeding').querySelector('progress') as HTMLProgressElement).value).toBe(13);

  const set = (id: string, value: string) => {
    const el = q(id) as HTMLInputElement | HTMLTextAreaElement;
    el.value = value;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  };
  set('pg-program', 'function f(a, b) { return a * b; }');
  set('pg-input', '6, 7');
  set('pg-more', '1, 1\n2, 5\n0, 3');
  flushSync();
  (q('pg-run') as HTMLButtonElement).click();
  await until(() => q('pg-runs') !== null && !(q('pg-run') as HTMLButtonElement).disabled, 60_000);
  flushSync();
  expect([...target.querySelectorAll('[data-testid="pg-output"]')].map((e) => e.textContent)).toEqual(['42', '1', '10', '0']);
  for (const type of ['deduction', 'abduction', 'induction']) {
    const card = q(`pg-answer-${type}`);
    expect(card, type).not.toBeNull();
    // Each answer is marked by the judge, in words as well as colour.
    expect(card.querySelector('[data-testid="pg-mark"]')?.textContent).toMatch(/right|wrong|unreadable/);
  }

  // A program that never returns: the sandbox's named verdict, and the page never froze.
  set('pg-program', 'function f(x) { for (;;) {} }');
  set('pg-input', '1');
  set('pg-more', '');
  flushSync();
  const t0 = performance.now();
  let maxGap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 20);
  (q('pg-run') as HTMLButtonElement).click();
  await until(() => q('pg-run-row')?.getAttribute('data-verdict') === 'timeout', 60_000);
  clearInterval(timer);
  flushSync();
  expect(q('pg-runs').textContent).toMatch(/timeout/);
  expect(q('pg-answer-deduction').textContent).toMatch(/Not asked: the sandbox rejected f\(1\): timeout/);
  expect(maxGap, `the page's timer stalled for ${maxGap.toFixed(0)} ms in ${(performance.now() - t0).toFixed(0)} ms`).toBeLessThan(500);

  // While training runs the trainer is busy: the page says so instead of asking.
  const run = ctl.start();
  flushSync();
  expect(q('pg-blocked').textContent).toMatch(/pause it/);
  await expect(ctl.playground({ program: 'function f(x) { return x; }', inputs: ['1'] })).rejects.toThrow(/busy training/);
  ctl.pause();
  await run;
  unmount(app);
  await ctl.dispose();
  target.remove();
});
