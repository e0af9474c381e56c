// What a first visit costs: the built app served by a plain static server (with the
// COOP/COEP pair, as public/_headers asks), opened in a fresh Chromium context (empty
// cache), measured until the page says "Ready" — the moment the visitor can press Start.
//
//   npm run bench:load                          # builds dist/, then measures it
//   npm run bench:load -- --before ../old/dist  # and an older build, in the same run
//   options: --dist DIR (measure this build, no build step), --runs N (default 3),
//            --hash '#backend=wasm' (the page's settings; default: the wasm backend a
//            visitor with no usable GPU gets), --json
// Each build is loaded --runs times, interleaved, after one uncounted warm-up load; every
// load is a fresh browser context, so its HTTP cache is empty (a first visit).
//
// Counted: every response the server sent from the navigation until the page is ready
// and no request has come for a second — the page, its chunks, the base checkpoint's
// weights, the trainer worker's chunks and wasm binaries, the sandbox workers' fetches.
// Raw bytes are what a host that does not compress sends; gzip is each file gzipped at
// level 6 (what a host that compresses sends; hosts differ in level and format, and some
// do not compress .wasm). The longest main-thread task comes from a `longtask`
// PerformanceObserver installed before any script of the page runs (wall time: what a
// visitor feels). A task's wall time includes any time its thread waited for a core, so on
// a machine shared with other work it swings from load to load: the machine's load average
// is printed with it, and the same task's CPU time (from a Chrome trace of the load) is
// printed beside it. Compare only builds measured in the same run (interleaved).
import { gzipSync } from 'node:zlib';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/support/chromium.ts';
import { serveStatic } from './static-server.ts';
import './node-compat.mjs';
import { recordLongTasks } from '../tests/support/long-tasks.ts';

