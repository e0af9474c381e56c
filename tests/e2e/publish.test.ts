// The built app as someone publishing it gets it: dist/ copied under a sub-path
// (/azr-playground/, as GitHub Pages serves a project) of a plain static server.
// - `python3 -m http.server`, which sends no COOP/COEP headers (nor does GitHub Pages):
//   the page loads its chunks, workers, wasm and base weights from the sub-path, says it
//   runs single-threaded and why, and trains.
// - A server that sends the headers (as hosts reading public/_headers do): the page is
//   cross-origin isolated and the wasm backend starts its threads from the minified build
//   (their script is the factory's source text; a mangled one fails in every thread, which
//   the page reports as an error).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.ts';
import { serveStatic } from '../../scripts/static-server.ts';

const DIST = resolve(inject('distDir'));
const SUB = 'azr-playground';

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
});

/** A fresh page (empty cache, empty IndexedDB) that collects its uncaught errors. */
async function openPage(): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors, close: () => context.close() };
}

const ready = (page: Page) =>
  page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.getAttribute('data-status') === 'ready', null, { timeout: 180_000 });
const steps = (page: Page, n: number) =>
  page.waitForFunction((k) => Number(document.querySelector('[data-testid="step-count"]')?.textContent) >= k, n, { timeout: 180_000 });

/** `python3 -m http.server` over a temp dir holding dist/ as azr-playground/; its request log parsed. */
async function pythonServer(): Promise<{ url: string; requests: { path: string; status: number }[]; stop: () => void }> {
  const root = mkdtempSync(join(tmpdir(), 'azr-pages-'));
  cpSync(DIST, join(root, SUB), { recursive: true });
  const child: ChildProcess = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root], { stdio: ['ignore', 'pipe', 'pipe'] });
  const requests: { path: string; status: number }[] = [];
  child.stderr!.on('data', (b: Buffer) => {
    for (const m of b.toString().matchAll(/"GET (\S+) HTTP\/[\d.]+" (\d{3})/g)) requests.push({ path: m[1], status: Number(m[2]) });
  });
  const port = await new Promise<number>((ok, fail) => {
    let out = '';
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`python3 -m http.server exited (${code}): ${out}`)));
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /port (\d+)/.exec(out);
      if (m) ok(Number(m[1]));
    });
  });
  return {
    url: `http://127.0.0.1:${port}/${SUB}/`,
    requests,
    stop: () => {
      child.kill();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

test('from a sub-path of python3 -m http.server (no COOP/COEP): assets, workers and base weights resolve, the page says it is single-threaded and why, and it trains', async () => {
  const server = await pythonServer();
  const { page, errors, close } = await openPage();
  try {
    // The default preset on the shipped base weights, on the backend a laptop without a GPU gets.
    await page.goto(server.url + '#backend=wasm');
    await ready(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.getByTestId('isolation').textContent()).toMatch(/Cross-origin isolated: no — this host sends no COOP\/COEP headers, so WebAssembly runs single-threaded/);
    expect(await page.getByTestId('policy-backend').textContent()).toMatch(/Policy trains on: wasm — .*single-threaded: the page is not cross-origin isolated/);
    expect(await page.getByTestId('wasm-threads').getAttribute('data-threads')).toBe('1');
    expect(await page.getByTestId('origin').textContent()).toMatch(/Started from the base checkpoint/);
    await page.getByTestId('run-toggle').click();
    await steps(page, 1);
    await page.getByTestId('run-toggle').click();
    await ready(page);
    const paths = server.requests.map((r) => r.path);
    // Everything came from under the sub-path, and nothing was missing (a browser's favicon probe aside).
    expect(server.requests.filter((r) => r.status >= 400 && r.path !== '/favicon.ico')).toEqual([]);
    expect(paths.filter((p) => !p.startsWith(`/${SUB}/`) && p !== '/favicon.ico')).toEqual([]);
    expect(paths).toContain(`/${SUB}/checkpoints/base/weights.safetensors`);
    expect(paths.some((p) => /\/assets\/trainer\.worker-[\w-]+\.js$/.test(p))).toBe(true);
    // One QuickJS binary fetch for the whole sandbox pool.
    expect(paths.filter((p) => /emscripten-module-[\w-]+\.wasm$/.test(p))).toHaveLength(1);
    expect(errors).toEqual([]);
  } finally {
    await close();
    server.stop();
  }
});

test('from a sub-path of a host that sends COOP/COEP: cross-origin isolated, and the minified build starts the threaded wasm backend and trains', async () => {
  const server = await serveStatic({ root: DIST, prefix: `/${SUB}/`, isolate: true });
  const { page, errors, close } = await openPage();
  try {
    await page.goto(server.url + '#preset=smoke&backend=wasm&init=random');
    await ready(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.getByTestId('isolation').textContent()).toMatch(/Cross-origin isolated: yes/);
    const backend = await page.getByTestId('policy-backend').textContent();
    expect(backend).toMatch(/Policy trains on: wasm — /);
    expect(backend).not.toMatch(/single-threaded/);
    // tfjs picks the count (this 2-core machine gets 1); what matters is that the threaded build started.
    expect(Number(await page.getByTestId('wasm-threads').getAttribute('data-threads'))).toBeGreaterThanOrEqual(1);
    // The threaded binary is the one tfjs chose, so its thread pool (8 workers, each started
    // from the factory's source text) came up without an error.
    expect(server.log.some((r) => /tfjs-backend-wasm-threaded-simd-[\w-]+\.wasm$/.test(r.path) && r.status === 200)).toBe(true);
    await page.getByTestId('run-toggle').click();
    await steps(page, 1);
    await page.getByTestId('run-toggle').click();
    await ready(page);
    expect(errors).toEqual([]);
  } finally {
    await close();
    await server.close();
  }
});
