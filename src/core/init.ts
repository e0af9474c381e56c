// Where a fresh run's weights come from: the shipped base checkpoint when it is the model the
// run's config names, random weights (seeded by the config) otherwise. The app and `azr train`
// both decide with chooseInit, so a config starts the same way in either, and a run never
// trains another size than its config says. Pure: the callers read the shapes (MODEL_SIZES
// for the config's size, config.json for a checkpoint's) and name them.
import { MODEL_SIZE_NAMES } from './config.ts';

/** What must agree for a checkpoint's weights to be the model a config names. */
export interface ModelShape {
  nLayer: number;
  nHead: number;
  dModel: number;
  dMlp: number;
}

/** The model a run's config names. */
export interface RunModel {
  /** Who chose it, as a reason says it: "preset paper", "preset default with --config big.json". */
  by: string;
  /** Its size name (config.modelSize). */
  size: string;
  shape: ModelShape;
  /** Tokens of context the run needs: maxPromptTokens + maxResponseTokens. */
  context: number;
}

/** A checkpoint's model: its size name (or a layers × width label when it has none), shape and context. */
export interface CheckpointModel {
  size: string;
  shape: ModelShape;
  contextLength: number;
}

/** Why a checkpoint cannot start a run (`reason`), and what would let it (`fix`: "pass …"). */
export interface InitMismatch {
  reason: string;
  fix: string;
}

export type InitDecision = { init: 'base'; reason: null } | { init: 'random'; reason: string };

export function sameShape(a: ModelShape, b: ModelShape): boolean {
  return a.nLayer === b.nLayer && a.nHead === b.nHead && a.dModel === b.dModel && a.dMlp === b.dMlp;
}

/**
 * Why `ckpt` (called `ckptName` in the reason) cannot start `run`, or null when it can: it
 * is another size than the config's modelSize, or its context is shorter than the config's
 * prompt and response budgets.
 */
export function initMismatch(run: RunModel, ckpt: CheckpointModel, ckptName = 'the shipped base'): InitMismatch | null {
  if (!sameShape(run.shape, ckpt.shape)) {
    const named = (MODEL_SIZE_NAMES as readonly string[]).includes(ckpt.size);
    return {
      reason: `${run.by} runs a ${run.size} model, ${ckptName} is ${ckpt.size}`,
      fix: named ? `pass a config whose modelSize is ${ckpt.size}` : `pass a ${run.size} checkpoint`,
    };
  }
  if (ckpt.contextLength < run.context) {
    return {
      reason: `${run.by} needs ${run.context} tokens of context (maxPromptTokens + maxResponseTokens), ${ckptName} holds ${ckpt.contextLength}`,
      fix: `pass a config whose maxPromptTokens + maxResponseTokens is at most ${ckpt.contextLength}`,
    };
  }
  return null;
}

/** A fresh run with no init asked for: the base when it is the run's model, else random weights and why. */
export function chooseInit(run: RunModel, base: CheckpointModel): InitDecision {
  const mismatch = initMismatch(run, base);
  return mismatch ? { init: 'random', reason: mismatch.reason } : { init: 'base', reason: null };
}
