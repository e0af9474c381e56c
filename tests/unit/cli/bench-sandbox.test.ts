// `azr bench sandbox` as a user runs it: a short run prints the four rows and the JSON
// contract; bad flags are usage errors. Speed itself is not asserted (the machine is
// shared); the figures must only be consistent with each other.
import { describe, expect, it } from 'vitest';
import { azr } from '../../support/cli.ts';

describe('azr bench sandbox', () => {
  it('--json: pool, naive, single-thread and V8 rates, ratio = pool / naive', async () => {
    const r = await azr('bench', 'sandbox', '--seconds', '0.5', '--workers', '1', '--batch', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const { cpu, ...out } = JSON.parse(lines[lines.length - 1]) as Record<string, number> & { cpu: Record<string, number | null> };
    for (const key of ['checksPerSec', 'naiveChecksPerSec', 'v8ChecksPerSec', 'ratio', 'singleThreadChecksPerSec', 'v8Ratio']) {
      expect(out[key], key).toBeGreaterThan(0);
    }
    // The rates are printed rounded to whole checks/s, the ratios from the exact rates.
    const near = (a: number, b: number) => Math.abs(a - b) / b < 0.02;
    expect(near(out.ratio, out.checksPerSec / out.naiveChecksPerSec), `ratio ${out.ratio}`).toBe(true);
    expect(near(out.v8Ratio, out.v8ChecksPerSec / out.checksPerSec), `v8Ratio ${out.v8Ratio}`).toBe(true);
    expect(out.workers).toBe(1);
    // CPU per check: the total always; the split and the projection where the platform
    // has a per-thread clock (Linux, Node ≥ 23.9), then consistent with each other.
    const total = cpu.totalUsPerCheck!;
    expect(total).toBeGreaterThan(0);
    if (cpu.hostUsPerCheck !== null) {
      expect(cpu.hostUsPerCheck + cpu.workerUsPerCheck!).toBeCloseTo(total, 1);
      expect(cpu.projectedChecksPerSec).toBeGreaterThan(0);
      expect(cpu.projectedChecksPerSec!).toBeLessThanOrEqual((cpu.cores! * 1e6) / total + 1);
    }
    expect(r.stderr).toMatch(/naive \(runtime per check, 1 thread\)/);
    expect(r.stderr).toMatch(/runner, 1 check per job, 1 thread/);
  }, 120_000);

  it('bad flags are usage errors (exit 2)', async () => {
    expect((await azr('bench', 'sandbox', '--seconds', '0')).code).toBe(2);
    expect((await azr('bench', 'sandbox', '--workers', 'two')).code).toBe(2);
    expect((await azr('bench', 'sandbox', 'extra')).code).toBe(2);
  }, 60_000);
});
