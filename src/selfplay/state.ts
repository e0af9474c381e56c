// What it takes to continue a self-play run exactly where it stopped, besides the policy's
// weights and optimizer state (which the checkpoint files hold): the run config, how many
// steps are done, the buffers in insertion order (sampling picks by position, so order is
// part of the state) and last step's proposals, which the next solver batch starts from.
//
// Random streams need no saved words: every step draws from a stream forked from the run's
// seed by the step's number (core/rng.ts `fork`), so (seed, step) is the whole rng state.
//
// The snapshot is plain JSON. It travels inside the checkpoint's config.json (meta
// `selfplay`), so one atomic checkpoint write saves the whole run — weights, optimizer,
// buffers and step can never come from two different moments.
import { configHash, validateConfig, ConfigError, type Config } from '../core/config.ts';
import { TaskBuffers } from '../core/buffer.ts';
import { makeInductionTask, type InductionTask, type IOPair, type Triplet } from '../core/tasks.ts';

export const STATE_FORMAT = 'azr-selfplay';
export const STATE_VERSION = 1;

export interface InductionSnapshot {
  program: string;
  message: string;
  pairs: IOPair[];
}

export interface TasksSnapshot {
  deduction: Triplet[];
  abduction: Triplet[];
  induction: InductionSnapshot[];
}

export interface SelfPlayState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  config: Config;
  configHash: string;
  /** Steps completed. */
  step: number;
  /** Self-play time so far, in ms (the run log's `t`). */
  elapsedMs: number;
  /** The key every step's random stream is forked from (see the header). */
  rngKey: string;
  buffers: TasksSnapshot;
  /** Last step's valid proposals: the head of the next solver batch. */
  pending: TasksSnapshot;
}

/** A snapshot that cannot be resumed from; the message names the field. */
export class StateError extends Error {
  override name = 'StateError';
}

export function snapshotTriplet(t: Triplet): Triplet {
  return { program: t.program, input: t.input, output: t.output };
}

export function snapshotInduction(t: InductionTask): InductionSnapshot {
  return { program: t.program, message: t.message, pairs: t.pairs.map((p) => ({ input: p.input, output: p.output })) };
}

export function snapshotBuffers(b: TaskBuffers): TasksSnapshot {
  return {
    deduction: b.deduction.items.map(snapshotTriplet),
    abduction: b.abduction.items.map(snapshotTriplet),
    induction: b.induction.items.map(snapshotInduction),
  };
}

/** Buffers holding exactly the snapshot's items, in its order (no identity seed added). */
export function restoreBuffers(s: TasksSnapshot): TaskBuffers {
  const b = new TaskBuffers({ identity: false });
  for (const t of s.deduction) b.add('deduction', snapshotTriplet(t));
  for (const t of s.abduction) b.add('abduction', snapshotTriplet(t));
  for (const t of s.induction) b.add('induction', makeInductionTask(t.program, t.message, t.pairs));
  return b;
}

// ---- Validation of a snapshot read back from disk or IndexedDB -------------------------

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function checkString(x: unknown, path: string): string {
  if (typeof x !== 'string') throw new StateError(`${path} must be a string`);
  return x;
}

function checkTriplets(x: unknown, path: string): Triplet[] {
  if (!Array.isArray(x)) throw new StateError(`${path} must be an array of tasks`);
  return x.map((t, i) => {
    if (!isObj(t)) throw new StateError(`${path}[${i}] must be an object`);
    return { program: checkString(t.program, `${path}[${i}].program`), input: checkString(t.input, `${path}[${i}].input`), output: checkString(t.output, `${path}[${i}].output`) };
  });
}

function checkInductions(x: unknown, path: string): InductionSnapshot[] {
  if (!Array.isArray(x)) throw new StateError(`${path} must be an array of induction tasks`);
  return x.map((t, i) => {
    const at = `${path}[${i}]`;
    if (!isObj(t)) throw new StateError(`${at} must be an object`);
    if (!Array.isArray(t.pairs) || t.pairs.length < 2) throw new StateError(`${at}.pairs must be an array of at least 2 pairs`);
    const pairs = t.pairs.map((p: unknown, k: number) => {
      if (!isObj(p)) throw new StateError(`${at}.pairs[${k}] must be an object`);
      return { input: checkString(p.input, `${at}.pairs[${k}].input`), output: checkString(p.output, `${at}.pairs[${k}].output`) };
    });
    return { program: checkString(t.program, `${at}.program`), message: checkString(t.message, `${at}.message`), pairs };
  });
}

function checkTasks(x: unknown, path: string): TasksSnapshot {
  if (!isObj(x)) throw new StateError(`${path} must be an object with deduction, abduction and induction`);
  return { deduction: checkTriplets(x.deduction, `${path}.deduction`), abduction: checkTriplets(x.abduction, `${path}.abduction`), induction: checkInductions(x.induction, `${path}.induction`) };
}

/** Checks a snapshot read back from storage; throws StateError naming the first bad field. */
export function parseState(value: unknown): SelfPlayState {
  if (!isObj(value)) throw new StateError('the self-play state must be an object');
  if (value.format !== STATE_FORMAT) throw new StateError(`format must be "${STATE_FORMAT}", got ${JSON.stringify(value.format)}`);
  if (value.version !== STATE_VERSION) throw new StateError(`unsupported version ${JSON.stringify(value.version)} (this build reads ${STATE_VERSION})`);
  let config: Config;
  try {
    config = validateConfig(value.config);
  } catch (e) {
    if (e instanceof ConfigError) throw new StateError(`config: ${e.message}`);
    throw e;
  }
  const hash = configHash(config);
  if (value.configHash !== hash) throw new StateError(`configHash ${JSON.stringify(value.configHash)} does not match the config (${hash}): the state was edited or corrupted`);
  const step = value.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) throw new StateError(`step must be an integer >= 0, got ${JSON.stringify(step)}`);
  const elapsedMs = value.elapsedMs;
  if (typeof elapsedMs !== 'number' || !Number.isFinite(elapsedMs) || elapsedMs < 0) throw new StateError(`elapsedMs must be a number >= 0, got ${JSON.stringify(elapsedMs)}`);
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    config,
    configHash: hash,
    step,
    elapsedMs,
    rngKey: checkString(value.rngKey, 'rngKey'),
    buffers: checkTasks(value.buffers, 'buffers'),
    pending: checkTasks(value.pending, 'pending'),
  };
}
