// The trainer protocol (start, step, run, pause, save, stop) in Node, with the Node
// backends and the Node sandbox pool: the same object the browser's trainer worker exposes.
import { afterAll, describe, expect, test } from 'vitest';
import { resolvePreset } from '../../../src/core/presets.ts';
import type { Task } from '../../../src/core/taskfile.ts';
import { initBackend } from '../../../src/model/backend-node.ts';
import { createExecutor } from '../../../src/sandbox/index.ts';
import { createTrainer, TrainerError, type TrainerEvent } from '../../../src/selfplay/trainer.ts';

const host = { initBackend, createExecutor: () => createExecutor({ size: 1 }) };
const TASKS: Task[] = [
  { id: 'double', program: 'function f(x) { return x * 2; }', input: '3', output: '6' },
  { id: 'len', program: 'function f(s) { return s.length; }', input: '"abc"', output: '3' },
];

const trainers: ReturnType<typeof createTrainer>[] = [];
afterAll(async () => {
  for (const t of trainers) await t.stop();
});

describe('trainer protocol', () => {
  test('start, step, run with pause, save, stop, and start again from the save', async () => {
    const t = createTrainer(host);
    trainers.push(t);
    await expect(t.step()).rejects.toThrow(TrainerError);
    const events: TrainerEvent[] = [];
    const config = resolvePreset('smoke');
    const info = await t.start({ config, tasks: TASKS, backend: 'wasm' }, (e) => events.push(e));
    expect(info).toMatchObject({ backend: 'wasm', step: 0, resumed: false, configHash: expect.stringMatching(/^[0-9a-f]{12}$/) });
    await expect(t.start({ config })).rejects.toThrow(/already started/);

    const r1 = await t.step();
    expect(r1.step).toBe(1);
    expect(r1.update.updated).toBe(true);
    expect(events.filter((e) => e.type === 'step').map((e) => e.event.step)).toEqual([1]);
    expect(events.some((e) => e.type === 'proposal')).toBe(true);
    expect(events.filter((e) => e.type === 'phase').map((e) => e.event.phase)).toEqual(['propose', 'validate', 'solve', 'update']);
    expect(events.some((e) => (e.type as string) === 'rollout')).toBe(false);

    const two = await t.run(2);
    expect(two).toMatchObject({ reason: 'steps', step: 3 });
    // pause reaches a run in progress: it returns after the step under way.
    const running = t.run();
    await t.pause();
    const paused = await running;
    expect(paused.reason).toBe('paused');
    expect(paused.step).toBeGreaterThanOrEqual(3);
    expect(await t.status()).toEqual({ state: 'ready', step: paused.step });

    const files = await t.save();
    await t.stop();
    expect((await t.status()).state).toBe('stopped');
    await expect(t.step()).rejects.toThrow(/stopped/);

    const info2 = await t.start({ checkpoint: files, backend: 'wasm' });
    expect(info2).toMatchObject({ resumed: true, step: paused.step, configHash: info.configHash });
    expect((await t.step()).step).toBe(paused.step + 1);
    await t.stop();
  });
});
