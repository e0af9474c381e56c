import { describe, expect, test } from 'vitest';
import { countParams, MODEL_SIZES, ModelConfigError, modelConfig, validateModelConfig } from '../../../src/model/config.ts';

// A realistic vocabulary: 97 characters plus a handful of specials.
const VOCAB = 107;

describe('model config', () => {
  test('size presets span ≈0.3M to ≈6M parameters, increasing', () => {
    const counts = (['tiny', 'small', 'medium', 'large'] as const).map((s) => countParams(modelConfig(s, VOCAB)));
    expect(counts[0]).toBeGreaterThan(0.2e6);
    expect(counts[0]).toBeLessThan(0.45e6);
    expect(counts[3]).toBeGreaterThan(4.5e6);
    expect(counts[3]).toBeLessThan(7.5e6);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThan(counts[i - 1]);
  });

  test('countParams by hand for a small config', () => {
    const cfg = modelConfig('tiny', 10, { nLayer: 1, nHead: 1, dModel: 4, dMlp: 8, contextLength: 6 });
    // wte 10·4 + wpe 6·4 + block (ln 8 + qkv 4·12+12 + proj 16+4 + ln 8 + fc 32+8 + proj 32+4) + lnf 8
    expect(countParams(cfg)).toBe(40 + 24 + (8 + 60 + 20 + 8 + 40 + 36) + 8);
    expect(countParams({ ...cfg, positions: 'rotary' })).toBe(countParams(cfg) - 24);
  });

  test('overrides win over the preset; the result is validated', () => {
    const cfg = modelConfig('small', VOCAB, { contextLength: 128, positions: 'rotary' });
    expect(cfg).toMatchObject({ ...MODEL_SIZES.small, vocabSize: VOCAB, contextLength: 128, positions: 'rotary' });
    expect(() => modelConfig('small', VOCAB, { nHead: 3 })).toThrow(/divisible by nHead/);
    expect(() => modelConfig('huge' as 'tiny', VOCAB)).toThrow(ModelConfigError);
    expect(() => modelConfig('tiny', 0)).toThrow(/vocabSize must be a positive integer/);
    expect(() => modelConfig('tiny', VOCAB, { dModel: 12, nHead: 4, positions: 'rotary' })).toThrow(/even head size/);
    expect(() => modelConfig('tiny', VOCAB, { layerNormEps: 0 })).toThrow(/layerNormEps/);
  });

  test('validateModelConfig reads a config.json round trip and rejects junk', () => {
    const cfg = modelConfig('tiny', VOCAB);
    expect(validateModelConfig(JSON.parse(JSON.stringify({ ...cfg, extra: 1 })))).toEqual(cfg);
    expect(() => validateModelConfig(null)).toThrow(ModelConfigError);
    expect(() => validateModelConfig({ ...cfg, positions: 'alibi' })).toThrow(/positions/);
    expect(() => validateModelConfig({ ...cfg, nLayer: 1.5 })).toThrow(/nLayer/);
  });
});
