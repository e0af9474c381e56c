// The QuickJS runner against real QuickJS: one test group per verdict, expected outputs,
// determinism, limits, isolation between jobs, handle disposal, and agreement between the
// guest's canonical form and the host's (core/values.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { canonicalOfLiteral, canonicalOfValue } from '../../../src/core/values.ts';
import { ExecJobError, fromGuestCanonical, LiteralCache, MAX_PROGRAM_NESTING, QuickJsRunner, SandboxBrokenError } from '../../../src/sandbox/runner.ts';
import { InlineExecutor } from '../../../src/sandbox/inline.ts';
import { FROZEN_NOW, minify, RANDOM_SEED, SYSTEM_SOURCE } from '../../../src/sandbox/guest.ts';
import { VERDICTS, type ExecJob, type ExecResult } from '../../../src/sandbox/types.ts';

let runner: QuickJsRunner;
beforeAll(async () => {
  runner = await QuickJsRunner.create();
});
afterAll(() => runner.dispose());

const run = (job: ExecJob): ExecResult => runner.runJob(job);
const one = (program: string, input = '1', extra: Partial<ExecJob> = {}) => run({ program, inputs: [input], ...extra });
const FAST = { timeoutMs: 300 };

describe('ok', () => {
  it('runs f on every input and returns canonical outputs', () => {
    const r = run({ program: 'function f(a, b) { return b === undefined ? a * 2 : [a, b]; }', inputs: ['1', '2.5', '"x", {b: 1, a: [NaN, -0]}', '-Infinity'] });
    expect(r.verdict).toBe('ok');
    expect(r.reason).toBe('');
    expect(r.results.map((x) => x.output)).toEqual(['2', '5', '["x",{"a":[NaN,-0],"b":1}]', '-Infinity']);
    expect(r.results.every((x) => x.verdict === 'ok' && x.reason === '')).toBe(true);
    expect(r.ms).toBeGreaterThan(0);
  });

  it('accepts const and arrow definitions of f, helpers and comments', () => {
    const r = one('// helper first\nconst twice = (x) => x * 2;\nconst f = (s) => twice(s.length); /* done */', '"abc"');
    expect(r.results[0].output).toBe('6');
  });

  it('a job with no inputs checks only that the program defines f', () => {
    expect(run({ program: 'function f() {}', inputs: [] }).verdict).toBe('ok');
    expect(run({ program: 'function g() {}', inputs: [] })).toMatchObject({ verdict: 'error', reason: 'program does not define a function f' });
  });

  it('BigInt outputs are spelled with n', () => {
    expect(one('function f(a) { return [a * 2n, -a]; }', '21n').results[0].output).toBe('[42n,-21n]');
  });
});

describe('expected outputs', () => {
  it('a matching expected output is ok, by canonical form, not by spelling', () => {
    const r = run({ program: 'function f(a) { return { b: a, a: [a, -0] }; }', inputs: ['1', '2'], expected: ["{'a': [1.0, -0], b: 0x1}", null] });
    expect(r.verdict).toBe('ok');
    expect(r.results.map((x) => x.verdict)).toEqual(['ok', 'ok']);
  });

  it('a different output is a mismatch that shows both', () => {
    const r = one('function f(a) { return a + 1; }', '1', { expected: ['3'] });
    expect(r).toMatchObject({ verdict: 'mismatch', reason: 'expected 3 but got 2' });
    expect(r.results[0].output).toBe('2');
  });

  it('long values are truncated in the reason', () => {
    const r = one("function f(a) { return 'x'.repeat(1000); }", '1', { expected: ['"y"'] });
    expect(r.verdict).toBe('mismatch');
    expect(r.reason.length).toBeLessThan(260);
    expect(r.reason).toContain('…');
  });

  it('a non-literal expected output is invalid-input, and that input does not run', () => {
    const r = run({ program: 'function f(a) { return a; }', inputs: ['1', '2'], expected: ['Math.max(1, 2)', '2'] });
    expect(r.verdict).toBe('invalid-input');
    expect(r.results[0]).toEqual({ verdict: 'invalid-input', reason: 'expected output contains a call expression at column 1' });
    expect(r.results[1].verdict).toBe('ok');
    expect(r.reason).toBe('input 1: expected output contains a call expression at column 1');
  });
});

