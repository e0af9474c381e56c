import { describe, expect, it } from 'vitest';
import { detectFormat, parseTaskFile, serializeTasks, TaskFileError, type Task } from '../../../src/core/taskfile.ts';

const line = (o: unknown) => JSON.stringify(o);

function errorOf(text: string): TaskFileError {
  try {
    parseTaskFile(text);
  } catch (e) {
    expect(e).toBeInstanceOf(TaskFileError);
    return e as TaskFileError;
  }
  throw new Error('expected parseTaskFile to throw');
}

// A CRUXEval-X-shaped line written for these tests: our own f, the same harness shape.
function cruxLine(id: number | string, fn: string, input: string, output: string, extra: Record<string, unknown> = {}) {
  const code = `${fn}\nconst assert = require('node:assert');\n\n\nfunction test() {\n  let candidate = f;\n  assert.deepEqual(candidate(${input}),${output});\n}\n\ntest();`;
  return line({ id, code, ...extra });
}

describe('task file format', () => {
  const good: Task = { id: 't-1', program: 'function f(a, b) { return a + b; }', input: '1, 2', output: '3', examples: [{ input: '0, 0', output: '0' }], tier: 1, type: 'deduction' };

  it('parses a full task and a minimal one, skipping blank lines', () => {
    const text = `${line(good)}\n\n   \n${line({ id: 't-2', program: 'function f() { return [1]; }', input: '', output: '[1]' })}\n`;
    const tasks = parseTaskFile(text);
    expect(tasks).toEqual([good, { id: 't-2', program: 'function f() { return [1]; }', input: '', output: '[1]' }]);
    expect(detectFormat(text)).toBe('tasks');
  });

  it('keeps extra fields and round-trips through serializeTasks', () => {
    const withExtra = { ...good, id: 't-3', source: 'hand-written', notes: { why: 'carry' } };
    const tasks = parseTaskFile([line(good), line(withExtra)].join('\n'));
    expect(tasks[1].source).toBe('hand-written');
    const text = serializeTasks(tasks);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(2);
    expect(parseTaskFile(text)).toEqual(tasks);
    // Known fields come first in a fixed order, whatever order the object had.
    expect(serializeTasks([{ output: '3', input: '1, 2', program: 'function f(a,b){return a+b}', id: 'x' }])).toBe(
      '{"id":"x","program":"function f(a,b){return a+b}","input":"1, 2","output":"3"}\n',
    );
    expect(serializeTasks([])).toBe('');
    expect(parseTaskFile('')).toEqual([]);
  });

  it('names the line and the field of a wrong type', () => {
    const text = [line(good), line({ ...good, id: 't-2' }), '', '', '', '', line({ ...good, id: 't-7', input: 12 })].join('\n');
    const e = errorOf(text);
    expect(e.line).toBe(7);
    expect(e.message).toBe('line 7: "input" must be a string');
  });

  it.each([
    [{ id: 't', program: 'function f(){}', input: '' }, '"output" is missing'],
    [{ program: 'function f(){}', input: '', output: '1' }, '"id" is missing'],
    [{ id: '', program: 'function f(){}', input: '', output: '1' }, '"id" must not be empty'],
    [{ id: 't', program: 'function f(){}', input: '', output: '1', examples: [{ input: '1', output: 2 }] }, '"examples[0].output" must be a string'],
    [{ id: 't', program: 'function f(){}', input: '', output: '1', examples: [{ input: '1' }] }, '"examples[0].output" is missing'],
    [{ id: 't', program: 'function f(){}', input: '', output: '1', examples: 'no' }, '"examples" must be an array'],
    [{ id: 't', program: 'function f(){}', input: '', output: '1', tier: 1.5 }, '"tier" must be an integer'],
    [{ id: 't', program: 'function f(){}', input: '', output: '1', type: 'guessing' }, '"type" must be one of "deduction", "abduction", "induction"'],
    [[1, 2], 'a task must be a JSON object'],
  ])('rejects %j with %s', (task, message) => {
    const e = errorOf(`${line(good)}\n${line(task)}`);
    expect(e.line).toBe(2);
    expect(e.message).toContain(`line 2: ${message}`);
  });

  it('rejects broken JSON and duplicate ids with their line numbers', () => {
    expect(errorOf(`${line(good)}\n${line({ ...good, id: 't-2' })}\n{"id": "t-3",`).message).toMatch(/^line 3: not valid JSON/);
    const dup = errorOf(`${line(good)}\n${line({ ...good, id: 't-2' })}\n${line(good)}`);
    expect(dup.line).toBe(3);
    expect(dup.message).toContain('duplicate id "t-1" (first used on line 1)');
    expect(errorOf('"just a string"').message).toBe('line 1: a task must be a JSON object');
  });
});

