// `auto` chooses a backend by timing the run's training step. The decision logic is tested
// with fakes (scripted measurements, a fake clock, a fake platform over real Node backends);
// the measurement itself is tested for real on Node's wasm and cpu backends: figures, the
// time bound, and no tensor left behind.
import { afterAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  decide, describeSpec, formatOutcome, formatVerdict, probeCandidates, probeSpecFor, selectBackend, verdictKey,
  type BackendName, type BackendPlatform, type BackendVerdict, type Measure, type Measurement, type ProbeOutcome,
} from '../../../src/model/backend.ts';
import { initBackend } from '../../../src/model/backend-node.ts';
import { probeFor, trainingStepMeasure } from '../../../src/model/backend-probe.ts';
import { modelConfig } from '../../../src/model/config.ts';

afterAll(async () => {
  await tf.setBackend('cpu');
});

const TINY = modelConfig('tiny', 111, { contextLength: 1216 });
const SMALL = modelConfig('small', 111, { contextLength: 1216 });
const out = (name: BackendName, m: Measurement): ProbeOutcome => ({ ...m, name, label: name });

describe('decide', () => {
  test('the lowest ms per step wins, with the ratio to the next', () => {
    const d = decide([out('wasm', { status: 'measured', msPerStep: 200, steps: 3, warmupMs: 500 }), out('webgpu', { status: 'measured', msPerStep: 50, steps: 3, warmupMs: 900 })]);
    expect(d?.winner.name).toBe('webgpu');
    expect(d?.why).toBe("webgpu is fastest: 4.0× wasm's speed");
  });

  test('a candidate cut off by the time bound is slower than any that finished a step', () => {
    const d = decide([out('wasm', { status: 'measured', msPerStep: 900, steps: 1, warmupMs: 2000 }), out('webgpu', { status: 'cut-off', spentMs: 1500, stage: 'the pilot forward', stagesDone: 0 })]);
    expect(d?.winner.name).toBe('wasm');
    expect(d?.why).toMatch(/only candidate that finished a step within the bound/);
  });

  test('when none finished, the one that got furthest wins; when all failed, there is no winner', () => {
    const d = decide([
      out('webgpu', { status: 'cut-off', spentMs: 1000, stage: 'the pilot forward', stagesDone: 0 }),
      out('wasm', { status: 'cut-off', spentMs: 1400, stage: 'the warm-up step', stagesDone: 2 }),
      out('webgl', { status: 'failed', reason: 'no context' }),
    ]);
    expect(d?.winner.name).toBe('wasm');
    expect(d?.why).toMatch(/wasm got furthest/);
    expect(decide([out('webgl', { status: 'failed', reason: 'no context' })])).toBeNull();
  });

  test('figures in words', () => {
    expect(formatOutcome({ name: 'wasm', label: 'wasm (SIMD, 2 threads)', status: 'measured', msPerStep: 180.4, steps: 3, warmupMs: 400 })).toBe('wasm (SIMD, 2 threads) 180 ms/step');
    expect(formatOutcome({ name: 'webgpu', label: 'webgpu (google swiftshader, software)', status: 'cut-off', spentMs: 1600, stage: 'the pilot forward', stagesDone: 0 })).toBe('webgpu (google swiftshader, software) cut off after 1.6 s (the pilot forward unfinished)');
    expect(formatOutcome({ name: 'webgl', label: 'webgl', status: 'failed', reason: 'no context' })).toBe('webgl failed: no context');
  });
});

/** A clock that only moves when a fake measurement says it spent time. */
function fakeClock() {
  let t = 0;
  return { now: () => t, spend: (ms: number) => (t += ms) };
}

describe('probeCandidates: the time bound', () => {
  test('each candidate gets an even share of what is left; one that finishes early leaves its time to the next', async () => {
    const clock = fakeClock();
    const deadlines: [string, number][] = [];
    let active = '';
    const measure: Measure = async (deadline, now) => {
      deadlines.push([active, deadline - now()]);
      clock.spend(active === 'wasm' ? 600 : 1000);
      return { status: 'measured', msPerStep: active === 'wasm' ? 150 : 400, steps: 2, warmupMs: 100 };
    };
    const r = await probeCandidates(['wasm', 'webgpu'], { activate: async (n) => ((active = n), null), label: async (n) => n, measure }, 3000, clock.now);
    expect(deadlines).toEqual([['wasm', 1500], ['webgpu', 2400]]);
    expect(r.spentMs).toBe(1600);
    expect(r.outcomes.map((o) => o.status)).toEqual(['measured', 'measured']);
  });

  test('a candidate that cannot start, or whose step throws, is reported with its reason and skipped', async () => {
    const clock = fakeClock();
    let active = '';
    const measure: Measure = async () => {
      if (active === 'webgl') throw new Error('shader compile failed');
      clock.spend(500);
      return { status: 'measured', msPerStep: 100, steps: 3, warmupMs: 100 };
    };
    const r = await probeCandidates(['webgpu', 'webgl', 'wasm'], {
      activate: async (n) => (n === 'webgpu' ? 'no adapter' : ((active = n), null)),
      label: async (n) => `${n}!`,
      measure,
    }, 3000, clock.now);
    expect(r.outcomes).toEqual([
      { name: 'webgpu', label: 'webgpu', status: 'failed', reason: 'no adapter' },
      { name: 'webgl', label: 'webgl!', status: 'failed', reason: 'the probe step threw: shader compile failed' },
      { name: 'wasm', label: 'wasm!', status: 'measured', msPerStep: 100, steps: 3, warmupMs: 100 },
    ]);
  });

  test('a candidate whose turn comes with no time left is cut off without being timed', async () => {
    const clock = fakeClock();
    let calls = 0;
    const measure: Measure = async (deadline) => {
      calls++;
      clock.spend(deadline + 500); // overran its share, as a step on the calling thread can
      return { status: 'measured', msPerStep: 3000, steps: 1, warmupMs: 100 };
    };
    const r = await probeCandidates(['cpu', 'wasm'], { activate: async () => null, label: async (n) => n, measure }, 1000, clock.now);
    expect(calls).toBe(1);
    expect(r.outcomes[1]).toMatchObject({ name: 'wasm', status: 'cut-off', stage: 'its turn (no time left)' });
  });
});

