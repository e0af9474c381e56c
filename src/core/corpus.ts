// The pretraining corpus of the base model: short, well-formed JavaScript programs and the
// self-play prompt format, with answers that are RANDOM and never checked.
//
// The project's claim is that self-play alone teaches a model what programs compute. So
// the base model must know the language (what a program, a literal, an argument list look
// like, which methods exist, how the six prompt formats are laid out) and nothing about
// semantics. This generator therefore has no executor and computes no output: every
// "output", every abduction answer and every induction pair below is a literal drawn at
// random, of a type the grammar says the program returns (the type of `a + b` on numbers
// is part of the language; its value is not). It imports nothing that runs code, and the
// unit test checks that statically and measures that its answers agree with the real
// executor only at chance rate.
//
// Programs come from a small typed grammar over numbers, strings, booleans, arrays and
// plain objects, written in the two styles real code uses (`function f(…) { … }` and
// `const f = (…) => …`), with loops, conditionals and local constants; they are kept
// under MAX_CORPUS_PROGRAM_CHARS so that prompts with several references fit the context.
// Everything is drawn from one seeded Rng (core/rng.ts): the same seed gives the same
// corpus, on every machine.
import { expressionOperations, programShape, type Level } from './levels.ts';
import { Rng, type Seed } from './rng.ts';
import { canonicalOfValue } from './values.ts';
import {
  abductionSolvePrompt,
  deductionSolvePrompt,
  formatAnswer,
  formatProposal,
  inductionProposePrompt,
  inductionSolvePrompt,
  makeInductionTask,
  tripletProposePrompt,
  type TaskType,
  type Role,
  type Triplet,
} from './tasks.ts';

/** Programs longer than this are redrawn: the model is char-level and prompts hold several. */
export const MAX_CORPUS_PROGRAM_CHARS = 200;

// ---- Types of the grammar ------------------------------------------------------------

/** Static types the grammar tracks; `obj` carries its keys (all number-valued). */
export type VType =
  | { k: 'num' }
  | { k: 'str' }
  | { k: 'bool' }
  | { k: 'numArr' }
  | { k: 'strArr' }
  | { k: 'obj'; keys: string[] };

const NUM: VType = { k: 'num' };
const STR: VType = { k: 'str' };
const BOOL: VType = { k: 'bool' };
const NUM_ARR: VType = { k: 'numArr' };
const STR_ARR: VType = { k: 'strArr' };

interface Var {
  name: string;
  type: VType;
}

/** A generated program: its source, its parameters' types and the static type it returns. */
export interface GeneratedProgram {
  program: string;
  params: VType[];
  returns: VType;
  /** The family it was drawn from (see "Graded levels" below). */
  level: Level;
}

// ---- Random values (literals) --------------------------------------------------------

const WORDS = [
  'a', 'ab', 'abc', 'hello', 'world', 'cat', 'dog', 'sun', 'moon', 'tree', 'code', 'js', 'zero', 'one', 'two',
  'red', 'blue', 'green', 'apple', 'kiwi', 'xyz', 'foo', 'bar', 'baz', 'Hi', 'OK', 'yes', 'no', 'level', 'noon',
  'data', 'task', 'map', 'key', 'box', 'A', 'Z', 'q', 'mix', 'test',
];
const SEPS = ['', ' ', ',', '-', '_', ':'];
const KEYS = ['a', 'b', 'c', 'x', 'y', 'n', 'id', 'len', 'max', 'min', 'sum', 'count'];

/** Mostly small integers, as in the code the model will meet; sometimes negative or fractional. */
function randomNumber(rng: Rng): number {
  const r = rng.float();
  if (r < 0.55) return rng.int(0, 11);
  if (r < 0.8) return rng.int(-20, 101);
  if (r < 0.9) return rng.int(100, 1000);
  if (r < 0.97) return rng.int(-50, 51) / 2;
  return rng.int(-1000, 1000) / 10;
}

function randomString(rng: Rng): string {
  const r = rng.float();
  if (r < 0.55) return rng.choice(WORDS);
  if (r < 0.7) return '';
  if (r < 0.85) return `${rng.choice(WORDS)}${rng.choice(SEPS)}${rng.choice(WORDS)}`;
  // Random printable letters and digits, 1–6 of them.
  const n = rng.int(1, 7);
  let s = '';
  for (let i = 0; i < n; i++) s += rng.choice('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '.split(''));
  return s;
}

/** A random value of type `t`, as a host value (rendered with canonicalOfValue). */
export function randomValue(rng: Rng, t: VType): unknown {
  switch (t.k) {
    case 'num':
      return randomNumber(rng);
    case 'str':
      return randomString(rng);
    case 'bool':
      return rng.float() < 0.5;
    case 'numArr':
      return Array.from({ length: rng.int(0, 7) }, () => (rng.float() < 0.8 ? rng.int(-5, 21) : randomNumber(rng)));
    case 'strArr':
      return Array.from({ length: rng.int(0, 5) }, () => rng.choice(WORDS));
    case 'obj': {
      const o: Record<string, number> = {};
      for (const k of t.keys) o[k] = rng.int(-5, 21);
      return o;
    }
  }
}

const ALL_TYPES: VType[] = [NUM, STR, BOOL, NUM_ARR, STR_ARR];

/** A random type for an answer: usually the type the program returns ("plausible"), sometimes any. */
function answerType(rng: Rng, returns: VType): VType {
  if (rng.float() < 0.75) return returns;
  const r = rng.float();
  if (r < 0.08) return { k: 'obj', keys: rng.sampleWithoutReplacement(KEYS, rng.int(1, 4)) };
  return rng.choice(ALL_TYPES);
}

/** A literal in canonical form; occasionally null or undefined, which programs also return. */
export function randomLiteral(rng: Rng, t: VType): string {
  const r = rng.float();
  if (r < 0.02) return 'null';
  if (r < 0.04) return 'undefined';
  return canonicalOfValue(randomValue(rng, t));
}

/** An argument list for parameters of these types, literals separated by ", ". */
export function randomArgs(rng: Rng, params: readonly VType[]): string {
  return params.map((t) => canonicalOfValue(randomValue(rng, t))).join(', ');
}

