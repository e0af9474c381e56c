// Literal sources: the only kind of input (and expected output) the sandbox accepts.
//
// An input is argument-list source, what goes between the parentheses of `f(...)`. It
// must be plain data written out: numbers, strings, booleans, null, undefined, BigInts,
// arrays and plain objects, nested. We check that on the host with acorn's syntax tree
// (never with regexes: a regex cannot tell `"a(b)"` from `a(b)`), then re-print the
// value in a form the guest program cannot hijack: `NaN`, `Infinity` and `undefined` are
// global bindings a program may shadow or redefine, so they become `(0/0)`, `(1/0)` and
// `(void 0)`; keys become JSON strings. Array and object literals never consult the
// global `Array` / `Object`, so the re-printed source means the same thing in any context.
//
// Pure TS (acorn only): the executor uses it before anything runs, and core/values.ts
// builds the host-side canonical form from the same checked tree.
import { parse as parseJs } from 'acorn';
import type { Expression, Literal, Node, ObjectExpression, Property, SpreadElement } from 'acorn';

/**
 * Deepest nesting of arrays / objects accepted in an input, an expected output or an
 * output (`[[1]]` is 2 deep). Also a guard for the host: QuickJS's parser and its
 * JSON / canonical readers recurse on the native stack, and that stack is small.
 */
export const MAX_VALUE_DEPTH = 100;

/** A literal source that is not plain data, or does not parse. `column` is 1-based within the source. */
export class LiteralError extends Error {
  override name = 'LiteralError';
  constructor(
    /** What the message is about: "input", "expected output", "literal". */
    readonly subject: string,
    /** The finding without the subject, e.g. "contains a call expression at column 5". */
    readonly detail: string,
  ) {
    super(`${subject} ${detail}`);
  }
}

/** A checked literal: acorn nodes that passed the checker (so only literal shapes occur). */
export type LiteralNode = Expression;

/** One element of a checked argument list or array: `null` is an array hole. */
export type LiteralElement = LiteralNode | null;

/** Identifiers that a literal may use. Anything else is a variable reference. */
const LITERAL_IDENTIFIERS = new Set(['NaN', 'Infinity', 'undefined']);

// "CallExpression" → "a call expression": readable names for what we found.
function describeNode(node: Node): string {
  switch (node.type) {
    case 'CallExpression':
      return 'a call expression';
    case 'NewExpression':
      return 'a `new` expression';
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return 'a function';
    case 'ClassExpression':
      return 'a class';
    case 'TaggedTemplateExpression':
      return 'a tagged template';
    case 'TemplateLiteral':
      return 'a template literal with ${…} expressions';
    case 'SpreadElement':
      return 'a spread (...)';
    case 'AssignmentExpression':
      return 'an assignment';
    case 'UpdateExpression':
      return 'an update (++/--)';
    case 'MemberExpression':
      return 'a property access';
    case 'SequenceExpression':
      return 'a comma expression';
    case 'AwaitExpression':
      return 'an await';
    case 'YieldExpression':
      return 'a yield';
    case 'ImportExpression':
      return 'an import()';
    case 'ThisExpression':
      return '`this`';
    default: {
      // BinaryExpression → "a binary expression"; good enough for the rest.
      const words = node.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      return `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`;
    }
  }
}

/** 1-based "column C" (or "line L, column C" when the source has several lines). */
function where(src: string, offset: number): string {
  const before = src.slice(0, Math.max(0, offset));
  const lineStart = before.lastIndexOf('\n');
  const column = offset - lineStart;
  if (!src.includes('\n')) return `at column ${column}`;
  const line = before.split('\n').length;
  return `at line ${line}, column ${column}`;
}

/**
 * Cheap upper bound on bracket nesting, counting every `(`, `[` and `{` (even inside
 * strings and comments). Used before any parser runs on untrusted text: acorn's and
 * QuickJS's parsers recurse once per bracket, and overflowing the host's native stack
 * is worse than rejecting an odd input.
 */
export function bracketDepth(src: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return max;
}

class Checker {
  // The checked source is wrapped as `[<src>\n]` so one parse sees the whole list;
  // `offset` maps wrapper positions back to positions in the caller's text.
  constructor(
    private readonly src: string,
    private readonly subject: string,
    private readonly offset: number,
  ) {}

