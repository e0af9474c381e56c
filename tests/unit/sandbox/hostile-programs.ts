// Programs and inputs that try to escape, stall, exhaust or fool the sandbox, each with
// the verdicts that count as the sandbox holding. Plain data, importable anywhere: the
// inline test (tests/unit/sandbox/hostile.test.ts) runs the list on the current thread,
// and the worker pool's tests can run the very same list through Node workers and
// Chromium workers.
import type { Verdict } from '../../../src/sandbox/types.ts';

export interface HostileCase {
  name: string;
  program: string;
  /** Argument-list source. */
  input: string;
  /** Expected output literal, for cases that try to fake a match. */
  expected?: string;
  /** Acceptable verdicts, all of them named non-ok ones. */
  verdicts: Verdict[];
  /**
   * QuickJS cannot interrupt this (native work that never polls the interrupt handler):
   * only a host that can stop the thread (the pool's watchdog) ends it in time. The
   * runner still answers `timeout`, but only once the work is done.
   */
  needsHostTimeout?: boolean;
  /**
   * The verdict follows from what the runner leaves out of a job's realm; the naive
   * baseline (naive.ts) builds QuickJS's full default realm, where the case holds
   * differently (a frozen clock, say, which is `ok`).
   */
  leanRealm?: boolean;
}

