// The guest side of the runner: JavaScript source that runs inside each fresh QuickJS
// context *before* the program. It
// - captures every intrinsic it needs (Object.keys, Reflect.apply, JSON.stringify, …)
//   into closure variables, so a program that redefines Object, Array, JSON or a
//   prototype method cannot change how outputs are read;
// - installs the determinism rules: Math.random becomes a seeded PRNG (not reset
//   between runs, so a program that uses it shows up as nondeterministic) and Date is
//   frozen at one instant (Date.now(), new Date() and Date());
// - holds the inputs as zero-argument factories, so each run gets freshly built argument
//   values and f mutating its argument cannot leak into the next run;
// - computes the canonical form of each output (the rules of src/core/values.ts) in the
//   guest, where getters, Proxy traps and the like run under the job's deadline.
//
// The prelude is one expression whose value, a function, stays with the host: nothing
// reachable from the program's global scope refers to it. The host calls it with
//   op 0: run every input, return the results text (a JSON array, see RawResult);
//   op 1: return the results of the inputs finished so far (after an abort);
//   op 2 (value): classify a value the program threw at top level (see RawThrowKind);
//   op 3: '' when the program defines a function f, else the reason it does not.
//
// Internal collections are null-prototype objects and only own properties are ever
// read, so a program that puts setters on Array.prototype or Object.prototype cannot
// observe or disturb them. Strings are built with `+` (no String.prototype methods
// except captured ones called through Reflect.apply).

/** Per-input line of the results text: [verdict, reason, canonical output]. */
export type RawResult = [verdict: string, reason: string, output: string];

/** What op 2 returns, split on the first newline: kind, then text. */
export type RawThrowKind = 'syntax' | 'memory' | 'stack' | 'throw';

export interface PreludeOptions {
  /** Guest sources of each input's argument array (from core/literals guestArgumentsSource). */
  inputs: readonly string[];
  /** Runs of f per input (≥ 1). */
  runs: number;
  maxOutputChars: number;
  maxDepth: number;
  /** For messages only. */
  memoryBytes: number;
  stackBytes: number;
  /** File name the program is evaluated under; a parse error carries it. */
  programFile: string;
  /** Seed of Math.random. */
  seed: number;
  /** The instant Date is frozen at, in ms since the epoch. */
  now: number;
}

/** The instant the guest's Date shows: 2024-01-01T00:00:00Z. */
export const FROZEN_NOW = Date.UTC(2024, 0, 1);
/** Math.random's seed; fixed, so a task checks the same on every machine. */
export const RANDOM_SEED = 0x2545f491;

