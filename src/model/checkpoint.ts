// Checkpoints and tensors: capture a model's variables into checkpoint files, restore them
// into variables, build a model from a checkpoint. The format itself (parse, validate,
// bundle) is tfjs-free and lives in checkpoint-files.ts, re-exported here so callers that
// already hold tfjs need one import.
//
// Restoring is all-or-nothing: every file is parsed and every tensor checked against
// the target variables (names, shapes, dtype) and the config against the model's
// before the first variable is assigned. A failed load leaves the model as it was.
import * as tf from '@tensorflow/tfjs';
import { validateModelConfig, type ModelConfig } from './config.ts';
import { isTokenizer, tokenizerFromJSON, type Tokenizer, type TokenizerJSON } from './tokenizer.ts';
import { Transformer } from './transformer.ts';
import type { OptimizerState } from './optim.ts';
import { encodeSafetensors, type F32Tensor } from './safetensors.ts';
import { CHECKPOINT_FILES, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointError, digest, parseCheckpoint, type CheckpointConfig, type CheckpointFiles, type ParsedCheckpoint } from './checkpoint-files.ts';

export * from './checkpoint-files.ts';

// ---------------------------------------------------------------------------------
// Capture: variables → bytes.

async function readTensors(named: Iterable<[string, tf.Tensor]>, what: string): Promise<F32Tensor[]> {
  const out: F32Tensor[] = [];
  for (const [name, t] of named) {
    if (t.dtype !== 'float32') throw new CheckpointError(`${what} "${name}" is ${t.dtype}; checkpoints store float32 only`);
    // data(), not dataSync(): GPU-resident tensors can read back as zeros synchronously.
    const data = (await t.data()) as Float32Array;
    out.push({ name, shape: [...t.shape], data });
  }
  return out;
}

export interface CaptureInput {
  model: ModelConfig;
  tokenizer: TokenizerJSON | Tokenizer;
  /** The model's namedVariables(). */
  variables: Map<string, tf.Variable>;
  /** The trainer's optimizerState(): moments by name and the step count. */
  optimizer?: OptimizerState;
  meta?: Record<string, unknown>;
}

/** Read every variable (and optimizer tensor) into checkpoint files. */
export async function captureCheckpoint(input: CaptureInput): Promise<CheckpointFiles> {
  const model = validateModelConfig(input.model);
  const tokenizer = isTokenizer(input.tokenizer) ? input.tokenizer.toJSON() : input.tokenizer;
  const weights = encodeSafetensors(await readTensors(input.variables, 'variable'), { format: CHECKPOINT_FORMAT });
  let optimizer: Uint8Array | undefined;
  if (input.optimizer) {
    const step = input.optimizer.step;
    if (!Number.isInteger(step) || step < 0) throw new CheckpointError(`optimizer step must be an integer >= 0, got ${step}`);
    // The step is metadata (a string, as the format requires), not a tensor: it is exact at any size.
    optimizer = encodeSafetensors(await readTensors(input.optimizer.tensors, 'optimizer tensor'), { kind: input.optimizer.kind ?? 'adamw', step: String(step) });
  }
  const config: CheckpointConfig = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model,
    tokenizer,
    files: {
      [CHECKPOINT_FILES.weights]: digest(weights),
      ...(optimizer ? { [CHECKPOINT_FILES.optimizer]: digest(optimizer) } : {}),
    },
    meta: input.meta ?? {},
  };
  return { config: JSON.stringify(config, null, 2) + '\n', weights, optimizer };
}

// ---------------------------------------------------------------------------------
// Restore: validated host tensors → variables.

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Field-by-field difference of two model configs, for the error message. */
function configDiff(saved: ModelConfig, model: ModelConfig): string[] {
  const keys = new Set([...Object.keys(saved), ...Object.keys(model)]) as Set<keyof ModelConfig>;
  return [...keys].filter((k) => saved[k] !== model[k]).map((k) => `${k} is ${JSON.stringify(saved[k])} in the checkpoint but ${JSON.stringify(model[k])} in the model`);
}

/** Check that `tensors` can be assigned to `targets` exactly: same names, shapes, float32. */
export function checkTensorsMatch(what: string, tensors: Map<string, F32Tensor>, targets: Map<string, tf.Tensor>): void {
  const missing = [...targets.keys()].filter((n) => !tensors.has(n));
  if (missing.length) throw new CheckpointError(`${what}: missing tensor${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}`);
  const extra = [...tensors.keys()].filter((n) => !targets.has(n));
  if (extra.length) throw new CheckpointError(`${what}: unexpected tensor${extra.length > 1 ? 's' : ''} ${extra.map((n) => `"${n}"`).join(', ')} (not in the model)`);
  for (const [name, target] of targets) {
    const t = tensors.get(name)!;
    if (!sameShape(t.shape, target.shape)) {
      throw new CheckpointError(`${what}: tensor "${name}" has shape [${t.shape}] but the model needs [${target.shape}]`);
    }
    if (target.dtype !== 'float32') throw new CheckpointError(`${what}: target "${name}" is ${target.dtype}, not float32`);
  }
}

