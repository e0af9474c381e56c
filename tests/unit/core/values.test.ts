// The literal checker (core/literals.ts) and the canonical value form (core/values.ts),
// on the host alone: no QuickJS here. tests/unit/sandbox/runner.test.ts checks that the
// guest computes the same canonical text.
import { describe, expect, it } from 'vitest';
import {
  bracketDepth,
  checkArgumentList,
  checkLiteral,
  guestArgumentsSource,
  LiteralError,
  MAX_VALUE_DEPTH,
} from '../../../src/core/literals.ts';
import { CanonicalError, canonicalKind, canonicalNumber, canonicalOfLiteral, canonicalOfValue, literalsEqual, pathSegment } from '../../../src/core/values.ts';

const reason = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LiteralError);
    return (e as Error).message;
  }
  throw new Error('expected a LiteralError');
};

describe('checkArgumentList accepts literals', () => {
  const ok: [string, number][] = [
    ['', 0],
    ['1', 1],
    ['1, 2, 3', 3],
    ['1,', 1],
    ['-1, +2, -0, .5, 1e3, 0x1f, 0o7, 0b1, 1_000, 010', 10],
    ['NaN, -NaN, Infinity, -Infinity, undefined', 5],
    ['"a", \'b\', `c`, "\\u00e9\\n", "😀"', 5],
    ['true, false, null', 3],
    ['12n, -12n', 2],
    ['[], [1, [2, [3]]], [,], [1,,2]', 4],
    ['{}, {a: 1, "b c": [2], 3: {d: null}, 1.5: 0, 0x10: 1}', 2],
    ['{a: 1, a: 2}', 1],
    ['/* comment */ 1 // trailing comment', 1],
    ['1,\n  [2,\n   3]', 2],
    ['(1), ((["x"]))', 2],
  ];
  for (const [src, n] of ok) {
    it(JSON.stringify(src), () => {
      expect(checkArgumentList(src)).toHaveLength(n);
    });
  }
});