describe('the cache key', () => {
  const spec = probeSpecFor(TINY);
  test('holds for the same machine, model and candidates only', () => {
    const k = verdictKey('adapter google/swiftshader//software|isolated true|cores 2', spec, ['wasm', 'webgpu']);
    expect(verdictKey('adapter google/swiftshader//software|isolated true|cores 2', spec, ['wasm', 'webgpu'])).toBe(k);
    expect(verdictKey('adapter google/swiftshader//software|isolated false|cores 2', spec, ['wasm', 'webgpu'])).not.toBe(k);
    expect(verdictKey('adapter nvidia/ampere/|isolated true|cores 2', spec, ['wasm', 'webgpu'])).not.toBe(k);
    expect(verdictKey('adapter google/swiftshader//software|isolated true|cores 2', probeSpecFor(SMALL), ['wasm', 'webgpu'])).not.toBe(k);
    expect(verdictKey('adapter google/swiftshader//software|isolated true|cores 2', spec, ['wasm'])).not.toBe(k);
    expect(k).toContain(`tfjs ${tf.version_core}`);
  });

  test('the probe times the run\'s model on 2 rows of 128 tokens (fewer when the context is shorter)', () => {
    expect(probeSpecFor(TINY)).toEqual({ model: TINY, rows: 2, tokens: 128 });
    expect(probeSpecFor(modelConfig('tiny', 111, { contextLength: 64 })).tokens).toBe(64);
    expect(describeSpec(probeSpecFor(TINY))).toBe("a training step of this run's model (3 layers, d=80) on 2×128 tokens");
  });
});

// A platform over Node's real wasm and cpu backends (so activation is real), whose
// measurements are scripted per backend: the subject is selectBackend's use of them.
function fakePlatform(identity = 'machine A'): BackendPlatform & { prepared: string[] } {
  const prepared: string[] = [];
  return {
    prepared,
    order: ['wasm', 'cpu'],
    probeOrder: ['wasm', 'cpu', 'webgl'],
    async prepare(name) {
      prepared.push(name);
      if (name === 'webgl') return 'no canvas here';
      if (name === 'wasm') await initBackend('wasm'); // sets the binaries' path once
      return null;
    },
    describe: async () => ({ info: {}, note: '' }),
    identity: async () => identity,
    untimed: async () => ['wasm multi-threaded (not in Node)'],
  };
}

function scripted(ms: Partial<Record<BackendName, number>>): Measure & { calls: string[] } {
  const calls: string[] = [];
  const m = (async () => {
    const name = tf.getBackend() as BackendName;
    calls.push(name);
    return { status: 'measured', msPerStep: ms[name]!, steps: 3, warmupMs: 10 } as Measurement;
  }) as unknown as Measure & { calls: string[] };
  m.calls = calls;
  return m;
}

