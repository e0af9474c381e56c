// The graded world: every level's generated programs have the shape the level names, as read
// by the classifier (acorn), and they run in the real sandbox (most of them cleanly).
import { afterAll, describe, expect, it } from 'vitest';
import { generateProgram, randomArgs } from '../../../src/core/corpus.ts';
import { classifyLevel, expressionOperations, intermediateSteps, LevelError, programShape } from '../../../src/core/levels.ts';
import { Rng } from '../../../src/core/rng.ts';
import { createExecutor } from '../../../src/sandbox/index.ts';

const executor = await createExecutor({ size: 1 });
afterAll(() => executor.dispose());

describe('classifier', () => {
  it('counts operations as the level table says', () => {
    expect(expressionOperations('x + 3')).toBe(1);
    expect(expressionOperations('s.length')).toBe(1);
    expect(expressionOperations('s.slice(1)')).toBe(1);
    expect(expressionOperations('Math.abs(x)')).toBe(1);
    expect(expressionOperations('[...xs].reverse()')).toBe(1);
    expect(expressionOperations('xs.at(-1)')).toBe(1);
    expect(expressionOperations('[1, 2, -3]')).toBe(0);
    expect(expressionOperations('[a, b]')).toBe(1);
    expect(expressionOperations('x * 2 + 1')).toBe(2);
    expect(expressionOperations('xs.map((v) => v * 2)')).toBe(2);
    expect(expressionOperations('s.split("").reverse().join("")')).toBe(3);
  });

  it('classifies hand-written programs of each family', () => {
    expect(classifyLevel('const f = (x) => x + 3;')).toBe(0);
    expect(classifyLevel('function f(s) { return s.toUpperCase(); }')).toBe(0);
    expect(classifyLevel('function f(a, b) { return a + b; }')).toBe(1);
    expect(classifyLevel('const f = (n) => n % 2 === 0;')).toBe(1);
    expect(classifyLevel('function f(xs) { let s = 0; for (const v of xs) s += v; return s; }')).toBe(2);
    expect(classifyLevel('function f(n) { if (n > 2) { return 1; } return 0; }')).toBe(2);
    expect(classifyLevel('function f(xs) { let c = 0; for (const a of xs) { for (const b of xs) c += a * b; } return c; }')).toBe(3);
    expect(classifyLevel('function f(a, b, c) { return a + b + c; }')).toBe(3);
  });

  it('refuses what is not a program defining f, by name', () => {
    expect(() => programShape('function g() {}')).toThrow(LevelError);
    expect(() => programShape('function f( {')).toThrow(/does not parse/);
  });
});

describe('generated levels', () => {
  const N = 300;
  for (const level of [0, 1, 2] as const) {
    it(`L${level}: every program of a sample has the shape of L${level}`, () => {
      const rng = new Rng(`levels-${level}`);
      for (let i = 0; i < N; i++) {
        const p = generateProgram(rng, level);
        expect(p.level).toBe(level);
        expect(classifyLevel(p.program), p.program).toBe(level);
      }
    });
  }

  it('L0 programs have one parameter and one operation; L1 at most two of each', () => {
    const rng = new Rng('levels-shape');
    for (let i = 0; i < 200; i++) {
      const s0 = programShape(generateProgram(rng, 0).program);
      expect([s0.params, s0.operations, s0.singleExpression]).toEqual([1, 1, true]);
      const s1 = programShape(generateProgram(rng, 1).program);
      expect(s1.params).toBeLessThanOrEqual(2);
      expect(s1.operations).toBeLessThanOrEqual(2);
      expect(s1.singleExpression).toBe(true);
    }
  });

  it('L3 is the historic full-grammar stream, draw for draw', () => {
    const a = new Rng('same');
    const b = new Rng('same');
    for (let i = 0; i < 50; i++) expect(generateProgram(a).program).toBe(generateProgram(b, 3).program);
  });

  it('the levels are distinct worlds: L0 and L1 programs are short, L2 ones have statements', () => {
    const rng = new Rng('levels-len');
    const mean = (l: 0 | 1 | 2) => Array.from({ length: 100 }, () => generateProgram(rng, l).program.length).reduce((x, y) => x + y) / 100;
    expect(mean(0)).toBeLessThan(mean(2));
    expect(mean(1)).toBeLessThan(mean(2));
  });

  for (const level of [0, 1] as const) {
    it(`L${level} programs run in the sandbox, most of them to a value`, async () => {
      const rng = new Rng(`levels-run-${level}`);
      const jobs = Array.from({ length: 100 }, () => {
        const p = generateProgram(rng, level);
        return { program: p.program, inputs: [randomArgs(rng, p.params)], determinismRuns: 2 };
      });
      const results = await executor.run(jobs);
      const ok = results.filter((r) => r.verdict === 'ok').length;
      // A program may throw on an input (`null.length` cannot happen with typed inputs, but
      // an index past the end gives undefined, which is a value): nearly all should be ok.
      expect(ok).toBeGreaterThanOrEqual(90);
    });
  }
});