// Everything that does not depend on the job. Kept as one template so a reader sees the
// guest code as the guest sees it; the job-specific values are spliced in at the top.
const BODY = String.raw`
  var G = globalThis, O = Object, R = Reflect;
  var getProto = O.getPrototypeOf, getDesc = O.getOwnPropertyDescriptor, keysOf = O.keys,
      symbolsOf = O.getOwnPropertySymbols, defineProp = O.defineProperty, hasOwn = O.hasOwn,
      isArray = Array.isArray, apply = R.apply, construct = R.construct, quote = JSON.stringify,
      isView = ArrayBuffer.isView, imul = Math.imul, sortArray = Array.prototype.sort,
      strSlice = String.prototype.slice, strIndexOf = String.prototype.indexOf,
      charCodeAt = String.prototype.charCodeAt;
  var ObjectProto = O.prototype, ArrayProto = Array.prototype, ErrorProto = Error.prototype,
      SyntaxErrorProto = SyntaxError.prototype,
      InternalErrorProto = typeof InternalError === 'function' ? InternalError.prototype : null,
      PromiseProto = Promise.prototype, MapProto = Map.prototype, SetProto = Set.prototype,
      WeakMapProto = WeakMap.prototype, WeakSetProto = WeakSet.prototype,
      WeakRefProto = typeof WeakRef === 'function' ? WeakRef.prototype : null,
      DateProto = Date.prototype, RegExpProto = RegExp.prototype,
      ArrayBufferProto = ArrayBuffer.prototype, BooleanProto = Boolean.prototype,
      NumberProto = Number.prototype, StringProto = String.prototype,
      SymbolProto = Symbol.prototype, BigIntProto = BigInt.prototype;
  var AsyncFunctionProto = getProto(async function () {}),
      GeneratorFunctionProto = getProto(function* () {}),
      AsyncGeneratorFunctionProto = getProto(async function* () {}),
      GeneratorProto = GeneratorFunctionProto.prototype,
      AsyncGeneratorProto = AsyncGeneratorFunctionProto.prototype,
      IteratorProto = getProto(GeneratorProto);

  function hide(obj, key, value) {
    defineProp(obj, key, { value: value, writable: true, configurable: true, enumerable: false });
  }

  // ---- determinism: seeded Math.random (mulberry32), frozen Date ----
  var seed = SEED | 0;
  hide(Math, 'random', function random() {
    seed = (seed + 0x6d2b79f5) | 0;
    var t = imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
  var RealDate = Date, dateToString = DateProto.toString;
  // Called as a function: the string of the frozen instant; with new and no
  // arguments: the frozen instant; with arguments: an ordinary Date.
  var FrozenDate = function (year, month, day, hours, minutes, seconds, ms) {
    if (new.target === undefined) return apply(dateToString, construct(RealDate, [NOW]), []);
    return construct(RealDate, arguments.length === 0 ? [NOW] : arguments, new.target);
  };
  defineProp(FrozenDate, 'name', { value: 'Date', configurable: true });
  FrozenDate.prototype = DateProto;
  hide(DateProto, 'constructor', FrozenDate);
  hide(FrozenDate, 'now', function now() { return NOW; });
  hide(FrozenDate, 'parse', RealDate.parse);
  hide(FrozenDate, 'UTC', RealDate.UTC);
  hide(G, 'Date', FrozenDate);

  // ---- canonical form (src/core/values.ts has the rules) ----
  var INVALID = {}, invalidWhat = '', invalidPath = '';
  var ancestors = { __proto__: null }, keysAt = { __proto__: null };

  function isIdent(k) {
    if (k.length === 0) return false;
    for (var i = 0; i < k.length; i++) {
      var c = apply(charCodeAt, k, [i]);
      var letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
      if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
    }
    return true;
  }
  function pathTo(depth) {
    var p = '';
    for (var i = 1; i <= depth; i++) {
      var k = keysAt[i];
      p = p + (typeof k === 'number' ? '[' + k + ']' : isIdent(k) ? '.' + k : '[' + quote(k) + ']');
    }
    return p;
  }
  function clip(s, n) {
    return s.length > n ? apply(strSlice, s, [0, n]) + '…' : s;
  }
  function bad(what, depth) {
    invalidWhat = what;
    invalidPath = pathTo(depth);
    throw INVALID;
  }
  function invalidReason() {
    return invalidPath === '' ? 'output is ' + invalidWhat : 'output contains ' + invalidWhat + ' at ' + clip(invalidPath, 120);
  }
  function protoChainHas(v, target) {
    for (var p = getProto(v), n = 0; p !== null && n < 32; p = getProto(p), n++) if (p === target) return true;
    return false;
  }
  function functionKind(v) {
    var p = getProto(v);
    if (p === AsyncFunctionProto) return 'an async function';
    if (p === GeneratorFunctionProto) return 'a generator function';
    if (p === AsyncGeneratorFunctionProto) return 'an async generator function';
    return 'a function';
  }
  function objectKind(v, proto) {
    if (proto === PromiseProto) return 'a Promise (is f async?)';
    if (proto === MapProto) return 'a Map';
    if (proto === SetProto) return 'a Set';
    if (proto === WeakMapProto) return 'a WeakMap';
    if (proto === WeakSetProto) return 'a WeakSet';
    if (proto === WeakRefProto) return 'a WeakRef';
    if (proto === DateProto) return 'a Date';
    if (proto === RegExpProto) return 'a RegExp';
    if (proto === ArrayBufferProto) return 'an ArrayBuffer';
    if (proto === BooleanProto || proto === NumberProto || proto === StringProto || proto === SymbolProto || proto === BigIntProto) return 'a boxed primitive (new Number/String/Boolean)';
    if (isView(v)) return 'a typed array';
    if (protoChainHas(v, ErrorProto)) return 'an Error object';
    if (protoChainHas(v, GeneratorProto)) return 'a generator object (is f a generator?)';
    if (protoChainHas(v, AsyncGeneratorProto)) return 'an async generator object (is f an async generator?)';
    if (protoChainHas(v, IteratorProto)) return 'an iterator';
    var c = getDesc(proto, 'constructor');
    if (c !== undefined && hasOwn(c, 'value') && typeof c.value === 'function') {
      var n = getDesc(c.value, 'name');
      if (n !== undefined && hasOwn(n, 'value') && typeof n.value === 'string' && n.value !== '') return 'an instance of ' + clip(n.value, 60);
    }
    return 'an object with a custom prototype';
  }

  function canon(v, depth) {
    switch (typeof v) {
      case 'number':
        return v !== v ? 'NaN' : v === 1 / 0 ? 'Infinity' : v === -1 / 0 ? '-Infinity' : v === 0 && 1 / v < 0 ? '-0' : '' + v;
      case 'string':
        if (v.length > MAX_CHARS) bad('a string of ' + v.length + ' characters (over the ' + MAX_CHARS + ' limit)', depth);
        return quote(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'undefined':
        return 'undefined';
      case 'bigint':
        return '' + v + 'n';
      case 'symbol':
        return bad('a symbol', depth);
      case 'function':
        return bad(functionKind(v), depth);
    }
    if (v === null) return 'null';
    if (depth >= MAX_DEPTH) bad('nesting deeper than ' + MAX_DEPTH + ' levels', depth);
    for (var a = 0; a < depth; a++) if (ancestors[a] === v) bad('a cycle', depth);
    ancestors[depth] = v;
    var proto = getProto(v), out, i, d;
    if (isArray(v)) {
      if (proto !== ArrayProto) bad('an array subclass', depth);
      var len = v.length;
      if (len * 2 - 1 > MAX_CHARS) bad('an array of ' + len + ' elements (over the ' + MAX_CHARS + ' character limit)', depth);
      out = '[';
      for (i = 0; i < len; i++) {
        keysAt[depth + 1] = i;
        d = getDesc(v, i);
        if (d !== undefined && !hasOwn(d, 'value')) bad('a getter or setter', depth + 1);
        out = out + (i > 0 ? ',' : '') + (d === undefined ? 'undefined' : canon(d.value, depth + 1));
        if (out.length > MAX_CHARS) bad('more than ' + MAX_CHARS + ' characters of canonical text', depth);
      }
      out = out + ']';
    } else if (proto === ObjectProto || proto === null) {
      var syms = symbolsOf(v);
      for (i = 0; i < syms.length; i++) {
        d = getDesc(v, syms[i]);
        if (d !== undefined && d.enumerable) bad('a symbol key', depth);
      }
      var keys = keysOf(v);
      apply(sortArray, keys, []);
      out = '{';
      for (i = 0; i < keys.length; i++) {
        var k = keys[i];
        keysAt[depth + 1] = k;
        d = getDesc(v, k);
        if (d === undefined) continue;
        if (!hasOwn(d, 'value')) bad('a getter or setter', depth + 1);
        out = out + (out.length > 1 ? ',' : '') + quote(k) + ':' + canon(d.value, depth + 1);
        if (out.length > MAX_CHARS) bad('more than ' + MAX_CHARS + ' characters of canonical text', depth);
      }
      out = out + '}';
    } else {
      bad(objectKind(v, proto), depth);
    }
    ancestors[depth] = undefined;
    return out;
  }

  // ---- thrown values ----
  // QuickJS reports its own limits as InternalError; those are verdicts, not f's errors.
  function limitKind(e) {
    if (InternalErrorProto === null || e === null || typeof e !== 'object' || getProto(e) !== InternalErrorProto) return '';
    var m = getDesc(e, 'message');
    if (m === undefined || !hasOwn(m, 'value')) return '';
    if (m.value === 'out of memory') return 'memory';
    if (m.value === 'stack overflow') return 'stack';
    // Rope strings make doubling cheap, so QuickJS's string length cap can come first.
    if (m.value === 'string too long') return 'memory';
    return '';
  }
  function describe(e) {
    try {
      if (e !== null && (typeof e === 'object' || typeof e === 'function') && protoChainHas(e, ErrorProto)) {
        var name = e.name, message = e.message;
        name = typeof name === 'string' && name !== '' ? name : 'Error';
        return clip(typeof message === 'string' && message !== '' ? name + ': ' + message : name, 300);
      }
      return clip(canon(e, 0), 300);
    } catch (e2) {
      return 'a value of type ' + typeof e;
    }
  }
  var MEM_TEXT = 'out of memory (the heap limit is ' + MEM_MB + ' MB)';
  var STACK_TEXT = 'stack overflow (the stack limit is ' + STACK_KB + ' KB; is the recursion unbounded?)';

  // ---- running f ----
  var done = 0, progress = '';
  function item(verdict, reason, output) {
    return '[' + quote(verdict) + ',' + quote(reason) + ',' + quote(output) + ']';
  }
  function runInput(index) {
    var first = '';
    for (var r = 0; r < RUNS; r++) {
      var fn;
      try { fn = typeof f === 'function' ? f : undefined; } catch (e) { fn = undefined; }
      if (fn === undefined) {
        return r === 0
          ? item('error', 'program does not define a function f', '')
          : item('nondeterministic', 'f is no longer a function after run ' + r + ' (which gave ' + clip(first, 200) + ')', '');
      }
      var args = INPUTS[index](), out, threw = false, verdict = 'ok', text;
      try { out = apply(fn, undefined, args); } catch (e) { threw = true; out = e; }
      if (threw) {
        var lim = limitKind(out);
        verdict = lim === '' ? 'error' : 'memory';
        text = lim === 'memory' ? MEM_TEXT : lim === 'stack' ? STACK_TEXT : 'f threw ' + describe(out);
      } else {
        try {
          text = canon(out, 0);
        } catch (e) {
          var lim2 = e === INVALID ? '' : limitKind(e);
          verdict = lim2 === '' ? 'invalid-output' : 'memory';
          text = e === INVALID ? invalidReason() : lim2 === 'memory' ? MEM_TEXT : lim2 === 'stack' ? STACK_TEXT : 'reading the output threw ' + describe(e);
        }
      }
      if (r === 0) {
        if (verdict !== 'ok') return item(verdict, text, '');
        first = text;
      } else if (verdict !== 'ok') {
        return item('nondeterministic', 'f gave different results for the same input: first ' + clip(first, 200) + ', then ' + verdict + ' (' + clip(text, 200) + ')', '');
      } else if (text !== first) {
        return item('nondeterministic', 'f gave different outputs for the same input: first ' + clip(first, 200) + ', then ' + clip(text, 200), '');
      }
    }
    return item('ok', '', first);
  }

  return function host(op, value) {
    if (op === 0) {
      for (; done < INPUTS.length; done++) progress = progress + (done > 0 ? ',' : '') + runInput(done);
      return '[' + progress + ']';
    }
    if (op === 1) return '[' + progress + ']';
    if (op === 3) {
      try { return typeof f === 'function' ? '' : 'program does not define a function f'; } catch (e) { return 'program does not define a function f'; }
    }
    var kind = limitKind(value);
    if (kind !== '') return kind + '\n' + (kind === 'memory' ? MEM_TEXT : STACK_TEXT);
    if (value !== null && typeof value === 'object' && getProto(value) === SyntaxErrorProto) {
      var file = getDesc(value, 'fileName'), stack = getDesc(value, 'stack'), message = getDesc(value, 'message');
      // A parse error carries the program's file name and no "<eval>" frame; a
      // SyntaxError thrown by running code (or by eval inside it) has one.
      if (file !== undefined && file.value === PROGRAM_FILE && stack !== undefined && typeof stack.value === 'string' &&
          apply(strIndexOf, stack.value, ['<eval>']) < 0 && message !== undefined && typeof message.value === 'string') {
        return 'syntax\n' + message.value + '\n' + stack.value;
      }
    }
    return 'throw\n' + describe(value);
  };
`;

/** The prelude for one job: an expression whose value is the host function. */
export function preludeSource(o: PreludeOptions): string {
  const num = (n: number) => {
    if (!Number.isFinite(n)) throw new RangeError(`prelude: ${n} is not a finite number`);
    return String(n);
  };
  // The inputs are checked, re-printed literals (no identifiers, no calls): each
  // factory builds a fresh argument array when called.
  const inputs = o.inputs.map((src) => `function () { return ${src}; }`).join(',\n    ');
  return `(function () {
  'use strict';
  var SEED = ${num(o.seed)}, NOW = ${num(o.now)}, RUNS = ${num(o.runs)}, MAX_CHARS = ${num(o.maxOutputChars)}, MAX_DEPTH = ${num(o.maxDepth)},
      MEM_MB = ${num(Math.round((o.memoryBytes / 1048576) * 10) / 10)}, STACK_KB = ${num(Math.round(o.stackBytes / 1024))},
      PROGRAM_FILE = ${JSON.stringify(o.programFile)};
  var INPUTS = [
    ${inputs}
  ];
${BODY}
})()`;
}