describe('selectBackend with a probe', () => {
  const spec = probeSpecFor(TINY);

  test('auto times every candidate that starts, activates the fastest and says why', async () => {
    const measure = scripted({ wasm: 120, cpu: 2400 });
    const info = await selectBackend('auto', fakePlatform(), { spec, measure });
    expect(measure.calls).toEqual(['wasm', 'cpu']);
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.cached).toBe(false);
    expect(info.verdict).toMatchObject({ winner: 'wasm', untimed: ['wasm multi-threaded (not in Node)'], why: "wasm is fastest: 20.0× cpu's speed" });
    expect(info.reason).toMatch(/^wasm: fastest by measurement — measured now in \d+ ms, a training step of this run's model \(3 layers, d=80\) on 2×128 tokens: wasm 120 ms\/step; cpu 2400 ms\/step\. wasm is fastest: 20\.0× cpu's speed\. Not timed: wasm multi-threaded \(not in Node\)\. Not candidates: webgl: no canvas here\.$/);
    // And when cpu is the faster one, cpu it is: the name decides nothing.
    const flipped = await selectBackend('auto', fakePlatform(), { spec, measure: scripted({ wasm: 500, cpu: 100 }) });
    expect(flipped.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  test('a stored verdict for the same key is reused without timing anything; remeasure and another key time again', async () => {
    const first = await selectBackend('auto', fakePlatform(), { spec, measure: scripted({ wasm: 120, cpu: 2400 }) });
    const verdicts: Record<string, BackendVerdict> = { [first.verdict!.key]: first.verdict! };
    await tf.setBackend('cpu');
    const again = scripted({ wasm: 120, cpu: 2400 });
    const info = await selectBackend('auto', fakePlatform(), { spec, measure: again, verdicts });
    expect(again.calls).toEqual([]);
    expect(info).toMatchObject({ name: 'wasm', cached: true });
    expect(tf.getBackend()).toBe('wasm');
    expect(info.reason).toMatch(/^wasm: fastest by measurement — measured earlier on this machine, /);
    expect(formatVerdict(first.verdict!, true)).toMatch(/wasm 120 ms\/step; cpu 2400 ms\/step/);

    const re = scripted({ wasm: 120, cpu: 2400 });
    await selectBackend('auto', fakePlatform(), { spec, measure: re, verdicts, remeasure: true });
    expect(re.calls).toEqual(['wasm', 'cpu']);
    const other = scripted({ wasm: 120, cpu: 2400 });
    await selectBackend('auto', fakePlatform('machine B'), { spec, measure: other, verdicts });
    expect(other.calls).toEqual(['wasm', 'cpu']);
  });

  test('a named backend is obeyed: nothing is timed, and it is not replaced by a faster one', async () => {
    const measure = scripted({ wasm: 120, cpu: 2400 });
    const info = await selectBackend('cpu', fakePlatform(), { spec, measure });
    expect(measure.calls).toEqual([]);
    expect(info).toMatchObject({ name: 'cpu', reason: 'cpu: requested' });
    expect(info.verdict).toBeUndefined();
  });

  test('with one candidate there is nothing to measure: the plain order decides, and says why', async () => {
    const measure = scripted({ wasm: 120 });
    const platform = { ...fakePlatform(), probeOrder: ['wasm', 'webgl'] as BackendName[] };
    const info = await selectBackend('auto', platform, { spec, measure });
    expect(measure.calls).toEqual([]);
    expect(info.name).toBe('wasm');
    expect(info.reason).toBe('only wasm could be a candidate, nothing to measure (webgl: no canvas here); wasm: first choice');
  });
});

describe('the real measurement in Node', () => {
  test('times the run\'s training step on wasm and cpu within the bound, picks wasm, and leaves no tensor behind', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const measure = trainingStepMeasure(probeSpecFor(TINY));
    const t0 = performance.now();
    const r = await probeCandidates(['wasm', 'cpu'], {
      activate: async (n) => {
        try {
          await initBackend(n);
          return null;
        } catch (e) {
          return (e as Error).message;
        }
      },
      label: async (n) => n,
      measure,
    }, 3000);
    const wall = performance.now() - t0;
    console.log(`wasm vs cpu, ${describeSpec(probeSpecFor(TINY))}: ${r.outcomes.map(formatOutcome).join('; ')}; timed ${Math.round(r.spentMs)} ms, ${Math.round(wall)} ms with activation`);
    const d = decide(r.outcomes);
    expect(d?.winner.name).toBe('wasm');
    const wasm = r.outcomes[0];
    // On a busy machine wasm may only get through its warm-up: either way it got further than cpu.
    expect(['measured', 'cut-off']).toContain(wasm.status);
    if (wasm.status === 'measured') expect(wasm.msPerStep).toBeGreaterThan(0);
    const cpu = r.outcomes[1];
    if (cpu.status === 'measured' && wasm.status === 'measured') expect(cpu.msPerStep).toBeGreaterThan(wasm.msPerStep);
    await tf.setBackend('wasm');
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a deadline already passed stops at the pilot, and the probe model is still released', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const m = await trainingStepMeasure(probeSpecFor(TINY))(performance.now() - 1, () => performance.now());
    expect(m).toMatchObject({ status: 'cut-off', stagesDone: 1 });
    expect((m as { stage: string }).stage).toMatch(/^the forward at full size/);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('`azr`\'s auto in Node: wasm, and webgpu only where the machine has its own Vulkan driver', async () => {
    const lines: string[] = [];
    const info = await initBackend('auto', probeFor(TINY, { onProgress: (t) => lines.push(t) }));
    expect(['wasm', 'webgpu']).toContain(info.name);
    if (!info.verdict) expect(info.reason).toMatch(/^only wasm could be a candidate, nothing to measure \(webgpu: not a candidate: no Vulkan driver installed/);
    else expect(lines.some((l) => /choosing the fastest backend/.test(l))).toBe(true);
  });
});