// ---- Programs -------------------------------------------------------------------------

const NAMES: Record<VType['k'], string[]> = {
  num: ['a', 'b', 'n', 'x', 'y', 'k', 'm', 'num', 'count', 'limit'],
  str: ['s', 't', 'w', 'str', 'word', 'name', 'text'],
  bool: ['flag', 'ok', 'on'],
  numArr: ['xs', 'arr', 'nums', 'list', 'vals', 'items'],
  strArr: ['words', 'names', 'parts', 'tags'],
  obj: ['o', 'obj', 'rec', 'point', 'd'],
};
/** Names bound by arrow callbacks and loops; never parameter names, so they never shadow. */
const INNER = ['v', 'e', 'c', 'q', 'z', 'p', 'u'];

class Scope {
  readonly vars: Var[];
  constructor(vars: Var[]) {
    this.vars = vars;
  }
  of(k: VType['k']): Var[] {
    return this.vars.filter((v) => v.type.k === k);
  }
  with(v: Var): Scope {
    return new Scope([...this.vars, v]);
  }
  fresh(rng: Rng): string {
    const used = new Set(this.vars.map((v) => v.name));
    const free = INNER.filter((n) => !used.has(n));
    return rng.choice(free.length ? free : ['w2']);
  }
}

const lit = {
  num: (rng: Rng) => String(rng.float() < 0.8 ? rng.int(0, 11) : rng.int(11, 101)),
  small: (rng: Rng) => String(rng.int(1, 6)),
  str: (rng: Rng) => JSON.stringify(rng.float() < 0.7 ? rng.choice(WORDS) : rng.choice(SEPS.filter((s) => s))),
  sep: (rng: Rng) => JSON.stringify(rng.choice(SEPS)),
};

/** Expression generators per type. `d` is the remaining depth; at 0 only leaves. */
function expr(rng: Rng, t: VType, s: Scope, d: number): string {
  const vars = s.of(t.k);
  // Leaves are mostly the function's own variables: programs should read their inputs.
  if (d <= 0 || rng.float() < 0.25) {
    if (vars.length && rng.float() < 0.9) return rng.choice(vars).name;
    return leaf(rng, t, s);
  }
  switch (t.k) {
    case 'num':
      return numExpr(rng, s, d);
    case 'str':
      return strExpr(rng, s, d);
    case 'bool':
      return boolExpr(rng, s, d);
    case 'numArr':
      return numArrExpr(rng, s, d);
    case 'strArr':
      return strArrExpr(rng, s, d);
    case 'obj':
      return objExpr(rng, s, d);
  }
}

function leaf(rng: Rng, t: VType, s: Scope): string {
  switch (t.k) {
    case 'num': {
      const strs = s.of('str');
      const arrs = [...s.of('numArr'), ...s.of('strArr')];
      if (strs.length && rng.float() < 0.4) return `${rng.choice(strs).name}.length`;
      if (arrs.length && rng.float() < 0.4) return `${rng.choice(arrs).name}.length`;
      return lit.num(rng);
    }
    case 'str':
      return lit.str(rng);
    case 'bool':
      return rng.float() < 0.5 ? 'true' : 'false';
    case 'numArr':
      return `[${Array.from({ length: rng.int(0, 4) }, () => lit.num(rng)).join(', ')}]`;
    case 'strArr':
      return `[${Array.from({ length: rng.int(0, 3) }, () => lit.str(rng)).join(', ')}]`;
    case 'obj':
      return `{ ${t.keys.map((k) => `${k}: ${lit.num(rng)}`).join(', ')} }`;
  }
}

/** One of the weighted alternatives whose guard holds. */
function pick(rng: Rng, alts: [number, boolean, () => string][]): string {
  const ok = alts.filter(([, g]) => g);
  let total = ok.reduce((a, [w]) => a + w, 0);
  let r = rng.float() * total;
  for (const [w, , f] of ok) {
    r -= w;
    if (r < 0) return f();
  }
  total = 0;
  return ok[ok.length - 1][2]();
}

function numExpr(rng: Rng, s: Scope, d: number): string {
  const n = () => expr(rng, NUM, s, d - 1);
  const strs = s.of('str');
  const arrs = s.of('numArr');
  const sarrs = s.of('strArr');
  const objs = s.of('obj');
  const op = rng.choice(['+', '-', '*', '+', '-']);
  return pick(rng, [
    [4, true, () => `${n()} ${op} ${n()}`],
    [1, true, () => `(${n()} ${op} ${n()}) ${rng.choice(['*', '%', '+'])} ${lit.small(rng)}`],
    [1, true, () => `${n()} % ${lit.small(rng)}`],
    [1, true, () => `Math.${rng.choice(['max', 'min'])}(${n()}, ${n()})`],
    [1, true, () => `Math.${rng.choice(['abs', 'floor', 'round', 'sign'])}(${n()})`],
    [1, true, () => `Math.floor(${n()} / ${lit.small(rng)})`],
    [1, true, () => `(${expr(rng, BOOL, s, d - 1)} ? ${n()} : ${n()})`],
    [2, strs.length > 0, () => `${rng.choice(strs).name}.${rng.choice(['length', 'indexOf(' + lit.str(rng) + ')', 'lastIndexOf(' + lit.str(rng) + ')', 'charCodeAt(0)'])}`],
    [1, strs.length > 0, () => `${rng.choice(strs).name}.split(${lit.sep(rng)}).length`],
    [1, strs.length > 0, () => `Number(${rng.choice(strs).name}.length > ${lit.small(rng)})`],
    [3, arrs.length > 0, () => {
      const a = rng.choice(arrs).name;
      const [x, y] = [s.fresh(rng), 'acc'];
      const inner = s.with({ name: x, type: NUM });
      return pick(rng, [
        [2, true, () => `${a}.reduce((${y}, ${x}) => ${y} ${rng.choice(['+', '+', '*', '-'])} ${x}, ${rng.choice(['0', '1', '0'])})`],
        [1, true, () => `${a}.reduce((${y}, ${x}) => Math.${rng.choice(['max', 'min'])}(${y}, ${x}), ${a}[0])`],
        [2, true, () => `${a}.filter((${x}) => ${boolExpr(rng, inner, 1)}).length`],
        [1, true, () => `${a}.indexOf(${n()})`],
        [1, true, () => `${a}.findIndex((${x}) => ${boolExpr(rng, inner, 1)})`],
        [1, true, () => `${a}.length`],
        [1, true, () => `${a}[${rng.choice(['0', '1', a + '.length - 1'])}]`],
      ]);
    }],
    [1, sarrs.length > 0, () => `${rng.choice(sarrs).name}.${rng.choice(['length', 'join(' + lit.sep(rng) + ').length'])}`],
    [2, objs.length > 0, () => {
      const o = rng.choice(objs);
      const keys = (o.type as { keys: string[] }).keys;
      return rng.float() < 0.7 ? `${o.name}.${rng.choice(keys)}` : `Object.keys(${o.name}).length`;
    }],
  ]);
}

