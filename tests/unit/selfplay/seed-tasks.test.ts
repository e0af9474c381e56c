// A run's first tasks from the graded world: of the levels asked for, executed in the real
// sandbox (outputs right), the same for the same seed, and only when the config asks.
import { afterAll, describe, expect, it } from 'vitest';
import { classifyLevel } from '../../../src/core/levels.ts';
import { configHash, DEFAULT_CONFIG, validateConfig } from '../../../src/core/config.ts';
import { checkTasks } from '../../../src/eval/check.ts';
import { createExecutor } from '../../../src/sandbox/index.ts';
import { levelNumbers, levelSeedTasks } from '../../../src/selfplay/seed-tasks.ts';

const executor = await createExecutor({ size: 1 });
afterAll(() => executor.dispose());

describe('level seed tasks', () => {
  it('are of the levels asked for, hold in the executor, and repeat for a seed', async () => {
    const a = await levelSeedTasks([0, 1], 12, 7, executor, 1000);
    expect(a).toHaveLength(12);
    for (const t of a) {
      expect([0, 1]).toContain(t.level);
      expect(classifyLevel(t.program)).toBe(t.level);
      expect(t.examples!.length).toBeGreaterThanOrEqual(3);
    }
    const summary = await checkTasks(a, executor, { limits: { timeoutMs: 1000 } });
    expect(summary.tasks.filter((c) => c.verdict !== 'ok')).toEqual([]);
    expect(await levelSeedTasks([0, 1], 12, 7, executor, 1000)).toEqual(a);
    expect((await levelSeedTasks([0, 1], 12, 8, executor, 1000)).map((t) => t.program)).not.toEqual(a.map((t) => t.program));
  });

  it('the config spells levels as words; an empty list keeps old configs and their hashes', () => {
    expect(levelNumbers(['L0', 'L2'])).toEqual([0, 2]);
    const withLevels = validateConfig({ ...DEFAULT_CONFIG, seedLevels: ['L0', 'L1'] });
    expect(withLevels.seedLevels).toEqual(['L0', 'L1']);
    expect(configHash(withLevels)).not.toBe(configHash({ ...DEFAULT_CONFIG, seedLevels: [] }));
    const { seedLevels: _, ...old } = DEFAULT_CONFIG;
    expect(configHash(validateConfig(old))).toBe(configHash({ ...DEFAULT_CONFIG, seedLevels: [] }));
    expect(() => validateConfig({ ...DEFAULT_CONFIG, seedLevels: ['L5'] })).toThrow(/seedLevels/);
  });
});
