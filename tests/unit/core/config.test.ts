import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, configHash, mergeConfig, stableStringify, validateConfig, type Config } from '../../../src/core/config.ts';

function problemsOf(value: unknown): Record<string, string> {
  try {
    validateConfig(value);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return Object.fromEntries((e as ConfigError).problems.map((p) => [p.path, p.message]));
  }
  throw new Error('expected validateConfig to throw');
}

const with_ = (over: Record<string, unknown>): unknown => ({ ...DEFAULT_CONFIG, ...over });

describe('config schema', () => {
  it('accepts the defaults and returns an equal copy', () => {
    const c = validateConfig(DEFAULT_CONFIG);
    expect(c).toEqual(DEFAULT_CONFIG);
    expect(c).not.toBe(DEFAULT_CONFIG);
    expect(Object.isFrozen(DEFAULT_CONFIG)).toBe(true);
  });

  it('names each bad field with its own message', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ batch: 0 }, 'batch', 'must be >= 1'],
      [{ batch: 2.5 }, 'batch', 'must be an integer'],
      [{ batch: '8' }, 'batch', 'must be a number'],
      [{ references: 33 }, 'references', 'must be <= 32'],
      [{ inductionInputs: 7 }, 'inductionInputs', 'must be even (half shown, half held out)'],
      [{ inductionInputs: 64 }, 'inductionInputs', 'must be <= 32'],
      [{ rollouts: 0 }, 'rollouts', 'must be >= 1'],
      [{ groupSize: 65 }, 'groupSize', 'must be <= 64'],
      [{ temperature: 0 }, 'temperature', 'must be > 0'],
      [{ topP: 1.5 }, 'topP', 'must be <= 1'],
      [{ topP: 0 }, 'topP', 'must be > 0'],
      [{ lr: 0 }, 'lr', 'must be > 0'],
      [{ lr: Infinity }, 'lr', 'must be finite'],
      [{ lr: NaN }, 'lr', 'must be a number'],
      [{ clipEps: -0.1 }, 'clipEps', 'must be > 0'],
      [{ entropyCoef: -1 }, 'entropyCoef', 'must be >= 0'],
      [{ klCoef: 11 }, 'klCoef', 'must be <= 10'],
      [{ maxPromptTokens: 8 }, 'maxPromptTokens', 'must be >= 16'],
      [{ modelSize: 'huge' }, 'modelSize', 'must be one of "tiny", "small", "medium", "large"'],
      [{ backend: 'metal' }, 'backend', 'must be one of "auto", "webgpu", "webgl", "wasm", "cpu"'],
      [{ taskTypes: [] }, 'taskTypes', 'must name at least one task type'],
      [{ taskTypes: ['deduction', 'deduction'] }, 'taskTypes', 'must not repeat a task type'],
      [{ taskTypes: ['deduction', 'guessing'] }, 'taskTypes[1]', 'must be one of "deduction", "abduction", "induction"'],
      [{ trainProposer: 'yes' }, 'trainProposer', 'must be true or false'],
      [{ propose: 'no' }, 'propose', 'must be true or false'],
      [{ useReferences: 1 }, 'useReferences', 'must be true or false'],
      [{ seedFactor: -1 }, 'seedFactor', 'must be >= 0'],
      [{ executorTimeoutMs: 5 }, 'executorTimeoutMs', 'must be >= 10'],
      [{ seed: -3 }, 'seed', 'must be >= 0'],
      [{ baseline: 'batch' }, 'baseline', 'must be one of "task-relative", "group"'],
      [{ rewards: { ...DEFAULT_CONFIG.rewards, learnability: 'both' } }, 'rewards.learnability', 'must be one of "equation", "code", "validity"'],
      [{ rewards: { ...DEFAULT_CONFIG.rewards, duplicate: 'ignore' } }, 'rewards.duplicate', 'must be one of "reject", "penalise"'],
      [{ rewards: { ...DEFAULT_CONFIG.rewards, solverFormat: 20 } }, 'rewards.solverFormat', 'must be <= 10'],
      [{ rewards: { ...DEFAULT_CONFIG.rewards, solverCorrect: -0.5 } }, 'rewards.solverCorrect', 'must be greater than rewards.solverWrong'],
      [{ rewards: { ...DEFAULT_CONFIG.rewards, solverTypeCredit: 1.5 } }, 'rewards.solverTypeCredit', 'must be less than rewards.solverCorrect − rewards.solverWrong (a wrong answer of the right kind must still pay less than a right one)'],
      [{ rewards: { ...DEFAULT_CONFIG.rewards, solverTypeCredit: -0.1 } }, 'rewards.solverTypeCredit', 'must be >= 0'],
      [{ rewards: { ...DEFAULT_CONFIG.rewards, solverTypeCredit: 0.75, solverNearCredit: 0.75 } }, 'rewards.solverNearCredit', 'must be less than rewards.solverCorrect − rewards.solverWrong − rewards.solverTypeCredit (a wrong answer, however close, must still pay less than a right one)'],
      [{ klRoles: 'solve' }, 'klRoles', 'must be one of "both", "propose"'],
      [{ extra: 1 }, 'extra', 'is not a known field'],
      [{ rewards: { ...DEFAULT_CONFIG.rewards, bonus: 1 } }, 'rewards.bonus', 'is not a known field'],
    ];
    for (const [over, path, message] of cases) expect(problemsOf(with_(over)), JSON.stringify(over)).toEqual({ [path]: message });
  });

  it('reports missing fields and every problem at once, in one message', () => {
    const { lr: _lr, ...noLr } = DEFAULT_CONFIG;
    expect(problemsOf(noLr)).toEqual({ lr: 'is missing' });
    let error: ConfigError | undefined;
    try {
      validateConfig(with_({ batch: 0, topP: 2, modelSize: 'x' }));
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error?.problems.map((p) => p.path)).toEqual(['batch', 'topP', 'modelSize']);
    expect(error?.message).toBe('invalid config: batch must be >= 1; topP must be <= 1; modelSize must be one of "tiny", "small", "medium", "large"');
    expect(problemsOf(null)).toEqual({ '': 'a config must be an object' });
  });

  it('merges overrides one level into rewards, replacing lists', () => {
    const m = mergeConfig(DEFAULT_CONFIG, { lr: 1e-3, taskTypes: ['induction'], rewards: { solverWrong: -0.25 } });
    expect(m.lr).toBe(1e-3);
    expect(m.taskTypes).toEqual(['induction']);
    expect(m.rewards).toEqual({ ...DEFAULT_CONFIG.rewards, solverWrong: -0.25 });
    expect(DEFAULT_CONFIG.rewards.solverWrong).toBe(-0.5);
  });
});