function strExpr(rng: Rng, s: Scope, d: number): string {
  const t = () => expr(rng, STR, s, d - 1);
  const nums = s.of('num');
  const sarrs = s.of('strArr');
  const arrs = s.of('numArr');
  return pick(rng, [
    [3, true, () => `${t()} + ${t()}`],
    [2, true, () => `${t()}.${rng.choice(['toUpperCase()', 'toLowerCase()', 'trim()'])}`],
    [2, true, () => `${t()}.slice(${rng.choice(['0, ', '1', '-2', '0, -1', '2'])}${rng.float() < 0.5 ? lit.small(rng) : ''})`],
    [1, true, () => `${t()}.repeat(${lit.small(rng)})`],
    [2, true, () => `${t()}.split('').reverse().join('')`],
    [1, true, () => `${t()}.replace(${lit.str(rng)}, ${lit.str(rng)})`],
    [1, true, () => `${t()}.padStart(${rng.int(2, 9)}, ${JSON.stringify(rng.choice(['*', '0', ' ', '-']))})`],
    [1, true, () => `${t()}.charAt(${lit.small(rng)})`],
    [1, true, () => `\`\${${t()}}${rng.choice(SEPS)}\${${expr(rng, NUM, s, d - 1)}}\``],
    [1, true, () => `(${expr(rng, BOOL, s, d - 1)} ? ${t()} : ${t()})`],
    [2, nums.length > 0, () => `String(${expr(rng, NUM, s, d - 1)})`],
    [2, sarrs.length > 0, () => `${rng.choice(sarrs).name}.join(${lit.sep(rng)})`],
    [1, arrs.length > 0, () => `${rng.choice(arrs).name}.join(${lit.sep(rng)})`],
  ]);
}

function boolExpr(rng: Rng, s: Scope, d: number): string {
  const n = () => expr(rng, NUM, s, d - 1);
  const t = () => expr(rng, STR, s, d - 1);
  const strs = s.of('str');
  const arrs = s.of('numArr');
  const sarrs = s.of('strArr');
  return pick(rng, [
    [4, true, () => `${n()} ${rng.choice(['>', '<', '>=', '<=', '===', '!=='])} ${n()}`],
    [2, true, () => `${n()} % 2 === ${rng.choice(['0', '1'])}`],
    [1, d > 1, () => `${boolExpr(rng, s, d - 1)} ${rng.choice(['&&', '||'])} ${boolExpr(rng, s, d - 1)}`],
    [1, d > 1, () => `!(${boolExpr(rng, s, d - 1)})`],
    [2, strs.length > 0, () => `${rng.choice(strs).name}.${rng.choice(['includes', 'startsWith', 'endsWith'])}(${t()})`],
    [1, strs.length > 0, () => `${t()} === ${t()}`],
    [2, arrs.length > 0, () => {
      const x = s.fresh(rng);
      const a = rng.choice(arrs).name;
      return rng.float() < 0.4 ? `${a}.includes(${n()})` : `${a}.${rng.choice(['some', 'every'])}((${x}) => ${boolExpr(rng, s.with({ name: x, type: NUM }), 1)})`;
    }],
    [1, sarrs.length > 0, () => `${rng.choice(sarrs).name}.includes(${t()})`],
  ]);
}

function numArrExpr(rng: Rng, s: Scope, d: number): string {
  const arrs = s.of('numArr');
  const strs = s.of('str');
  const a = () => (arrs.length && rng.float() < 0.8 ? rng.choice(arrs).name : leaf(rng, NUM_ARR, s));
  const x = s.fresh(rng);
  const inner = s.with({ name: x, type: NUM });
  return pick(rng, [
    [3, true, () => `${a()}.map((${x}) => ${numExpr(rng, inner, Math.min(d, 2))})`],
    [3, true, () => `${a()}.filter((${x}) => ${boolExpr(rng, inner, Math.min(d, 2))})`],
    [1, true, () => `${a()}.slice(${rng.choice(['1', '0, 2', '-2', '1, -1'])})`],
    [2, true, () => `[...${a()}].sort((p, q) => ${rng.choice(['p - q', 'q - p'])})`],
    [1, true, () => `[...${a()}].reverse()`],
    [1, true, () => `${a()}.concat(${expr(rng, NUM_ARR, s, d - 1)})`],
    [1, true, () => `[${expr(rng, NUM, s, d - 1)}, ${expr(rng, NUM, s, d - 1)}]`],
    [1, strs.length > 0, () => `${rng.choice(strs).name}.split('').map((${x}) => ${x}.charCodeAt(0))`],
  ]);
}

function strArrExpr(rng: Rng, s: Scope, d: number): string {
  const sarrs = s.of('strArr');
  const strs = s.of('str');
  const arrs = s.of('numArr');
  const x = s.fresh(rng);
  const inner = s.with({ name: x, type: STR });
  const a = () => (sarrs.length && rng.float() < 0.8 ? rng.choice(sarrs).name : leaf(rng, STR_ARR, s));
  return pick(rng, [
    [2, true, () => `${a()}.map((${x}) => ${strExpr(rng, inner, Math.min(d, 2))})`],
    [2, true, () => `${a()}.filter((${x}) => ${x}.length ${rng.choice(['>', '<', '==='])} ${lit.small(rng)})`],
    [1, true, () => `[...${a()}].sort()`],
    [2, strs.length > 0, () => `${rng.choice(strs).name}.split(${lit.sep(rng)})`],
    [1, arrs.length > 0, () => `${rng.choice(arrs).name}.map((${x}) => String(${x}))`],
  ]);
}