describe('invalid-input', () => {
  it('names what it found and where, and still runs the valid inputs', () => {
    const r = run({ program: 'function f(a) { return a; }', inputs: ['1', '1, g(2)', 'x', '[...y]', '{a() {}}'] });
    expect(r.results.map((x) => x.reason)).toEqual([
      '',
      'input contains a call expression at column 4',
      'input contains the identifier `x` at column 1',
      'input contains a spread (...) at column 2',
      'input contains a method at column 2',
    ]);
    expect(r.results[0]).toMatchObject({ verdict: 'ok', output: '1' });
    expect(r.verdict).toBe('invalid-input');
  });

  it('passes NaN, Infinity and undefined so a program cannot redefine them', () => {
    const r = one('var NaN = 5; globalThis.Infinity = 6; var undefined = 7; function f(a, b, c) { return [a, b, c]; }', 'NaN, Infinity, undefined');
    expect(r.results[0].output).toBe('[NaN,Infinity,undefined]');
  });

  it('gives f a fresh argument on every run, so mutating it does not leak', () => {
    const r = run({ program: 'function f(a) { a.push(a.length); a.n = (a.n || 0) + 1; return [a.length, a.n]; }', inputs: ['[]'], determinismRuns: 3 });
    expect(r).toMatchObject({ verdict: 'ok', results: [{ output: '[1,1]' }] });
  });

  it('keeps holes, key order and repeated keys as written', () => {
    const r = one('function f(a, b) { return [0 in a, a.length, Object.keys(b).join()]; }', '[,1,,], {b: 1, a: 2, 1: 3, b: 4}');
    expect(r.results[0].output).toBe('[false,3,"1,b,a"]');
  });
});

describe('remembered literal checks', () => {
  it('a job seen before gets the same answers, valid and invalid, inputs and expected outputs', () => {
    const job: ExecJob = { program: 'function f(a) { return a; }', inputs: ['[1, {a: 2}]', '1, g(2)', '"x"', '3'], expected: ['[1, {"a": 2}]', null, 'h()', '4'] };
    const first = run(job);
    expect(first.results.map((r) => r.verdict)).toEqual(['ok', 'invalid-input', 'invalid-input', 'mismatch']);
    for (let i = 0; i < 3; i++) expect({ ...run(job), ms: 0 }).toEqual({ ...first, ms: 0 });
    // The same sources in other roles and other jobs: an input's answer is not an expected output's.
    const swapped = run({ program: 'function f(a) { return a; }', inputs: ['h()'], expected: ['1, g(2)'] });
    expect(swapped.results[0]).toEqual({ verdict: 'invalid-input', reason: 'expected output contains a call expression at column 4' });
  });

  it('stays bounded and keeps what is used often', () => {
    const cache = new LiteralCache((src) => canonicalOfLiteral(src));
    const hot = '[1, 2, 3]';
    for (let i = 0; i < 3 * LiteralCache.GENERATION_ENTRIES; i++) {
      expect(cache.get(String(i))).toEqual({ ok: true, text: String(i) });
      if (i % 100 === 0) cache.get(hot);
    }
    const sizes = cache as unknown as { young: Map<string, unknown>; old: Map<string, unknown> };
    expect(sizes.young.size + sizes.old.size).toBeLessThanOrEqual(2 * LiteralCache.GENERATION_ENTRIES);
    expect(sizes.young.has(hot) || sizes.old.has(hot)).toBe(true);
    expect(cache.get('1 +')).toMatchObject({ ok: false, reason: expect.stringMatching(/^literal does not parse/) });
    // A fault that is not a verdict on the literal is thrown, never remembered.
    let calls = 0;
    const faulty = new LiteralCache(() => {
      calls++;
      throw new RangeError('host fault');
    });
    expect(() => faulty.get('1')).toThrow(RangeError);
    expect(() => faulty.get('1')).toThrow(RangeError);
    expect(calls).toBe(2);
  });
});

