// The built app in real Chromium (playwright-core, the system browser with the project's
// flags), against `vite preview`: ask the playground before the first step, start
// training, watch steps reach the counter, charts and feed, pause, step once, reload and
// resume, evaluate on the built-in benchmark, read the config from the URL, export and re-import a run, and train on each
// backend a visitor may get (wasm, SwiftShader WebGPU, the cpu fallback). A long-task
// observer runs throughout training: the page's thread only renders and stores, so no task on it may
// take over 150 ms.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.ts';
import { recordLongTasks } from '../support/long-tasks.ts';

const BASE = inject('baseUrl');
// The smallest config on the wasm backend: SwiftShader WebGPU is ~50x slower on CI.
const FAST = '#preset=smoke&backend=wasm&init=random';
const SHOTS = 'test-results/e2e';

let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  // Long tasks are recorded from the first paint; each test reads and clears the list.
  await recordLongTasks(context);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
});

const stepCount = async (p: Page = page) => Number(await p.getByTestId('step-count').textContent());
const status = (p: Page = page) => p.getByTestId('status').getAttribute('data-status');
const waitStatus = (want: string, timeout = 120_000) =>
  page.waitForFunction((w) => document.querySelector('[data-testid="status"]')?.getAttribute('data-status') === w, want, { timeout });
const longTasks = () => page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks.splice(0));

test('start, at least 3 iterations in the counter, charts and feed; pause; step once; reload resumes at the same step', async () => {
  await page.goto(BASE + FAST);
  await expect.poll(() => page.getByTestId('origin').textContent(), { timeout: 60_000 }).toMatch(/random weights.*starter tasks/);
  await waitStatus('ready');
  expect(await page.getByTestId('policy-backend').textContent()).toMatch(/Policy trains on: wasm/);
  expect(await stepCount()).toBe(0);
  await page.screenshot({ path: join(SHOTS, '1-ready.png'), fullPage: true });

  // The playground works before the first step: the sandbox's output and three judged answers.
  await page.getByLabel('Program', { exact: true }).fill('function f(a, b) { return a * b + 1; }');
  await page.getByLabel('Input (argument list)').fill('6, 7');
  await page.getByTestId('pg-run').click();
  await expect.poll(() => page.getByTestId('pg-output').first().textContent(), { timeout: 60_000 }).toBe('43');
  for (const type of ['deduction', 'abduction', 'induction']) {
    expect(await page.getByTestId(`pg-answer-${type}`).getByTestId('pg-mark').textContent()).toMatch(/right|wrong|unreadable/);
  }
  await page.getByTestId('playground-result').screenshot({ path: join(SHOTS, '1b-playground.png') });

  await longTasks(); // start-up (parsing bundles) is not training
  const t0 = Date.now();
  await page.getByTestId('run-toggle').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="step-count"]')?.textContent) >= 1, null, { timeout: 120_000 });
  const firstStepS = (Date.now() - t0) / 1000;
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="step-count"]')?.textContent) >= 3, null, { timeout: 180_000 });
  expect(Number(await page.getByTestId('charts').getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
  await expect.poll(() => page.getByTestId('feed-item').count()).toBeGreaterThan(0);
  // Solver-batch items show the task they answer.
  await expect.poll(() => page.getByTestId('feed-problem').count()).toBeGreaterThan(0);
  // The reward chart drew its six lines (uPlot's legend lists every series).
  expect(await page.getByTestId('chart-reward').locator('.u-legend .u-series').count()).toBe(7);
  // The curriculum: the level mix of valid new tasks and their solve rate, one line per level.
  expect(await page.getByTestId('chart-levels').locator('.u-legend .u-series').count()).toBe(5);
  expect(await page.getByTestId('chart-level-solve').locator('.u-legend .u-series').count()).toBe(5);
  await page.screenshot({ path: join(SHOTS, '2-training.png'), fullPage: true });

  // Space pauses (focus off the button, so it is the page's shortcut, not a click).
  await page.locator('h1').click();
  await page.keyboard.press('Space');
  await waitStatus('ready');
  const tasks = await longTasks();
  console.log(`first step after ${firstStepS.toFixed(1)} s; long tasks while training: ${tasks.length} (max ${Math.max(0, ...tasks).toFixed(0)} ms)`);
  // 150 ms, the page's budget at load too: since a checkpoint is written after every step
  // (a reload loses at most the step in flight), each step's end adds an IndexedDB put of the
  // ~4 MB checkpoint to the chart and feed updates; on an idle 2-core machine the longest task
  // measured 90–106 ms (CPU profile: layout and rendering, the put ~16 ms), against ~60 ms
  // when checkpoints were written every 5 steps. A task past 150 ms is a regression to find.
  expect(Math.max(0, ...tasks), `long tasks: ${tasks.map((x) => x.toFixed(0)).join(', ')}`).toBeLessThanOrEqual(150);

  const paused = await stepCount();
  expect(paused).toBeGreaterThanOrEqual(3);
  await expect.poll(() => page.getByTestId('saved-step').getAttribute('data-step')).toBe(String(paused));
  await page.waitForTimeout(500);
  expect(await stepCount()).toBe(paused); // paused means paused
  // The buffers as of that checkpoint: the starter tasks (plus the identity) at least.
  expect(await page.getByTestId('buffers-summary').textContent()).toMatch(new RegExp(`As of step ${paused}: (1[3-9]|[2-9]\\d|\\d{3,}) deduction tasks`));

  // "Explain" walks through the last finished step: six baselines, one per type × role.
  await page.getByTestId('explain').click();
  expect(await page.getByTestId('explain-panel').textContent()).toMatch(/Step \d+, as it ran[\s\S]*Baselines \(TRR\+\+\)/);
  expect(await page.getByTestId('baseline-row').count()).toBe(6);
  // What the followed proposal was shown: its references, or induction's source program.
  expect(await page.getByTestId('explain-references').textContent()).toMatch(/was shown/);
  await page.screenshot({ path: join(SHOTS, '2b-explain.png'), fullPage: true });
  // Proposals in the feed say what they were shown.
  await page.locator('#feed-filter').selectOption('rejected');
  await page.getByTestId('feed-references').first().locator('summary').click();
  await expect.poll(() => page.getByTestId('feed-references').first().textContent()).toMatch(/Shown \d references? from the (deduction|abduction) buffer[\s\S]*function f/);
  await page.getByTestId('feed').screenshot({ path: join(SHOTS, '2c-feed-proposals.png') });
  await page.locator('#feed-filter').selectOption('all');

  // `s` steps once.
  await page.keyboard.press('s');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="step-count"]')?.textContent) === n, paused + 1, { timeout: 60_000 });
  await waitStatus('ready');
  await expect.poll(() => page.getByTestId('saved-step').getAttribute('data-step'), { timeout: 30_000 }).toBe(String(paused + 1));
  await page.getByTestId('step-once').click();
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="step-count"]')?.textContent) === n, paused + 2, { timeout: 60_000 });
  await expect.poll(() => page.getByTestId('saved-step').getAttribute('data-step'), { timeout: 30_000 }).toBe(String(paused + 2));

  await page.reload();
  await waitStatus('ready');
  expect(await stepCount()).toBe(paused + 2);
  expect(await page.getByTestId('origin').textContent()).toMatch(new RegExp(`Resumed from its checkpoint at step ${paused + 2}`));
  expect(Number(await page.getByTestId('charts').getAttribute('data-points'))).toBe(paused + 2);
  // And it goes on from there.
  await page.getByTestId('step-once').click();
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="step-count"]')?.textContent) === n, paused + 3, { timeout: 60_000 });
  await waitStatus('ready');
  expect(pageErrors).toEqual([]);
});