describe('checkArgumentList rejects everything else, naming it', () => {
  const bad: [string, string][] = [
    ['f(1)', 'input contains a call expression at column 1'],
    ['1, Math.max(1, 2)', 'input contains a call expression at column 4'],
    ['(function () { return 1; })()', 'input contains a call expression at column 1'],
    ['() => 1', 'input contains a function at column 1'],
    ['function () {}', 'input contains a function at column 1'],
    ['x', 'input contains the identifier `x` at column 1'],
    ['globalThis', 'input contains the identifier `globalThis` at column 1'],
    ['[1, y]', 'input contains the identifier `y` at column 5'],
    ['a.b', 'input contains a property access at column 1'],
    ['...[1]', 'input contains a spread (...) at column 1'],
    ['[...[1]]', 'input contains a spread (...) at column 2'],
    ['{...o}', 'input contains a spread (...) at column 2'],
    ['{[k]: 1}', 'input contains a computed key at column 2'],
    ['{["a"]: 1}', 'input contains a computed key at column 2'],
    ['{get x() { return 1; }}', 'input contains a getter at column 2'],
    ['{set x(v) {}}', 'input contains a setter at column 2'],
    ['{m() {}}', 'input contains a method at column 2'],
    ['{a}', 'input contains a shorthand property (a variable reference) at column 2'],
    ['{__proto__: null}', 'input contains a __proto__ key (it would set the prototype) at column 2'],
    ['{"__proto__": []}', 'input contains a __proto__ key (it would set the prototype) at column 2'],
    ['`a${1}b`', 'input contains a template literal with ${…} expressions at column 5'],
    ['tag`x`', 'input contains a tagged template at column 1'],
    ['/a+/g', 'input contains a regular expression literal at column 1'],
    ['new Date()', 'input contains a `new` expression at column 1'],
    ['x = 1', 'input contains an assignment at column 1'],
    ['1 + 2', 'input contains a binary expression at column 1'],
    ['!0', 'input contains the operator `!` at column 1'],
    ['typeof 1', 'input contains the operator `typeof` at column 1'],
    ['void 0', 'input contains the operator `void` at column 1'],
    ['-"1"', 'input contains unary - on something other than a number at column 1'],
    ['- -1', 'input contains unary - on something other than a number at column 1'],
    ['+1n', 'input contains unary + on something other than a number at column 1'],
    ['1 ? 2 : 3', 'input contains a conditional expression at column 1'],
    ['this', 'input contains `this` at column 1'],
    ['class {}', 'input contains a class at column 1'],
    ['import("x")', 'input contains an import() at column 1'],
    ['1,,2', 'input has an empty argument (two commas in a row)'],
    ['1), g(2', 'input does not parse: Unexpected token at column 2'],
    ['1], [2', 'input is not a list of literals (it closes the list early or adds statements)'],
    ['1]; g(); [2', 'input is not a list of literals (it closes the list early or adds statements)'],
    ['1] + [2', 'input is not a list of literals (it closes the list early or adds statements)'],
    ['[1', 'input does not parse: Unexpected token at column 3'],
    ['"unterminated', 'input does not parse: Unterminated string constant at column 1'],
    ['1 /* open comment', 'input does not parse: Unterminated comment at column 3'],
    ['1,\n  g()', 'input contains a call expression at line 2, column 3'],
  ];
  for (const [src, message] of bad) {
    it(JSON.stringify(src), () => {
      expect(reason(() => checkArgumentList(src))).toBe(message);
    });
  }

  it('the subject names what was checked', () => {
    expect(reason(() => checkArgumentList('f()', 'expected output'))).toBe('expected output contains a call expression at column 1');
  });

  it('non-strings are named too', () => {
    expect(reason(() => checkArgumentList(5 as unknown as string))).toBe('input must be a string, got number');
    expect(reason(() => checkArgumentList(null as unknown as string))).toBe('input must be a string, got null');
  });

  it(`nesting: ${MAX_VALUE_DEPTH} levels pass, one more does not, and absurd depth is refused before parsing`, () => {
    expect(checkArgumentList('['.repeat(MAX_VALUE_DEPTH) + ']'.repeat(MAX_VALUE_DEPTH))).toHaveLength(1);
    expect(reason(() => checkArgumentList('['.repeat(MAX_VALUE_DEPTH + 1) + ']'.repeat(MAX_VALUE_DEPTH + 1)))).toBe(`input nests deeper than ${MAX_VALUE_DEPTH} levels at column ${MAX_VALUE_DEPTH + 1}`);
    expect(reason(() => checkArgumentList('{a:'.repeat(MAX_VALUE_DEPTH + 1) + '1' + '}'.repeat(MAX_VALUE_DEPTH + 1)))).toMatch(/nests deeper than 100 levels/);
    expect(reason(() => checkArgumentList('['.repeat(100_000)))).toBe(`input nests deeper than ${MAX_VALUE_DEPTH} levels`);
    // Brackets inside strings do not count against the exact limit.
    expect(checkArgumentList(JSON.stringify('['.repeat(300)))).toHaveLength(1);
  });

  it('bracketDepth counts every bracket, strings included', () => {
    expect(bracketDepth('f(a[{1}])')).toBe(3);
    expect(bracketDepth(')))(')).toBe(1);
    expect(bracketDepth('"((("')).toBe(3);
  });
});

describe('checkLiteral: one value', () => {
  it('accepts one value and rejects none or several', () => {
    expect(checkLiteral('[1, 2]').type).toBe('ArrayExpression');
    expect(reason(() => checkLiteral(''))).toBe('literal is empty');
    expect(reason(() => checkLiteral('  '))).toBe('literal is empty');
    expect(reason(() => checkLiteral('1, 2'))).toBe('literal must be one value, found 2 separated by commas');
  });
});

