// Named starting points for a run: partial configs laid over DEFAULT_CONFIG, each with one
// line saying what it is for. The ablation presets change exactly the knob the paper's
// ablation changed and nothing else, so comparing one with `default` isolates that knob.
import { DEFAULT_CONFIG, mergeConfig, validateConfig, type Config, type ConfigOverrides } from './config.ts';

export interface Preset {
  description: string;
  config: ConfigOverrides;
}

export const PRESETS = {
  smoke: {
    description: "Smallest possible run: a tiny model (the shipped base's size) and batches of 2, one step in seconds (for tests).",
    config: {
      modelSize: 'tiny',
      batch: 2,
      references: 2,
      inductionInputs: 4,
      rollouts: 2,
      groupSize: 2,
      seedFactor: 1,
      maxPromptTokens: 256,
      maxResponseTokens: 48,
      executorTimeoutMs: 250,
      // The identity triplet alone and RL only: nothing to generate or teach before the first step.
      seedLevels: [],
      executorAnswers: 0,
    },
  },
  default: {
    description: "Self-play from the shipped base on a 2-core CPU: a tiny model (the base's size), first tasks of levels L0 and L1, batches of 8, lr 2e-4, the executor's answers learned beside the RL term, tasks must read their input.",
    config: {},
  },
  graded: {
    description: 'A harder start: the first tasks are generated L0, L1 and L2 programs (one operation; one expression; statements), executed by the sandbox, beside the identity triplet; otherwise default (a tiny model).',
    config: { seedLevels: ['L0', 'L1', 'L2'] },
  },
  paper: {
    description: "The paper's settings (batch 64, K 6, N 10, n 8, temperature 1, top-p 1) on a large model (the largest here; the shipped base is smaller, so it starts from random weights), scaled only where a model of a few million parameters needs it.",
    // Kept from the paper: batch 64 per (type, role), K = 6 references, N = 10 induction
    // inputs (5 shown, 5 held out), n = 8 learnability rollouts, temperature 1, top-p 1,
    // seed factor S = 4, one solver sample per task, TRR++, PPO clip 0.2, grad clip 1,
    // no KL, no entropy bonus, the equation's learnability reward.
    // Scaled: lr — the paper's 1e-6 fine-tunes a pretrained 7B model; a model of a few
    // million parameters trained here barely moves at 1e-6, so 1e-4. Model size — the
    // largest this project offers, not 7B. Response budget — 1024 characters instead of
    // the paper's 8k BPE tokens, enough for the programs a small model writes.
    config: {
      batch: 64,
      references: 6,
      inductionInputs: 10,
      rollouts: 8,
      groupSize: 1,
      seedFactor: 4,
      temperature: 1,
      topP: 1,
      lr: 1e-4,
      clipEps: 0.2,
      gradClip: 1,
      entropyCoef: 0,
      klCoef: 0,
      baseline: 'task-relative',
      modelSize: 'large',
      maxPromptTokens: 4096,
      maxResponseTokens: 1024,
      rewards: { learnability: 'equation' },
      // The paper's validity: a program that runs deterministically is valid, whatever it returns;
      // the paper's start (the identity triplet alone) and its update (RL only).
      strictValidity: false,
      seedLevels: [],
      executorAnswers: 0,
    },
  },
  'deduction-only': {
    description: 'Ablation: deduction tasks only (no abduction, no induction); a tiny model, as default.',
    config: { taskTypes: ['deduction'] },
  },
  'no-induction': {
    description: 'Ablation: deduction and abduction, no induction; a tiny model, as default.',
    config: { taskTypes: ['deduction', 'abduction'] },
  },
  'no-references': {
    description: 'Ablation: the proposer sees no reference tasks from the buffer; a tiny model, as default.',
    config: { useReferences: false },
  },
  'solver-only': {
    description: 'Ablation: the proposer proposes but is never trained; only the solver learns; a tiny model, as default.',
    config: { trainProposer: false },
  },
  'fixed-set': {
    description: "RL on a fixed task set, proposer off: the paper's baseline on a tiny model, as default (azr train uses data/fixed-tasks.jsonl unless --tasks names another).",
    // propose: false already skips seeding and leaves the proposer untrained; seedFactor and
    // trainProposer say so too, so the config reads the same as what the loop does.
    // Its tasks are the task file's alone (no generated first tasks), as measured in RESULTS.
    config: { propose: false, trainProposer: false, seedFactor: 0, seedLevels: [] },
  },
} satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export class PresetError extends Error {
  override name = 'PresetError';
}

export function isPresetName(name: string): name is PresetName {
  return Object.prototype.hasOwnProperty.call(PRESETS, name);
}

/**
 * DEFAULT_CONFIG, then the preset, then `overrides`, validated. An unknown name throws
 * PresetError listing the valid ones; a bad override throws ConfigError naming the field.
 */
export function resolvePreset(name: string, overrides: ConfigOverrides = {}): Config {
  if (!isPresetName(name)) throw new PresetError(`unknown preset ${JSON.stringify(name)}; valid presets: ${PRESET_NAMES.join(', ')}`);
  const preset: Preset = PRESETS[name];
  return validateConfig(mergeConfig(mergeConfig(DEFAULT_CONFIG, preset.config), overrides));
}
