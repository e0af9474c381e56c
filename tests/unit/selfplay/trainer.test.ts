// The trainer protocol (start, step, run, pause, save, stop, playground, evaluate) in Node,
// with the Node backends and the Node sandbox pool: the same object the browser's trainer
// worker exposes.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { resolvePreset } from '../../../src/core/presets.ts';
import { parseTaskFile, type Task } from '../../../src/core/taskfile.ts';
import { TASK_TYPES } from '../../../src/core/tasks.ts';
import { initBackend } from '../../../src/model/backend-node.ts';
import { createExecutor } from '../../../src/sandbox/index.ts';
import { createTrainer, TrainerError, type BenchmarkProgress, type PlaygroundAnswer, type PlaygroundResult, type PlaygroundSkip, type TrainerEvent } from '../../../src/selfplay/trainer.ts';

const host = { initBackend: (pref: Parameters<typeof initBackend>[0]) => initBackend(pref), createExecutor: () => createExecutor({ size: 1 }) };
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
    expect(await t.status()).toEqual({ state: 'ready', step: paused.step, seeding: { seeding: false, unique: 3, target: 2 } });

    const files = await t.save();
    await t.stop();
    expect((await t.status()).state).toBe('stopped');
    await expect(t.step()).rejects.toThrow(/stopped/);

    const info2 = await t.start({ checkpoint: files, backend: 'wasm' });
    expect(info2).toMatchObject({ resumed: true, step: paused.step, configHash: info.configHash });
    expect((await t.step()).step).toBe(paused.step + 1);
    await t.stop();
  });

  test('playground: the sandbox verdict and output, and the policy’s three answers judged, before the first step and between steps', async () => {
    const t = createTrainer(host);
    trainers.push(t);
    const ADD = 'function f(a, b) { return a + b; }';
    await expect(t.playground({ program: ADD, inputs: ['2, 3'] })).rejects.toThrow(/not started/);
    const events: TrainerEvent[] = [];
    // No starting tasks: the identity triplet alone, fewer than seedFactor × batch = 2.
    await t.start({ config: resolvePreset('smoke'), backend: 'wasm', events: ['proposal', 'rollout', 'step'] }, (e) => events.push(e));
    expect((await t.status()).seeding).toEqual({ seeding: true, unique: 1, target: 2 });

    const ask = (program: string, inputs: string[], message?: string) => t.playground({ program, inputs, message, temperature: 0 });
    const answered = (r: PlaygroundResult) => r.answers.filter((a): a is PlaygroundAnswer => !('skipped' in a));
    const r = await ask(ADD, ['2, 3', '1, 1', '0, 5', '10, -2'], 'adds');
    expect(r.step).toBe(0);
    expect(r.temperature).toBe(0);
    expect(r.runs).toEqual([
      { input: '2, 3', verdict: 'ok', reason: '', output: '5' },
      { input: '1, 1', verdict: 'ok', reason: '', output: '2' },
      { input: '0, 5', verdict: 'ok', reason: '', output: '5' },
      { input: '10, -2', verdict: 'ok', reason: '', output: '8' },
    ]);
    expect(r.answers.map((a) => a.type)).toEqual(['deduction', 'abduction', 'induction']);
    const [ded, abd, ind] = answered(r);
    expect(ded.given).toEqual({ program: ADD, input: '2, 3' });
    expect(abd.given).toEqual({ program: ADD, output: '5' });
    expect(ind.given).toEqual({ message: 'adds', shown: [{ input: '2, 3', output: '5' }, { input: '1, 1', output: '2' }] });
    for (const a of [ded, abd, ind]) {
      // The judge's rule: unreadable is 'unparseable'; readable is correct exactly when the sandbox says ok.
      expect(a.outcome === 'unparseable').toBe(a.answer === null);
      if (a.answer !== null) expect(a.outcome === 'correct').toBe(a.verdict === 'ok');
    }
    if (abd.answer !== null && abd.check.length) expect(abd.check[0]).toMatchObject({ input: abd.answer, expected: '5' });
    if (ind.answer !== null && ind.check.length) expect(ind.check.map((c) => [c.input, c.expected])).toEqual([['0, 5', '5'], ['10, -2', '8']]);
    // Greedy: the same question gets the same answers.
    expect(answered(await ask(ADD, ['2, 3', '1, 1', '0, 5', '10, -2'], 'adds')).map((a) => a.text)).toEqual([ded.text, abd.text, ind.text]);

    // Bad programs get the sandbox's named verdict, and no task is posed from them.
    const loops = await ask('function f(x) { while (true) {} }', ['1', '2']);
    expect(loops.runs.map((x) => x.verdict)).toEqual(['timeout', 'timeout']);
    expect(loops.answers.every((a) => 'skipped' in a && /timeout/.test(a.skipped))).toBe(true);
    const broken = await ask('function f(x) { return x +; }', ['1']);
    expect(broken.runs[0]).toMatchObject({ verdict: 'syntax', output: null });
    expect(broken.runs[0].reason).not.toBe('');
    expect((await ask('function g(x) { return x; }', ['1'])).runs[0].verdict).toBe('error');
    const notLiteral = await ask(ADD, ['g(), 1', '1, 2']);
    expect(notLiteral.runs[0].verdict).toBe('invalid-input');
    // One accepted input is not enough for induction (one shown, one held out).
    expect((notLiteral.answers[2] as PlaygroundSkip).skipped).toMatch(/at least 2 usable inputs .*1 of 2 are \(the sandbox rejected f\(g\(\), 1\): invalid-input\)/);
    await expect(ask(ADD, [])).rejects.toThrow(/at least one input/);
    await expect(ask('  ', ['1'])).rejects.toThrow(/defines f/);

    // A step in flight: refused with a reason, not queued.
    const stepping = t.step();
    await expect(ask(ADD, ['2, 3'])).rejects.toThrow(/busy/);
    const r1 = await stepping;
    expect(r1.seeding).toBe(true);
    expect((await ask(ADD, ['2, 3'])).step).toBe(1);

    // The events say what the proposers were shown and what each solver solved.
    const proposals = events.flatMap((e) => (e.type === 'proposal' ? [e.event] : []));
    for (const p of proposals) {
      if (p.type === 'induction') {
        expect(p.references).toEqual([]);
        expect(p.source).toEqual({ program: 'function f(a) { return a; }', input: '"Hello world"', output: '"Hello world"' });
      } else {
        expect(p.source).toBeNull();
        expect(p.references).toEqual([{ program: 'function f(a) { return a; }', input: '"Hello world"', output: '"Hello world"' }]);
      }
    }
    const rollouts = events.flatMap((e) => (e.type === 'rollout' ? [e.event] : []));
    expect(rollouts.length).toBeGreaterThan(0);
    for (const x of rollouts) {
      expect(x.problem.program).toMatch(/function f/);
      if (x.type === 'induction') expect(x.problem.pairs!.length).toBeGreaterThanOrEqual(2);
      else expect(typeof x.problem.output).toBe('string');
    }
    await t.stop();
    await expect(t.playground({ program: ADD, inputs: ['1, 2'] })).rejects.toThrow(/stopped/);
  });

  test('evaluate: greedy accuracy on the built-in benchmark’s tier 1, every question counted, progress reported, cancellable, weights untouched', async () => {
    const t = createTrainer(host);
    trainers.push(t);
    const bench = parseTaskFile(readFileSync(new URL('../../../public/bench/azr-bench.jsonl', import.meta.url), 'utf8'));
    const tier1 = bench.filter((x) => x.tier === 1);
    expect(tier1.length).toBeGreaterThan(0);
    // Each task is asked as deduction and abduction, and as induction when it has examples.
    const asked = { deduction: tier1.length, abduction: tier1.length, induction: tier1.filter((x) => (x.examples?.length ?? 0) > 0).length };
    await expect(t.evaluate({ tasks: bench })).rejects.toThrow(/not started/);
    // Random weights (init from scratch): what is measured is the plumbing, never a score.
    await t.start({ config: resolvePreset('smoke'), tasks: TASKS, backend: 'wasm' });
    await t.step();

    const progress: BenchmarkProgress[] = [];
    const r = await t.evaluate({ tasks: bench, chunk: 64 }, (p) => progress.push(p));
    expect(r.step).toBe(1);
    expect(r.tiers).toEqual([1]);
    expect(r.tasks).toBe(tier1.length);
    expect(r.samples).toBe(1);
    expect(Object.keys(r.byTier)).toEqual(['1']);
    for (const type of TASK_TYPES) {
      // Every question is either asked or listed as skipped (a prompt longer than the run allows).
      const skipped = r.skipped.filter((s) => s.type === type).length;
      expect(r.n[type] + skipped, type).toBe(asked[type]);
      expect(r.byTier['1'].n[type]).toBe(r.n[type]);
      const acc = r.accuracy[type];
      if (r.n[type] === 0) expect(acc).toBeNull();
      else {
        expect(acc).toBeGreaterThanOrEqual(0);
        expect(acc).toBeLessThanOrEqual(1);
      }
    }
    expect(r.skipped.every((s) => tier1.some((x) => x.id === s.id))).toBe(true);
    expect(r.ms).toBeGreaterThan(0);
    const total = r.n.deduction + r.n.abduction + r.n.induction;
    expect(progress.length).toBe(Math.ceil(total / 64));
    expect(progress.at(-1)).toEqual({ step: 1, done: total, total });
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));

    // Greedy: the same weights give the same numbers.
    const again = await t.evaluate({ tasks: bench, chunk: 256 });
    expect(again.accuracy).toEqual(r.accuracy);
    expect(again.n).toEqual(r.n);
    // A tier the file lacks is an error, not an accuracy over nothing.
    await expect(t.evaluate({ tasks: bench, tiers: [9] })).rejects.toThrow(/no task in tier 9/);
    await expect(t.evaluate({})).rejects.toThrow(/needs the benchmark/);

    // While it runs the trainer is busy: the playground refuses, and a cancel ends it between chunks.
    const running = t.evaluate({ tasks: bench, chunk: 8 });
    await expect(t.playground({ program: 'function f(x) { return x; }', inputs: ['1'] })).rejects.toThrow(/busy/);
    await t.cancelEvaluate();
    await expect(running).rejects.toThrow(/cancelled/);

    // An evaluation changes nothing about the run: the next step is step 2, and the weights
    // give the same answers as before it.
    expect((await t.step()).step).toBe(2);
    const a = await t.evaluate({ tasks: tier1.slice(0, 5) });
    const b = await t.evaluate({ tasks: tier1.slice(0, 5) });
    expect(a.accuracy).toEqual(b.accuracy);
    expect(a.step).toBe(2);
    await t.stop();
  });
});
