// The self-play loop in a module worker in real Chromium: the page talks to the trainer
// only through comlink; the worker runs tfjs and spawns the sandbox pool's own workers.
import { afterAll, expect, test } from 'vitest';
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import { resolvePreset } from '../../../src/core/presets.ts';
import type { Task } from '../../../src/core/taskfile.ts';
import { CONFIG_KEYS, type StepReport } from '../../../src/selfplay/report.ts';
import type { TrainerApi, TrainerEvent } from '../../../src/selfplay/trainer.ts';

const TASKS: Task[] = [
  { id: 'double', program: 'function f(x) { return x * 2; }', input: '3', output: '6' },
  { id: 'len', program: 'function f(s) { return s.length; }', input: '"abc"', output: '3' },
];

const workers: Worker[] = [];
afterAll(() => workers.forEach((w) => w.terminate()));

function trainer(): Remote<TrainerApi> {
  const worker = new Worker(new URL('../../../workers/trainer.worker.ts', import.meta.url), { type: 'module' });
  workers.push(worker);
  return wrap<TrainerApi>(worker);
}

function numbers(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, path ? `${path}.${k}` : k));
  return [];
}

test('two smoke steps in a trainer worker: reports and events reach the page; a save resumes in a fresh worker', async () => {
  const t = trainer();
  const events: TrainerEvent[] = [];
  const info = await t.start({ config: resolvePreset('smoke'), tasks: TASKS, backend: 'wasm' }, proxy((e: TrainerEvent) => void events.push(e)));
  expect(info.backend).toBe('wasm');
  const reports: StepReport[] = [await t.step(), await t.step()];
  expect(reports.map((r) => r.step)).toEqual([1, 2]);
  for (const r of reports) {
    expect(Object.keys(r.roles).sort()).toEqual([...CONFIG_KEYS].sort());
    for (const [path, x] of numbers(r)) expect(Number.isFinite(x), `${path} = ${x}`).toBe(true);
    expect(r.update.updated).toBe(true);
    expect(r.update.gradNorm).toBeGreaterThan(0);
    expect(r.proposals.total).toBe(6);
  }
  // Events are pushed while the step runs; the last may land just after its reply.
  await new Promise((r) => setTimeout(r, 50));
  expect(events.filter((e) => e.type === 'step').map((e) => (e.event as StepReport).step)).toEqual([1, 2]);
  expect(events.filter((e) => e.type === 'proposal')).toHaveLength(12);

  const files = await t.save();
  expect(files.weights.byteLength).toBeGreaterThan(0);
  await t.stop();
  t[releaseProxy]();

  const again = trainer();
  const resumed = await again.start({ checkpoint: files, backend: 'wasm' });
  expect(resumed).toMatchObject({ resumed: true, step: 2, configHash: info.configHash });
  expect((await again.step()).step).toBe(3);
  await again.stop();
});
