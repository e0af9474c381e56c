import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, MODEL_SIZE_NAMES, configHash, validateConfig } from '../../../src/core/config.ts';
import { PRESETS, PRESET_NAMES, PresetError, resolvePreset } from '../../../src/core/presets.ts';

describe('presets', () => {
  it('has the run presets and the paper ablations, each with a one-line description', () => {
    expect(PRESET_NAMES).toEqual(['smoke', 'default', 'graded', 'paper', 'deduction-only', 'no-induction', 'no-references', 'solver-only', 'fixed-set']);
    for (const name of PRESET_NAMES) {
      const d = PRESETS[name].description;
      expect(d.length, name).toBeGreaterThan(10);
      expect(d, name).not.toContain('\n');
    }
  });

  it('every description names the model size its preset runs, and no other size', () => {
    for (const name of PRESET_NAMES) {
      const d = PRESETS[name].description;
      const size = resolvePreset(name).modelSize;
      expect(d, name).toMatch(new RegExp(`\\b${size}\\b`));
      for (const other of MODEL_SIZE_NAMES.filter((s) => s !== size)) expect(d, `${name} names ${other}`).not.toMatch(new RegExp(`\\b${other}\\b`));
    }
  });

  it("default runs the shipped base's size (tiny), so runs start from the base", () => {
    expect(DEFAULT_CONFIG.modelSize).toBe('tiny');
    expect(resolvePreset('default').modelSize).toBe('tiny');
    expect(resolvePreset('paper').modelSize).toBe('large');
  });

  it('every preset resolves to a valid config, and no two are the same', () => {
    const hashes = new Set<string>();
    for (const name of PRESET_NAMES) {
      const c = resolvePreset(name);
      expect(validateConfig(c), name).toEqual(c);
      hashes.add(configHash(c));
    }
    expect(hashes.size).toBe(PRESET_NAMES.length);
  });

  it('default is DEFAULT_CONFIG; paper keeps the paper values', () => {
    expect(resolvePreset('default')).toEqual(DEFAULT_CONFIG);
    const p = resolvePreset('paper');
    expect(p).toMatchObject({ batch: 64, references: 6, inductionInputs: 10, rollouts: 8, temperature: 1, topP: 1, seedFactor: 4, clipEps: 0.2, klCoef: 0, baseline: 'task-relative', useReferences: true, trainProposer: true });
    expect(p.taskTypes).toEqual(['deduction', 'abduction', 'induction']);
    expect(p.rewards).toMatchObject({ solverCorrect: 1, solverWrong: -0.5, solverFormat: -1, learnability: 'equation' });
  });

  it('smoke is the smallest run', () => {
    const s = resolvePreset('smoke');
    for (const name of PRESET_NAMES) {
      const c = resolvePreset(name);
      expect(s.batch, name).toBeLessThanOrEqual(c.batch);
      expect(s.rollouts, name).toBeLessThanOrEqual(c.rollouts);
      expect(s.maxResponseTokens, name).toBeLessThanOrEqual(c.maxResponseTokens);
    }
    expect(s.modelSize).toBe('tiny');
  });

  it('each ablation changes exactly its knob relative to default', () => {
    const diff = (name: string) => {
      const c = resolvePreset(name) as unknown as Record<string, unknown>;
      const d = DEFAULT_CONFIG as unknown as Record<string, unknown>;
      return Object.keys(c).filter((k) => JSON.stringify(c[k]) !== JSON.stringify(d[k]));
    };
    expect(diff('deduction-only')).toEqual(['taskTypes']);
    expect(resolvePreset('deduction-only').taskTypes).toEqual(['deduction']);
    expect(diff('no-induction')).toEqual(['taskTypes']);
    expect(resolvePreset('no-induction').taskTypes).toEqual(['deduction', 'abduction']);
    expect(diff('no-references')).toEqual(['useReferences']);
    expect(resolvePreset('no-references').useReferences).toBe(false);
    expect(diff('solver-only')).toEqual(['trainProposer']);
    expect(resolvePreset('solver-only').trainProposer).toBe(false);
  });

  it("fixed-set is the paper's baseline: no proposer, nothing to seed, no generated first tasks, everything else as default", () => {
    const c = resolvePreset('fixed-set');
    expect(c).toMatchObject({ propose: false, trainProposer: false, seedFactor: 0 });
    expect(DEFAULT_CONFIG.propose).toBe(true);
    const d = DEFAULT_CONFIG as unknown as Record<string, unknown>;
    const changed = Object.keys(c).filter((k) => JSON.stringify((c as unknown as Record<string, unknown>)[k]) !== JSON.stringify(d[k]));
    expect(changed.sort()).toEqual(['propose', 'seedFactor', 'seedLevels', 'trainProposer']);
    expect(c.seedLevels).toEqual([]);
    expect(PRESETS['fixed-set'].description).toMatch(/fixed task set.*proposer off.*baseline/);
  });

  it('layers overrides over the preset, validated', () => {
    const c = resolvePreset('paper', { lr: 3e-4, rewards: { learnability: 'code' } });
    expect(c.lr).toBe(3e-4);
    expect(c.batch).toBe(64);
    expect(c.rewards.learnability).toBe('code');
    expect(c.rewards.solverWrong).toBe(-0.5);
    expect(() => resolvePreset('smoke', { batch: 0 })).toThrow(ConfigError);
    expect(() => resolvePreset('smoke', { batch: 0 })).toThrow(/batch must be >= 1/);
  });

  it('names the valid presets when given an unknown one', () => {
    expect(() => resolvePreset('fast')).toThrow(PresetError);
    expect(() => resolvePreset('fast')).toThrow('unknown preset "fast"; valid presets: smoke, default, graded, paper, deduction-only, no-induction, no-references, solver-only, fixed-set');
    expect(() => resolvePreset('toString')).toThrow(PresetError);
  });

  it('graded starts from the L0, L1 and L2 world and changes nothing else', () => {
    const g = resolvePreset('graded');
    expect(g.seedLevels).toEqual(['L0', 'L1', 'L2']);
    expect(resolvePreset('default').seedLevels).toEqual(['L0', 'L1']);
    expect({ ...g, seedLevels: ['L0', 'L1'] }).toEqual(resolvePreset('default'));
  });
});
