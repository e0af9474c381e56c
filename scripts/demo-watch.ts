// What a visitor sees in the first minutes: the built app served by a plain static server
// (with the COOP/COEP pair), opened in headless Chromium with no GPU at the default link,
// Start pressed, and the page watched for --minutes. Every benchmark evaluation the page
// shows (held-out tier 1, every 20 steps by default) is recorded with the step and the wall
// time since Start; screenshots of the page and of its charts are written at the end.
//
//   npm run build && npx tsx scripts/demo-watch.ts --minutes 10 --out docs/results/demo
//   options: --dist DIR (default dist/), --hash '#…' (default: none, the default link), --json
// A measurement of one machine at one time, not a test: nothing here is timed in CI.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/support/chromium.ts';
import { serveStatic } from './static-server.ts';
import './node-compat.mjs';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Seen {
  step: number;
  /** Seconds since Start was pressed. */
  s: number;
  accuracy: Record<string, number | null>;
}

async function main(): Promise<void> {
  const dist = resolve(arg('dist') ?? 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}: no built app (run \`npm run build\` first)`);
  const minutes = Number(arg('minutes') ?? '10');
  if (!(minutes > 0)) throw new Error('--minutes must be a number > 0');
  const out = resolve(arg('out') ?? 'runs/demo');
  mkdirSync(out, { recursive: true });
  const hash = arg('hash') ?? '';
  const server = await serveStatic({ root: dist, prefix: '/', isolate: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const log = (m: string) => process.stderr.write(`${m}\n`);
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const t0 = Date.now();
    await page.goto(server.url + hash);
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.getAttribute('data-status') === 'ready', null, { timeout: 300_000 });
    const readyS = (Date.now() - t0) / 1000;
    const origin = (await page.getByTestId('origin').textContent())?.trim() ?? '';
    const backend = (await page.getByTestId('policy-backend').textContent())?.trim() ?? '';
    log(`ready after ${readyS.toFixed(1)} s\n${origin}\n${backend}`);
    await page.getByTestId('run-toggle').click();
    const start = Date.now();
    const seen: Seen[] = [];
    const steps: { step: number; s: number }[] = [];
    while (Date.now() - start < minutes * 60_000) {
      await page.waitForTimeout(2000);
      const s = (Date.now() - start) / 1000;
      const step = Number(await page.getByTestId('step-count').textContent());
      if (steps.at(-1)?.step !== step) steps.push({ step, s });
      const evals = Number(await page.getByTestId('benchmark').getAttribute('data-evals'));
      if (evals > seen.length) {
        const accuracy: Record<string, number | null> = {};
        for (const t of ['deduction', 'abduction', 'induction']) {
          const v = await page.getByTestId(`bench-acc-${t}`).getAttribute('data-accuracy');
          accuracy[t] = v === null || v === '' ? null : Number(v);
        }
        seen.push({ step, s, accuracy });
        log(`${s.toFixed(0)} s, step ${step}: evaluation ${evals}: ${JSON.stringify(accuracy)}`);
      }
    }
    await page.screenshot({ path: join(out, 'page.png'), fullPage: true });
    await page.getByTestId('chart-benchmark').screenshot({ path: join(out, 'benchmark.png') });
    await page.getByTestId('chart-levels').screenshot({ path: join(out, 'levels.png') });
    await page.getByTestId('chart-level-solve').screenshot({ path: join(out, 'level-solve.png') });
    const summary = { minutes, readyS, origin, backend, steps: steps.at(-1)?.step ?? 0, evaluations: seen, cores: cpus().length, loadavg: loadavg(), url: server.url + hash };
    writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(summary) + '\n');
    log(`wrote ${out}/{page,benchmark,levels,level-solve}.png and summary.json`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  process.stderr.write(`demo-watch: ${(e as Error).message}\n`);
  process.exit(1);
});
