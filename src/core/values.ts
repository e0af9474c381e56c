// The canonical value form: one deterministic text per plain JS value. Two values are
// equal exactly when their canonical texts are equal; that is how answers are scored.
//
//   number     NaN, Infinity, -Infinity, -0 spelled out; otherwise JS's String(n)
//              (shortest round-trip digits, the same in every engine: 0.1, 1e+21, 5e-324)
//   bigint     digits then `n`: 12n, -3n
//   string     JSON-quoted: "a\"b" (lone surrogates escaped as \udXXX)
//   boolean    true / false;  null;  undefined
//   array      [a,b,c]  holes read as undefined; non-index properties are not part of it
//   object     {"a":1,"b":[2]}  own enumerable string keys, sorted by UTF-16 code units,
//              prototype Object.prototype or null; getters/setters are not plain data
//
// No spaces anywhere. The text is itself a literal the checker accepts, and
// canonicalOfLiteral(canonical) === canonical. Arrays and objects nest at most
// MAX_VALUE_DEPTH deep. Sorting keys also makes JS's own key order (integer-like keys
// first, then insertion order) irrelevant.
//
// The sandbox computes the same text inside QuickJS (src/sandbox/guest.ts) for f's
// outputs; the unit tests check that both sides agree. Pure TS: no eval anywhere here.
import type { Property } from 'acorn';
import { checkLiteral, type LiteralNode, MAX_VALUE_DEPTH, numericValue, propertyKey, stringValue } from './literals.ts';

export { LiteralError, MAX_VALUE_DEPTH, checkArgumentList, checkLiteral } from './literals.ts';

/** A host value that has no canonical form (a function, a cycle, a Map, …). */
export class CanonicalError extends Error {
  override name = 'CanonicalError';
}

/** Canonical text of a number. */
export function canonicalNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Object.is(n, -0)) return '-0';
  return String(n);
}

/** Canonical text of a string: JSON quoting. */
export const canonicalString = (s: string): string => JSON.stringify(s);

/** Keys in canonical order: plain default sort (UTF-16 code units), as the guest does. */
const sortKeys = (keys: string[]): string[] => keys.sort();

/** Canonical text of a node that passed the literal checker. */
export function canonicalOfNode(node: LiteralNode | null): string {
  if (node === null) return 'undefined'; // array hole
  const num = numericValue(node);
  if (typeof num === 'number') return canonicalNumber(num);
  if (typeof num === 'bigint') return `${num}n`;
  const str = stringValue(node);
  if (str !== undefined) return canonicalString(str);
  switch (node.type) {
    case 'Literal':
      if (node.value === null) return 'null';
      if (typeof node.value === 'boolean') return String(node.value);
      break;
    case 'Identifier':
      if (node.name === 'undefined') return 'undefined';
      break;
    case 'ArrayExpression':
      return `[${node.elements.map((el) => canonicalOfNode(el as LiteralNode | null)).join(',')}]`;
    case 'ObjectExpression': {
      // A repeated key keeps its last value, as in JS.
      const byKey = new Map<string, LiteralNode>();
      for (const p of node.properties) byKey.set(propertyKey(p as Property), (p as Property).value as LiteralNode);
      return `{${sortKeys([...byKey.keys()]).map((k) => `${canonicalString(k)}:${canonicalOfNode(byKey.get(k)!)}`).join(',')}}`;
    }
  }
  throw new Error(`canonicalOfNode: unchecked node ${node.type}`);
}

/**
 * Canonical text of one literal source (an expected output, a solver's answer), without
 * evaluating it. Throws LiteralError (naming what was found) for anything not a literal.
 */
export function canonicalOfLiteral(src: string, subject = 'literal'): string {
  return canonicalOfNode(checkLiteral(src, subject));
}

/** Whether two literal sources denote the same value. Throws LiteralError like canonicalOfLiteral. */
export function literalsEqual(a: string, b: string): boolean {
  return canonicalOfLiteral(a) === canonicalOfLiteral(b);
}

/** `[0].next["a b"]`: where inside a value something was found. */
export function pathSegment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * Canonical text of a host value, by the same rules as the guest. For values that did
 * not come from a literal (JSON, tests). Throws CanonicalError naming what and where.
 */
export function canonicalOfValue(value: unknown, maxChars = Infinity): string {
  const ancestors: object[] = [];
  const fail = (what: string, path: string): never => {
    throw new CanonicalError(`value ${path === '' ? 'is' : `contains at ${path}`} ${what}`);
  };
  const visit = (v: unknown, path: string, depth: number): string => {
    let out: string;
    switch (typeof v) {
      case 'number':
        out = canonicalNumber(v);
        break;
      case 'bigint':
        out = `${v}n`;
        break;
      case 'string':
        if (v.length > maxChars) fail(`a string of ${v.length} characters (over ${maxChars})`, path);
        out = canonicalString(v);
        break;
      case 'boolean':
        out = String(v);
        break;
      case 'undefined':
        out = 'undefined';
        break;
      case 'symbol':
        return fail('a symbol', path);
      case 'function':
        return fail('a function', path);
      default: {
        if (v === null) {
          out = 'null';
          break;
        }
        const obj = v as object;
        if (depth >= MAX_VALUE_DEPTH) fail(`nesting deeper than ${MAX_VALUE_DEPTH} levels`, path);
        if (ancestors.includes(obj)) fail('a cycle', path);
        ancestors.push(obj);
        const proto = Object.getPrototypeOf(obj);
        if (Array.isArray(obj)) {
          if (proto !== Array.prototype) fail('an array subclass', path);
          const parts: string[] = [];
          for (let i = 0; i < obj.length; i++) {
            const d = Object.getOwnPropertyDescriptor(obj, i);
            if (d && !('value' in d)) fail('a getter or setter', path + pathSegment(i));
            parts.push(d ? visit(d.value, path + pathSegment(i), depth + 1) : 'undefined');
          }
          out = `[${parts.join(',')}]`;
        } else if (proto === Object.prototype || proto === null) {
          for (const s of Object.getOwnPropertySymbols(obj)) {
            if (Object.getOwnPropertyDescriptor(obj, s)?.enumerable) fail('a symbol key', path);
          }
          const parts: string[] = [];
          for (const k of sortKeys(Object.keys(obj))) {
            const d = Object.getOwnPropertyDescriptor(obj, k)!;
            if (!('value' in d)) fail('a getter or setter', path + pathSegment(k));
            parts.push(`${canonicalString(k)}:${visit(d.value, path + pathSegment(k), depth + 1)}`);
          }
          out = `{${parts.join(',')}}`;
        } else {
          const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
          fail(typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a custom prototype', path);
        }
        ancestors.pop();
      }
    }
    if (out!.length > maxChars) fail(`more than ${maxChars} characters of canonical text`, path);
    return out!;
  };
  return visit(value, '', 0);
}

/** The kinds of value the canonical form distinguishes by its first characters. */
export type ValueKind = 'number' | 'bigint' | 'string' | 'boolean' | 'null' | 'undefined' | 'array' | 'object';

/**
 * What kind of value a canonical text is (see the header for the forms). Used to give a wrong
 * answer partial credit for being the right kind of thing (core/rewards.ts).
 */
export function canonicalKind(canonical: string): ValueKind {
  const c = canonical[0];
  if (c === '"') return 'string';
  if (c === '[') return 'array';
  if (c === '{') return 'object';
  if (canonical === 'true' || canonical === 'false') return 'boolean';
  if (canonical === 'null') return 'null';
  if (canonical === 'undefined') return 'undefined';
  if (canonical.endsWith('n') && canonical !== 'NaN') return 'bigint';
  return 'number';
}
