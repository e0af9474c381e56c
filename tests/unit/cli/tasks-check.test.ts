import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { azr, ROOT } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'azr-tasks-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


function file(name: string, lines: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

const add = 'function f(a, b) { return a + b; }';

describe('azr tasks check', () => {
  it('runs a good file: exit 0, a summary, and the JSON shape on the last stdout line', async () => {
    const path = file('good.jsonl', [
      { id: 'add', program: add, input: '1, 2', output: '3', examples: [{ input: '0, 0', output: '0' }, { input: '"a", "b"', output: '"ab"' }], tier: 1, type: 'deduction' },
      { id: 'rev', program: 'function f(xs) { return [...xs].reverse(); }', input: '[1, [2], {k: null}]', output: '[{k: null}, [2], 1]' },
      // Claims the wrong output: ran fine, so a mismatch and still exit 0.
      { id: 'wrong', program: add, input: '2, 2', output: '5' },
      { id: 'throws', program: 'function f(x) { return x.y.z; }', input: '{}', output: '1' },
    ]);
    const { code, stdout, stderr } = await azr('tasks', 'check', path, '--json');
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('4/4');
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(Object.keys(summary).sort()).toEqual(['mismatch', 'ok', 'rejected', 'tasks', 'total']);
    expect(summary).toMatchObject({ total: 4, ok: 2, mismatch: 1, rejected: { error: 1 } });
    expect(summary.tasks.map((t: { id: string; verdict: string }) => [t.id, t.verdict])).toEqual([['add', 'ok'], ['rev', 'ok'], ['wrong', 'mismatch'], ['throws', 'error']]);
    for (const t of summary.tasks) {
      expect(Object.keys(t).sort()).toEqual(['id', 'ms', 'reason', 'verdict']);
      expect(typeof t.ms).toBe('number');
    }
    expect(summary.tasks[0].reason).toBe('');
    expect(summary.tasks[2].reason).toMatch(/^input: /);
  });

  it('prints a readable summary without --json', async () => {
    const path = file('plain.jsonl', [{ id: 'one', program: add, input: '1, 1', output: '2' }, { id: 'off-by-one', program: add, input: '1, 1', output: '3' }]);
    const { code, stdout } = await azr('tasks', 'check', path, '--timeout-ms', '2000');
    expect(code).toBe(0);
    expect(stdout).toContain('2 tasks: 1 ok, 1 mismatch, 0 rejected');
    expect(stdout).toMatch(/^\s+off-by-one\s+mismatch\s+input: /m);
  });

  it('exits 2 naming line 3 of a malformed file', async () => {
    const path = file('bad.jsonl', [{ id: 'a', program: add, input: '1, 2', output: '3' }, { id: 'b', program: add, input: '1, 2', output: '3' }, { id: 'c', program: add, input: 1, output: '3' }]);
    const { code, stderr } = await azr('tasks', 'check', path);
    expect(code).toBe(2);
    expect(stderr).toContain('line 3: "input" must be a string');
  });

  it('exits 2 for a missing file', async () => {
    const { code, stderr } = await azr('tasks', 'check', join(dir, 'no-such-file.jsonl'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot read .*no-such-file\.jsonl/);
  });

  it.each([
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['--timeout-ms', '0'], /--timeout-ms must be an integer >= 1/],
    [[], /expected exactly one FILE/],
  ])('exits 2 with usage for bad flags %j', async (args, message) => {
    const path = file('flags.jsonl', [{ id: 'a', program: add, input: '1, 2', output: '3' }]);
    const { code, stderr } = await azr('tasks', 'check', ...(args.length ? [path, ...args] : args));
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    if (args[0] !== '--timeout-ms') expect(stderr).toContain('usage: azr tasks check FILE');
  });
});