function objExpr(rng: Rng, s: Scope, d: number): string {
  // Objects are built, not transformed: the keys of the result are whatever is written.
  const keys = rng.sampleWithoutReplacement(KEYS, rng.int(1, 3));
  const objs = s.of('obj');
  if (objs.length && rng.float() < 0.4) return `{ ...${rng.choice(objs).name}, ${keys[0]}: ${expr(rng, NUM, s, d - 1)} }`;
  return `{ ${keys.map((k) => `${k}: ${expr(rng, rng.choice([NUM, NUM, STR]), s, d - 1)}`).join(', ')} }`;
}

/** A return type for a new program. Booleans are rarer: a random boolean answer is right half the time. */
function returnType(rng: Rng): VType {
  const r = rng.float();
  if (r < 0.38) return NUM;
  if (r < 0.66) return STR;
  if (r < 0.8) return NUM_ARR;
  if (r < 0.9) return STR_ARR;
  if (r < 0.95) return BOOL;
  return { k: 'obj', keys: [] };
}

function paramTypes(rng: Rng): VType[] {
  const n = rng.choice([1, 1, 1, 2, 2, 3]);
  return Array.from({ length: n }, () => {
    const r = rng.float();
    if (r < 0.35) return NUM;
    if (r < 0.6) return STR;
    if (r < 0.8) return NUM_ARR;
    if (r < 0.9) return STR_ARR;
    if (r < 0.95) return BOOL;
    return { k: 'obj', keys: rng.sampleWithoutReplacement(KEYS, rng.int(1, 4)) } as VType;
  });
}

function paramNames(rng: Rng, types: VType[]): Var[] {
  const used = new Set<string>();
  return types.map((type) => {
    const pool = NAMES[type.k].filter((n) => !used.has(n));
    const name = rng.choice(pool);
    used.add(name);
    return { name, type };
  });
}

/** The body of a function, as statements ending in a return of type `ret`. */
function body(rng: Rng, ret: VType, s: Scope): string {
  const arrs = s.of('numArr');
  const strs = s.of('str');
  const nums = s.of('num');
  const r = () => expr(rng, ret, s, 2);
  return pick(rng, [
    [4, true, () => `return ${r()};`],
    [2, true, () => `if (${boolExpr(rng, s, 2)}) { return ${expr(rng, ret, s, 2)}; } return ${expr(rng, ret, s, 1)};`],
    [2, true, () => {
      const tt = rng.choice([NUM, STR, NUM_ARR]);
      const name = rng.choice(['t', 'r', 'y2', 'tmp', 'res', 'mid']);
      const e = expr(rng, tt, s, 2);
      return `const ${name} = ${e}; return ${expr(rng, ret, s.with({ name, type: tt }), 2)};`;
    }],
    [3, arrs.length > 0 && ret.k === 'num', () => {
      const a = rng.choice(arrs).name;
      const x = s.fresh(rng);
      const inner = s.with({ name: x, type: NUM }).with({ name: 'acc', type: NUM });
      const cond = rng.float() < 0.5 ? `if (${boolExpr(rng, inner, 1)}) ` : '';
      return `let acc = ${rng.choice(['0', '0', '1'])}; for (const ${x} of ${a}) { ${cond}acc ${rng.choice(['+=', '-=', '*=', '+='])} ${numExpr(rng, inner, 1)}; } return acc;`;
    }],
    [3, arrs.length > 0 && ret.k === 'numArr', () => {
      const a = rng.choice(arrs).name;
      const inner = s.with({ name: 'i', type: NUM });
      return `const out = []; for (let i = 0; i < ${a}.length; i++) { if (${boolExpr(rng, inner.with({ name: `${a}[i]`, type: NUM }), 1)}) out.push(${expr(rng, NUM, inner.with({ name: `${a}[i]`, type: NUM }), 1)}); } return out;`;
    }],
    [3, strs.length > 0 && ret.k === 'str', () => {
      const str = rng.choice(strs).name;
      const inner = s.with({ name: 'i', type: NUM }).with({ name: `${str}[i]`, type: STR });
      const cond = rng.float() < 0.5 ? `if (${boolExpr(rng, inner, 1)}) ` : '';
      return `let out = ''; for (let i = 0; i < ${str}.length; i++) { ${cond}out ${rng.choice(['= ' + str + '[i] + out', '+= ' + strExpr(rng, inner, 1)])}; } return out;`;
    }],
    [3, strs.length > 0 && ret.k === 'num', () => {
      const str = rng.choice(strs).name;
      const c = s.fresh(rng);
      return `let cnt = 0; for (const ${c} of ${str}) { if (${rng.choice([`${JSON.stringify(rng.choice('aeiou'.split('')))}.includes(${c})`, `${c} === ${lit.str(rng)}`, `${c} !== ' '`, `${c} === ${c}.toUpperCase()`])}) cnt++; } return cnt;`;
    }],
    [2, nums.length > 0 && ret.k === 'num', () => {
      const n = rng.choice(nums).name;
      const divide = rng.float() < 0.5;
      return `let c = 0; while (${n} > 0) { ${n} = ${divide ? `Math.floor(${n} / ${rng.int(2, 11)})` : `${n} - ${rng.int(1, 4)}`}; c${rng.choice(['++', ' += ' + n])}; } return c;`;
    }],
  ]);
}


// ---- Graded levels ---------------------------------------------------------------------
//
// The world a run draws its programs from, in four families a reader can name (the
// classifier in core/levels.ts checks a program's shape against them):
//   L0  one operation on one argument            x + 3, s.length, xs[0], s.toUpperCase()
//   L1  one expression, up to two operations or   a + b, x * 2 + 1, s.slice(1).length,
//       two arguments                            xs.map((v) => v * 2), s.repeat(n)
//   L2  statements: locals, an `if`, one loop     (the grammar's statement bodies, 1–2 args)
//   L3  the full grammar above                    (generateProgram's historic stream)
// The operations are a table of typed templates; `$` is the operand, and every entry
// says how tightly its result binds and how tightly its operand must, so a chain only
// gets the parentheses JavaScript needs. Literals in templates come from small ranges.