describe('syntax and error', () => {
  it('a parse error is syntax, with QuickJS message and position', () => {
    expect(one('function f(a {\n}')).toMatchObject({ verdict: 'syntax', reason: "SyntaxError: expecting ',' at line 1, column 14" });
    expect(one('let x = 1; let x = 2; function f() {}').verdict).toBe('syntax');
    expect(one("import fs from 'fs'; function f() {}").verdict).toBe('syntax');
  });

  it('a SyntaxError thrown by running code is an error, not a syntax verdict', () => {
    expect(one("throw new SyntaxError('x'); function f() {}")).toMatchObject({ verdict: 'error', reason: 'the program (top-level code) threw SyntaxError: x' });
    expect(one("function f(a) { return eval('1 +'); }").verdict).toBe('error');
  });

  it('no f, or f not a function, is an error', () => {
    expect(one('function g(a) { return a; }')).toMatchObject({ verdict: 'error', reason: 'program does not define a function f' });
    expect(one('const f = 5;')).toMatchObject({ verdict: 'error', reason: 'program does not define a function f' });
    expect(one('let g = 1;\nlet f;')).toMatchObject({ verdict: 'error' });
  });

  it('f throwing is an error that names the exception', () => {
    expect(one("function f(a) { null.x; }").reason).toMatch(/^f threw TypeError: /);
    expect(one("function f(a) { throw new RangeError('bad ' + a); }", '7').reason).toBe('f threw RangeError: bad 7');
    expect(one("function f(a) { throw { code: 5 }; }").reason).toBe('f threw {"code":5}');
    expect(one('function f(a) { throw a; }', '"s"').reason).toBe('f threw "s"');
  });

  it('typed arrays are not part of a job realm: using one is an error', () => {
    expect(one('function f(a) { return new Uint8Array(2); }')).toMatchObject({ verdict: 'error', reason: "f threw ReferenceError: 'Uint8Array' is not defined" });
    expect(one('function f(a) { return [typeof ArrayBuffer, typeof DataView, typeof Float64Array, typeof Atomics]; }').results[0].output).toBe('["undefined","undefined","undefined","undefined"]');
  });

  it('host objects do not exist: each probe is a ReferenceError', () => {
    for (const name of ['fetch', 'require', 'process', 'window', 'document', 'setTimeout', 'XMLHttpRequest', 'WebAssembly', 'performance', 'console', 'std', 'os']) {
      const r = one(`function f(a) { return ${name}; }`);
      expect(r, name).toMatchObject({ verdict: 'error', reason: `f threw ReferenceError: '${name}' is not defined` });
    }
  });
});