describe('CRUXEval-X lines', () => {
  it('is detected from the first non-blank line and extracted with the source slices intact', () => {
    const fn = 'function f(xs, k){\n    // keep the comment\n    return xs.map(x => x * k);\n}';
    const text = `\n${cruxLine(4, fn, '[1, 2,  3], 2', '[2, 4, 6]', { prompt: 'x', note: 'y' })}\n${cruxLine(5, 'function f(){ return {"a b": [null, undefined]}; }', '', '{"a b": [null, undefined]}')}`;
    expect(detectFormat(text)).toBe('cruxeval-x');
    const [a, b] = parseTaskFile(text);
    expect(a).toEqual({ id: '4', program: fn, input: '[1, 2,  3], 2', output: '[2, 4, 6]' });
    expect(b).toEqual({ id: '5', program: 'function f(){ return {"a b": [null, undefined]}; }', input: '', output: '{"a b": [null, undefined]}' });
  });

  it('keeps helpers declared before and after f, and drops only the harness', () => {
    const fn = 'function twice(s) { return s + s; }\n\nfunction f(s){ return twice(pad(s)); }\n\nfunction pad(s) { return " " + s; }';
    const [t] = parseTaskFile(cruxLine(9, fn, '"ab"', '" ab ab"'));
    expect(t.program).toBe(fn);
    expect(t.program).not.toContain('assert');
    expect(t.program).not.toMatch(/test\(/);
  });

  it('handles nested calls and strings with parentheses and commas in the input and output', () => {
    const [t] = parseTaskFile(cruxLine(1, 'function f(s, t){ return [s, t]; }', '"a), (b", ["c,d"]', '["a), (b", ["c,d"]]'));
    expect(t.input).toBe('"a), (b", ["c,d"]');
    expect(t.output).toBe('["a), (b", ["c,d"]]');
  });

  it('names the line of code that does not parse or has no harness', () => {
    const ok = cruxLine(0, 'function f(a){ return a; }', '1', '1');
    const broken = line({ id: 1, code: 'function f(a){ return a; \nconst assert = require("node:assert");' });
    let e = errorOf(`${ok}\n\n${broken}`);
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/^line 3: "code" does not parse as JavaScript/);

    e = errorOf(`${ok}\n${line({ id: 2, code: 'function f(a){ return a; }' })}`);
    expect(e.message).toBe('line 2: "code" has no `function test() {...}` harness');

    e = errorOf(`${ok}\n${cruxLine(3, 'function g(a){ return a; }', '1', '1')}`);
    expect(e.message).toBe('line 2: "code" does not declare `function f`');

    e = errorOf(`${ok}\n${line({ id: 4, code: 'function f(a){ return a; }\nfunction test() { let candidate = f; assert.deepEqual(g(1), 1); }\ntest();' })}`);
    expect(e.message).toContain('line 2: "code" must assert on a call of f');

    e = errorOf(`${ok}\n${line({ id: 5 })}`);
    expect(e.message).toBe('line 2: "code" is missing');
  });

  it('serialises imported lines as plain task lines', () => {
    const tasks = parseTaskFile(cruxLine(7, 'function f(n){ return n + 1; }', '41', '42'));
    const text = serializeTasks(tasks);
    expect(detectFormat(text)).toBe('tasks');
    expect(parseTaskFile(text)).toEqual(tasks);
  });
});