/** Binding strength, JavaScript's: member/call 18, unary 15, * / % 14, + - 13, < > 11, === 10, ?: 3. */
interface Op {
  in: VType['k'];
  out: VType['k'];
  /** Template; `$` is the operand, `K` a small number, `S` a short string, `W` a separator. */
  t: string;
  /** Precedence of the whole expression. */
  prec: number;
  /** Least precedence the operand may have without parentheses. */
  need: number;
}

const OPS: readonly Op[] = [
  // number → number
  { in: 'num', out: 'num', t: '$ + K', prec: 13, need: 13 },
  { in: 'num', out: 'num', t: '$ - K', prec: 13, need: 13 },
  { in: 'num', out: 'num', t: 'K - $', prec: 13, need: 14 },
  { in: 'num', out: 'num', t: '$ * K', prec: 14, need: 14 },
  { in: 'num', out: 'num', t: '$ % K', prec: 14, need: 14 },
  { in: 'num', out: 'num', t: '$ * $', prec: 14, need: 15 },
  { in: 'num', out: 'num', t: '-$', prec: 15, need: 15 },
  { in: 'num', out: 'num', t: 'Math.abs($)', prec: 18, need: 0 },
  { in: 'num', out: 'num', t: 'Math.floor($ / K)', prec: 18, need: 14 },
  { in: 'num', out: 'num', t: 'Math.max($, K)', prec: 18, need: 0 },
  { in: 'num', out: 'num', t: 'Math.min($, K)', prec: 18, need: 0 },
  { in: 'num', out: 'num', t: 'Math.sign($)', prec: 18, need: 0 },
  // number → boolean, string
  { in: 'num', out: 'bool', t: '$ > K', prec: 11, need: 12 },
  { in: 'num', out: 'bool', t: '$ < K', prec: 11, need: 12 },
  { in: 'num', out: 'bool', t: '$ >= K', prec: 11, need: 12 },
  { in: 'num', out: 'bool', t: '$ === K', prec: 10, need: 11 },
  { in: 'num', out: 'bool', t: '$ !== K', prec: 10, need: 11 },
  { in: 'num', out: 'str', t: 'String($)', prec: 18, need: 0 },
  { in: 'num', out: 'str', t: '$ + S', prec: 13, need: 13 },
  { in: 'num', out: 'str', t: 'S + $', prec: 13, need: 14 },
  { in: 'num', out: 'str', t: '$.toFixed(1)', prec: 18, need: 18 },
  // string → number, string, boolean, array
  { in: 'str', out: 'num', t: '$.length', prec: 18, need: 18 },
  { in: 'str', out: 'num', t: '$.indexOf(S)', prec: 18, need: 18 },
  { in: 'str', out: 'num', t: '$.charCodeAt(0)', prec: 18, need: 18 },
  { in: 'str', out: 'num', t: 'Number($)', prec: 18, need: 0 },
  { in: 'str', out: 'str', t: '$.toUpperCase()', prec: 18, need: 18 },
  { in: 'str', out: 'str', t: '$.toLowerCase()', prec: 18, need: 18 },
  { in: 'str', out: 'str', t: '$.trim()', prec: 18, need: 18 },
  { in: 'str', out: 'str', t: '$.slice(K)', prec: 18, need: 18 },
  { in: 'str', out: 'str', t: '$.slice(0, K)', prec: 18, need: 18 },
  { in: 'str', out: 'str', t: '$.slice(-K)', prec: 18, need: 18 },
  { in: 'str', out: 'str', t: '$.charAt(K)', prec: 18, need: 18 },
  { in: 'str', out: 'str', t: '$.repeat(K)', prec: 18, need: 18 },
  { in: 'str', out: 'str', t: '$ + S', prec: 13, need: 13 },
  { in: 'str', out: 'str', t: 'S + $', prec: 13, need: 14 },
  { in: 'str', out: 'str', t: '$ + $', prec: 13, need: 14 },
  { in: 'str', out: 'str', t: '$.padStart(K, "*")', prec: 18, need: 18 },
  { in: 'str', out: 'str', t: '$.replace(S, S)', prec: 18, need: 18 },
  { in: 'str', out: 'str', t: '$[0]', prec: 18, need: 18 },
  { in: 'str', out: 'bool', t: '$.includes(S)', prec: 18, need: 18 },
  { in: 'str', out: 'bool', t: '$.startsWith(S)', prec: 18, need: 18 },
  { in: 'str', out: 'bool', t: '$.endsWith(S)', prec: 18, need: 18 },
  { in: 'str', out: 'bool', t: '$ === S', prec: 10, need: 11 },
  { in: 'str', out: 'strArr', t: '$.split(W)', prec: 18, need: 18 },
  // number array → number, array, boolean, string
  { in: 'numArr', out: 'num', t: '$.length', prec: 18, need: 18 },
  { in: 'numArr', out: 'num', t: '$[0]', prec: 18, need: 18 },
  { in: 'numArr', out: 'num', t: '$[K]', prec: 18, need: 18 },
  { in: 'numArr', out: 'num', t: '$.indexOf(K)', prec: 18, need: 18 },
  { in: 'numArr', out: 'num', t: '$.at(-1)', prec: 18, need: 18 },
  { in: 'numArr', out: 'num', t: 'Math.max(...$)', prec: 18, need: 0 },
  { in: 'numArr', out: 'numArr', t: '$.slice(K)', prec: 18, need: 18 },
  { in: 'numArr', out: 'numArr', t: '$.concat([K])', prec: 18, need: 18 },
  { in: 'numArr', out: 'numArr', t: '[...$].reverse()', prec: 18, need: 0 },
  { in: 'numArr', out: 'numArr', t: '[...$].sort((p, q) => p - q)', prec: 18, need: 0 },
  { in: 'numArr', out: 'numArr', t: '[K, ...$]', prec: 18, need: 0 },
  { in: 'numArr', out: 'bool', t: '$.includes(K)', prec: 18, need: 18 },
  { in: 'numArr', out: 'str', t: '$.join(W)', prec: 18, need: 18 },
  // string array → number, string, boolean, array
  { in: 'strArr', out: 'num', t: '$.length', prec: 18, need: 18 },
  { in: 'strArr', out: 'str', t: '$[0]', prec: 18, need: 18 },
  { in: 'strArr', out: 'str', t: '$.join(W)', prec: 18, need: 18 },
  { in: 'strArr', out: 'bool', t: '$.includes(S)', prec: 18, need: 18 },
  { in: 'strArr', out: 'strArr', t: '[...$].sort()', prec: 18, need: 0 },
  { in: 'strArr', out: 'strArr', t: '$.slice(K)', prec: 18, need: 18 },
  // boolean → boolean, number, string
  { in: 'bool', out: 'bool', t: '!$', prec: 15, need: 15 },
  { in: 'bool', out: 'num', t: 'Number($)', prec: 18, need: 0 },
  { in: 'bool', out: 'str', t: 'String($)', prec: 18, need: 0 },
];

