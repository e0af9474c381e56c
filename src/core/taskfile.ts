// Task files: the project's import/export and eval format (JSONL, one task a line),
// plus the CRUXEval-X JavaScript lines that the importer reads as a second format.
// Pure TS: parsing JSON, validating with valibot and reading CRUXEval-X harnesses with
// acorn. Nothing here runs a program; the executor decides whether a task actually holds.
import * as v from 'valibot';
import { parse as parseJs } from 'acorn';
import type { Program, Statement, ModuleDeclaration, Expression, SpreadElement, CallExpression } from 'acorn';
import { LEVELS, type Level } from './levels.ts';

type TopLevel = Statement | ModuleDeclaration;

import { TASK_TYPES, type TaskType } from './task-types.ts';
export { TASK_TYPES, type TaskType };

/** One extra (input, output) pair: the same shape as the task's own pair. */
export interface TaskExample {
  input: string;
  output: string;
}

/** One line of a task file. Unknown fields are kept so a file survives a round trip. */
export interface Task {
  id: string;
  /** Source that defines `f`. */
  program: string;
  /** Argument-list source: what goes between the parentheses of `f(...)`. */
  input: string;
  /** Literal source of the expected `f(input)`. */
  output: string;
  examples?: TaskExample[];
  /** Benchmark difficulty (0–3). */
  tier?: number;
  /** The generator family the program came from (core/levels.ts): 0–3. */
  level?: Level;
  type?: TaskType;
  [extra: string]: unknown;
}

export type TaskFileFormat = 'tasks' | 'cruxeval-x';

/** A file that cannot be read as tasks. `line` is 1-based, as an editor shows it. */
export class TaskFileError extends Error {
  override name = 'TaskFileError';
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

const str = () => v.string('must be a string');

const ExampleSchema = v.object({ input: str(), output: str() }, 'must be an object with "input" and "output"');

const TaskSchema = v.looseObject(
  {
    id: v.pipe(str(), v.nonEmpty('must not be empty')),
    program: v.pipe(str(), v.nonEmpty('must not be empty')),
    input: str(),
    output: v.pipe(str(), v.nonEmpty('must not be empty')),
    examples: v.optional(v.array(ExampleSchema, 'must be an array of {"input", "output"}')),
    tier: v.optional(v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(0, 'must be >= 0'))),
    level: v.optional(v.picklist(LEVELS, 'must be 0, 1, 2 or 3')),
    type: v.optional(v.picklist(TASK_TYPES, `must be one of ${TASK_TYPES.map((t) => `"${t}"`).join(', ')}`)),
  },
  'a task must be a JSON object',
);

const CruxSchema = v.looseObject(
  {
    id: v.union([v.pipe(v.string(), v.nonEmpty()), v.number()], 'must be a string or a number'),
    code: v.pipe(str(), v.nonEmpty('must not be empty')),
  },
  'a CRUXEval-X line must be a JSON object',
);

/** `examples[1].output` style names, so a message points at the exact field. */
function fieldName(path: readonly { key: unknown }[]): string {
  return path.map((p, i) => (typeof p.key === 'number' ? `[${p.key}]` : i === 0 ? String(p.key) : `.${String(p.key)}`)).join('');
}

function validate<S extends v.GenericSchema>(schema: S, value: unknown, line: number): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue.path ?? [];
  if (path.length === 0) throw new TaskFileError(line, issue.message);
  const last = path[path.length - 1];
  // valibot reports a missing key as an issue of the enclosing object, not of the field.
  const missing = (issue.type === 'object' || issue.type === 'loose_object') && !(last.input && typeof last.input === 'object' && (last.key as string) in last.input);
  throw new TaskFileError(line, `"${fieldName(path)}" ${missing ? 'is missing' : issue.message}`);
}

function parseJsonLine(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TaskFileError(line, `not valid JSON (${(e as Error).message})`);
  }
}

/** Which format a file is in, decided once from its first non-blank line's keys. */
export function detectFormat(text: string): TaskFileFormat {
  for (const [i, raw] of text.split('\n').entries()) {
    if (raw.trim() === '') continue;
    const value = parseJsonLine(raw, i + 1);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TaskFileError(i + 1, 'a task must be a JSON object');
    return 'code' in value && !('program' in value) ? 'cruxeval-x' : 'tasks';
  }
  return 'tasks';
}

/** Read a task file in either format. Blank lines are skipped; ids must be unique. */
export function parseTaskFile(text: string): Task[] {
  const format = detectFormat(text);
  const tasks: Task[] = [];
  const seen = new Map<string, number>();
  for (const [i, raw] of text.split('\n').entries()) {
    if (raw.trim() === '') continue;
    const line = i + 1;
    const value = parseJsonLine(raw, line);
    // valibot's object schemas accept arrays (they are objects too); a line must be a record.
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TaskFileError(line, 'a task must be a JSON object');
    const task = format === 'cruxeval-x' ? fromCruxevalX(validate(CruxSchema, value, line), line) : (validate(TaskSchema, value, line) as Task);
    const first = seen.get(task.id);
    if (first !== undefined) throw new TaskFileError(line, `duplicate id "${task.id}" (first used on line ${first})`);
    seen.set(task.id, line);
    tasks.push(task);
  }
  return tasks;
}