describe('readsInput', () => {
  it('is true when the body reads a parameter (any pattern, or arguments), false for a constant', () => {
    const reads = (p: string) => programShape(p).readsInput;
    expect(reads('function f(x) { return x + 1; }')).toBe(true);
    expect(reads('const f = (s) => s.length;')).toBe(true);
    expect(reads('function f([a, b], { c }) { return a; }')).toBe(true);
    expect(reads('function f(...xs) { return xs; }')).toBe(true);
    expect(reads('function f() { return arguments[0]; }')).toBe(true);
    expect(reads('function f(x) { return 1; }')).toBe(false);
    expect(reads('function f(t) { }')).toBe(false);
    expect(reads('function f() { return [1, 2].length; }')).toBe(false);
    // A property or key that happens to share the parameter's name is not a read.
    expect(reads('function f(length) { return "abc".length; }')).toBe(false);
    expect(reads('function f(a) { return { a: 1 }; }')).toBe(false);
    expect(reads('function f(a) { return { a }; }')).toBe(true);
  });
});

describe('intermediateSteps (the worked answer format)', () => {
  it('lists what a single expression computes before its result, operands first', () => {
    expect(intermediateSteps('const f = (x) => x * 2 + 1;')).toEqual({ params: 'x', steps: ['x * 2'] });
    expect(intermediateSteps('function f(s) { return s.split("").reverse().join(""); }')).toEqual({ params: 's', steps: ['s.split("")', 's.split("").reverse()'] });
    expect(intermediateSteps('const f = (a, b) => Math.max(a, b) * 10;')).toEqual({ params: 'a, b', steps: ['Math.max(a, b)'] });
    expect(intermediateSteps('const f = (n) => [n, n + 1];')!.steps).toEqual(['n + 1']);
  });

  it('has no steps for one operation, a copy, or a callback (its variable exists only inside it)', () => {
    expect(intermediateSteps('const f = (n) => n % 3;')!.steps).toEqual([]);
    expect(intermediateSteps('const f = (xs) => [...xs].reverse();')!.steps).toEqual([]);
    expect(intermediateSteps('const f = (xs) => xs.map((v) => v * 2 + 1);')!.steps).toEqual([]);
    expect(intermediateSteps('const f = (n) => -3 + n;')!.steps).toEqual([]);
  });

  it('takes only the test of a conditional or a short-circuit: an untaken branch is not computed', () => {
    expect(intermediateSteps('const f = (n) => n < 0 ? -n : n * 2;')!.steps).toEqual(['n < 0']);
    expect(intermediateSteps('const f = (s) => s.length > 2 && s.slice(1) === "a";')!.steps).toEqual(['s.length', 's.length > 2']);
  });

  it('is null for statements, no f, or text that does not parse', () => {
    expect(intermediateSteps('function f(x) { const y = x + 1; return y * 2; }')).toBeNull();
    expect(intermediateSteps('const g = (x) => x + 1;')).toBeNull();
    expect(intermediateSteps('const f = (x) => ;')).toBeNull();
  });
});