  fail(node: Node | null, detail: string): never {
    const at = node ? ` ${where(this.src, node.start - this.offset)}` : '';
    throw new LiteralError(this.subject, `${detail}${at}`);
  }

  element(node: Expression | SpreadElement | null, depth: number): void {
    if (node === null) return; // array hole: allowed, reads as undefined
    if (node.type === 'SpreadElement') this.fail(node, `contains ${describeNode(node)}`);
    this.value(node, depth);
  }

  value(node: Expression, depth: number): void {
    switch (node.type) {
      case 'Literal':
        if ((node as Literal).regex) this.fail(node, 'contains a regular expression literal');
        return;
      case 'Identifier':
        if (!LITERAL_IDENTIFIERS.has(node.name)) this.fail(node, `contains the identifier \`${node.name}\``);
        return;
      case 'UnaryExpression': {
        const arg = node.argument;
        const numeric =
          (arg.type === 'Literal' && (typeof arg.value === 'number' || (typeof arg.value === 'bigint' && node.operator === '-'))) ||
          (arg.type === 'Identifier' && (arg.name === 'NaN' || arg.name === 'Infinity'));
        if ((node.operator === '-' || node.operator === '+') && numeric) return;
        if (node.operator === '-' || node.operator === '+') this.fail(node, `contains unary ${node.operator} on something other than a number`);
        this.fail(node, `contains the operator \`${node.operator}\``);
        return;
      }
      case 'TemplateLiteral':
        if (node.expressions.length > 0) this.fail(node.expressions[0], `contains ${describeNode(node)}`);
        return;
      case 'ArrayExpression':
        if (depth >= MAX_VALUE_DEPTH) this.fail(node, `nests deeper than ${MAX_VALUE_DEPTH} levels`);
        for (const el of node.elements) this.element(el, depth + 1);
        return;
      case 'ObjectExpression':
        if (depth >= MAX_VALUE_DEPTH) this.fail(node, `nests deeper than ${MAX_VALUE_DEPTH} levels`);
        this.object(node, depth + 1);
        return;
      default:
        this.fail(node, `contains ${describeNode(node)}`);
    }
  }

  object(node: ObjectExpression, depth: number): void {
    for (const p of node.properties) {
      if (p.type === 'SpreadElement') this.fail(p, `contains ${describeNode(p)}`);
      const prop = p as Property;
      if (prop.kind === 'get') this.fail(prop, 'contains a getter');
      if (prop.kind === 'set') this.fail(prop, 'contains a setter');
      if (prop.method) this.fail(prop, 'contains a method');
      if (prop.computed) this.fail(prop, 'contains a computed key');
      if (prop.shorthand) this.fail(prop, 'contains a shorthand property (a variable reference)');
      // `__proto__: v` in a literal sets the prototype instead of making a key.
      if (propertyKey(prop) === '__proto__') this.fail(prop, 'contains a __proto__ key (it would set the prototype)');
      this.value(prop.value as Expression, depth);
    }
  }
}

/** The property name a checked (non-computed) key stands for, as JS would spell it. */
export function propertyKey(prop: Property): string {
  const key = prop.key;
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'Literal') {
    // `{1e3: x}` has the key "1000"; `{0x10: x}` the key "16": JS's own number-to-key.
    return typeof key.value === 'string' ? key.value : String(key.value);
  }
  /* c8 ignore next */ throw new Error(`unexpected key node ${key.type}`);
}

function parseWrapped(src: string, subject: string): Expression[] {
  if (typeof src !== 'string') throw new LiteralError(subject, `must be a string, got ${src === null ? 'null' : typeof src}`);
  // Brackets inside strings count too, so this bound is loose; the tree walk below
  // enforces MAX_VALUE_DEPTH exactly. This only keeps absurd nesting away from acorn.
  if (bracketDepth(src) > 4 * MAX_VALUE_DEPTH) throw new LiteralError(subject, `nests deeper than ${MAX_VALUE_DEPTH} levels`);
  // `\n` before `]`: a trailing line comment in src must not swallow the bracket.
  const wrapped = `[${src}\n]`;
  let program;
  try {
    program = parseJs(wrapped, { ecmaVersion: 'latest', sourceType: 'script' });
  } catch (e) {
    const err = e as Error & { pos?: number };
    const message = err.message.replace(/\s*\(\d+:\d+\)$/, '');
    const at = typeof err.pos === 'number' ? ` ${where(src, Math.min(err.pos - 1, src.length))}` : '';
    throw new LiteralError(subject, `does not parse: ${message}${at}`);
  }
  const stmt = program.body[0];
  // Anything but exactly `[ ... ]` means src closed our bracket itself (`1], g([2`).
  if (program.body.length !== 1 || stmt.type !== 'ExpressionStatement' || stmt.expression.type !== 'ArrayExpression' || stmt.expression.start !== 0 || stmt.expression.end !== wrapped.length) {
    throw new LiteralError(subject, 'is not a list of literals (it closes the list early or adds statements)');
  }
  const checker = new Checker(src, subject, 1);
  const elements = stmt.expression.elements;
  for (const el of elements) {
    if (el === null) throw new LiteralError(subject, 'has an empty argument (two commas in a row)');
    checker.element(el, 0);
  }
  return elements as Expression[];
}

