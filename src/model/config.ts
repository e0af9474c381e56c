// The policy's shape in one typed object: every hyperparameter the transformer reads
// lives here, so a checkpoint's config.json alone rebuilds the model. Size presets are
// partial configs layered over shared defaults (the vocabulary comes from the tokenizer).

import type { Config } from '../core/config.ts';
import type { CheckpointModel, RunModel } from '../core/init.ts';

export interface ModelConfig {
  /** Token ids are 0..vocabSize-1; the tokenizer decides the number. */
  vocabSize: number;
  /** Longest sequence (prompt + response) the model can position. */
  contextLength: number;
  nLayer: number;
  nHead: number;
  /** Residual stream width; must divide evenly into nHead heads. */
  dModel: number;
  /** Hidden width of the GELU MLP (conventionally 4·dModel). */
  dMlp: number;
  /** 'learned': a [contextLength, dModel] table added to the token embedding;
   *  'rotary': queries and keys rotated by position inside attention (no table). */
  positions: 'learned' | 'rotary';
  layerNormEps: number;
  /** Std of the normal init of weight matrices and embeddings; residual output
   *  projections use initStd / sqrt(2·nLayer) so the residual stream's variance
   *  does not grow with depth (GPT-2's scheme). */
  initStd: number;
  /** Base of the rotary frequencies (only read when positions = 'rotary'). */
  ropeBase: number;
}

export type ModelSize = 'tiny' | 'small' | 'medium' | 'large';

type Shape = Pick<ModelConfig, 'nLayer' | 'nHead' | 'dModel' | 'dMlp'>;

/** Sizes from ≈0.3M to ≈6M parameters (exact counts depend on the vocabulary and
 *  context length; `countParams` gives them, `azr bench model` prints them). */
export const MODEL_SIZES: Record<ModelSize, Shape> = {
  tiny: { nLayer: 3, nHead: 4, dModel: 80, dMlp: 320 },
  small: { nLayer: 5, nHead: 4, dModel: 128, dMlp: 512 },
  medium: { nLayer: 6, nHead: 6, dModel: 192, dMlp: 768 },
  large: { nLayer: 7, nHead: 8, dModel: 256, dMlp: 1024 },
};

/** The size name of a model's shape, or its layers × width when it is none of the named sizes. */
export function modelSizeName(m: Shape): string {
  const named = Object.entries(MODEL_SIZES).find(([, s]) => s.nLayer === m.nLayer && s.nHead === m.nHead && s.dModel === m.dModel && s.dMlp === m.dMlp);
  return named ? named[0] : `${m.nLayer} layers × d ${m.dModel}`;
}

/** The model a run's config names, as core/init.ts compares it; `by` says who chose it ("preset paper"). */
export function runModel(config: Pick<Config, 'modelSize' | 'maxPromptTokens' | 'maxResponseTokens'>, by: string): RunModel {
  return { by, size: config.modelSize, shape: MODEL_SIZES[config.modelSize], context: config.maxPromptTokens + config.maxResponseTokens };
}

/** A checkpoint's model (its config.json's `model`), as core/init.ts compares it. */
export function checkpointModel(m: ModelConfig): CheckpointModel {
  return { size: modelSizeName(m), shape: { nLayer: m.nLayer, nHead: m.nHead, dModel: m.dModel, dMlp: m.dMlp }, contextLength: m.contextLength };
}

export const MODEL_DEFAULTS: Omit<ModelConfig, 'vocabSize' | keyof Shape> = {
  contextLength: 1024,
  positions: 'learned',
  layerNormEps: 1e-5,
  initStd: 0.02,
  ropeBase: 10000,
};

export class ModelConfigError extends Error {
  override name = 'ModelConfigError';
}

export function isModelSize(s: string): s is ModelSize {
  return Object.prototype.hasOwnProperty.call(MODEL_SIZES, s);
}

/** A full config: defaults, then the size preset, then the vocabulary, then overrides. */
export function modelConfig(size: ModelSize, vocabSize: number, overrides: Partial<ModelConfig> = {}): ModelConfig {
  if (!isModelSize(size)) {
    throw new ModelConfigError(`unknown model size "${String(size)}" (expected one of ${Object.keys(MODEL_SIZES).join(', ')})`);
  }
  return validateModelConfig({ ...MODEL_DEFAULTS, ...MODEL_SIZES[size], vocabSize, ...overrides });
}

const INT_FIELDS = ['vocabSize', 'contextLength', 'nLayer', 'nHead', 'dModel', 'dMlp'] as const;

/** Checks every field (also of configs read from a checkpoint's config.json) and
 *  returns a clean copy holding only the known fields; throws ModelConfigError naming
 *  the first bad one. */
export function validateModelConfig(raw: unknown): ModelConfig {
  if (typeof raw !== 'object' || raw === null) throw new ModelConfigError('model config must be an object');
  const c = raw as Record<string, unknown>;
  for (const k of INT_FIELDS) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new ModelConfigError(`model config: ${k} must be a positive integer, got ${JSON.stringify(v)}`);
    }
  }
  if (c.positions !== 'learned' && c.positions !== 'rotary') {
    throw new ModelConfigError(`model config: positions must be "learned" or "rotary", got ${JSON.stringify(c.positions)}`);
  }
  for (const k of ['layerNormEps', 'initStd', 'ropeBase'] as const) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new ModelConfigError(`model config: ${k} must be a positive number, got ${JSON.stringify(v)}`);
    }
  }
  const cfg: ModelConfig = {
    vocabSize: c.vocabSize as number,
    contextLength: c.contextLength as number,
    nLayer: c.nLayer as number,
    nHead: c.nHead as number,
    dModel: c.dModel as number,
    dMlp: c.dMlp as number,
    positions: c.positions,
    layerNormEps: c.layerNormEps as number,
    initStd: c.initStd as number,
    ropeBase: c.ropeBase as number,
  };
  if (cfg.dModel % cfg.nHead !== 0) {
    throw new ModelConfigError(`model config: dModel (${cfg.dModel}) must be divisible by nHead (${cfg.nHead})`);
  }
  if (cfg.positions === 'rotary' && (cfg.dModel / cfg.nHead) % 2 !== 0) {
    throw new ModelConfigError(`model config: rotary positions need an even head size, got ${cfg.dModel / cfg.nHead}`);
  }
  return cfg;
}

/** Parameter count of a config; equals the total size of Transformer.namedVariables(). */
export function countParams(cfg: ModelConfig): number {
  const d = cfg.dModel;
  const ln = 2 * d;
  const attn = d * 3 * d + 3 * d + d * d + d;
  const mlp = d * cfg.dMlp + cfg.dMlp + cfg.dMlp * d + d;
  const block = ln + attn + ln + mlp;
  const embeddings = cfg.vocabSize * d + (cfg.positions === 'learned' ? cfg.contextLength * d : 0);
  return embeddings + cfg.nLayer * block + ln;
}
