// The built-in starter tasks: what the buffers hold when no base checkpoint is shipped
// and a run starts from random weights. Small, varied one-liners over numbers, strings
// and arrays, so the first references the proposer sees already span the value kinds
// the sandbox accepts. Each holds (the unit test runs them all through the executor).
import type { Task } from '../../core/taskfile.ts';

export const STARTER_TASKS: readonly Task[] = [
  { id: 'starter-1', program: 'function f(x) { return x * 2; }', input: '3', output: '6', examples: [{ input: '0', output: '0' }, { input: '-4', output: '-8' }] },
  { id: 'starter-2', program: 'function f(s) { return s.length; }', input: '"abc"', output: '3', examples: [{ input: '""', output: '0' }, { input: '"hello"', output: '5' }] },
  { id: 'starter-3', program: 'function f(a, b) { return a + b; }', input: '1, 2', output: '3', examples: [{ input: '5, 5', output: '10' }, { input: '-1, 1', output: '0' }] },
  { id: 'starter-4', program: 'function f(xs) { return xs.slice().reverse(); }', input: '[1, 2, 3]', output: '[3,2,1]', examples: [{ input: '[]', output: '[]' }, { input: '[7]', output: '[7]' }] },
  { id: 'starter-5', program: 'function f(s) { return s.toUpperCase(); }', input: '"azr"', output: '"AZR"', examples: [{ input: '"Hi"', output: '"HI"' }, { input: '"x1"', output: '"X1"' }] },
  { id: 'starter-6', program: 'function f(n) { return n % 2 === 0; }', input: '4', output: 'true', examples: [{ input: '7', output: 'false' }, { input: '0', output: 'true' }] },
  { id: 'starter-7', program: 'function f(xs) { return xs.reduce((a, b) => a + b, 0); }', input: '[1, 2, 3, 4]', output: '10', examples: [{ input: '[]', output: '0' }, { input: '[5]', output: '5' }] },
  { id: 'starter-8', program: 'function f(a, b) { return Math.max(a, b); }', input: '3, 9', output: '9', examples: [{ input: '-2, -5', output: '-2' }, { input: '4, 4', output: '4' }] },
  { id: 'starter-9', program: 'function f(s) { return s.split("").reverse().join(""); }', input: '"abc"', output: '"cba"', examples: [{ input: '"ab"', output: '"ba"' }, { input: '"x"', output: '"x"' }] },
  { id: 'starter-10', program: 'function f(xs) { return xs.filter((x) => x > 0); }', input: '[-1, 2, 0, 3]', output: '[2,3]', examples: [{ input: '[0]', output: '[]' }, { input: '[4, -4]', output: '[4]' }] },
  { id: 'starter-11', program: 'function f(n) { let s = 0; for (let i = 1; i <= n; i++) s += i; return s; }', input: '4', output: '10', examples: [{ input: '0', output: '0' }, { input: '3', output: '6' }] },
  { id: 'starter-12', program: 'function f(o) { return Object.keys(o).length; }', input: '{a: 1, b: 2}', output: '2', examples: [{ input: '{}', output: '0' }, { input: '{x: 0}', output: '1' }] },
];