/**
 * Check argument-list source (`1, "a", [2]`): every argument a plain literal.
 * Returns the checked nodes, one per argument. Throws LiteralError.
 */
export function checkArgumentList(src: string, subject = 'input'): LiteralNode[] {
  return parseWrapped(src, subject);
}

/** Check the source of one literal value (an expected output). Throws LiteralError. */
export function checkLiteral(src: string, subject = 'literal'): LiteralNode {
  if (typeof src === 'string' && src.trim() === '') throw new LiteralError(subject, 'is empty');
  const nodes = parseWrapped(src, subject);
  if (nodes.length !== 1) throw new LiteralError(subject, `must be one value, found ${nodes.length} separated by commas`);
  return nodes[0];
}

/** JSON-quoted string: a valid JS string literal, lone surrogates escaped. */
const quote = (s: string): string => JSON.stringify(s);

function numberSource(n: number): string {
  if (Number.isNaN(n)) return '(0/0)';
  if (n === Infinity) return '(1/0)';
  if (n === -Infinity) return '(-1/0)';
  if (Object.is(n, -0)) return '(-0)';
  return n < 0 ? `(${String(n)})` : String(n);
}

/** Numeric value of a checked number-like node (Literal, NaN, Infinity, ±unary). */
export function numericValue(node: LiteralNode): number | bigint | undefined {
  if (node.type === 'Literal' && (typeof node.value === 'number' || typeof node.value === 'bigint')) return node.value;
  if (node.type === 'Identifier' && node.name === 'NaN') return NaN;
  if (node.type === 'Identifier' && node.name === 'Infinity') return Infinity;
  if (node.type === 'UnaryExpression') {
    const v = numericValue(node.argument);
    if (v === undefined) return undefined;
    return node.operator === '-' ? -v : v;
  }
  return undefined;
}

/** String value of a checked string node (Literal or template without expressions). */
export function stringValue(node: LiteralNode): string | undefined {
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral') return node.quasis[0].value.cooked ?? undefined;
  return undefined;
}

/**
 * Source for the guest that evaluates to the same value as the checked node, using no
 * global binding. Holes, key order and repeated keys are kept: f may observe them.
 */
export function guestSource(node: LiteralElement): string {
  if (node === null) return '';
  const num = numericValue(node);
  if (typeof num === 'number') return numberSource(num);
  if (typeof num === 'bigint') return num < 0n ? `(${num}n)` : `${num}n`;
  const str = stringValue(node);
  if (str !== undefined) return quote(str);
  switch (node.type) {
    case 'Literal':
      if (node.value === null) return 'null';
      if (typeof node.value === 'boolean') return node.value ? 'true' : 'false';
      break;
    case 'Identifier':
      if (node.name === 'undefined') return '(void 0)';
      break;
    case 'ArrayExpression': {
      const parts = node.elements.map((el) => guestSource(el as LiteralElement));
      // A trailing hole needs its own comma: `[1,,]` has length 2.
      return `[${parts.join(',')}${node.elements.length > 0 && node.elements[node.elements.length - 1] === null ? ',' : ''}]`;
    }
    case 'ObjectExpression':
      return `{${node.properties.map((p) => `${quote(propertyKey(p as Property))}:${guestSource((p as Property).value as LiteralNode)}`).join(',')}}`;
  }
  throw new Error(`guestSource: unchecked node ${node.type}`);
}

/** Guest source of a checked argument list, as an array literal: `[a,b,c]`. */
export function guestArgumentsSource(args: readonly LiteralNode[]): string {
  return `[${args.map(guestSource).join(',')}]`;
}