interface Load {
  requests: number;
  raw: number;
  gzip: number;
  longestTaskMs: number;
  longestTaskCpuMs: number;
  longTasks: number;
  readyMs: number;
  files: { path: string; raw: number; gzip: number }[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A dist directory, or a checkout whose dist/ holds the build. */
function distOf(dir: string): string {
  const d = resolve(dir);
  if (existsSync(join(d, 'index.html'))) return d;
  if (existsSync(join(d, 'dist', 'index.html'))) return join(d, 'dist');
  throw new Error(`${dir}: no built app here (no index.html, no dist/index.html); run \`npm run build\` there first`);
}

const gzipCache = new Map<string, number>();
function gzipSize(file: string): number {
  let n = gzipCache.get(file);
  if (n === undefined) {
    n = gzipSync(readFileSync(file), { level: 6 }).length;
    gzipCache.set(file, n);
  }
  return n;
}

async function measure(browser: Browser, dist: string, hash: string): Promise<Load> {
  const server = await serveStatic({ root: dist, prefix: '/', isolate: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await recordLongTasks(context);
    const page = await context.newPage();
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    const t0 = Date.now();
    await page.goto(server.url + hash);
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.getAttribute('data-status') === 'ready', null, { timeout: 180_000 });
    const readyMs = Date.now() - t0;
    // Quiet for a second: the sandbox workers may still be fetching when the page says ready.
    for (let seen = -1; seen !== server.log.length;) {
      seen = server.log.length;
      await page.waitForTimeout(1000);
    }
    const tasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    const cpu = longestTaskCpu(await browser.stopTracing(), server.url);
    const files = server.log.filter((r) => r.status === 200).map((r) => {
      const file = join(dist, r.path);
      return { path: r.path, raw: r.bytes, gzip: existsSync(file) && statSync(file).isFile() ? gzipSize(file) : gzipSize(join(file, 'index.html')) };
    });
    return {
      requests: server.log.length,
      raw: files.reduce((s, f) => s + f.raw, 0),
      gzip: files.reduce((s, f) => s + f.gzip, 0),
      longestTaskMs: Math.max(0, ...tasks),
      longestTaskCpuMs: cpu,
      longTasks: tasks.length,
      readyMs,
      files,
    };
  } finally {
    await context.close();
    await server.close();
  }
}

type TraceEvent = { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string; data?: { url?: string } } };

/**
 * The CPU time of the longest task on the page's main thread, from a Chrome trace of the
 * same load (a task's thread time). Wall time includes the time the thread waited for a
 * core, which on a shared machine can be most of it; CPU time is what the page itself cost.
 * The app's renderer is the one whose main thread ran a script from the served site.
 */
function longestTaskCpu(trace: Buffer, site: string): number {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const mains = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const app = new Set(events.filter((e) => mains.has(`${e.pid}:${e.tid}`) && e.args?.data?.url?.startsWith(site)).map((e) => `${e.pid}:${e.tid}`));
  let longest = 0;
  let end = 0;
  for (const e of events.filter((x) => x.name === 'RunTask' && x.ph === 'X' && app.has(`${x.pid}:${x.tid}`)).sort((a, b) => a.ts - b.ts)) {
    if (e.ts < end) continue; // nested in a task already counted
    end = e.ts + (e.dur ?? 0);
    longest = Math.max(longest, (e.tdur ?? 0) / 1000);
  }
  return longest;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

async function main(): Promise<void> {
  const runs = Number(arg('runs') ?? 3);
  const hash = arg('hash') ?? '#backend=wasm';
  let dist = arg('dist');
  if (!dist) {
    const { build } = await import('vite');
    await build({ logLevel: 'warn' });
    dist = 'dist';
  }
  const builds: [string, string][] = [];
  const before = arg('before');
  if (before) builds.push(['before', distOf(before)]);
  builds.push([before ? 'after' : 'this build', distOf(dist)]);

  const loadBefore = loadavg();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const results = new Map<string, Load[]>(builds.map(([name]) => [name, []]));
  try {
    // One load first, not counted: the browser's own first-page start-up (its caches,
    // fonts, GPU process) would otherwise land on whichever build goes first.
    await measure(browser, builds[0][1], hash);
    // Interleaved, so a burst of load from elsewhere on the machine hits both builds alike.
    for (let i = 0; i < runs; i++) {
      for (const [name, dir] of builds) {
        const r = await measure(browser, dir, hash);
        results.get(name)!.push(r);
        console.error(`${name} #${i + 1}: ${r.requests} requests, ${mb(r.raw)} raw, ${mb(r.gzip)} gzip, longest task ${r.longestTaskMs.toFixed(0)} ms wall (${r.longTasks} long tasks), longest task CPU ${r.longestTaskCpuMs.toFixed(0)} ms, ready after ${(r.readyMs / 1000).toFixed(1)} s`);
      }
    }
  } finally {
    await browser.close();
  }

  const summary = builds.map(([name, dir]) => {
    const rs = results.get(name)!;
    const last = rs[rs.length - 1];
    return {
      build: name,
      dist: dir,
      hash,
      runs: rs.length,
      requests: last.requests,
      rawBytes: last.raw,
      gzipBytes: last.gzip,
      longestTaskMs: { median: Math.round(median(rs.map((r) => r.longestTaskMs))), max: Math.round(Math.max(...rs.map((r) => r.longestTaskMs))), all: rs.map((r) => Math.round(r.longestTaskMs)) },
      longestTaskCpuMs: { median: Math.round(median(rs.map((r) => r.longestTaskCpuMs))), max: Math.round(Math.max(...rs.map((r) => r.longestTaskCpuMs))), all: rs.map((r) => Math.round(r.longestTaskCpuMs)) },
      readyS: { median: +(median(rs.map((r) => r.readyMs)) / 1000).toFixed(1) },
      largest: [...last.files].sort((a, b) => b.raw - a.raw).slice(0, 8),
    };
  });
  const load = `load average ${loadBefore.map((x) => x.toFixed(1)).join(' ')} before, ${loadavg().map((x) => x.toFixed(1)).join(' ')} after, on ${cpus().length} cores`;
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ load, builds: summary }));
    return;
  }
  console.log(`\n${load}`);
  for (const s of summary) {
    console.log(`\n${s.build} (${s.dist}), ${s.hash}, ${s.runs} cold loads:`);
    console.log(`  first visit: ${s.requests} requests, ${mb(s.rawBytes)} raw, ${mb(s.gzipBytes)} gzip`);
    console.log(`  longest main-thread task during load (wall, longtask observer): median ${s.longestTaskMs.median} ms, max ${s.longestTaskMs.max} ms (runs: ${s.longestTaskMs.all.join(', ')} ms)`);
    console.log(`  longest main-thread task during load (CPU time, trace):         median ${s.longestTaskCpuMs.median} ms, max ${s.longestTaskCpuMs.max} ms (runs: ${s.longestTaskCpuMs.all.join(', ')} ms)`);
    console.log(`  ready (Start enabled) after: median ${s.readyS.median} s`);
    console.log('  largest files: ' + s.largest.map((f) => `${f.path} ${(f.raw / 1e3).toFixed(0)} kB (${(f.gzip / 1e3).toFixed(0)} kB gz)`).join(', '));
  }
}

await main();
