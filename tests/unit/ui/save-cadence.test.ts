// When the page saves while training: after every step while a save is cheap next to a
// step, otherwise at least every SAVE_EVERY_MS; the first save always runs (it measures).
import { describe, expect, test } from 'vitest';
import { SAVE_EVERY_MS, SAVE_SHARE, saveDue } from '../../../src/ui/state/save-cadence.ts';

describe('saveDue', () => {
  const base = { stepMs: 5000, saveMs: 80, sinceSaveMs: 5000, stepsSinceSave: 1 };

  test('the first save runs whatever it may cost: it measures the cost', () => {
    expect(saveDue({ ...base, saveMs: null })).toBe(true);
  });

  test('cheap saves (≤ SAVE_SHARE of a step) follow every step', () => {
    expect(saveDue(base)).toBe(true);
    expect(saveDue({ ...base, saveMs: SAVE_SHARE * base.stepMs })).toBe(true);
  });

  test('costly saves wait for SAVE_EVERY_MS of training, or the step bound when one is set', () => {
    const costly = { ...base, stepMs: 100, saveMs: 400, sinceSaveMs: 2000, stepsSinceSave: 20 };
    expect(saveDue(costly)).toBe(false);
    expect(saveDue({ ...costly, sinceSaveMs: SAVE_EVERY_MS })).toBe(true);
    expect(saveDue({ ...costly, everySteps: 20 })).toBe(true);
    expect(saveDue({ ...costly, everySteps: 21 })).toBe(false);
  });

  test('nothing new, nothing to save', () => {
    expect(saveDue({ ...base, stepsSinceSave: 0, saveMs: null })).toBe(false);
  });
});