test('"Evaluate now": the status line shows its progress, then the benchmark chart and readout show accuracy per type, kept across a reload and in the runs comparison', async () => {
  await waitStatus('ready');
  const at = await stepCount();
  expect(await page.getByTestId('bench-empty').textContent()).toMatch(/No evaluation yet\. The first runs after step \d+, or press Evaluate now/);
  await longTasks();
  await page.getByTestId('evaluate-now').click();
  await waitStatus('evaluating', 10_000);
  // It runs in the trainer worker; the page says what it is doing and how far it is.
  await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 }).toMatch(new RegExp(`evaluating step ${at} on the benchmark \\(tier 1, greedy\\): \\d+/\\d+ questions`));
  expect(await page.getByTestId('evaluate-now').textContent()).toMatch(/Cancel evaluation/);
  await page.getByTestId('status').screenshot({ path: join(SHOTS, '2d-evaluating.png') });
  await waitStatus('ready', 180_000);
  const tasks = await longTasks();
  expect(Math.max(0, ...tasks), `long tasks while evaluating: ${tasks.map((x) => x.toFixed(0)).join(', ')}`).toBeLessThanOrEqual(100);

  const readout = page.getByTestId('bench-readout');
  expect(await readout.textContent()).toMatch(new RegExp(`Step ${at} · tier 1`));
  for (const type of ['deduction', 'abduction', 'induction']) {
    const row = page.getByTestId(`bench-acc-${type}`);
    expect(await row.textContent()).toMatch(new RegExp(`${type} \\d+\\.\\d% \\(\\d+/\\d+\\)`));
    const acc = Number(await row.getAttribute('data-accuracy'));
    expect(acc).toBeGreaterThanOrEqual(0);
    expect(acc).toBeLessThanOrEqual(1);
  }
  expect(await page.getByTestId('bench-note').textContent()).toMatch(/Greedy[\s\S]*tier 1:\s+\d+ deduction, \d+ abduction and \d+ induction questions per evaluation/);
  expect(await page.getByTestId('benchmark').getAttribute('data-evals')).toBe('1');
  expect(await page.getByTestId('bench-empty').count()).toBe(0);
  // One legend entry per task type, and the point drawn (uPlot keeps one per series in its data).
  expect(await page.getByTestId('chart-benchmark').locator('.u-legend .u-series').count()).toBe(4);
  await page.getByTestId('benchmark').screenshot({ path: join(SHOTS, '2e-benchmark.png') });

  // Stored with the step's metrics: a reload shows it again.
  await page.reload();
  await waitStatus('ready');
  expect(await page.getByTestId('benchmark').getAttribute('data-evals')).toBe('1');
  expect(await page.getByTestId('bench-readout').textContent()).toMatch(new RegExp(`Step ${at} · tier 1`));
  // The runs comparison overlays it.
  await page.locator('tr.current').getByRole('checkbox').check();
  await expect.poll(() => page.getByTestId('compare-bench-chart').getAttribute('data-runs')).toBe('1');
  await page.locator('tr.current').getByRole('checkbox').uncheck();
  expect(pageErrors).toEqual([]);
});