// Known fields first, in a fixed order, so files diff well; extras after, as given.
const KEY_ORDER = ['id', 'program', 'input', 'output', 'examples', 'tier', 'level', 'type'];

/** One JSON line per task; `parseTaskFile(serializeTasks(ts))` gives `ts` back. */
export function serializeTasks(tasks: readonly Task[]): string {
  return tasks
    .map((task) => {
      const ordered: Record<string, unknown> = {};
      for (const key of KEY_ORDER) if (task[key] !== undefined) ordered[key] = task[key];
      for (const [key, value] of Object.entries(task)) if (!(key in ordered) && value !== undefined) ordered[key] = value;
      return JSON.stringify(ordered);
    })
    .join('\n') + (tasks.length > 0 ? '\n' : '');
}

// ---- CRUXEval-X ---------------------------------------------------------------------
// A line's code is `function f(...) {...}` (maybe with helpers), then the harness:
//   const assert = require('node:assert');
//   function test() { let candidate = f; assert.deepEqual(candidate(INPUT), OUTPUT); }
//   test();
// We walk the syntax tree, drop those three statements, and take INPUT and OUTPUT as
// source slices, so the text stays exactly as written (no reprinting).

const ASSERTIONS = new Set(['deepEqual', 'deepStrictEqual', 'equal', 'strictEqual']);

function isRequireAssert(s: TopLevel): boolean {
  if (s.type !== 'VariableDeclaration') return false;
  return s.declarations.some((d) => {
    const init = d.init;
    return (
      init?.type === 'CallExpression' &&
      init.callee.type === 'Identifier' &&
      init.callee.name === 'require' &&
      init.arguments[0]?.type === 'Literal' &&
      (init.arguments[0].value === 'node:assert' || init.arguments[0].value === 'assert')
    );
  });
}

function isTestFunction(s: TopLevel): boolean {
  return s.type === 'FunctionDeclaration' && s.id?.name === 'test';
}

function isTestCall(s: TopLevel): boolean {
  return (
    s.type === 'ExpressionStatement' &&
    s.expression.type === 'CallExpression' &&
    s.expression.callee.type === 'Identifier' &&
    s.expression.callee.name === 'test'
  );
}

/** Every `assert.X(...)` call in the test body, with X a known deep/strict equality. */
function findAssertions(body: Statement[]): CallExpression[] {
  const found: CallExpression[] = [];
  for (const s of body) {
    if (s.type !== 'ExpressionStatement' || s.expression.type !== 'CallExpression') continue;
    const callee = s.expression.callee;
    if (callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && callee.object.name === 'assert' && callee.property.type === 'Identifier' && ASSERTIONS.has(callee.property.name)) {
      found.push(s.expression);
    }
  }
  return found;
}

/** Names that stand for `f` inside the test: `f` itself and `let candidate = f`. */
function aliasesOfF(body: Statement[]): Set<string> {
  const names = new Set(['f']);
  for (const s of body) {
    if (s.type !== 'VariableDeclaration') continue;
    for (const d of s.declarations) if (d.id.type === 'Identifier' && d.init?.type === 'Identifier' && names.has(d.init.name)) names.add(d.id.name);
  }
  return names;
}

function slice(code: string, nodes: (Expression | SpreadElement)[]): string {
  if (nodes.length === 0) return '';
  return code.slice(nodes[0].start, nodes[nodes.length - 1].end);
}

function fromCruxevalX(row: { id: string | number; code: string; [k: string]: unknown }, line: number): Task {
  const code = row.code;
  let ast: Program;
  try {
    ast = parseJs(code, { ecmaVersion: 'latest', sourceType: 'script' });
  } catch (e) {
    throw new TaskFileError(line, `"code" does not parse as JavaScript (${(e as Error).message})`);
  }
  const harness = ast.body.filter((s) => isRequireAssert(s) || isTestFunction(s) || isTestCall(s));
  const testFn = harness.find(isTestFunction);
  if (!testFn || testFn.type !== 'FunctionDeclaration') throw new TaskFileError(line, '"code" has no `function test() {...}` harness');
  if (!ast.body.some((s) => s.type === 'FunctionDeclaration' && s.id?.name === 'f')) throw new TaskFileError(line, '"code" does not declare `function f`');
  const body = testFn.body.body;
  const assertions = findAssertions(body);
  if (assertions.length !== 1) throw new TaskFileError(line, `"code" must assert exactly once in test(), found ${assertions.length} assertions`);
  const [actual, expected] = assertions[0].arguments;
  const aliases = aliasesOfF(body);
  if (!actual || actual.type !== 'CallExpression' || actual.callee.type !== 'Identifier' || !aliases.has(actual.callee.name)) {
    throw new TaskFileError(line, '"code" must assert on a call of f (candidate(...)) as its first argument');
  }
  if (!expected || expected.type === 'SpreadElement') throw new TaskFileError(line, '"code" must give the expected output as the assertion\'s second argument');

  // Cut the harness out of the text rather than reprinting what is left: comments and
  // helper functions (declared before or after f) stay exactly as written.
  let program = '';
  let at = 0;
  for (const s of harness) {
    program += code.slice(at, s.start);
    at = s.end;
  }
  program = (program + code.slice(at)).trim();

  return {
    id: String(row.id),
    program,
    input: slice(code, actual.arguments),
    output: code.slice(expected.start, expected.end),
  };
}