/** Two-argument operations (L1): `$` the first parameter, `@` the second. */
interface Op2 {
  a: VType['k'];
  b: VType['k'];
  out: VType['k'];
  t: string;
}
const OPS2: readonly Op2[] = [
  { a: 'num', b: 'num', out: 'num', t: '$ + @' },
  { a: 'num', b: 'num', out: 'num', t: '$ - @' },
  { a: 'num', b: 'num', out: 'num', t: '$ * @' },
  { a: 'num', b: 'num', out: 'num', t: '$ % @' },
  { a: 'num', b: 'num', out: 'num', t: 'Math.max($, @)' },
  { a: 'num', b: 'num', out: 'num', t: 'Math.min($, @)' },
  { a: 'num', b: 'num', out: 'bool', t: '$ > @' },
  { a: 'num', b: 'num', out: 'bool', t: '$ === @' },
  { a: 'num', b: 'num', out: 'numArr', t: '[$, @]' },
  { a: 'str', b: 'str', out: 'str', t: '$ + @' },
  { a: 'str', b: 'str', out: 'bool', t: '$.includes(@)' },
  { a: 'str', b: 'str', out: 'bool', t: '$ === @' },
  { a: 'str', b: 'str', out: 'num', t: '$.indexOf(@)' },
  { a: 'str', b: 'num', out: 'str', t: '$.repeat(@)' },
  { a: 'str', b: 'num', out: 'str', t: '$.slice(@)' },
  { a: 'str', b: 'num', out: 'str', t: '$.charAt(@)' },
  { a: 'str', b: 'num', out: 'str', t: '$ + @' },
  { a: 'numArr', b: 'num', out: 'num', t: '$[@]' },
  { a: 'numArr', b: 'num', out: 'num', t: '$.indexOf(@)' },
  { a: 'numArr', b: 'num', out: 'bool', t: '$.includes(@)' },
  { a: 'numArr', b: 'num', out: 'numArr', t: '$.slice(@)' },
  { a: 'numArr', b: 'num', out: 'numArr', t: '[...$, @]' },
  { a: 'strArr', b: 'str', out: 'str', t: '$.join(@)' },
  { a: 'strArr', b: 'str', out: 'bool', t: '$.includes(@)' },
  { a: 'strArr', b: 'num', out: 'str', t: '$[@]' },
];

/** Callback operations (L1): the callback's body is one L0 operation on its element. */
const CALLBACKS: readonly { in: 'numArr' | 'strArr'; body: VType['k']; out: VType['k']; t: string }[] = [
  { in: 'numArr', body: 'num', out: 'numArr', t: '$.map((v) => #)' },
  { in: 'numArr', body: 'bool', out: 'numArr', t: '$.filter((v) => #)' },
  { in: 'numArr', body: 'bool', out: 'bool', t: '$.some((v) => #)' },
  { in: 'numArr', body: 'bool', out: 'bool', t: '$.every((v) => #)' },
  { in: 'numArr', body: 'bool', out: 'num', t: '$.findIndex((v) => #)' },
  { in: 'numArr', body: 'num', out: 'num', t: '$.reduce((acc, v) => acc + v, 0)' },
  { in: 'strArr', body: 'str', out: 'strArr', t: '$.map((v) => #)' },
  { in: 'strArr', body: 'num', out: 'numArr', t: '$.map((v) => #)' },
  { in: 'strArr', body: 'bool', out: 'strArr', t: '$.filter((v) => #)' },
];

const TYPE_OF: Record<Exclude<VType['k'], 'obj'>, VType> = { num: NUM, str: STR, bool: BOOL, numArr: NUM_ARR, strArr: STR_ARR };
const LEVEL_NAMES_BY_KIND: Record<string, string[]> = {
  num: ['x', 'n', 'a', 'b', 'k', 'num', 'count', 'age', 'score', 'size', 'i', 'm', 'y', 'total', 'limit', 'price', 'step'],
  str: ['s', 't', 'str', 'word', 'name', 'text', 'label', 'key', 'title', 'code'],
  bool: ['flag', 'ok', 'on', 'done', 'isSet'],
  numArr: ['xs', 'arr', 'nums', 'list', 'vals', 'items', 'scores', 'data', 'ys'],
  strArr: ['words', 'names', 'parts', 'tags', 'keys', 'lines'],
};

/** The template's literals filled in: K a small number, S a short string, W a separator. */
function fillLiterals(rng: Rng, t: string): string {
  return t
    .replace(/\bK\b/g, () => String(rng.float() < 0.8 ? rng.int(1, 6) : rng.int(6, 13)))
    .replace(/\bS\b/g, () => JSON.stringify(rng.float() < 0.6 ? rng.choice(['a', 'e', 'o', 'x', '!', '-', ' ', 'ab']) : rng.choice(WORDS)))
    .replace(/\bW\b/g, () => JSON.stringify(rng.choice(['', ' ', ',', '-', ':'])));
}

/** `op` applied to `operand` (an expression of precedence `prec`), parenthesised where needed. */
function applyOp(rng: Rng, op: Op, operand: string, prec: number): string {
  const x = prec < op.need ? `(${operand})` : operand;
  // Literals first: a string literal could itself contain a `$`.
  return fillLiterals(rng, op.t).replaceAll('$', () => x);
}