test('the config comes from the URL hash; bad keys are named and fall back one by one', async () => {
  await page.goto(BASE + '#preset=smoke&seed=7&backend=wasm&init=random');
  await page.reload(); // a hash change alone does not reload the page
  await waitStatus('ready');
  expect(await page.getByTestId('preset').inputValue()).toBe('smoke');
  expect(await page.getByTestId('preset-description').textContent()).toMatch(/Smallest possible run/);
  expect(await page.getByTestId('cfg-seed').inputValue()).toBe('7');
  expect(await page.getByLabel('Random seed').inputValue()).toBe('7');
  expect(await stepCount()).toBe(0); // a different config is a new run
  expect(new URL(page.url()).hash).toBe('#preset=smoke&seed=7&backend=wasm&init=random');

  await page.goto(BASE + '#preset=smoke&seed=abc&lr=5&batch=3&backend=wasm&init=random');
  await page.reload();
  await waitStatus('ready');
  const problems = await page.getByTestId('url-problems').textContent();
  expect(problems).toMatch(/seed=abc.*must be a number/);
  expect(problems).toMatch(/lr=5.*must be <= 1/);
  expect(await page.getByTestId('cfg-seed').inputValue()).toBe('1'); // the preset's
  expect(await page.getByTestId('cfg-batch').inputValue()).toBe('3'); // kept
  expect(new URL(page.url()).hash).toBe('#preset=smoke&batch=3&backend=wasm&init=random');

  // Editing shows the schema's message by the field and blocks applying.
  await page.getByTestId('cfg-lr').fill('0');
  expect(await page.getByTestId('cfg-lr-error').textContent()).toMatch(/Learning rate must be > 0/);
  expect(await page.getByTestId('apply-config').isDisabled()).toBe(true);
  await page.getByTestId('cfg-lr').fill('0.001');
  await page.getByTestId('cfg-batch').fill('2');
  await page.getByTestId('apply-config').click();
  // The status may still read 'ready' from before the click: wait for the new run's link itself.
  await expect.poll(() => new URL(page.url()).hash, { timeout: 30_000 }).toBe('#preset=smoke&lr=0.001&backend=wasm&init=random');
  await waitStatus('ready');
  await page.screenshot({ path: join(SHOTS, '3-settings.png'), fullPage: true });
});

