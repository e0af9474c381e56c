import { describe, expect, it } from 'vitest';
import { AdvantageError, computeAdvantages, populationStd, type AdvantageItem } from '../../../src/core/advantages.ts';

const item = (type: AdvantageItem['type'], role: AdvantageItem['role'], reward: number, group?: string): AdvantageItem => ({ type, role, reward, group });

describe('TRR++ advantages', () => {
  // A mixed batch, interleaved so that index alignment is tested too. By hand:
  //  deduction.solve   r = 1, −0.5, −0.5, 1:  μ = 0.25, deviations ±0.75, σ = 0.75 → A = 1, −1, −1, 1
  //  deduction.propose r = 0.625, 0, −1:      μ = −0.125, deviations 0.75, 0.125, −0.875,
  //                    σ² = (0.5625 + 0.015625 + 0.765625) / 3 = 43/96, σ = √(43/96) ≈ 0.669266
  //                    → A ≈ 1.120631, 0.186772, −1.307403
  //  abduction.propose r = 1, 0:              μ = 0.5, σ = 0.5 → A = 1, −1
  //  abduction.solve   r = −1 (alone):        A = r − μ = 0
  //  induction.solve   r = 1, 1 (all equal):  σ = 0 → A = 0
  const batch: AdvantageItem[] = [
    item('deduction', 'solve', 1),
    item('deduction', 'propose', 0.625),
    item('abduction', 'propose', 1),
    item('deduction', 'solve', -0.5),
    item('abduction', 'solve', -1),
    item('deduction', 'propose', 0),
    item('deduction', 'solve', -0.5),
    item('induction', 'solve', 1),
    item('deduction', 'propose', -1),
    item('abduction', 'propose', 0),
    item('deduction', 'solve', 1),
    item('induction', 'solve', 1),
  ];

  it('normalises each (type, role) by its own mean and population std (ε = 0 for exact numbers)', () => {
    const { advantages } = computeAdvantages(batch, { eps: 0 });
    const expected = [1, 1.120631, 1, -1, 0, 0.186772, -1, 0, -1.307403, -1, 1, 0];
    expected.forEach((a, i) => expect(advantages[i], `item ${i}`).toBeCloseTo(a, 5));
  });

  it('adds ε to σ, and gives exactly 0 to a lone item or an all-equal group', () => {
    const { advantages } = computeAdvantages(batch); // ε = 1e-6
    expect(advantages[0]).toBeCloseTo(0.75 / (0.75 + 1e-6), 12);
    expect(advantages[0]).toBeLessThan(1);
    expect(advantages[4]).toBe(0);
    expect(advantages[7]).toBe(0);
    expect(advantages[11]).toBe(0);
    // All-equal rewards whose float mean is not exactly the reward still give 0, not noise / ε.
    const tenths = computeAdvantages([item('deduction', 'solve', 0.1), item('deduction', 'solve', 0.1), item('deduction', 'solve', 0.1)]);
    expect(tenths.advantages).toEqual([0, 0, 0]);
  });

  it('reports per (type, role) stats for the step report', () => {
    const { stats } = computeAdvantages(batch, { eps: 0 });
    expect(Object.keys(stats).sort()).toEqual(['abduction.propose', 'abduction.solve', 'deduction.propose', 'deduction.solve', 'induction.solve']);
    expect(stats['deduction.solve']).toMatchObject({ type: 'deduction', role: 'solve', count: 4, meanReward: 0.25, advMean: 0 });
    expect(stats['deduction.solve']!.advStd).toBeCloseTo(1, 12);
    expect(stats['deduction.propose']!.meanReward).toBeCloseTo(-0.125, 12);
    expect(stats['deduction.propose']!.advMean).toBeCloseTo(0, 12);
    expect(stats['deduction.propose']!.advStd).toBeCloseTo(1, 12);
    expect(stats['abduction.solve']).toEqual({ type: 'abduction', role: 'solve', count: 1, meanReward: -1, advMean: 0, advStd: 0 });
    expect(stats['induction.solve']).toMatchObject({ count: 2, meanReward: 1, advStd: 0 });
  });

  it('uses the population std, not the sample std', () => {
    // [0, 2]: population σ = 1 (sample σ would be √2).
    expect(populationStd([0, 2])).toBe(1);
    const { advantages } = computeAdvantages([item('abduction', 'solve', 0), item('abduction', 'solve', 2)], { eps: 0 });
    expect(advantages).toEqual([-1, 1]);
  });

  it("with baseline 'group', normalises within each prompt's samples instead", () => {
    // Two tasks, two solver samples each: task a r = 1, −0.5 → A = 1, −1; task b r = 1, 1 → 0, 0.
    // Task-relative over the same four: μ = 0.625, σ² = (3 × 0.375² + 1.125²) / 4 = 27/64,
    // σ = 3√3/8 → A = 0.375/σ = 1/√3 for the 1s and −1.125/σ = −√3 for the −0.5.
    const items = [item('deduction', 'solve', 1, 'a'), item('deduction', 'solve', -0.5, 'a'), item('deduction', 'solve', 1, 'b'), item('deduction', 'solve', 1, 'b')];
    expect(computeAdvantages(items, { baseline: 'group', eps: 0 }).advantages).toEqual([1, -1, 0, 0]);
    const trr = computeAdvantages(items, { eps: 0 }).advantages;
    [1 / Math.sqrt(3), -Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)].forEach((a, i) => expect(trr[i]).toBeCloseTo(a, 12));
    // The same group id under two roles is two baselines.
    const mixed = [item('deduction', 'solve', 1, 'a'), item('deduction', 'propose', 0, 'a')];
    expect(computeAdvantages(mixed, { baseline: 'group' }).advantages).toEqual([0, 0]);
  });

  it('refuses bad input with named errors', () => {
    expect(() => computeAdvantages([item('deduction', 'solve', NaN)])).toThrow(/item 0: reward must be a finite number/);
    expect(() => computeAdvantages([item('deduction', 'solve', 1, 'a'), item('deduction', 'solve', 1)], { baseline: 'group' })).toThrow(AdvantageError);
    expect(() => computeAdvantages([item('deduction', 'solve', 1, 'a'), item('deduction', 'solve', 1)], { baseline: 'group' })).toThrow(/item 1: baseline 'group' needs a group id/);
    expect(() => computeAdvantages([], { eps: -1 })).toThrow(/eps must be/);
    expect(() => computeAdvantages([], { baseline: 'batch' as 'group' })).toThrow(/unknown baseline/);
    expect(computeAdvantages([])).toEqual({ advantages: [], stats: {} });
  });
});
