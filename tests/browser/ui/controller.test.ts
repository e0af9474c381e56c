// The controller against the real trainer worker (wasm backend, smoke preset), with faults
// injected between the page and the worker: a step that throws as a lost GPU device does,
// and a step whose loss comes back NaN. Neither may be kept; both must be said on screen,
// and training must go on from the last good checkpoint.
import { expect, test } from 'vitest';
import { Controller, type TrainerLike } from '../../../src/ui/state/controller.svelte.ts';
import { TrainerClient } from '../../../src/ui/state/trainer-client.ts';
import { getRun, loadEvals, loadMetrics } from '../../../src/ui/state/runs.ts';
import type { StepReport } from '../../../src/selfplay/report.ts';

type Fault = 'throw' | 'nan' | null;

function faulty(faults: Map<number, Fault>): () => TrainerLike {
  let calls = 0; // step() calls across every worker the controller starts
  return () => {
    const real = new TrainerClient();
    return {
      start: (opts, onEvent) => real.start(opts, onEvent),
      save: () => real.save(),
      status: () => real.status(),
      playground: (req) => real.playground(req),
      evaluate: (req, onProgress) => real.evaluate(req, onProgress),
      cancelEvaluate: () => real.cancelEvaluate(),
      dispose: () => real.dispose(),
      async step(): Promise<StepReport> {
        const fault = faults.get(++calls) ?? null;
        if (fault === 'throw') throw new Error('GPUDevice was lost: the GPU process exited');
        const report = await real.step();
        if (fault === 'nan') return { ...report, update: { ...report.update, loss: NaN } };
        return report;
      },
    };
  };
}

async function until(cond: () => boolean, ms = 60_000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a lost device and a NaN loss are skipped, reported, and training resumes from the last good checkpoint', async () => {
  let hash = 'preset=smoke&backend=wasm&init=random&seed=11';
  const ctl = new Controller({
    checkpointEvery: 1,
    makeClient: faulty(new Map<number, Fault>([[3, 'throw'], [5, 'nan']])),
    location: { get hash() { return hash; }, replace: (h) => (hash = h) },
  });
  await ctl.boot();
  expect(ctl.status, ctl.statusText).toBe('ready');
  await ctl.stepOnce();
  await ctl.stepOnce();
  expect(ctl.step).toBe(2);
  expect(ctl.savedStep).toBe(2);

  // Call 3 throws: nothing kept, a new worker from the step-2 checkpoint.
  await ctl.stepOnce();
  expect(ctl.notices.at(-1)?.text).toMatch(/Skipped: step 3 failed: GPUDevice was lost.*last good state \(step 2\)/);
  expect(ctl.status).toBe('ready');
  expect(ctl.step).toBe(2);
  expect(ctl.reports.map((r) => r.step)).toEqual([1, 2]);

  // Call 4 is step 3 again, fine; call 5 (step 4) has a NaN loss.
  await ctl.stepOnce();
  expect(ctl.step).toBe(3);
  await ctl.stepOnce();
  expect(ctl.notices.at(-1)?.text).toMatch(/Skipped: step 4 produced a non-finite number \(update\.loss = NaN\); its update was not kept/);
  expect(ctl.step).toBe(3);

  // Then a run goes on past it.
  const done = ctl.start();
  await until(() => ctl.step >= 5);
  ctl.pause();
  await done;
  expect(ctl.status).toBe('ready');
  const steps = ctl.reports.map((r) => r.step);
  expect(steps).toEqual(steps.map((_, i) => i + 1)); // no gap, no repeat
  for (const r of ctl.reports) expect(Number.isFinite(r.update.loss)).toBe(true);
  const stored = await loadMetrics(ctl.run!.id);
  expect(stored.map((r) => r.step)).toEqual(steps);
  expect((await getRun(ctl.run!.id))?.checkpointStep).toBe(ctl.step);
  await ctl.dispose();
});

test('the benchmark runs every K steps and on "Evaluate now" (its progress on the controller), is stored on the step\'s row and reopens with the run', async () => {
  let hash = 'preset=smoke&backend=wasm&init=random&seed=12';
  const location = { get hash() { return hash; }, replace: (h: string) => (hash = h) };
  const ctl = new Controller({ location, benchmark: { every: 2, tiers: [1] } });
  await ctl.boot();
  expect(ctl.status, ctl.statusText).toBe('ready');
  await ctl.stepOnce();
  expect(ctl.evals).toEqual([]);
  await ctl.stepOnce(); // step 2: due
  expect(ctl.evals.map((e) => e.step)).toEqual([2]);
  const [auto] = ctl.evals;
  expect(auto.tiers).toEqual([1]);
  for (const t of ['deduction', 'abduction', 'induction'] as const) {
    expect(auto.n[t] + auto.skipped.filter((x) => x.type === t).length).toBe(60); // the shipped file's tier 1
    expect(auto.accuracy[t] ?? 0).toBeGreaterThanOrEqual(0);
    expect(auto.accuracy[t] ?? 0).toBeLessThanOrEqual(1);
  }

  // "Evaluate now" when idle: status and progress while it runs, then the newer result replaces step 2's.
  const seen: string[] = [];
  const now = ctl.evaluateNow();
  expect(ctl.status).toBe('evaluating');
  await until(() => {
    if (ctl.evalProgress) seen.push(`${ctl.evalProgress.done}/${ctl.evalProgress.total}`);
    return ctl.status === 'ready';
  }, 120_000);
  await now;
  expect(seen.length).toBeGreaterThan(0);
  expect(ctl.evalProgress).toBeNull();
  expect(ctl.evals.map((e) => e.step)).toEqual([2]);
  expect(ctl.evals[0].accuracy).toEqual(auto.accuracy); // greedy, same weights

  // A cancelled evaluation leaves nothing behind and says so.
  const cancelled = ctl.evaluateNow();
  await until(() => ctl.evalProgress !== null);
  await ctl.evaluateNow(); // the button reads "Cancel evaluation" now
  await cancelled;
  expect(ctl.status).toBe('ready');
  expect(ctl.notices.at(-1)?.text).toMatch(/evaluation of step 2 was cancelled/);

  expect((await loadEvals(ctl.run!.id)).map((e) => e.step)).toEqual([2]);
  expect((await loadMetrics(ctl.run!.id)).map((r) => r.step)).toEqual([1, 2]);
  const id = ctl.run!.id;
  await ctl.dispose();

  // Reopened (as a reload does): the evaluation comes back with the run.
  const again = new Controller({ location, benchmark: { every: 0, tiers: [1] } });
  await again.boot();
  expect(again.run?.id).toBe(id);
  expect(again.evals.map((e) => e.step)).toEqual([2]);
  await again.stepOnce(); // every 0 = off: no evaluation
  expect(again.evals.map((e) => e.step)).toEqual([2]);
  await again.dispose();
});