describe('guest sources cannot be hijacked', () => {
  it('spell NaN, Infinity, undefined without identifiers and keys as strings', () => {
    expect(guestArgumentsSource(checkArgumentList('NaN, -Infinity, undefined, -0, {a: 1, 2: [,]}, -5n, `t`'))).toBe(
      '[(0/0),(-1/0),(void 0),(-0),{"a":1,"2":[,]},(-5n),"t"]',
    );
  });

  it('evaluate to the same values even where NaN, Infinity and undefined are shadowed', () => {
    const src = guestArgumentsSource(checkArgumentList('NaN, Infinity, undefined, [1,,3], {b: 1, a: 2, b: 3}, "\\u2028"'));
    const values = new Function('NaN', 'Infinity', 'undefined', `return ${src};`)(1, 2, 3) as unknown[];
    expect(values[0]).toBeNaN();
    expect(values[1]).toBe(Infinity);
    expect(values[2]).toBeUndefined();
    expect(values[3]).toEqual([1, , 3]);
    expect(1 in (values[3] as unknown[])).toBe(false);
    expect(values[4]).toEqual({ b: 3, a: 2 });
    expect(Object.keys(values[4] as object)).toEqual(['b', 'a']);
    expect(values[5]).toBe('\u2028');
  });
});

describe('canonical form', () => {
  const cases: [string, string][] = [
    ['0', '0'],
    ['-0', '-0'],
    ['+0', '0'],
    ['-0.0', '-0'],
    ['1.50', '1.5'],
    ['.5', '0.5'],
    ['1e21', '1e+21'],
    ['1e-7', '1e-7'],
    ['0x10', '16'],
    ['1_000', '1000'],
    ['NaN', 'NaN'],
    ['-NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
    ['-12n', '-12n'],
    ['0x10n', '16n'],
    ["'it\\'s'", '"it\'s"'],
    ['"tab\\there"', '"tab\\there"'],
    ['"\\ud800"', '"\\ud800"'],
    ['"😀é"', '"😀é"'],
    ['`tmpl`', '"tmpl"'],
    ['true', 'true'],
    ['null', 'null'],
    ['undefined', 'undefined'],
    ['[1,,3]', '[1,undefined,3]'],
    ['[,]', '[undefined]'],
    ['[ 1 , [ 2 ] ]', '[1,[2]]'],
    ['{}', '{}'],
    ['{b: 1, a: 2}', '{"a":2,"b":1}'],
    ['{a: 1, a: 2}', '{"a":2}'],
    ['{10: "x", 9: "y", a: 0, "A": 1, "": 2}', '{"":2,"10":"x","9":"y","A":1,"a":0}'],
    ['{1.5: 1, 1e3: 2, 0x10: 3}', '{"1.5":1,"1000":2,"16":3}'],
    ['{"é": 1, "e": 2, "😀": 3, "z": 4}', '{"e":2,"z":4,"é":1,"😀":3}'],
    ['[{b: [-0, {d: NaN, c: undefined}]}]', '[{"b":[-0,{"c":undefined,"d":NaN}]}]'],
  ];
  for (const [src, canon] of cases) {
    it(`${src} → ${canon}`, () => {
      expect(canonicalOfLiteral(src)).toBe(canon);
      // The canonical text is itself a literal with the same canonical text.
      expect(canonicalOfLiteral(canon)).toBe(canon);
    });
  }

  it('equality is equality of canonical forms', () => {
    expect(literalsEqual('{a: [1.0, -0]}', "{'a': [1, -0.0]}")).toBe(true);
    expect(literalsEqual('0', '-0')).toBe(false);
    expect(literalsEqual('NaN', '-NaN')).toBe(true);
    expect(literalsEqual('[1,,2]', '[1, undefined, 2]')).toBe(true);
    expect(literalsEqual('1', '1n')).toBe(false);
    expect(literalsEqual('"1"', '1')).toBe(false);
  });

  it('a non-literal has no canonical form: the checker says why', () => {
    expect(() => canonicalOfLiteral('f()')).toThrow('literal contains a call expression at column 1');
    expect(() => canonicalOfLiteral('[1, x]', 'expected output')).toThrow('expected output contains the identifier `x` at column 5');
  });

  it('canonicalNumber spells the special numbers and uses JS spelling otherwise', () => {
    expect([NaN, Infinity, -Infinity, -0, 0, 0.1 + 0.2, 2 ** 182, 5e-324].map(canonicalNumber)).toEqual([
      'NaN', 'Infinity', '-Infinity', '-0', '0', '0.30000000000000004', '6.129982163463556e+54', '5e-324',
    ]);
  });
});

describe('canonicalOfValue (host values)', () => {
  it('agrees with canonicalOfLiteral', () => {
    const value = { b: [1, , -0, NaN, undefined, 3n], a: { z: 'é', y: null, '10': true, '9': false }, c: Object.assign(Object.create(null), { k: 1 }) };
    expect(canonicalOfValue(value)).toBe(canonicalOfLiteral('{b: [1,,-0,NaN,undefined,3n], a: {z: "é", y: null, 10: true, 9: false}, c: {k: 1}}'));
  });

  it('ignores non-enumerable properties and array extras', () => {
    const arr = Object.assign([1], { extra: 2 });
    const obj = Object.defineProperty({ a: 1 }, 'hidden', { value: 2 });
    expect(canonicalOfValue([arr, obj])).toBe('[[1],{"a":1}]');
  });

  const bad: [string, () => unknown, string][] = [
    ['a function', () => () => 1, 'value is a function'],
    ['a symbol', () => [Symbol('s')], 'value contains at [0] a symbol'],
    ['a cycle', () => { const o: Record<string, unknown> = {}; o.self = { up: o }; return o; }, 'value contains at .self.up a cycle'],
    ['a Map', () => ({ m: new Map() }), 'value contains at .m a Map'],
    ['a class instance', () => [new (class Point {})()], 'value contains at [0] a Point'],
    ['a Date', () => new Date(0), 'value is a Date'],
    ['a getter', () => ({ get g() { return 1; } }), 'value contains at .g a getter or setter'],
    ['a symbol key', () => ({ [Symbol('k')]: 1 }), 'value is a symbol key'],
    ['too deep', () => { let x: unknown = 1; for (let i = 0; i < MAX_VALUE_DEPTH + 1; i++) x = [x]; return x; }, 'nesting deeper than 100 levels'],
  ];
  for (const [name, make, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => canonicalOfValue(make())).toThrow(CanonicalError);
      expect(() => canonicalOfValue(make())).toThrow(message);
    });
  }

  it('rejects text over maxChars', () => {
    expect(() => canonicalOfValue('x'.repeat(20), 10)).toThrow(CanonicalError);
    expect(() => canonicalOfValue(Array(10).fill(1), 10)).toThrow(/more than 10 characters/);
    expect(canonicalOfValue(Array(5).fill(1), 11)).toBe('[1,1,1,1,1]');
  });

  it('pathSegment writes identifiers with a dot and other keys quoted', () => {
    expect([pathSegment(0), pathSegment('a'), pathSegment('a b'), pathSegment('$x_1'), pathSegment('1a')]).toEqual(['[0]', '.a', '["a b"]', '.$x_1', '["1a"]']);
  });
});

describe('canonicalKind', () => {
  it('names the kind of every canonical form, from the text the guest writes', () => {
    const cases: [string, string][] = [
      ['5', 'number'], ['-0', 'number'], ['NaN', 'number'], ['-Infinity', 'number'], ['1e+21', 'number'],
      ['12n', 'bigint'], ['-3n', 'bigint'], ['"a"', 'string'], ['"true"', 'string'], ['true', 'boolean'], ['false', 'boolean'],
      ['null', 'null'], ['undefined', 'undefined'], ['[1,"a"]', 'array'], ['[]', 'array'], ['{"a":1}', 'object'], ['{}', 'object'],
    ];
    for (const [canon, kind] of cases) expect(canonicalKind(canonicalOfLiteral(canon)), canon).toBe(kind);
    expect(canonicalKind(canonicalOfValue([1, { b: 'x' }]))).toBe('array');
  });
});