/** What restores optimizer state: a Trainer (optimizerState / loadOptimizerState). */
export interface OptimizerOwner {
  optimizerState(): OptimizerState;
  loadOptimizerState(state: OptimizerState): void;
}

export interface RestoreTarget {
  /** The model's config: the checkpoint's must be identical. */
  model: ModelConfig;
  variables: Map<string, tf.Variable>;
  /** When given, the checkpoint's tokenizer kind, version and specials must match (token ids would shift otherwise). */
  tokenizer?: TokenizerJSON | Tokenizer;
  /** When given and the checkpoint holds optimizer state, it is restored too (checked
   *  with the weights, before anything is written). A checkpoint without optimizer
   *  state leaves the optimizer as it is (e.g. fine-tuning from a base checkpoint). */
  trainer?: OptimizerOwner;
}

export interface RestoreResult extends ParsedCheckpoint {
  optimizerRestored: boolean;
}

/**
 * Load a checkpoint into existing variables. Everything is validated first; on any
 * problem a CheckpointError is thrown and no variable has been touched. Returns the
 * parsed checkpoint (config, meta and optimizer tensors for the trainer to restore).
 */
export function restoreCheckpoint(files: CheckpointFiles | ParsedCheckpoint, target: RestoreTarget): RestoreResult {
  const parsed = 'weights' in files && files.weights instanceof Map ? files as ParsedCheckpoint : parseCheckpoint(files as CheckpointFiles);
  const diff = configDiff(parsed.config.model, validateModelConfig(target.model));
  if (diff.length) throw new CheckpointError(`config mismatch: ${diff.join('; ')}`);
  if (target.tokenizer) {
    const want = isTokenizer(target.tokenizer) ? target.tokenizer.toJSON() : target.tokenizer;
    const saved = parsed.config.tokenizer;
    // Same specials but another piece table still gives every id past the alphabet another meaning.
    if (want.kind !== saved.kind || want.version !== saved.version) {
      throw new CheckpointError(`tokenizer mismatch: the checkpoint's tokenizer is ${saved.kind} v${saved.version}, the model's ${want.kind} v${want.version}`);
    }
    if (JSON.stringify(want.specials) !== JSON.stringify(parsed.config.tokenizer.specials)) {
      throw new CheckpointError(`tokenizer mismatch: the checkpoint's specials are ${JSON.stringify(parsed.config.tokenizer.specials)}, the model's ${JSON.stringify(want.specials)}`);
    }
  }
  checkTensorsMatch(CHECKPOINT_FILES.weights, parsed.weights, target.variables);
  const restoreOptimizer = Boolean(target.trainer && parsed.optimizer);
  if (restoreOptimizer) {
    const want = target.trainer!.optimizerState();
    // AdamW and Muon states have different tensors; say so rather than list the names.
    const saved = parsed.optimizer!.meta.kind ?? 'adamw';
    if (saved !== (want.kind ?? 'adamw')) throw new CheckpointError(`${CHECKPOINT_FILES.optimizer} holds ${saved} state; this trainer's optimizer is ${want.kind ?? 'adamw'}`);
    checkTensorsMatch(CHECKPOINT_FILES.optimizer, parsed.optimizer!.tensors, want.tensors);
  }
  // Every check passed: only now write. Each assign replaces the variable's tensor.
  for (const [name, v] of target.variables) {
    const t = parsed.weights.get(name)!;
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, 'float32')));
  }
  if (restoreOptimizer) {
    const tensors = toTensors(parsed.optimizer!.tensors);
    try {
      target.trainer!.loadOptimizerState({ kind: parsed.optimizer!.meta.kind === 'muon' ? 'muon' : 'adamw', step: Number(parsed.optimizer!.meta.step), tensors });
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
  }
  return { ...parsed, optimizerRestored: restoreOptimizer };
}

/** Host tensors → tfjs tensors (the caller owns and disposes them). */
export function toTensors(tensors: Map<string, F32Tensor>): Map<string, tf.Tensor> {
  return new Map([...tensors].map(([name, t]) => [name, tf.tensor(t.data, t.shape, 'float32')]));
}

// ---------------------------------------------------------------------------------
// A model straight from a checkpoint.

/** Build the model a checkpoint describes and load its weights (the CLI's and the app's entry point). */
export function modelFromCheckpoint(files: CheckpointFiles | ParsedCheckpoint): { model: Transformer; tokenizer: Tokenizer; checkpoint: ParsedCheckpoint } {
  const parsed = 'weights' in files && files.weights instanceof Map ? files as ParsedCheckpoint : parseCheckpoint(files as CheckpointFiles);
  // The seed is irrelevant: every variable is overwritten by the restore below.
  const model = new Transformer(parsed.config.model, 0);
  try {
    restoreCheckpoint(parsed, { model: model.config, variables: model.namedVariables() });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, tokenizer: tokenizerFromJSON(parsed.config.tokenizer), checkpoint: parsed };
}
