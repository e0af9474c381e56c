import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RewardConfig } from '../../../src/core/config.ts';
import { duplicateIsUsable, learnabilityReward, proposerReward, solveRate, solverReward } from '../../../src/core/rewards.ts';

const equation: RewardConfig = { ...DEFAULT_CONFIG.rewards, learnability: 'equation' };
const code: RewardConfig = { ...DEFAULT_CONFIG.rewards, learnability: 'code' };

describe('solver reward (format-aware, paper values)', () => {
  it('gives +1 / −0.5 / −1 by default and follows the config', () => {
    expect(solverReward('correct', equation)).toBe(1);
    expect(solverReward('wrong', equation)).toBe(-0.5);
    expect(solverReward('unparseable', equation)).toBe(-1);
    const custom = { ...equation, solverCorrect: 2, solverWrong: 0, solverFormat: -3 };
    expect([solverReward('correct', custom), solverReward('wrong', custom), solverReward('unparseable', custom)]).toEqual([2, 0, -3]);
    expect(() => solverReward('maybe' as 'correct', equation)).toThrow(/unknown solver outcome/);
  });

  it('adds solverTypeCredit only to a wrong answer of the right kind', () => {
    // The paper's value is 0: the kind of a wrong answer changes nothing.
    expect(solverReward('wrong', equation, true)).toBe(-0.5);
    const typed = { ...equation, solverTypeCredit: 0.25 };
    expect(solverReward('wrong', typed, true)).toBe(-0.25);
    expect(solverReward('wrong', typed, false)).toBe(-0.5);
    expect(solverReward('correct', typed, true)).toBe(1);
    expect(solverReward('unparseable', typed, true)).toBe(-1);
  });

  it('adds solverNearCredit × closeness only to a wrong answer', () => {
    // The paper's value is 0: closeness changes nothing.
    expect(solverReward('wrong', equation, false, 0.8)).toBe(-0.5);
    const near = { ...equation, solverNearCredit: 0.5 };
    expect(solverReward('wrong', near, false, 0.8)).toBeCloseTo(-0.1, 12);
    expect(solverReward('wrong', near, false, 0)).toBe(-0.5);
    expect(solverReward('wrong', { ...near, solverTypeCredit: 0.25 }, true, 0.5)).toBeCloseTo(0, 12);
    expect(solverReward('correct', near, false, 0.9)).toBe(1);
    expect(solverReward('unparseable', near, false, 0.9)).toBe(-1);
  });
});

describe('learnability', () => {
  it('r̄ is the fraction of rollouts solved', () => {
    expect(solveRate([true, false, false, true, false, false, false, false])).toBe(2 / 8);
    expect(solveRate([false])).toBe(0);
    expect(() => solveRate([])).toThrow(/at least one rollout/);
  });

  it('pays 1 − r̄ strictly inside (0, 1), in both variants', () => {
    // 3 of 8 rollouts solved: r̄ = 0.375, reward 0.625; 7 of 8: 0.125.
    expect(learnabilityReward(3 / 8, equation)).toBe(0.625);
    expect(learnabilityReward(7 / 8, equation)).toBe(0.125);
    expect(learnabilityReward(1 / 8, code)).toBe(0.875);
  });

  it("pays 0 for r̄ ∈ {0, 1} in the equation variant and trivialTask (−0.5) in the code variant", () => {
    expect(learnabilityReward(0, equation)).toBe(0);
    expect(learnabilityReward(1, equation)).toBe(0);
    expect(learnabilityReward(0, code)).toBe(-0.5);
    expect(learnabilityReward(1, code)).toBe(-0.5);
    expect(learnabilityReward(1, { ...code, trivialTask: -0.25 })).toBe(-0.25);
    // trivialTask is the code variant's value only.
    expect(learnabilityReward(1, { ...equation, trivialTask: -0.25 })).toBe(0);
  });

  it('rejects a solve rate outside [0, 1]', () => {
    for (const bad of [-0.1, 1.01, NaN]) expect(() => learnabilityReward(bad, equation)).toThrow(/solve rate must be in \[0, 1\]/);
  });
});

describe('proposer reward', () => {
  it('covers every outcome under both learnability variants', () => {
    for (const r of [equation, code]) {
      expect(proposerReward({ kind: 'unparseable' }, r)).toBe(-1);
      expect(proposerReward({ kind: 'invalid' }, r)).toBe(-1);
      expect(proposerReward({ kind: 'valid', solveRate: 0.5 }, r)).toBe(0.5);
    }
    expect(proposerReward({ kind: 'valid', solveRate: 0 }, equation)).toBe(0);
    expect(proposerReward({ kind: 'valid', solveRate: 1 }, code)).toBe(-0.5);
    const custom = { ...equation, proposerFormat: -2, proposerInvalid: -1.5 };
    expect(proposerReward({ kind: 'unparseable' }, custom)).toBe(-2);
    expect(proposerReward({ kind: 'invalid' }, custom)).toBe(-1.5);
    expect(() => proposerReward({ kind: 'odd' } as never, equation)).toThrow(/unknown proposal outcome/);
  });

  it("treats a duplicate as invalid under 'reject' and gives the penalty under 'penalise'", () => {
    const reject: RewardConfig = { ...equation, duplicate: 'reject', proposerInvalid: -1 };
    const penalise: RewardConfig = { ...equation, duplicate: 'penalise', duplicatePenalty: -0.3 };
    expect(proposerReward({ kind: 'duplicate' }, reject)).toBe(-1);
    expect(proposerReward({ kind: 'duplicate' }, penalise)).toBe(-0.3);
    expect(duplicateIsUsable(reject)).toBe(false);
    expect(duplicateIsUsable(penalise)).toBe(true);
  });

  it('orders outcomes invalid < duplicate < trivial < learnable with the defaults', () => {
    const r = DEFAULT_CONFIG.rewards;
    const invalid = proposerReward({ kind: 'invalid' }, r);
    const dup = proposerReward({ kind: 'duplicate' }, r);
    const trivial = proposerReward({ kind: 'valid', solveRate: 1 }, r);
    const learnable = proposerReward({ kind: 'valid', solveRate: 7 / 8 }, r);
    expect(invalid).toBeLessThan(dup);
    expect(dup).toBeLessThan(trivial);
    expect(trivial).toBeLessThan(learnable);
  });
});