describe('configHash', () => {
  it('is short, stable under key order, and changes with any value', () => {
    const h = configHash(DEFAULT_CONFIG);
    expect(h).toMatch(/^[0-9a-f]{12}$/);
    const reversed = Object.fromEntries(Object.entries(DEFAULT_CONFIG).reverse()) as Config;
    expect(configHash(reversed)).toBe(h);
    expect(configHash(structuredClone(DEFAULT_CONFIG) as Config)).toBe(h);
    const changed = new Set([h]);
    for (const c of [{ lr: 0.0005000001 }, { seed: 2 }, { taskTypes: ['abduction', 'deduction', 'induction'] }, { rewards: { solverWrong: -0.4 } }] as const) {
      changed.add(configHash(mergeConfig(DEFAULT_CONFIG, c as never)));
    }
    expect(changed.size).toBe(5);
  });

  it('keeps the hash of a config saved before solverTypeCredit existed', () => {
    // A run saved earlier has no such field: it loads with the neutral 0, and its hash is
    // the one it was saved with, so its state and run log still match it.
    const { solverTypeCredit: _added, ...oldRewards } = DEFAULT_CONFIG.rewards;
    const old = { ...DEFAULT_CONFIG, rewards: oldRewards };
    const loaded = validateConfig(old);
    expect(loaded.rewards.solverTypeCredit).toBe(0);
    expect(configHash(loaded)).toBe(configHash(DEFAULT_CONFIG));
    expect(configHash(mergeConfig(DEFAULT_CONFIG, { rewards: { solverTypeCredit: 0.25 } }))).not.toBe(configHash(DEFAULT_CONFIG));
  });

  it('keeps the hash of a config saved before klRoles and ignoreModalHits existed', () => {
    const { klRoles: _added, ...old } = DEFAULT_CONFIG;
    const { solverTypeCredit: _alsoAdded, ...oldRewards } = DEFAULT_CONFIG.rewards;
    const loaded = validateConfig(old);
    expect(loaded.klRoles).toBe('both');
    expect(configHash(loaded)).toBe(configHash(DEFAULT_CONFIG));
    expect(configHash(validateConfig({ ...old, rewards: oldRewards }))).toBe(configHash(DEFAULT_CONFIG));
    expect(configHash(mergeConfig(DEFAULT_CONFIG, { klRoles: 'propose' }))).not.toBe(configHash(DEFAULT_CONFIG));
    const { ignoreModalHits: _new, ...withoutModal } = DEFAULT_CONFIG.rewards;
    expect(configHash(validateConfig({ ...old, rewards: withoutModal }))).toBe(configHash(DEFAULT_CONFIG));
    expect(configHash(mergeConfig(DEFAULT_CONFIG, { rewards: { ignoreModalHits: true } }))).not.toBe(configHash(DEFAULT_CONFIG));
  });

  it('keeps the hash of a config saved before solverNearCredit existed', () => {
    const { solverNearCredit: _added, ...oldRewards } = DEFAULT_CONFIG.rewards;
    const loaded = validateConfig({ ...DEFAULT_CONFIG, rewards: oldRewards });
    expect(loaded.rewards.solverNearCredit).toBe(0);
    expect(configHash(loaded)).toBe(configHash(DEFAULT_CONFIG));
    expect(configHash(mergeConfig(DEFAULT_CONFIG, { rewards: { solverNearCredit: 0.25 } }))).not.toBe(configHash(DEFAULT_CONFIG));
  });

  it('hashes sorted-key JSON', () => {
    expect(stableStringify({ b: 1, a: [{ d: 2, c: 3 }], u: undefined })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });
});
