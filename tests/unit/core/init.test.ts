import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/core/config.ts';
import { chooseInit, initMismatch, sameShape, type CheckpointModel, type RunModel } from '../../../src/core/init.ts';
import { resolvePreset } from '../../../src/core/presets.ts';
import { checkpointModel, MODEL_SIZES, modelSizeName, runModel, type ModelSize } from '../../../src/model/config.ts';

const BASE_MODEL = JSON.parse(readFileSync(new URL('../../../public/checkpoints/base/config.json', import.meta.url), 'utf8')).model;
const base = checkpointModel(BASE_MODEL);

function runOf(preset: string, overrides: Partial<{ modelSize: ModelSize; maxPromptTokens: number }> = {}): RunModel {
  return runModel(resolvePreset(preset, overrides), `preset ${preset}`);
}

describe('where a fresh run starts', () => {
  it('the shipped base is the default config’s model: same size, and room for its prompts and answers', () => {
    expect(base).toEqual({ size: 'tiny', shape: { nLayer: 3, nHead: 4, dModel: 80, dMlp: 320 }, contextLength: 1216 });
    expect(sameShape(base.shape, MODEL_SIZES[DEFAULT_CONFIG.modelSize])).toBe(true);
    expect(chooseInit(runOf('default'), base)).toEqual({ init: 'base', reason: null });
    expect(chooseInit(runOf('smoke'), base)).toEqual({ init: 'base', reason: null });
  });

  it('a config of another size starts from random weights, and says why', () => {
    expect(chooseInit(runOf('paper'), base)).toEqual({ init: 'random', reason: 'preset paper runs a large model, the shipped base is tiny' });
    expect(chooseInit(runOf('default', { modelSize: 'small' }), base)).toEqual({ init: 'random', reason: 'preset default runs a small model, the shipped base is tiny' });
  });

  it('a tiny config that needs more context than the base holds starts from random weights', () => {
    const choice = chooseInit(runOf('default', { maxPromptTokens: 2048 }), base);
    expect(choice).toEqual({ init: 'random', reason: `preset default needs ${2048 + DEFAULT_CONFIG.maxResponseTokens} tokens of context (maxPromptTokens + maxResponseTokens), the shipped base holds ${base.contextLength}` });
  });

  it('a mismatch says how to fix it, naming the checkpoint', () => {
    expect(initMismatch(runOf('default'), base)).toBeNull();
    expect(initMismatch(runOf('default', { modelSize: 'small' }), base, '--init base')).toEqual({
      reason: 'preset default runs a small model, --init base is tiny',
      fix: 'pass a config whose modelSize is tiny',
    });
    const odd: CheckpointModel = { size: modelSizeName({ nLayer: 2, nHead: 4, dModel: 64, dMlp: 256 }), shape: { nLayer: 2, nHead: 4, dModel: 64, dMlp: 256 }, contextLength: 4096 };
    expect(initMismatch(runOf('smoke'), odd, 'the checkpoint')).toEqual({
      reason: 'preset smoke runs a tiny model, the checkpoint is 2 layers × d 64',
      fix: 'pass a tiny checkpoint',
    });
    expect(initMismatch(runOf('default', { maxPromptTokens: 2048 }), base)?.fix).toBe(`pass a config whose maxPromptTokens + maxResponseTokens is at most ${base.contextLength}`);
  });
});
