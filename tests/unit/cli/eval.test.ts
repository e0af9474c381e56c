// `azr eval` as a user runs it, on a checkpoint `azr train` just saved.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azr, ROOT } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'azr-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


function file(name: string, lines: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

const TASKS = file('bench.jsonl', [
  { id: 'add', program: 'function f(a, b) { return a + b; }', input: '1, 2', output: '3', tier: 0, examples: [{ input: '2, 2', output: '4' }, { input: '0, 5', output: '5' }, { input: '1, 1', output: '2' }] },
  { id: 'len', program: 'function f(s) { return s.length; }', input: '"abc"', output: '3', tier: 1 },
  { id: 'neg', program: 'function f(x) { return -x; }', input: '4', output: '-4', tier: 1, examples: [{ input: '1', output: '-1' }] },
]);

const run = join(dir, 'run');

beforeAll(async () => {
  const r = await azr('train', '--preset', 'smoke', '--out', run, '--steps', '2');
  if (r.code !== 0) throw new Error(`azr train failed: ${r.stderr}`);
}, 90_000);

describe('azr eval', () => {
  it('reports n, accuracy and byTier per task type as one JSON object', async () => {
    const r = await azr('eval', '--checkpoint', join(run, 'checkpoint'), '--tasks', TASKS, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.n).toEqual({ deduction: 3, abduction: 3, induction: 2 });
    expect(Object.keys(out.byTier)).toEqual(['0', '1']);
    expect(out.byTier['0'].n).toEqual({ deduction: 1, abduction: 1, induction: 1 });
    expect(out.byTier['1'].n).toEqual({ deduction: 2, abduction: 2, induction: 1 });
    for (const acc of [out.accuracy, out.byTier['0'].accuracy, out.byTier['1'].accuracy]) {
      for (const type of ['deduction', 'abduction', 'induction']) {
        expect(acc[type]).toBeGreaterThanOrEqual(0);
        expect(acc[type]).toBeLessThanOrEqual(1);
      }
    }
    expect(out.samples).toBe(1);
    expect(r.stderr).toMatch(/greedy/);
  }, 60_000);

  it('greedy decoding is deterministic; --samples K samples', async () => {
    const last = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);
    const a = await azr('eval', '--checkpoint', join(run, 'checkpoint'), '--tasks', TASKS, '--json');
    const a2 = await azr('eval', '--checkpoint', join(run, 'checkpoint'), '--tasks', TASKS, '--json');
    const b = await azr('eval', '--checkpoint', join(run, 'checkpoint'), '--tasks', TASKS, '--json', '--samples', '2');
    expect(a.code).toBe(0);
    expect(last(a2.stdout)).toEqual(last(a.stdout));
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout.trim().split('\n').at(-1)!).samples).toBe(2);
    expect(b.stderr).toMatch(/2 samples/);
  }, 60_000);

  it('"base" names the shipped base checkpoint', async () => {
    const r = await azr('eval', '--checkpoint', 'base', '--tasks', TASKS, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/evaluating .*public\/checkpoints\/base/);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).checkpoint).toMatch(/public\/checkpoints\/base$/);
  }, 60_000);

  it('bad flags, a bad task file or a missing checkpoint: exit 2 with a named error', async () => {
    const bad = file('bad.jsonl', ['{"id": "x", "program": "function f() {}", "input": "", "output": "1"}', 'not json']);
    const cases: [string[], RegExp][] = [
      [['--tasks', TASKS], /--checkpoint is required/],
      [['--checkpoint', join(run, 'checkpoint')], /--tasks is required/],
      [['--checkpoint', join(run, 'checkpoint'), '--tasks', TASKS, '--samples', '0'], /--samples must be an integer >= 1/],
      [['--checkpoint', join(run, 'checkpoint'), '--tasks', bad], /InputError: task file .*bad\.jsonl: TaskFileError: line 2: not valid JSON/],
      [['--checkpoint', join(run, 'checkpoint'), '--tasks', join(dir, 'none.jsonl')], /InputError: cannot read task file/],
      [['--checkpoint', join(dir, 'nowhere'), '--tasks', TASKS], /CheckpointError: no checkpoint at/],
    ];
    for (const [args, message] of cases) {
      const r = await azr('eval', ...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  }, 60_000);
});
