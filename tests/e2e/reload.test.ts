// A reload while training loses at most the step in flight: the page saves a checkpoint after
// every step when that costs little next to the step (it does here), the metrics rows are
// stored per step, and the feed is kept in the tab's sessionStorage on pagehide.
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.ts';

const BASE = inject('baseUrl');
const FAST = '#preset=smoke&backend=wasm&init=random&seed=21';
const N = 4;

let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
});

const stepCount = async () => Number(await page.getByTestId('step-count').textContent());
const waitReady = (timeout = 120_000) =>
  page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.getAttribute('data-status') === 'ready', null, { timeout });

test(`${N} steps, reload mid-training: the iteration shown is at least ${N} − 1, the charts and the feed are intact`, async () => {
  await page.goto(BASE + FAST);
  await waitReady();
  await page.getByTestId('run-toggle').click();
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="step-count"]')?.textContent) >= n, N, { timeout: 180_000 });
  // What saving costs, as the page measured it (printed, not asserted: timings vary by machine).
  const saved = page.getByTestId('saved-step');
  const [ms, workerMs, blockedMs, bytes, savedAt] = await Promise.all(['data-save-ms', 'data-save-worker-ms', 'data-save-blocked-ms', 'data-save-bytes', 'data-step'].map((a) => saved.getAttribute(a)));
  const steps = await page.evaluate(() => [...document.querySelectorAll('[data-testid="status"]')].map((e) => e.textContent).join(''));
  console.log(`checkpoint ${(Number(bytes) / 1e6).toFixed(2)} MB; last save ${ms} ms in all, of which ${workerMs} ms capture in the worker + transfer; training waited ${blockedMs} ms; saved at step ${savedAt}; status: ${steps}`);

  const before = await stepCount();
  const feedBefore = await page.getByTestId('feed-item').count();
  expect(feedBefore).toBeGreaterThan(0);
  await page.reload(); // training is still running: a step is in flight
  await waitReady();
  const after = await stepCount();
  console.log(`reloaded at iteration ${before}; reopened at ${after}`);
  expect(after).toBeGreaterThanOrEqual(before - 1);
  expect(await page.getByTestId('origin').textContent()).toMatch(new RegExp(`Resumed from its checkpoint at step ${after}`));
  // Charts: one point per step up to the checkpoint; the feed: the items of those steps.
  expect(Number(await page.getByTestId('charts').getAttribute('data-points'))).toBe(after);
  expect(await page.getByTestId('chart-reward').locator('.u-legend .u-series').count()).toBe(7);
  const feedAfter = await page.getByTestId('feed-item').count();
  expect(feedAfter).toBeGreaterThan(0);
  expect(feedAfter).toBeLessThanOrEqual(feedBefore + 200);
  // And it trains on from there.
  await page.getByTestId('step-once').click();
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="step-count"]')?.textContent) === n, after + 1, { timeout: 60_000 });
  await waitReady();
  expect(Number(await page.getByTestId('charts').getAttribute('data-points'))).toBe(after + 1);
  expect(pageErrors).toEqual([]);
});