test('export a run (log + checkpoint) and import it back; a bad file changes nothing', async () => {
  await page.goto(BASE + FAST);
  await page.reload();
  await waitStatus('ready');
  await page.getByTestId('step-once').click();
  await expect.poll(() => page.getByTestId('saved-step').getAttribute('data-step'), { timeout: 60_000 }).toBe('1');
  await waitStatus('ready');
  const rowsBefore = await page.getByTestId('run-row').count();

  const current = page.locator('tr.current');
  const downloads: { name: string; path: string }[] = [];
  const got = new Promise<void>((resolve) => {
    page.on('download', async (d) => {
      const path = join(SHOTS, d.suggestedFilename());
      await d.saveAs(path);
      downloads.push({ name: d.suggestedFilename(), path });
      if (downloads.length === 2) resolve();
    });
  });
  await current.getByTestId('export-run').click();
  await got;
  const names = downloads.map((d) => d.name).sort();
  expect(names[0]).toMatch(/\.ckpt\.tar$/);
  expect(names[1]).toMatch(/\.run\.jsonl$/);

  // A broken checkpoint: a clear message, no new row.
  const bad = join(SHOTS, 'broken.ckpt.tar');
  writeFileSync(bad, 'this is not a tar file');
  await page.getByTestId('import-input').setInputFiles(bad);
  await expect.poll(() => page.getByTestId('notice').last().textContent()).toMatch(/Import failed, nothing was changed: broken\.ckpt\.tar/);
  expect(await page.getByTestId('run-row').count()).toBe(rowsBefore);

  await page.getByTestId('import-input').setInputFiles(downloads.map((d) => d.path));
  await expect.poll(() => page.getByTestId('run-row').count()).toBe(rowsBefore + 1);
  const imported = page.getByTestId('run-row').filter({ hasText: '(imported)' }).first();
  expect(await imported.getByTestId('run-steps').textContent()).toBe('1');
  await imported.getByRole('button', { name: 'Open' }).click();
  await expect.poll(() => page.locator('tr.current').getByTestId('run-name').textContent()).toMatch(/\(imported\)/);
  await waitStatus('ready');
  expect(await stepCount()).toBe(1);
  expect(Number(await page.getByTestId('charts').getAttribute('data-points'))).toBe(1);
  expect(await page.getByTestId('origin').textContent()).toMatch(/Resumed from its checkpoint at step 1 \(run started from an imported checkpoint\)/);
  // The imported run trains on from where it was exported.
  await page.getByTestId('step-once').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="step-count"]')?.textContent === '2', null, { timeout: 60_000 });
  expect(pageErrors).toEqual([]);
});

// One step on each other backend a visitor may get, in a page of its own. Batches of one
// and short answers: SwiftShader emulates the GPU on the CPU and is the slowest of all.
const TINY_STEP = '&batch=1&rollouts=1&group=1&maxResponse=24&init=random';

async function oneStepOn(query: string, backend: RegExp, shot: string): Promise<void> {
  const p = await context.newPage();
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(BASE + query);
  await p.waitForFunction(() => document.querySelector('[data-testid="status"]')?.getAttribute('data-status') === 'ready', null, { timeout: 120_000 });
  expect(await p.getByTestId('policy-backend').textContent()).toMatch(backend);
  await p.getByTestId('step-once').click();
  await p.waitForFunction(() => document.querySelector('[data-testid="step-count"]')?.textContent === '1', null, { timeout: 200_000 });
  await p.waitForFunction(() => document.querySelector('[data-testid="status"]')?.getAttribute('data-status') === 'ready', null, { timeout: 30_000 });
  expect(Number(await p.getByTestId('charts').getAttribute('data-points'))).toBe(1);
  expect(await p.getByTestId('notices').textContent()).not.toMatch(/Skipped|failed/);
  await p.screenshot({ path: join(SHOTS, shot), fullPage: false });
  expect(errors).toEqual([]);
  await p.close();
}

test('backend=webgpu in the link trains a step on WebGPU (SwiftShader here)', async () => {
  await oneStepOn('#preset=smoke&seed=3&backend=webgpu' + TINY_STEP, /Policy trains on: webgpu/, '5-webgpu.png');
});

test('backend=cpu in the link: the cpu fallback trains a step and the page says so', async () => {
  await oneStepOn('#preset=smoke&seed=4&backend=cpu' + TINY_STEP, /Policy trains on: cpu/, '6-cpu.png');
});

test('a first visit (default preset, base checkpoint) says where it starts: the base, with first tasks of levels L0 and L1, learning from step 1', async () => {
  // A fresh context: no stored run, no hash — exactly what a new visitor opens.
  const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p = await fresh.newPage();
  await p.goto(BASE);
  await p.waitForFunction(() => document.querySelector('[data-testid="status"]')?.getAttribute('data-status') === 'ready', null, { timeout: 120_000 });
  expect(await p.getByTestId('origin').textContent()).toMatch(/Started from the base checkpoint .*; buffers seeded from 12 built-in starter tasks and \d+ generated tasks of levels L0, L1/);
  // The generated first tasks already fill seedFactor 2 × batch 8 = 16: no seeding phase, weights move from step 1.
  expect(await p.getByTestId('seeding').count()).toBe(0);
  await p.screenshot({ path: join(SHOTS, '7-first-visit.png') });
  await fresh.close();
});

test('readable at 390 px wide', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: join(SHOTS, '4-narrow.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
});