describe('timeout', () => {
  it('stops an infinite loop in f, even one that catches everything', () => {
    const t0 = performance.now();
    const r = one('function f(a) { for (;;) { try { while (true) {} } catch (e) {} finally { continue; } } }', '1', { limits: FAST });
    expect(r).toMatchObject({ verdict: 'timeout', reason: 'f ran past the 300 ms deadline' });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('stops top-level code', () => {
    expect(one('while (true) {}\nfunction f() {}', '1', { limits: FAST })).toMatchObject({ verdict: 'timeout', reason: 'the program (top-level code) ran past the 300 ms deadline' });
  });

  it('keeps the results of inputs that finished before the deadline', () => {
    const r = run({ program: 'function f(a) { if (a === 2) for (;;) {} return a * 10; }', inputs: ['1', '2', '3'], limits: FAST });
    expect(r.verdict).toBe('timeout');
    expect(r.results[0]).toMatchObject({ verdict: 'ok', output: '10' });
    expect(r.results[1]).toMatchObject({ verdict: 'timeout', reason: 'f ran past the 300 ms deadline' });
    expect(r.results[2].verdict).toBe('timeout');
    expect(r.results[2].reason).toMatch(/^not run: /);
    expect(r.reason).toBe('input 2: f ran past the 300 ms deadline');
  });

  it('bounds reading the output: Proxy traps run under the deadline', () => {
    expect(one('function f(a) { return new Proxy({}, { ownKeys() { for (;;) {} } }); }', '1', { limits: FAST }).verdict).toBe('timeout');
  });

  it('interrupts regex backtracking (QuickJS polls the deadline inside the regex engine)', () => {
    const t0 = performance.now();
    expect(one("function f(a) { return /(a+)+$/.test('a'.repeat(40) + 'b'); }", '1', { limits: FAST }).verdict).toBe('timeout');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('a job that ends past its deadline in native work it could not interrupt is still a timeout', () => {
    const r = one('function f(a) { return (3n ** 300000n).toString().length; }', '1', { limits: { timeoutMs: 100 }, determinismRuns: 1 });
    expect(r.verdict).toBe('timeout');
    expect(r.reason).toMatch(/past its 100 ms deadline, in work QuickJS could not interrupt/);
  });
});

describe('memory', () => {
  it('the heap limit ends a memory bomb', () => {
    const r = one('function f(a) { const r = []; for (;;) r.push([r.length]); }', '1', { limits: { memoryBytes: 4 << 20 } });
    expect(r).toMatchObject({ verdict: 'memory', reason: 'out of memory (the heap limit is 4 MB)' });
  });

  it('string doubling hits the limit (or QuickJS string length cap) as memory', () => {
    expect(one("function f(a) { let s = 'ab'; for (;;) s += s; }").verdict).toBe('memory');
  });

  it('unbounded recursion is memory, and the reason says stack', () => {
    const r = one('function f(a) { return f(a + 1) + 1; }');
    expect(r.verdict).toBe('memory');
    expect(r.reason).toMatch(/^stack overflow \(the stack limit is 256 KB/);
  });

  it('recursion a program may reasonably need fits in the default stack', () => {
    expect(one('function f(n) { return n === 0 ? 0 : 1 + f(n - 1); }', '800').results[0].output).toBe('800');
  });

  it('a program nested deeper than the parser may go is refused before parsing', () => {
    const r = one(`function f(a) { return ${'['.repeat(MAX_PROGRAM_NESTING + 5)}${']'.repeat(MAX_PROGRAM_NESTING + 5)}; }`);
    expect(r.verdict).toBe('memory');
    expect(r.reason).toMatch(/nests brackets \d+ deep/);
  });
});

describe('nondeterministic', () => {
  it('Math.random differs between runs (the seed is not reset), but the job repeats exactly', () => {
    const job = { program: 'function f(a) { return Math.random(); }', inputs: ['1'] };
    const a = run(job);
    expect(a.verdict).toBe('nondeterministic');
    expect(a.reason).toMatch(/^f gave different outputs for the same input: first 0\.\d+, then 0\.\d+$/);
    expect(run(job).reason).toBe(a.reason);
    expect(run({ ...job, determinismRuns: 1 }).results[0].output).toBe(run({ ...job, determinismRuns: 1 }).results[0].output);
  });

  it('a global mutated between calls shows both outputs', () => {
    expect(one('let n = 0; function f(a) { return a + n++; }', '5')).toMatchObject({ verdict: 'nondeterministic', reason: 'f gave different outputs for the same input: first 5, then 6' });
  });

  it('state carried across inputs is caught on the first repeated run', () => {
    const r = run({ program: 'const seen = []; function f(a) { seen.push(a); return seen.length; }', inputs: ['1', '1'] });
    expect(r.results[0].verdict).toBe('nondeterministic');
  });

  it('one run per input checks nothing, by request', () => {
    expect(one('let n = 0; function f(a) { return n++; }', '1', { determinismRuns: 1 }).verdict).toBe('ok');
  });

  it('Date is frozen at one instant; dates built from arguments are ordinary', () => {
    const r = one('function f(a) { return [Date.now(), new Date().getTime(), Date() === new Date().toString(), new Date(0).getTime(), new Date(2020, 0).getFullYear(), Date.UTC(2000, 0), new Date() instanceof Date]; }');
    expect(r.verdict).toBe('ok');
    expect(r.results[0].output).toBe(`[${FROZEN_NOW},${FROZEN_NOW},true,0,2020,${Date.UTC(2000, 0)},true]`);
  });

  it('the frozen Date looks like the builtin: name, length, prototype, hidden properties', () => {
    const r = one(
      "function f(a) { const d = Object.getOwnPropertyDescriptor(globalThis, 'Date'); return [Date.name, Date.length, Date.prototype.constructor === Date, d.enumerable, d.writable, Object.keys(Date).length, Object.keys(Math).length, typeof Date.parse, new Date(5) instanceof Date]; }",
    );
    expect(r.results[0].output).toBe('["Date",7,true,false,true,0,0,"function",true]');
  });

  it('Math.random is mulberry32 from the fixed seed', () => {
    // The host's own mulberry32, for the first three values.
    let seed = RANDOM_SEED | 0;
    const next = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const want = [next(), next(), next()];
    const r = one('function f(a) { return [Math.random(), Math.random(), Math.random()]; }', '1', { determinismRuns: 1 });
    expect(JSON.parse(r.results[0].output!)).toEqual(want);
  });

  it('a program that does not name Date or random finds them absent, not live', () => {
    const r = one("function f(a) { return [typeof globalThis['Da' + 'te'], typeof Math['rand' + 'om']]; }");
    expect(r.results[0].output).toBe('["undefined","undefined"]');
    expect(one("function f(a) { return Math['rand' + 'om'](); }")).toMatchObject({ verdict: 'error' });
    expect(one("function f(a) { return new globalThis['Da' + 'te']().getTime(); }")).toMatchObject({ verdict: 'error' });
    // Naming one is enough for it to be there, frozen; the other stays absent.
    expect(one("function f(a) { return [typeof Math.random, typeof globalThis['Da' + 'te']]; }").results[0].output).toBe('["function","undefined"]');
    expect(one("function f(a) { return [typeof Date, typeof Math['rand' + 'om']]; }").results[0].output).toBe('["function","undefined"]');
  });

  it('Map/Set and RegExp are there for a program that names them, absent (an error) for one that reaches them by a computed name', () => {
    expect(one('function f(a) { return [...new Set([a, a, 2])].concat([new Map([[1, 2]]).get(1)]); }').results[0].output).toBe('[1,2,2]');
    expect(one("function f(a) { return ['x1y22'.match(/\\d+/g), 'abc'.search('c'), 'a/b'.split('/')]; }").results[0].output).toBe('[["1","22"],2,["a","b"]]');
    expect(one("function f(a) { return [typeof globalThis['Ma' + 'p'], typeof globalThis['Reg' + 'Exp']]; }").results[0].output).toBe('["undefined","undefined"]');
    expect(one("function f(a) { return 'abc'['ma' + 'tch']('b'); }")).toMatchObject({ verdict: 'error', reason: 'f threw TypeError: not a function' });
    // split and replace with a string pattern need no RegExp.
    expect(one("function f(a) { return ['a-b'.split('-'), 'a-b'.replace('-', '+'), 'a-b-c'.replaceAll('-', '')]; }").results[0].output).toBe('[["a","b"],"a+b","abc"]');
  });
});

describe('invalid-output', () => {
  const cases: [string, string][] = [
    ['function f(a) { return () => 1; }', 'output is a function'],
    ['async function f(a) { return 1; }', 'output is a Promise (is f async?)'],
    ['function* f(a) { yield 1; }', 'output is a generator object (is f a generator?)'],
    ['function f(a) { return Symbol(); }', 'output is a symbol'],
    ['function f(a) { return [new Map()]; }', 'output contains a Map at [0]'],
    ['function f(a) { return { s: new Set() }; }', 'output contains a Set at .s'],
    ['function f(a) { return new Date(0); }', 'output is a Date'],
    ['function f(a) { return /x/; }', 'output is a RegExp'],
    ['function f(a) { return new Error("e"); }', 'output is an Error object'],
    ['class Point { constructor() { this.x = 1; } }\nfunction f(a) { return new Point(); }', 'output is an instance of Point'],
    ['function f(a) { return { "a b": [1, { get g() { return 1; } }] }; }', 'output contains a getter or setter at ["a b"][1].g'],
    ['function f(a) { const o = { next: null }; o.next = o; return [o]; }', 'output contains a cycle at [0].next'],
    ['function f(a) { return { [Symbol("k")]: 1 }; }', 'output is an object with a symbol key'],
    ['function f(a) { return [{ [Symbol("k")]: 1 }]; }', 'output contains an object with a symbol key at [0]'],
    ['function f(a) { return [1, 2].values(); }', 'output is an iterator'],
    ['function f(a) { return new (class extends Array {})(); }', 'output is an array subclass'],
    ["function f(a) { return 'x'.repeat(20000); }", 'output is a string of 20000 characters (over the 10000 limit)'],
  ];
  for (const [program, reason] of cases) {
    it(reason, () => {
      expect(one(program)).toMatchObject({ verdict: 'invalid-output', reason });
    });
  }

  it('over maxOutputChars, and too deep', () => {
    expect(one('function f(a) { return Array(50).fill(12345); }', '1', { limits: { maxOutputChars: 100 } })).toMatchObject({ verdict: 'invalid-output', reason: 'output is more than 100 characters of canonical text' });
    expect(one('function f(a) { let x = 1; for (let i = 0; i < 101; i++) x = [x]; return x; }').reason).toMatch(/^output contains nesting deeper than 100 levels at \[0\]\[0\]/);
    expect(one('function f(a) { let x = 1; for (let i = 0; i < 100; i++) x = [x]; return x; }').verdict).toBe('ok');
  });

  it('null-prototype objects are plain; non-enumerable properties and array extras are not part of the value', () => {
    const r = one("function f(a) { const o = Object.create(null); o.b = 1; Object.defineProperty(o, 'hidden', { value: 2 }); const m = 'xay'.match(/a/); return [o, m]; }");
    expect(r.results[0].output).toBe('[{"b":1},["a"]]');
  });
});

describe('isolation between jobs', () => {
  it('prototype pollution and global changes in one job never reach the next', () => {
    const polluter = "Object.prototype.polluted = 'yes'; Array.prototype.push = function () { return 'hijacked'; }; globalThis.leak = 1; Math.max = () => 0; function f(a) { return a; }";
    expect(one(polluter).verdict).toBe('ok');
    const probe = one("function f(a) { return [({}).polluted, [].push(1), typeof leak, Math.max(1, 2), Object.keys(Object.prototype).length]; }");
    expect(probe.results[0].output).toBe('[undefined,1,"undefined",2,0]');
  });

  it('a Proxy used as f sees only its own realm, every time', () => {
    // The apply trap receives the argument list; if that array came from the system
    // context, its constructor would lead to a global object shared by later jobs.
    const program = "var f = new Proxy(function () {}, { apply(t, self, args) { const G = args.constructor.constructor('return globalThis')(); const before = G.shared; G.shared = 1; return [before === undefined, G === globalThis, Object.getPrototypeOf(args) === Array.prototype]; } });";
    for (let i = 0; i < 3; i++) expect(one(program, '1', { determinismRuns: 1 }).results[0].output).toBe('[true,true,true]');
  });

  it('the system context freezes its own realm', async () => {
    const module = await newQuickJSWASMModuleFromVariant(variant);
    const ctx = module.newContext();
    const host = ctx.unwrapResult(ctx.evalCode(SYSTEM_SOURCE, 'system.js', { type: 'global', strict: true }));
    const probe = ctx.unwrapResult(ctx.evalCode('[Object.prototype, Array.prototype, globalThis, Function.prototype, Object.getPrototypeOf(function* () {}), JSON, Reflect, Object.getPrototypeOf([].values()), Object.getPrototypeOf([].values().map((x) => x))].every(Object.isFrozen)'));
    expect(ctx.dump(probe)).toBe(true);
    probe.dispose();
    host.dispose();
    ctx.dispose();
  });
});

describe('handles and runtimes', () => {
  it('500 jobs with runtimes replaced every 50: no leak assertion, no heap growth', async () => {
    const r = await QuickJsRunner.create({ jobsPerRuntime: 50, spare: false });
    const programs = [
      'function f(a) { return [a, { k: String(a) }]; }',
      'function f(a) { throw new Error(a); }',
      'function f(a) { return Promise.resolve(a); }', // leaves a queued job: its runtime is replaced
      'function f(a { }',
      'let n = 0; function f(a) { return n++; }',
      'function f(a) { return new Map(); }',
    ];
    const heap: number[] = [];
    for (let i = 0; i < 500; i++) {
      const res = r.runJob({ program: programs[i % programs.length], inputs: [String(i), `"s${i}"`] });
      expect(VERDICTS).toContain(res.verdict);
      if (i % 100 === 99) heap.push(r.stats().heapBytes ?? 0);
    }
    const stats = r.stats();
    expect(stats.jobs).toBe(500);
    expect(stats.runtimes).toBeGreaterThanOrEqual(10);
    expect(stats.moduleSwaps).toBe(0);
    // Each disposed runtime was checked by QuickJS itself (it aborts on a leaked object);
    // a runner that leaked would now be broken and refuse the next job.
    expect(r.runJob({ program: 'function f(a) { return a; }', inputs: ['1'] }).verdict).toBe('ok');
    expect(Math.max(...heap)).toBeLessThan(2 * Math.min(...heap.filter((h) => h > 0)) + 256 * 1024);
    r.dispose();
  });

  it("a new runtime's setup does not count against the first job's deadline", async () => {
    const r = await QuickJsRunner.create({ spare: false, jobsPerRuntime: 1 });
    const job = { program: 'function f(a) { return a; }', inputs: ['1'] };
    expect(r.runJob(job).verdict).toBe('ok'); // warm: the very first job also pays for WASM tier-up
    for (let i = 0; i < 3; i++) {
      // Each job starts a fresh runtime: tens of ms to compile and freeze the system code,
      // far more than this deadline; the job itself takes about a millisecond.
      expect(r.runJob({ ...job, limits: { timeoutMs: 10 } }).verdict).toBe('ok');
    }
    expect(r.stats().runtimes).toBe(4);
    r.dispose();
  });

  it('recovers from a host stack overflow on a spare module', async () => {
    const exec = await InlineExecutor.create();
    const deep = { program: "function f(a) { return JSON.parse('['.repeat(100000) + ']'.repeat(100000)); }", inputs: ['1'] };
    const fine = { program: 'function f(a) { return a + 1; }', inputs: ['1'] };
    const results = await exec.run([deep, fine, deep, deep, fine]);
    expect(results.map((x) => x.verdict)).toEqual(['memory', 'ok', 'memory', 'memory', 'ok']);
    expect(results[0].reason).toMatch(/stack overflow in the host/);
    await exec.dispose();
  });

  it('a broken module with no spare refuses jobs until recover()', async () => {
    const r = await QuickJsRunner.create({ spare: false });
    expect(r.runJob({ program: "function f(a) { return JSON.parse('['.repeat(100000)); }", inputs: ['1'] }).verdict).toBe('memory');
    expect(r.ready).toBe(false);
    expect(() => r.runJob({ program: 'function f(a) { return a; }', inputs: ['1'] })).toThrow(SandboxBrokenError);
    await r.recover();
    expect(r.runJob({ program: 'function f(a) { return a; }', inputs: ['1'] }).verdict).toBe('ok');
    r.dispose();
  });
});

describe('malformed jobs are caller errors', () => {
  const bad: [unknown, RegExp][] = [
    [{ program: 1, inputs: [] }, /job.program must be a string/],
    [{ program: '', inputs: [1] }, /job.inputs must be an array of strings/],
    [{ program: '', inputs: ['1'], expected: ['1', '2'] }, /job.expected has 2 entries for 1 inputs/],
    [{ program: '', inputs: [], determinismRuns: 0 }, /determinismRuns must be an integer from 1/],
    [{ program: '', inputs: [], limits: { timeoutMs: -1 } }, /job.limits.timeoutMs must be a positive number/],
    [{ program: '', inputs: [], limits: { memoryBytes: 1000 } }, /memoryBytes must be at least/],
  ];
  for (const [job, message] of bad) {
    it(String(message), () => {
      expect(() => run(job as ExecJob)).toThrow(ExecJobError);
      expect(() => run(job as ExecJob)).toThrow(message);
    });
  }
});

// ---- host and guest agree on the canonical form ----

/** A literal source for a host value (the test's own printer, independent of core/literals). */
function literalOf(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'undefined';
  if (v === null || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(literalOf).join(', ')}]`;
  return `{${Object.entries(v as object).map(([k, x]) => `${JSON.stringify(k)}: ${literalOf(x)}`).join(', ')}}`;
}

function mulberry(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomValue(rand: () => number, depth: number): unknown {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const r = rand();
  if (depth > 3 || r < 0.45) {
    return pick<() => unknown>([
      () => (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20),
      () => new Float64Array(new Uint32Array([Math.floor(rand() * 2 ** 32), Math.floor(rand() * 2 ** 32)]).buffer)[0],
      () => Math.floor(rand() * 2000) - 1000,
      () => pick([NaN, Infinity, -Infinity, -0, 0, 5e-324, 1e21, 1e-7, 2 ** 53, 0.1 + 0.2]),
      () => BigInt(Math.floor(rand() * 1e9)) * BigInt(Math.floor(rand() * 1e9)) * (rand() < 0.5 ? -1n : 1n),
      () => Array.from({ length: Math.floor(rand() * 6) }, () => String.fromCharCode(pick([0x41, 0x7a, 0x22, 0x5c, 0x0a, 0x00, 0x1f, 0xe9, 0x2028, 0xd83d, 0xde00, 0xd800, 0xffff]))).join(''),
      () => pick(['', 'héllo', '日本語', '😀', '\u2028', 'a"b\\c', '__proto__x']),
      () => pick([true, false, null, undefined]),
    ])();
  }
  if (r < 0.75) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 4); i > 0; i--) o[pick(['a', 'b', 'B', '10', '2', '1e3', '-1', '', 'z y', 'é', '😀', '0', '01'])] = randomValue(rand, depth + 1);
  return o;
}

describe('host and guest canonical forms agree', () => {
  const corpus = [
    '0', '-0', '+1', '-1.5', '1e21', '1e-7', '123456789012345680000', '0.1', '5e-324', '1.7976931348623157e308', '0x1F', '1_000',
    'NaN', '-NaN', 'Infinity', '-Infinity', '12n', '-12n', '0n',
    '"a"', "'it''s'".replace("''", "\\'"), '"\\u0000\\u001f"', '"\\ud83d\\ude00"', '"\\ud800"', '"é日本😀"', '"\\u2028\\u2029"', '`tmpl`', '"a\\nb"',
    'true', 'false', 'null', 'undefined',
    '[]', '[,]', '[1,,3]', '[[[]]]', '{}', '{b: 1, a: 2}', '{"10": 1, 2: 2, a: 3, "-1": 4, "1.5": 5, 1e3: 6}', '{a: 1, a: 2}',
    '{"": [undefined, null], "a b": {c: [-0, NaN]}}', '[{x: [1, {y: [2]}]}]',
  ];
  it('on a corpus of literals', () => {
    const r = run({ program: 'function f(a) { return a; }', inputs: corpus, expected: corpus });
    corpus.forEach((src, i) => {
      expect(r.results[i].output, src).toBe(canonicalOfLiteral(src));
      expect(r.results[i].verdict, src).toBe('ok');
    });
  });

  it('on 300 random values (seeded), through literals and through values', () => {
    const rand = mulberry(20240101);
    const values = Array.from({ length: 300 }, () => randomValue(rand, 0));
    const sources = values.map(literalOf);
    const r = run({ program: 'function f(a) { return a; }', inputs: sources });
    values.forEach((v, i) => {
      expect(r.results[i].verdict, sources[i]).toBe('ok');
      expect(r.results[i].output, sources[i]).toBe(canonicalOfLiteral(sources[i]));
      expect(r.results[i].output, sources[i]).toBe(canonicalOfValue(v));
    });
  });

  it('numbers QuickJS itself prints with too many digits come out in the shortest form', () => {
    // QuickJS's String(2 ** 182) is 6.1299821634635554e+54; the shortest round-trip
    // spelling (what a literal answer would be compared with) is 6.129982163463556e+54.
    const r = one('function f(a) { return [2 ** 182, String(2 ** 182)]; }');
    expect(r.results[0].output).toBe(`[${String(2 ** 182)},"6.1299821634635554e+54"]`);
    expect(one('function f(a) { return 2 ** 182; }', '1', { expected: [String(2 ** 182)] }).verdict).toBe('ok');
  });

  it('fromGuestCanonical spells exact bits on the host and leaves strings alone', () => {
    const bits = (n: number) => {
      const v = new DataView(new ArrayBuffer(8));
      v.setFloat64(0, n);
      return '#' + v.getUint32(0).toString(16).padStart(8, '0') + v.getUint32(4).toString(16).padStart(8, '0');
    };
    expect(fromGuestCanonical(`[${bits(0.1)},{"#a\\\\":${bits(-1.5e-300)}},"${bits(2)}"]`)).toBe(`[0.1,{"#a\\\\":-1.5e-300},"${bits(2)}"]`);
    expect(fromGuestCanonical('[1,"x"]')).toBe('[1,"x"]');
  });

  it('every power of two, and integers of every size, agree (integers up to 2^53 print in the guest)', () => {
    const r = one('function f(a) { const out = []; for (let k = -1074; k <= 1023; k++) out.push(2 ** k, -(2 ** k) * 3); return out; }', '1', { limits: { maxOutputChars: 200_000 } });
    const out: number[] = [];
    for (let k = -1074; k <= 1023; k++) out.push(2 ** k, -(2 ** k) * 3);
    expect(r.verdict).toBe('ok');
    expect(r.results[0].output).toBe(canonicalOfValue(out));
    const ints = one('function f(a) { const out = []; let x = 7; for (let i = 0; i < 400; i++) { x = (x * 48271) % 2147483647; out.push(x * 4194304 + i, -x * (i + 1), x % 1000); } return out; }', '1', { limits: { maxOutputChars: 200_000 } });
    const exp: number[] = [];
    let x = 7;
    for (let i = 0; i < 400; i++) {
      x = (x * 48271) % 2147483647;
      exp.push(x * 4194304 + i, -x * (i + 1), x % 1000);
    }
    expect(ints.results[0].output).toBe(canonicalOfValue(exp));
  });

  it('values computed by the guest match the host computing the same thing', () => {
    const r = one('function f(n) { const out = []; for (let i = 1; i <= n; i++) out.push(1 / i, i * 0.1, -i / 3, 2 ** (i * 7), Math.sqrt(i)); return out; }', '40');
    const out: number[] = [];
    for (let i = 1; i <= 40; i++) out.push(1 / i, i * 0.1, -i / 3, 2 ** (i * 7), Math.sqrt(i));
    expect(r.results[0].output).toBe(canonicalOfValue(out));
  });
});

describe('the guest minifier', () => {
  it('keeps meaning: newlines stay where ASI needs them, $names shrink consistently', () => {
    const src = 'var $long = 1\nvar $other = $long\n+1\nvar s = "$long // not a comment"; // comment\nreturn [$long, $other, s, 1 - -1]';
    const min = minify(src);
    expect(min).not.toContain('var $long');
    expect(min).toContain('"$long // not a comment"');
    expect(min).not.toContain('// comment');
    expect(new Function(min)()).toEqual(new Function(src)());
  });
});
