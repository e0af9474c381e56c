// The measurement behind `auto`'s choice (backend.ts, selectByProbe): one training step of
// the run's own model — forward, backward and AdamW, as the self-play update runs it — timed
// on the active backend, cut off at a deadline. Safe for the browser bundle and for Node.
//
// Stages, with the clock read between them so a slow candidate stops early:
//   1. a pilot forward on 1 × 8 tokens: starts the backend's kernels (on WebGPU it compiles
//      the forward's shaders) and costs little anywhere but on a software GPU;
//   2. a forward at the probe's shape: how the cost grows with the batch;
//   3. one warm-up step at the probe's shape (the backward's kernels, the optimizer state);
//   4. timed steps at that shape, as many as fit (at most MAX_TIMED_STEPS).
// A stage is not started when what is known says it cannot finish before the deadline (a
// stage costs about as much again as the one before, or more: a step is about three forwards). On a
// software GPU this stops after the pilot, so little GPU work runs on after the cut-off.
// On WebGPU (asynchronous: the work runs off this thread) a stage still running at the
// deadline is no longer waited for; its tensors and the probe model are disposed when it
// settles. On wasm and cpu a stage runs on this thread and cannot be interrupted, so for
// them the estimates are the bound, and when the first timed step would not fit, the
// warm-up step's time (an upper bound of a step) is the figure. Nothing of the probe stays
// in tfjs's memory (tests count numTensors).
import * as tf from '@tensorflow/tfjs';
import { probeSpecFor, type Measure, type Measurement, type ProbeOptions, type ProbeSpec } from './backend.ts';
import type { ModelConfig } from './config.ts';
import { Transformer } from './transformer.ts';
import { Trainer, type PgBatch } from './train.ts';

/** Timed steps at most: three give a steady figure; the budget usually allows one or two on a CPU. */
export const MAX_TIMED_STEPS = 3;
/**
 * A warm-up step costs at least this many first forwards of the same batch: a step is about
 * three forwards (the backward is about two), but the first forward also pays first-use
 * costs that the step does not pay again.
 */
const FIRST_STEP_PER_FORWARD = 2;
/** A step after the warm-up costs at least this share of it (measured: a third to a half on wasm). */
const STEP_PER_WARMUP = 0.5;
/** Backends whose kernels run on the calling thread: a timer cannot interrupt them. */
const BLOCKING = new Set(['cpu', 'wasm']);

/** A deterministic batch of ordinary tokens: half prompt, half response, advantages of both signs. */
function probeBatch(spec: ProbeSpec): PgBatch {
  const { rows, tokens } = spec;
  const V = spec.model.vocabSize;
  const first = Math.min(16, V - 1);
  const sequences = Array.from({ length: rows }, (_, r) => Array.from({ length: tokens }, (_, i) => first + ((i * 7 + r * 13) % (V - first))));
  const prompt = Math.max(1, Math.floor(tokens / 2));
  return {
    sequences,
    promptLengths: sequences.map(() => prompt),
    advantages: sequences.map((_, r) => (r % 2 ? 1 : -1)),
    oldLogprobs: sequences.map(() => new Array(tokens - prompt).fill(-Math.log(V))),
  };
}

const TIMEOUT = Symbol('timeout');

/** The value of `p`, or TIMEOUT once `deadline` passes (p keeps running). */
function until<T>(p: Promise<T>, deadline: number, now: () => number): Promise<T | typeof TIMEOUT> {
  const wait = Math.max(0, deadline - now());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMEOUT), wait);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A Measure for `spec`: times the run's training step on whatever backend is active when it
 * is called. The model has random weights (speed does not depend on their values) and an
 * optimizer with lr 0, so every step does the same work.
 */
export function trainingStepMeasure(spec: ProbeSpec): Measure {
  return async (deadline, now) => {
    const start = now();
    const model = new Transformer(spec.model, 1);
    const trainer = new Trainer(model, { lr: 0, microBatch: 0 });
    const batch = probeBatch(spec);
    let inFlight: Promise<unknown> | null = null;
    let stagesDone = 0;
    const release = () => {
      trainer.dispose();
      model.dispose();
    };
    /** Runs one stage; its duration in ms, or TIMEOUT (the stage then finishes, and cleans up, on its own). */
    const stage = async (fn: () => Promise<unknown>): Promise<number | typeof TIMEOUT> => {
      const t0 = now();
      const p = fn();
      inFlight = p;
      const r = await until(p, deadline, now);
      if (r === TIMEOUT) return TIMEOUT;
      inFlight = null;
      stagesDone++;
      return now() - t0;
    };
    const cutOff = (what: string): Measurement => ({ status: 'cut-off', spentMs: now() - start, stage: what, stagesDone });
    try {
      const forward = (rows: number[][]) => async () => {
        const ids = tf.tensor2d(rows, [rows.length, rows[0].length], 'int32');
        const logits = model.logits(ids);
        try {
          await logits.data();
        } finally {
          tf.dispose([ids, logits]);
        }
      };
      const pilot = await stage(forward([batch.sequences[0].slice(0, Math.min(8, spec.tokens))]));
      if (pilot === TIMEOUT) return cutOff('the pilot forward');
      if (now() + 2 * pilot > deadline) return cutOff(`the forward at full size (a 1×8-token forward took ${Math.round(pilot)} ms)`);
      const full = await stage(forward(batch.sequences));
      if (full === TIMEOUT) return cutOff('the forward at full size');
      if (now() + FIRST_STEP_PER_FORWARD * full > deadline) return cutOff(`the warm-up step (a forward took ${Math.round(full)} ms)`);
      const warmup = await stage(() => trainer.pgStep(batch));
      if (warmup === TIMEOUT) return cutOff('the warm-up step');
      const blocking = BLOCKING.has(tf.getBackend());
      const times: number[] = [];
      while (times.length < MAX_TIMED_STEPS) {
        // A step on this thread cannot be cut off: start one only when the last (or the
        // warm-up) says it fits. An asynchronous backend's first step is always tried.
        const last = times.length ? times[times.length - 1] : blocking ? STEP_PER_WARMUP * warmup : 0;
        if (now() + last > deadline) break;
        const ms = await stage(() => trainer.pgStep(batch));
        if (ms === TIMEOUT) {
          if (times.length === 0) return cutOff('the first timed step');
          break;
        }
        times.push(ms);
      }
      // The median resists one step that shared the CPU with something else; without any,
      // the warm-up step (a step plus first-use costs) stands in as an upper bound.
      const sorted = [...times].sort((a, b) => a - b);
      const msPerStep = sorted.length ? sorted[Math.floor(sorted.length / 2)] : warmup;
      return { status: 'measured', msPerStep, steps: times.length, warmupMs: pilot + full + warmup };
    } finally {
      // A stage still running holds tensors of this model: dispose once it settles.
      const pending = inFlight as Promise<unknown> | null;
      if (pending) void pending.then(release, release);
      else release();
    }
  };
}

/** The probe options for a run's model: its training step at probeSpecFor's shape, plus what the caller adds (cache, progress). */
export function probeFor(model: ModelConfig, extra: Omit<ProbeOptions, 'spec' | 'measure'> = {}): ProbeOptions {
  const spec = probeSpecFor(model);
  return { ...extra, spec, measure: trainingStepMeasure(spec) };
}