export const HOSTILE_CASES: HostileCase[] = [
  // ---- stalling ----
  { name: 'infinite loop', program: 'function f(a) { while (true) {} }', input: '1', verdicts: ['timeout'] },
  { name: 'infinite loop inside try/catch', program: 'function f(a) { for (;;) { try { while (true) {} } catch (e) {} } }', input: '1', verdicts: ['timeout'] },
  { name: 'infinite loop inside finally', program: 'function f(a) { try { return 1; } finally { while (true) {} } }', input: '1', verdicts: ['timeout'] },
  { name: 'catch that restarts the loop', program: 'function f(a) { while (true) { try { for (;;) {} } catch (e) { continue; } finally { continue; } } }', input: '1', verdicts: ['timeout'] },
  { name: 'infinite loop at top level', program: 'while (1) {}\nfunction f(a) { return a; }', input: '1', verdicts: ['timeout'] },
  { name: 'infinite loop in a getter of the output', program: 'function f(a) { return { get x() { while (true) {} } }; }', input: '1', verdicts: ['invalid-output', 'timeout'] },
  { name: 'infinite loop in toJSON of the output', program: 'function f(a) { return { toJSON() { while (true) {} } }; }', input: '1', verdicts: ['invalid-output', 'timeout'] },
  { name: 'infinite loop in a Proxy ownKeys trap of the output', program: 'function f(a) { return new Proxy({}, { ownKeys() { while (true) {} } }); }', input: '1', verdicts: ['timeout'] },
  { name: 'infinite loop in a Proxy getPrototypeOf trap of the output', program: 'function f(a) { return new Proxy([], { getPrototypeOf() { for (;;) {} } }); }', input: '1', verdicts: ['timeout'] },
  { name: 'hanging getter on an array element', program: 'function f(a) { const r = [1]; Object.defineProperty(r, 0, { get() { while (true) {} }, enumerable: true }); return r; }', input: '1', verdicts: ['invalid-output', 'timeout'] },
  { name: 'thrown error whose message getter hangs', program: 'class E extends Error { get message() { while (true) {} } }\nfunction f(a) { throw new E(); }', input: '1', verdicts: ['timeout', 'error'] },
  { name: 'thrown Proxy whose traps hang', program: 'function f(a) { throw new Proxy({}, { getPrototypeOf() { while (true) {} } }); }', input: '1', verdicts: ['timeout', 'error'] },
  { name: 'catastrophic regex backtracking', program: "function f(a) { return /(a+)+$/.test('a'.repeat(40) + 'b'); }", input: '1', verdicts: ['timeout'] },
  { name: 'Date is frozen: waiting for the clock never ends', program: 'const t0 = Date.now();\nfunction f(a) { while (Date.now() - t0 < 50) {} return 1; }', input: '1', verdicts: ['timeout'] },
  {
    name: 'printing a huge BigInt (native, not interruptible)',
    program: 'function f(a) { return (3n ** 600000n).toString().length; }',
    input: '1',
    verdicts: ['timeout'],
    needsHostTimeout: true,
  },

  // ---- exhausting memory and stack ----
  { name: 'string doubling', program: "function f(a) { let s = 'x'; while (true) s += s; }", input: '1', verdicts: ['memory'] },
  { name: 'string doubling with the error swallowed', program: "function f(a) { let s = 'x'; for (;;) { try { s += s + s; s = s.slice(1) + 'y'; } catch (e) {} } }", input: '1', verdicts: ['memory', 'timeout'] },
  // Which cap it meets first depends on the machine's speed: on a busy 2-core VM the memory
  // limit took longer than the 1 s deadline to fill. Either verdict stops it.
  { name: 'array growth', program: 'function f(a) { const r = []; for (;;) r.push([r.length, r.length]); }', input: '1', verdicts: ['memory', 'timeout'] },
  { name: 'huge array fill', program: 'function f(a) { return new Array(1e9).fill(0).length; }', input: '1', verdicts: ['memory'] },
  { name: 'unbounded recursion', program: 'function f(a) { return f(a + 1) + 1; }', input: '1', verdicts: ['memory'] },
  { name: 'unbounded recursion through a callback', program: 'function f(a) { return [a].map((x) => f(x + 1)); }', input: '1', verdicts: ['memory'] },
  { name: 'program nested too deep to parse', program: `function f(a) { return ${'('.repeat(1000)}a${')'.repeat(1000)}; }`, input: '1', verdicts: ['memory'] },
  { name: 'JSON.parse of deeply nested text', program: "function f(a) { return JSON.parse('['.repeat(100000) + ']'.repeat(100000)); }", input: '1', verdicts: ['memory'] },
  { name: 'eval of deeply nested source', program: "function f(a) { return eval('('.repeat(5000) + '1' + ')'.repeat(5000)); }", input: '1', verdicts: ['memory'] },

  // ---- reaching for the host ----
  { name: 'fetch', program: "function f(a) { return fetch('https://example.com'); }", input: '1', verdicts: ['error'] },
  { name: 'require', program: "function f(a) { return require('fs').readFileSync('/etc/passwd', 'utf8'); }", input: '1', verdicts: ['error'] },
  { name: 'process', program: 'function f(a) { process.exit(1); }', input: '1', verdicts: ['error'] },
  { name: 'dynamic import()', program: "function f(a) { return import('fs'); }", input: '1', verdicts: ['invalid-output', 'error'] },
  { name: 'static import', program: "import fs from 'fs';\nfunction f(a) { return a; }", input: '1', verdicts: ['syntax'] },
  { name: 'globalThis via the Function constructor', program: "function f(a) { return Function('return this')().process.pid; }", input: '1', verdicts: ['error'] },
  { name: 'host objects by name', program: 'function f(a) { return [typeof window, typeof self, typeof Deno, typeof Bun, typeof setTimeout].join() + os.exec; }', input: '1', verdicts: ['error'] },

  // ---- nondeterminism ----
  { name: 'Math.random', program: 'function f(a) { return Math.random(); }', input: '1', verdicts: ['nondeterministic'] },
  // A program that does not name Date or random gets neither in its realm, so reaching
  // them by a computed name finds nothing live (runner.ts, jobIntrinsics).
  { name: 'Math.random by a computed name', program: "function f(a) { return Math['rand' + 'om'](); }", input: '1', verdicts: ['error'], leanRealm: true },
  { name: 'the clock by a computed name', program: "function f(a) { return globalThis['Da' + 'te'].now(); }", input: '1', verdicts: ['error'], leanRealm: true },
  { name: 'a typed array (not in a job realm)', program: 'function f(a) { return Array.from(new Float64Array([a])); }', input: '1', verdicts: ['error'], leanRealm: true },
  { name: 'a global counter', program: 'let calls = 0;\nfunction f(a) { return a + calls++; }', input: '1', verdicts: ['nondeterministic'] },
  { name: 'f mutating the global f', program: 'function f(a) { f = undefined; return a; }', input: '1', verdicts: ['nondeterministic'] },
  { name: 'memory of earlier calls via a WeakMap', program: 'const seen = new WeakMap(); const key = {};\nfunction f(a) { const n = (seen.get(key) || 0) + 1; seen.set(key, n); return n; }', input: '1', verdicts: ['nondeterministic'] },

  // ---- outputs that are not plain values ----
  { name: 'cyclic output', program: 'function f(a) { const o = { next: null }; o.next = o; return [o]; }', input: '1', verdicts: ['invalid-output'] },
  { name: 'huge output string', program: "function f(a) { return 'x'.repeat(1e6); }", input: '1', verdicts: ['invalid-output'] },
  { name: 'huge sparse array output', program: 'function f(a) { return new Array(1e8); }', input: '1', verdicts: ['invalid-output'] },
  { name: 'exponential shared structure', program: 'function f(a) { let x = [a]; for (let i = 0; i < 40; i++) x = [x, x]; return x; }', input: '1', verdicts: ['invalid-output'] },
  { name: 'function output', program: 'function f(a) { return () => a; }', input: '1', verdicts: ['invalid-output'] },
  { name: 'promise output', program: 'function f(a) { return Promise.resolve(a); }', input: '1', verdicts: ['invalid-output'] },
  { name: 'symbol output', program: "function f(a) { return Symbol('s'); }", input: '1', verdicts: ['invalid-output'] },
  { name: 'Map output', program: 'function f(a) { return new Map([[a, a]]); }', input: '1', verdicts: ['invalid-output'] },
  { name: 'class instance output', program: 'class P { constructor(x) { this.x = x; } }\nfunction f(a) { return new P(a); }', input: '1', verdicts: ['invalid-output'] },
  { name: 'async f', program: 'async function f(a) { return a; }', input: '1', verdicts: ['invalid-output'] },
  { name: 'generator f', program: 'function* f(a) { yield a; }', input: '1', verdicts: ['invalid-output'] },
  { name: 'nested too deep', program: 'function f(a) { let x = a; for (let i = 0; i < 500; i++) x = [x]; return x; }', input: '1', verdicts: ['invalid-output'] },

  // ---- inputs that are not literals ----
  { name: 'input that is a call', program: 'function f(a) { return a; }', input: "fetch('x')", verdicts: ['invalid-input'] },
  { name: 'input that is an IIFE', program: 'function f(a) { return a; }', input: '(function () { while (true) {} })()', verdicts: ['invalid-input'] },
  { name: 'input with a getter', program: 'function f(a) { return a.x; }', input: '{ get x() { while (true) {} } }', verdicts: ['invalid-input'] },
  { name: 'input with a spread', program: 'function f(...a) { return a; }', input: '...[1, 2]', verdicts: ['invalid-input'] },
  { name: 'input with side effects', program: 'function f(a) { return a; }', input: '(Object.prototype.polluted = 1)', verdicts: ['invalid-input'] },
  { name: 'input that closes the argument list', program: 'function f(a) { return a; }', input: '1), globalThis.x = (2', verdicts: ['invalid-input'] },
  { name: 'input with a template expression', program: 'function f(a) { return a; }', input: '`${globalThis}`', verdicts: ['invalid-input'] },
  { name: 'input that sets a prototype', program: 'function f(a) { return a.constructor; }', input: '{ __proto__: { constructor: 1 } }', verdicts: ['invalid-input'] },

  // ---- tampering with the environment or the checker ----
  {
    name: 'program redefines Object, Array, JSON and Reflect',
    program: 'Object = null; Array = null; JSON = null; Reflect = null; globalThis.Symbol = null;\nfunction f(a) { return () => a; }',
    input: '1',
    verdicts: ['invalid-output'],
  },
  {
    name: 'program fakes the reflection builtins to hide a cycle',
    program: 'Object.keys = () => []; Object.getOwnPropertyNames = () => []; Reflect.ownKeys = () => []; Object.getOwnPropertyDescriptor = () => undefined; Object.getPrototypeOf = () => null;\nfunction f(a) { const o = {}; o.self = o; return o; }',
    input: '1',
    verdicts: ['invalid-output'],
  },
  {
    name: 'program fakes JSON.stringify to fake a match',
    program: "JSON.stringify = () => '2'; String.prototype.toString = () => '2'; Number.prototype.toString = () => '2';\nfunction f(a) { return 1; }",
    input: '1',
    expected: '2',
    verdicts: ['mismatch'],
  },
  {
    name: 'program puts setters on Array.prototype and Object.prototype',
    program: "for (let i = 0; i < 4; i++) Object.defineProperty(Array.prototype, i, { set() { throw new Error('gotcha'); }, get() { return 'gotcha'; } });\nObject.defineProperty(Object.prototype, 'value', { get() { return 'gotcha'; } });\nfunction f(a) { return Symbol(); }",
    input: '1',
    verdicts: ['invalid-output'],
  },
  { name: 'f is undefined after the program', program: 'function f(a) { return a; }\nf = undefined;', input: '1', verdicts: ['error'] },
  { name: 'no f at all', program: 'function g(a) { return a; }', input: '1', verdicts: ['error'] },
  { name: 'f is not a function', program: 'var f = 42;', input: '1', verdicts: ['error'] },
  { name: 'prototype pollution that breaks the program itself', program: "Array.prototype.map = null;\nObject.prototype.polluted = 'yes';\nfunction f(a) { return [a].map((x) => x); }", input: '1', verdicts: ['error'] },
  { name: 'syntax error', program: 'function f(a) { return a +; }', input: '1', verdicts: ['syntax'] },
  { name: 'throwing at top level', program: "throw new Error('no');\nfunction f(a) { return a; }", input: '1', verdicts: ['error'] },
];

/** The ordinary task run after every hostile case: it must still come out `ok`. */
export const ORDINARY_TASK = { program: 'function f(a) { return a + 1; }', inputs: ['1'], expected: ['2'] };