const costs = new Map<string, number>();
/** How many operations a template is, as the level classifier counts them (literals filled, `$` a name). */
function cost(t: string): number {
  let c = costs.get(t);
  if (c === undefined) {
    c = expressionOperations(t.replace(/\bK\b/g, '2').replace(/\b[SW]\b/g, '"a"').replaceAll('$', 'x').replaceAll('@', 'y').replace('#', 'true'));
    costs.set(t, c);
  }
  return c;
}

function paramName(rng: Rng, k: VType['k'], taken: readonly string[] = []): string {
  return rng.choice(LEVEL_NAMES_BY_KIND[k].filter((n) => !taken.includes(n)));
}

/** The kinds of value a program may take as its first parameter, with their shares. */
function levelParamKind(rng: Rng): Exclude<VType['k'], 'obj'> {
  const r = rng.float();
  if (r < 0.4) return 'num';
  if (r < 0.72) return 'str';
  if (r < 0.9) return 'numArr';
  if (r < 0.97) return 'strArr';
  return 'bool';
}

function wrap(rng: Rng, params: string[], e: string): string {
  const list = params.join(', ');
  return rng.float() < 0.5 ? `function f(${list}) { return ${e}; }` : `const f = (${list}) => ${e};`;
}

/** L0: one operation on one argument. */
function levelZero(rng: Rng): GeneratedProgram {
  const k = levelParamKind(rng);
  const name = paramName(rng, k);
  const op = rng.choice(OPS.filter((o) => o.in === k && cost(o.t) === 1));
  return { program: wrap(rng, [name], applyOp(rng, op, name, 20)), params: [TYPE_OF[k]], returns: TYPE_OF[op.out as keyof typeof TYPE_OF], level: 0 };
}

/** L1: one expression with two operations on one argument, or one operation on two arguments. */
function levelOne(rng: Rng): GeneratedProgram {
  const r = rng.float();
  if (r < 0.4) {
    // A chain: the second operation reads the first's result.
    const k = levelParamKind(rng);
    const name = paramName(rng, k);
    const first = rng.choice(OPS.filter((o) => o.in === k));
    const inner = applyOp(rng, first, name, 20);
    // Two operations in all: a first of cost 2 stands alone (it is already an L1 expression).
    const left = 2 - cost(first.t);
    const seconds = OPS.filter((o) => o.in === first.out && cost(o.t) <= left && !o.t.includes('$ * $') && !o.t.includes('$ + $'));
    if (seconds.length === 0 || left === 0) return { program: wrap(rng, [name], inner), params: [TYPE_OF[k]], returns: TYPE_OF[first.out as keyof typeof TYPE_OF], level: 1 };
    const second = rng.choice(seconds);
    return { program: wrap(rng, [name], applyOp(rng, second, inner, first.prec)), params: [TYPE_OF[k]], returns: TYPE_OF[second.out as keyof typeof TYPE_OF], level: 1 };
  }
  if (r < 0.75) {
    const op = rng.choice(OPS2);
    const a = paramName(rng, op.a);
    const b = paramName(rng, op.b, [a]);
    return { program: wrap(rng, [a, b], op.t.replaceAll('$', a).replaceAll('@', b)), params: [TYPE_OF[op.a as keyof typeof TYPE_OF], TYPE_OF[op.b as keyof typeof TYPE_OF]], returns: TYPE_OF[op.out as keyof typeof TYPE_OF], level: 1 };
  }
  // A callback whose body is one operation on the element.
  const cb = rng.choice(CALLBACKS);
  const name = paramName(rng, cb.in);
  const elem = cb.in === 'numArr' ? 'num' : 'str';
  const bodyOp = rng.choice(OPS.filter((o) => o.in === elem && o.out === cb.body && cost(o.t) === 1 && !o.t.includes('$ * $')));
  const body = applyOp(rng, bodyOp, 'v', 20);
  return { program: wrap(rng, [name], cb.t.replace('#', () => body).replaceAll('$', name)), params: [TYPE_OF[cb.in]], returns: TYPE_OF[cb.out as keyof typeof TYPE_OF], level: 1 };
}

/** L2: the grammar's statement bodies (a local, an `if`, or one loop) over one or two arguments. */
function levelTwo(rng: Rng): GeneratedProgram {
  for (;;) {
    const params = Array.from({ length: rng.choice([1, 1, 2]) }, () => TYPE_OF[levelParamKind(rng)]);
    const vars = paramNames(rng, params);
    const returns = returnType(rng);
    if (returns.k === 'obj') continue;
    const b = body(rng, returns, new Scope(vars));
    // Only bodies with a statement before the return; a bare `return e;` is L1 or L3.
    if (b.startsWith('return ')) continue;
    const program = `function f(${vars.map((v) => v.name).join(', ')}) { ${b} }`;
    if (program.length > MAX_CORPUS_PROGRAM_CHARS) continue;
    // The grammar can name a local after a parameter (`const t` beside `t`): redraw those.
    try {
      programShape(program);
    } catch {
      continue;
    }
    return { program, params, returns, level: 2 };
  }
}

/**
 * A random well-formed program defining `f`, at most MAX_CORPUS_PROGRAM_CHARS long, of the
 * given level (default L3, the full grammar: the stream the shipped base was trained on,
 * draw for draw).
 */
export function generateProgram(rng: Rng, level: Level = 3): GeneratedProgram {
  if (level === 0) return levelZero(rng);
  if (level === 1) return levelOne(rng);
  if (level === 2) return levelTwo(rng);
  for (;;) {
    const params = paramTypes(rng);
    const vars = paramNames(rng, params);
    let returns = returnType(rng);
    const s = new Scope(vars);
    const list = vars.map((v) => v.name).join(', ');
    let program: string;
    const style = rng.float();
    if (style < 0.35) {
      const e = expr(rng, returns, s, 2);
      program = returns.k === 'obj' || e.startsWith('{') ? `const f = (${list}) => (${e});` : `const f = (${list}) => ${e};`;
    } else if (style < 0.45) {
      program = `function f(${list}) {\n  ${body(rng, returns, s).replace(/; (?=\S)/g, ';\n  ')}\n}`;
    } else {
      program = `function f(${list}) { ${body(rng, returns, s)} }`;
    }
    // An object literal's keys are only known from the text; keep the type's keys empty.
    if (returns.k === 'obj') returns = { k: 'obj', keys: [] };
    if (program.length <= MAX_CORPUS_PROGRAM_CHARS) return { program, params, returns, level: 3 };
  }
}

