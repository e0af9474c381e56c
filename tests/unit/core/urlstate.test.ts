import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig, type Config } from '../../../src/core/config.ts';
import { resolvePreset } from '../../../src/core/presets.ts';
import { PROPS, defaultUrlState, parseUrlState, serializeUrlState, type UrlState } from '../../../src/core/urlstate.ts';

/** Every leaf path of a config: `lr`, `rewards.solverWrong`, … */
function leafPaths(c: Config): string[] {
  return Object.entries(c).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).map((k2) => `${k}.${k2}`) : [k]));
}

describe('URL state', () => {
  it('has one control per config field, with unique keys', () => {
    expect(PROPS.map((p) => p.path).sort()).toEqual(leafPaths(DEFAULT_CONFIG).sort());
    expect(new Set(PROPS.map((p) => p.key)).size).toBe(PROPS.length);
    for (const p of PROPS) expect(p.key).toMatch(/^[a-zA-Z]+$/);
  });

  it('writes nothing for the defaults, and only non-defaults otherwise, in readable form', () => {
    expect(serializeUrlState(defaultUrlState())).toBe('');
    const config = mergeConfig(DEFAULT_CONFIG, { lr: 0.001, batch: 16, taskTypes: ['deduction', 'abduction'], rewards: { duplicate: 'reject' } });
    expect(serializeUrlState({ preset: 'default', config, hidden: new Set() })).toBe('types=deduction,abduction&batch=16&lr=0.001&duplicate=reject');
    // Relative to the chosen preset: paper's batch 64 is not written, a change from it is.
    const paper = mergeConfig(resolvePreset('paper'), { temperature: 0.7 });
    expect(serializeUrlState({ preset: 'paper', config: paper, hidden: new Set(['lr', 'preset']) })).toBe('preset=paper&temp=0.7&preset_hide=true&lr_hide=true');
  });

  it('round-trips every preset with changes to every kind of control', () => {
    const changes = { seed: 12345, lr: 1.5e-7, topP: 0.95, useReferences: false, modelSize: 'medium', taskTypes: ['induction'], rewards: { solverWrong: -0.25, learnability: 'code' } } as const;
    for (const preset of ['smoke', 'default', 'paper', 'no-references'] as const) {
      const state: UrlState = { preset, config: mergeConfig(resolvePreset(preset), changes as never), hidden: new Set(['refs', 'kl']) };
      const hash = serializeUrlState(state);
      const { state: back, problems } = parseUrlState(`#${hash}`);
      expect(problems, hash).toEqual([]);
      expect(back.preset).toBe(preset);
      expect(back.config).toEqual(state.config);
      expect([...back.hidden].sort()).toEqual(['kl', 'refs']);
      expect(serializeUrlState(back)).toBe(hash);
    }
  });

  it('reads hand-written hashes, with or without #', () => {
    const { state, problems } = parseUrlState('#lr=0.001&batch=16&preset=default');
    expect(problems).toEqual([]);
    expect(state.config).toEqual(mergeConfig(DEFAULT_CONFIG, { lr: 0.001, batch: 16 }));
    expect(parseUrlState('preset=solver-only&lr=1e-4&useRefs=0').state.config).toEqual(mergeConfig(resolvePreset('solver-only'), { lr: 1e-4, useReferences: false }));
    expect(parseUrlState('').state).toEqual(defaultUrlState());
    expect([...parseUrlState('lr_hide&batch_hide=1&kl_hide=false').state.hidden].sort()).toEqual(['batch', 'lr']);
  });

  it('lists named problems and falls back to the preset for those keys only', () => {
    const { state, problems } = parseUrlState(
      'preset=paper&lr=fast&batch=0&inputs=7&temp=0.5&types=deduction,guessing&model=huge&useRefs=maybe&bogus=1&nope_hide=true&topP=%E0%A4%A&seed=',
    );
    const paper = resolvePreset('paper');
    // Only the good key took effect.
    expect(state.preset).toBe('paper');
    expect(state.config).toEqual(mergeConfig(paper, { temperature: 0.5 }));
    expect(problems).toEqual(
      expect.arrayContaining([
        { key: 'lr', value: 'fast', message: 'must be a number' },
        { key: 'batch', value: '0', message: 'must be >= 1' },
        { key: 'inputs', value: '7', message: 'must be even (half shown, half held out)' },
        { key: 'types', value: 'deduction,guessing', message: '"guessing" is not one of deduction, abduction, induction' },
        { key: 'model', value: 'huge', message: 'must be one of tiny, small, medium, large' },
        { key: 'useRefs', value: 'maybe', message: 'must be true or false' },
        { key: 'bogus', value: '1', message: 'is not a known key' },
        { key: 'nope_hide', value: 'true', message: 'hides "nope", which is not a known key' },
        { key: 'topP', value: '%E0%A4%A', message: 'is not valid URL encoding' },
        { key: 'seed', value: '', message: 'must be a number' },
      ]),
    );
    expect(problems).toHaveLength(10);
  });

  it('falls back to the default preset for an unknown preset, keeping the other keys', () => {
    const { state, problems } = parseUrlState('preset=fastest&lr=0.002');
    expect(state.preset).toBe('default');
    expect(state.config.lr).toBe(0.002);
    expect(problems).toEqual([{ key: 'preset', value: 'fastest', message: 'is not a preset (valid: smoke, default, graded, paper, deduction-only, no-induction, no-references, solver-only, fixed-set)' }]);
  });

  it('reports cross-field problems on the key that caused them', () => {
    // rCorrect must exceed rWrong (−0.5): 0.5 passes, −1 is refused and falls back to 1.
    expect(parseUrlState('rCorrect=0.5').problems).toEqual([]);
    const { state, problems } = parseUrlState('rCorrect=-1&lr=0.01');
    expect(problems).toEqual([{ key: 'rCorrect', value: '-1', message: 'must be greater than rewards.solverWrong' }]);
    expect(state.config.rewards.solverCorrect).toBe(1);
    expect(state.config.lr).toBe(0.01);
  });

  it('flags a repeated key and uses its last value', () => {
    const { state, problems } = parseUrlState('lr=0.1&lr=0.2');
    expect(state.config.lr).toBe(0.2);
    expect(problems).toEqual([{ key: 'lr', value: '0.1', message: 'is given more than once; the last value is used' }]);
  });

  it('refuses number spellings that Number() would quietly accept', () => {
    for (const bad of ['', ' ', '0x10', 'Infinity', 'NaN', '1,5', '1e']) {
      expect(parseUrlState(`batch=${encodeURIComponent(bad)}`).problems.map((p) => p.message), JSON.stringify(bad)).toEqual(['must be a number']);
    }
    expect(parseUrlState('lr=1e-3').state.config.lr).toBe(0.001);
    expect(parseUrlState('lr=.5').state.config.lr).toBe(0.5);
  });
});