// ---- The prompt format, with random answers -------------------------------------------

/** A triplet whose output is a random literal of a plausible type: never f(input). */
export function randomTriplet(rng: Rng, level: Level = 3): Triplet & { returns: VType; params: VType[] } {
  const p = generateProgram(rng, level);
  const answerT = answerType(rng, p.returns.k === 'obj' ? { k: 'obj', keys: rng.sampleWithoutReplacement(KEYS, rng.int(1, 3)) } : p.returns);
  return { program: p.program, input: randomArgs(rng, p.params), output: randomLiteral(rng, answerT), returns: p.returns, params: p.params };
}

const MESSAGES = ['', 'guess f', 'what is f?', 'numbers', 'strings', 'find the rule', 'map each input', 'a loop', 'count', 'sum it', 'reverse', 'compare'];

/** One training example: a prompt and the response that follows it (ending in <eos>). */
export interface CorpusExample {
  type: TaskType;
  role: Role;
  prompt: string;
  response: string;
}

/** Induction inputs a proposer writes: the presets use N = 4 (smoke), 6 (default) and 10 (paper). */
const INDUCTION_NS = [4, 6, 6, 6, 10];

export interface CorpusOptions {
  /** Most reference triplets in a propose prompt (config K); default 3, the default preset's. */
  maxReferences?: number;
  /**
   * The levels programs are drawn from, each program's level uniformly (core/levels.ts).
   * Unset: the full grammar (L3), the stream the shipped base's first two stages read.
   */
  levels?: readonly Level[];
}

/** The level of the next program: uniform over opts.levels (no draw when unset, so old streams stay as they were). */
function levelFor(rng: Rng, opts: CorpusOptions): Level {
  return opts.levels && opts.levels.length > 0 ? rng.choice(opts.levels) : 3;
}

/** One example of the given (type, role), every answer random and unverified. */
export function generateExample(rng: Rng, type: TaskType, role: Role, opts: CorpusOptions = {}): CorpusExample {
  const maxRefs = opts.maxReferences ?? 3;
  if (role === 'solve') {
    if (type === 'deduction') {
      const t = randomTriplet(rng, levelFor(rng, opts));
      return { type, role, prompt: deductionSolvePrompt(t), response: formatAnswer('deduction', { output: t.output }) };
    }
    if (type === 'abduction') {
      const t = randomTriplet(rng, levelFor(rng, opts));
      // The answer is another random input for the same parameters, not one that gives the output.
      return { type, role, prompt: abductionSolvePrompt(t), response: formatAnswer('abduction', { input: randomArgs(rng, t.params) }) };
    }
    const shownProgram = generateProgram(rng, levelFor(rng, opts));
    const n = rng.choice(INDUCTION_NS);
    const pairs = Array.from({ length: n }, () => ({ input: randomArgs(rng, shownProgram.params), output: randomLiteral(rng, answerType(rng, shownProgram.returns)) }));
    const task = makeInductionTask(shownProgram.program, rng.choice(MESSAGES), pairs);
    // The answer program is drawn afresh: it has the inputs' arity but nothing ties it to the pairs.
    const answer = rng.float() < 0.5 ? shownProgram.program : generateProgram(rng, levelFor(rng, opts)).program;
    return { type, role, prompt: inductionSolvePrompt(task), response: formatAnswer('induction', { program: answer }) };
  }
  if (type === 'induction') {
    const p = generateProgram(rng, levelFor(rng, opts));
    const n = rng.choice(INDUCTION_NS);
    const inputs = Array.from({ length: n }, () => randomArgs(rng, p.params));
    return { type, role, prompt: inductionProposePrompt(p.program), response: formatProposal('induction', { inputs, message: rng.choice(MESSAGES) }) };
  }
  const k = rng.int(0, maxRefs + 1);
  const refs = Array.from({ length: k }, () => randomTriplet(rng, levelFor(rng, opts)));
  const p = generateProgram(rng, levelFor(rng, opts));
  return { type, role, prompt: tripletProposePrompt(type, refs), response: formatProposal(type, { program: p.program, input: randomArgs(rng, p.params) }) };
}

/** The six (type × role) configurations and their shares of the corpus. Solve examples
 *  dominate: they are what eval asks, and they are short. */
export const CORPUS_MIX: readonly { type: TaskType; role: Role; weight: number }[] = [
  { type: 'deduction', role: 'solve', weight: 3 },
  { type: 'abduction', role: 'solve', weight: 3 },
  { type: 'induction', role: 'solve', weight: 2 },
  { type: 'deduction', role: 'propose', weight: 1 },
  { type: 'abduction', role: 'propose', weight: 1 },
  { type: 'induction', role: 'propose', weight: 1 },
];

/** An endless, seeded stream of examples in CORPUS_MIX proportions. */
export function* corpus(seed: Seed, opts: CorpusOptions = {}): Generator<CorpusExample> {
  const rng = new Rng(seed).fork('corpus');
  const total = CORPUS_MIX.reduce((a, m) => a + m.weight, 0);
  for (;;) {
    let r = rng.float() * total;
    let m = CORPUS_MIX[CORPUS_MIX.length - 1];
    for (const c of CORPUS_MIX) {
      r -= c.weight;
      if (r < 0) {
        m = c;
        break;
      }
    }
    yield generateExample(rng, m.type, m.role, opts);
  }
}

/** The first `n` examples of the seeded stream. */
export function sampleCorpus(seed: Seed, n: number, opts: CorpusOptions = {}): CorpusExample[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sampleCorpus needs an integer n >= 0, got ${n}`);
  const out: CorpusExample[] = [];
  if (n === 0) return out;
  for (const ex of corpus(seed, opts)) {
    out.push(ex);
    if (out.length === n) break;
  }
  return out;
}
