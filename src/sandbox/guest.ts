// The guest side of the runner: JavaScript that runs inside QuickJS, in two parts.
//
// SYSTEM runs once per QuickJS runtime, in a context of its own that guest programs
// never see. It holds the run loop and the canonicaliser (the rules of
// src/core/values.ts). Its value, one function, stays with the host.
//
// JOB (the job prelude) is a small expression the system function evaluates in each
// job's fresh context (through that context's own indirect eval, so everything it makes
// belongs to the job's realm) before the program runs. Its value is the job's "bundle",
// an array only the system function holds: a function that looks up the program's `f`,
// the job's settings, the determinism shims, and one zero-argument factory per input, so
// each run gets freshly built arguments and f mutating its argument cannot leak into the
// next run. The system function then installs the determinism rules with the job
// realm's own Object.defineProperty: Math.random becomes a seeded PRNG (not reset between
// runs, so a program that uses it shows up as nondeterministic) and Date is frozen at one
// instant (Date.now(), new Date() and Date()).
//
// A shim is only built for a program whose text names it (`random`, `Date`, see
// jobFeatures); otherwise Math.random is undefined in the job's realm and the runner
// creates the context without Date at all. Either way neither is a source of
// nondeterminism: present means frozen, absent means a program that reaches one anyway
// (by a computed name) gets an error. Building both shims for every job cost about a
// quarter of a typical job (QuickJS parses at roughly 0.2 µs per character in WASM).
//
// Why two contexts: at that parsing speed a canonicaliser compiled into every job's
// context would cost several times the rest of the job. Contexts in one runtime can call each other's functions, so the system
// function reads the job's values directly. Nothing from the system realm is ever
// handed to job code (no function, no object), so a program cannot reach the system
// context's globals, and what one job does to its own realm dies with its context.
//
// The system code captures every intrinsic it uses before any program exists, keeps its
// working state in null-prototype objects, and reads job objects only through the job
// realm's reflection builtins (Object.getOwnPropertyDescriptor and friends), captured
// from the fresh context before its prelude and program run: a program that redefines
// Object, Array or JSON, or puts setters on Object.prototype, changes nothing. It does
// run job code while reading an output (getters are refused, but Proxy traps and the
// like run); the runtime's deadline covers that.
//
// The host calls the system function as host(op, a, b):
//   op 5 (a = the job context's global object, b = the job prelude's source): start a
//        job: capture the fresh realm's builtins, evaluate the prelude there, install
//        the determinism rules;
//   op 0: run every input, end the job and return the results text (a JSON array of
//        RawResult); one call does all of a job's work, so a job costs the host four
//        calls into QuickJS: new context, op 5, the program, op 0;
//   op 1: the results of the inputs finished so far (after an abort);
//   op 2 (b = value): classify a value the program's top level threw ("kind\ntext",
//        RawThrowKind);
//   op 3: '' when the program defines a function f, else the reason it does not;
//   op 4: end the job (drop every reference to its values); op 0 does this itself when
//        it completes, so the host calls it only after an abort or a failure.
import { tokenizer } from 'acorn';

/** The system function's operations (see the list above). */
export const OP = { RUN: 0, PARTIAL: 1, CLASSIFY: 2, DEFINES_F: 3, END: 4, START: 5 } as const;

/**
 * Per-input entry of the results text: [verdict, reason, output, extra]. Output is the
 * canonical text with numbers as '#'+bits (see SYSTEM's $number). For `nondeterministic`
 * the host writes the message: reason is then 'outputs' (output and extra are the two
 * canonical texts), 'result' (extra describes the failed later run) or 'gone' (f stopped
 * being a function; extra is the run number).
 */
export type RawResult = [verdict: string, reason: string, output: string, extra: string];

/** What op 2 returns before its first newline. */
export type RawThrowKind = 'syntax' | 'memory' | 'stack' | 'throw';

export interface JobPreludeOptions {
  /** Guest sources of each input's argument array (from core/literals guestArgumentsSource). */
  inputs: readonly string[];
  /** Build the frozen Date (else the job has no Date the program may use). */
  date: boolean;
  /** Build the seeded Math.random (else Math.random is undefined). */
  random: boolean;
  /** Runs of f per input (≥ 1). */
  runs: number;
  maxOutputChars: number;
  maxDepth: number;
  /** For messages only. */
  memoryBytes: number;
  stackBytes: number;
}

/** The instant the guest's Date shows: 2024-01-01T00:00:00Z. */
export const FROZEN_NOW = Date.UTC(2024, 0, 1);
/** Math.random's seed; fixed, so a task checks the same on every machine. */
export const RANDOM_SEED = 0x2545f491;
/** File name the program is evaluated under; a parse error carries it. */
export const PROGRAM_FILE = 'program.js';

// Bundle layout (JOB builds it, SYSTEM reads it).
//   [0] function returning the program's f (or whatever the name holds; undefined when unbound)
//   [1] settings: runs, maxChars, maxDepth, heap limit in MB, stack limit in KB (the last two for messages)
//   [2] Math.random's replacement, or 0
//   [3] [Date's replacement, its now()], or 0
//   [4…] input factories
// Indirect eval runs it as sloppy code; nothing in it differs under strict mode but the
// Date shim's `arguments`, which is strict there.
const JOB = String.raw`[function () { try { return f; } catch (e) {} }, [__RUNS__, __MAX_CHARS__, __MAX_DEPTH__, __MEM_MB__, __STACK_KB__], __RANDOM__, __DATE__, __INPUTS__]`;

// mulberry32; the closure's seed is the state.
const RANDOM = String.raw`
(function ($s, $imul) {
  return function random() {
    $s = ($s + 0x6d2b79f5) | 0;
    var t = $imul($s ^ ($s >>> 15), 1 | $s);
    t = (t + $imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
})(__SEED__ | 0, Math.imul)
`;

// As a function: the frozen instant's string; with new and no arguments: the frozen
// instant; with arguments: an ordinary Date. (arguments, not a spread: a spread would use
// an iterator the program can replace.) Seven parameters, as Date.length is 7. The real
// Date and the Reflect functions are the closure's, read before the program exists.
const DATE = String.raw`
(function ($D, $apply, $construct, $toString, $now) {
  'use strict';
  return [
    function Date(y, m, d, h, i, s, l) {
      if (new.target === undefined) return $apply($toString, $construct($D, [$now]), []);
      return $construct($D, arguments.length === 0 ? [$now] : arguments, new.target);
    },
    function now() { return $now; }
  ];
})(Date, Reflect.apply, Reflect.construct, Date.prototype.toString, __NOW__)
`;

const SYSTEM = String.raw`
(function () {
  'use strict';
  var $O = Object;
  var $hasOwn = $O.hasOwn, $isArray = Array.isArray, $sort = Array.prototype.sort, $apply = Reflect.apply,
      $quote = JSON.stringify, $isView = ArrayBuffer.isView, $slice = String.prototype.slice,
      $charCodeAt = String.prototype.charCodeAt, $indexOf = String.prototype.indexOf,
      $tagKey = Symbol.toStringTag, $OwnInternalErrorProto = InternalError.prototype, $floor = Math.floor;
  // Number → text is left to the host: QuickJS does not always print the shortest
  // round-trip digits (2 ** 182 comes out as 6.1299821634635554e+54, not
  // 6.129982163463556e+54), and the host must spell a number in an output exactly as
  // it spells the same number in a literal. Integers up to 2^53 print the same
  // everywhere; any other number goes out as '#' + its 64 IEEE bits in hex, which the
  // host replaces (runner.ts, fromGuestCanonical). '#' never occurs outside a string
  // in canonical text, and comparing bits is exact, so determinism checks use this form.
  var $f64 = new Float64Array(1), $u32 = new Uint32Array($f64.buffer), $hexDigits = '0123456789abcdef';
  function $hex8(n) {
    var s = '';
    for (var i = 28; i >= 0; i -= 4) s = s + $hexDigits[(n >>> i) & 15];
    return s;
  }
  function $number(v) {
    if (v !== v) return 'NaN';
    if (v === 1 / 0) return 'Infinity';
    if (v === -1 / 0) return '-Infinity';
    if (v === 0) return 1 / v < 0 ? '-0' : '0';
    if (v === $floor(v) && v >= -9007199254740992 && v <= 9007199254740992) return '' + v;
    if (!$exact) return '' + v;
    $f64[0] = v;
    return '#' + $hex8($u32[1]) + $hex8($u32[0]);
  }
  // False while describing a thrown value: messages take QuickJS's own spelling.
  var $exact = true;

  // <harden>
  // Harden this realm once: freeze everything reachable from its global object and its
  // hidden intrinsics. Job values are read only through the job realm's own builtins
  // (below), but QuickJS creates some objects in the *calling* context; should a
  // system-realm object ever reach job code, frozen, it cannot carry anything from one
  // job to the next.
  (function () {
    var getProto = $O.getPrototypeOf, getDesc = $O.getOwnPropertyDescriptor, freeze = $O.freeze, ownKeys = Reflect.ownKeys;
    var gen = getProto(function* () {}), agen = getProto(async function* () {});
    var todo = [globalThis, getProto(async function () {}), gen, gen.prototype, agen, agen.prototype,
      getProto(gen.prototype), getProto([][Symbol.iterator]()), getProto(new Map()[Symbol.iterator]()),
      getProto(new Set()[Symbol.iterator]()), getProto(''[Symbol.iterator]()), getProto(/x/[Symbol.matchAll]('')),
      getProto(Int8Array)];
    // Iterator helpers (newer QuickJS): their prototypes hang off no global either.
    try {
      todo.push(getProto([].values().map(function (x) { return x; })), getProto(Iterator.from({ next: function () { return { done: true }; } })));
    } catch (e) {}
    var seen = new Set();
    while (todo.length > 0) {
      var o = todo.pop();
      if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
      seen.add(o);
      freeze(o);
      todo.push(getProto(o));
      var keys = ownKeys(o);
      for (var i = 0; i < keys.length; i++) {
        var d = getDesc(o, keys[i]);
        if (d === undefined) continue;
        if ($hasOwn(d, 'value')) todo.push(d.value);
        else todo.push(d.get, d.set);
      }
    }
  })();
  // </harden>

  // ---- per-job state ----
  // The job realm's reflection builtins and constructors, read from its global object
  // before the program runs ($capture). Calling the job's own builtins means that any
  // Proxy trap or getter they run is invoked from the job's realm, never from this one.
  var $getProto, $getDesc, $keysOf, $symbolsOf, $get, $call, $ctors;
  var $ObjectProto, $ArrayProto, $InternalErrorProto, $SyntaxErrorProto, $ErrorProto;
  var $bundle, $runs, $maxChars, $maxDepth, $memText, $stackText;
  // Descriptors for the job realm's defineProperty: read by it, never handed to job code.
  var $hidden = { __proto__: null, value: undefined, writable: true, enumerable: false, configurable: true }, $valueOnly = { __proto__: null, value: undefined };
  var $done = 0, $progress = '';
  var $INVALID = {}, $invalidReason = '';
  var $ancestors = { __proto__: null }, $keysAt = { __proto__: null };
  // Constructors read from the job's global, by name; [0..4] are also used for checks.
  var $ctorNames = ['Object', 'Array', 'InternalError', 'SyntaxError', 'Error', 'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet',
    'WeakRef', 'Date', 'RegExp', 'ArrayBuffer', 'Boolean', 'Number', 'String', 'Symbol', 'BigInt'];
  var $kindNames = ['a Promise (is f async?)', 'a Map', 'a Set', 'a WeakMap', 'a WeakSet', 'a WeakRef', 'a Date', 'a RegExp',
    'an ArrayBuffer', 'a boxed boolean', 'a boxed number', 'a boxed string', 'a boxed symbol', 'a boxed bigint'];

  // Start a job in the fresh realm whose global object is g, before any program code.
  function $start(g, prelude) {
    var O = g.Object, R = g.Reflect;
    $getProto = O.getPrototypeOf;
    $getDesc = O.getOwnPropertyDescriptor;
    $keysOf = O.keys;
    $symbolsOf = O.getOwnPropertySymbols;
    $get = R.get;
    // f is called through the job realm's Reflect.apply: a builtin runs in its own realm,
    // so whatever QuickJS builds for the call (an async f's promise, a Proxy's argument
    // array) belongs to the job, as it would if the program called f itself.
    $call = R.apply;
    $ctors = { __proto__: null };
    for (var i = 0; i < $ctorNames.length; i++) $ctors[i] = g[$ctorNames[i]];
    $ObjectProto = $ctors[0].prototype; $ArrayProto = $ctors[1].prototype;
    $InternalErrorProto = $ctors[2].prototype; $SyntaxErrorProto = $ctors[3].prototype; $ErrorProto = $ctors[4].prototype;
    $done = 0;
    $progress = '';
    // The job realm's own (indirect) eval: the bundle and its functions are the job's.
    var b = $bundle = g.eval(prelude), s = b[1];
    $runs = s[0]; $maxChars = s[1]; $maxDepth = s[2];
    $memText = 'out of memory (the heap limit is ' + s[3] + ' MB)';
    $stackText = 'stack overflow (the stack limit is ' + s[4] + ' KB; is the recursion unbounded?)';
    var define = O.defineProperty, M = g.Math;
    // Without the shim, Math.random holds undefined. (Any first write to Math.random in a
    // fresh realm costs several microseconds; deleting it costs a little more.)
    if (b[2] !== 0) $define(define, M, 'random', b[2]);
    else M.random = undefined;
    if (b[3] !== 0) {
      var real = g.Date, proto = real.prototype, fake = b[3][0];
      $valueOnly.value = proto;
      define(fake, 'prototype', $valueOnly);
      $valueOnly.value = undefined;
      $define(define, proto, 'constructor', fake);
      $define(define, fake, 'now', b[3][1]);
      $define(define, fake, 'parse', real.parse);
      $define(define, fake, 'UTC', real.UTC);
      $define(define, g, 'Date', fake);
    }
  }
  // A writable, configurable, non-enumerable data property, as builtins have.
  function $define(define, obj, key, value) {
    $hidden.value = value;
    define(obj, key, $hidden);
    $hidden.value = undefined;
  }
  // Drop every reference to the job's values, so its context can be freed.
  function $end() {
    $getProto = $getDesc = $keysOf = $symbolsOf = $get = $call = $ctors = $bundle = undefined;
    $ObjectProto = $ArrayProto = $InternalErrorProto = $SyntaxErrorProto = $ErrorProto = undefined;
    $ancestors = { __proto__: null };
  }

  // ---- messages (failure paths only) ----
  function $clip(s, n) {
    return s.length > n ? $apply($slice, s, [0, n]) + '…' : s;
  }
  function $isIdent(k) {
    if (k.length === 0) return false;
    for (var i = 0; i < k.length; i++) {
      var c = $apply($charCodeAt, k, [i]);
      var letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
      if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
    }
    return true;
  }
  // $keysAt[1..depth] are the keys from the output down to the offending value.
  function $pathTo(depth) {
    var p = '';
    for (var i = 1; i <= depth; i++) {
      var k = $keysAt[i];
      p = p + (typeof k === 'number' ? '[' + k + ']' : $isIdent(k) ? '.' + k : '[' + $quote(k) + ']');
    }
    return $clip(p, 120);
  }
  function $chainHas(v, target) {
    for (var p = $getProto(v), n = 0; p !== null && n < 32; p = $getProto(p), n++) if (p === target) return true;
    return false;
  }
  // The built-in prototypes of async functions, generators and iterators are not on the
  // global object; their Symbol.toStringTag names them (messages only, so a program that
  // fakes a tag only changes the wording).
  function $tag(v) {
    var t = $get(v, $tagKey);
    return typeof t === 'string' ? t : '';
  }
  function $functionKind(v) {
    var t = $tag($getProto(v));
    return t === 'AsyncFunction' ? 'an async function' : t === 'GeneratorFunction' ? 'a generator function' : t === 'AsyncGeneratorFunction' ? 'an async generator function' : 'a function';
  }
  function $objectKind(v, proto) {
    for (var i = 0; i < $kindNames.length; i++) if ($ctors[i + 5] !== undefined && proto === $ctors[i + 5].prototype) return $kindNames[i];
    if ($isView(v)) return 'a typed array';
    if ($chainHas(v, $ErrorProto)) return 'an Error object';
    var t = $tag(v);
    if (t === 'Generator') return 'a generator object (is f a generator?)';
    if (t === 'AsyncGenerator') return 'an async generator object (is f an async generator?)';
    if (t.length > 8 && $apply($indexOf, t, ['Iterator']) === t.length - 8) return 'an iterator';
    var c = $getDesc(proto, 'constructor');
    if (c !== undefined && $hasOwn(c, 'value') && typeof c.value === 'function') {
      var n = $getDesc(c.value, 'name');
      if (n !== undefined && $hasOwn(n, 'value') && typeof n.value === 'string' && n.value !== '') return 'an instance of ' + $clip(n.value, 60);
    }
    return 'an object with a custom prototype';
  }
  // A thrown value as text: "TypeError: message" for errors, else its canonical form.
  function $describe(e) {
    try {
      if (e !== null && (typeof e === 'object' || typeof e === 'function') && $chainHas(e, $ErrorProto)) {
        var name = $get(e, 'name'), message = $get(e, 'message');
        name = typeof name === 'string' && name !== '' ? name : 'Error';
        return $clip(typeof message === 'string' && message !== '' ? name + ': ' + message : name, 300);
      }
      $exact = false;
      var text = $canon(e, 0);
      $exact = true;
      return $clip(text, 300);
    } catch (e2) {
      $exact = true;
      return 'a value of type ' + typeof e;
    }
  }

  // ---- canonical form ----
  function $bad(what, depth) {
    $invalidReason = depth === 0 ? 'output is ' + what : 'output contains ' + what + ' at ' + $pathTo(depth);
    throw $INVALID;
  }
  function $canon(v, depth) {
    switch (typeof v) {
      case 'number':
        return $number(v);
      case 'string':
        if (v.length > $maxChars) $bad('a string of ' + v.length + ' characters (over the ' + $maxChars + ' limit)', depth);
        return $quote(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'undefined':
        return 'undefined';
      case 'bigint':
        return '' + v + 'n';
      case 'symbol':
        return $bad('a symbol', depth);
      case 'function':
        return $bad($functionKind(v), depth);
    }
    if (v === null) return 'null';
    if (depth >= $maxDepth) $bad('nesting deeper than ' + $maxDepth + ' levels', depth);
    for (var a = 0; a < depth; a++) if ($ancestors[a] === v) $bad('a cycle', depth);
    $ancestors[depth] = v;
    var proto = $getProto(v), out, i, d;
    if ($isArray(v)) {
      if (proto !== $ArrayProto) $bad('an array subclass', depth);
      var len = $get(v, 'length');
      if (len * 2 - 1 > $maxChars) $bad('an array of ' + len + ' elements (over the ' + $maxChars + ' character limit)', depth);
      out = '[';
      for (i = 0; i < len; i++) {
        $keysAt[depth + 1] = i;
        d = $getDesc(v, i);
        if (d !== undefined && !$hasOwn(d, 'value')) $bad('a getter or setter', depth + 1);
        out = out + (i > 0 ? ',' : '') + (d === undefined ? 'undefined' : $canon(d.value, depth + 1));
        if (out.length > $maxChars) $bad('more than ' + $maxChars + ' characters of canonical text', depth);
      }
      out = out + ']';
    } else if (proto === $ObjectProto || proto === null) {
      var syms = $symbolsOf(v);
      for (i = 0; i < syms.length; i++) {
        d = $getDesc(v, syms[i]);
        if (d !== undefined && d.enumerable) $bad('an object with a symbol key', depth);
      }
      var keys = $keysOf(v);
      $apply($sort, keys, []);
      out = '{';
      for (i = 0; i < keys.length; i++) {
        var k = keys[i];
        $keysAt[depth + 1] = k;
        d = $getDesc(v, k);
        if (d === undefined) continue;
        if (!$hasOwn(d, 'value')) $bad('a getter or setter', depth + 1);
        out = out + (out.length > 1 ? ',' : '') + $quote(k) + ':' + $canon(d.value, depth + 1);
        if (out.length > $maxChars) $bad('more than ' + $maxChars + ' characters of canonical text', depth);
      }
      out = out + '}';
    } else {
      $bad($objectKind(v, proto), depth);
    }
    $ancestors[depth] = undefined;
    return out;
  }

  // QuickJS reports its own limits as InternalError; those are verdicts, not f's errors.
  // Rope strings make doubling cheap, so the string length cap can come before the heap
  // limit. The error is the job realm's, or this realm's when system code ran out.
  function $limitKind(e) {
    if (e === null || typeof e !== 'object') return '';
    var p = $getProto(e);
    if (p !== $InternalErrorProto && p !== $OwnInternalErrorProto) return '';
    var m = $getDesc(e, 'message');
    if (m === undefined || !$hasOwn(m, 'value')) return '';
    if (m.value === 'out of memory' || m.value === 'string too long') return 'memory';
    if (m.value === 'stack overflow') return 'stack';
    return '';
  }
  function $limitText(kind) {
    return kind === 'memory' ? $memText : $stackText;
  }

  // ---- running f ----
  // [verdict, reason, output, extra]; see RawResult.
  function $item(verdict, reason, output, extra) {
    return '[' + $quote(verdict) + ',' + $quote(reason) + ',' + $quote(output) + ',' + $quote(extra === undefined ? '' : extra) + ']';
  }
  function $runInput(index) {
    var first = '';
    for (var r = 0; r < $runs; r++) {
      var fn = $bundle[0]();
      if (typeof fn !== 'function') {
        return r === 0
          ? $item('error', 'program does not define a function f', '')
          : $item('nondeterministic', 'gone', first, '' + r);
      }
      var args = $bundle[4 + index](), out, threw = false, verdict = 'ok', text, kind;
      try {
        out = $call(fn, undefined, args);
      } catch (e) {
        threw = true;
        out = e;
      }
      if (threw) {
        kind = $limitKind(out);
        verdict = kind === '' ? 'error' : 'memory';
        text = kind === '' ? 'f threw ' + $describe(out) : $limitText(kind);
      } else {
        try {
          text = $canon(out, 0);
        } catch (e) {
          kind = e === $INVALID ? '' : $limitKind(e);
          verdict = kind === '' ? 'invalid-output' : 'memory';
          text = e === $INVALID ? $invalidReason : kind !== '' ? $limitText(kind) : 'reading the output threw ' + $describe(e);
        }
      }
      if (r === 0) {
        if (verdict !== 'ok') return $item(verdict, text, '');
        first = text;
      } else if (verdict !== 'ok') {
        return $item('nondeterministic', 'result', first, verdict + ' (' + $clip(text, 200) + ')');
      } else if (text !== first) {
        return $item('nondeterministic', 'outputs', first, text);
      }
    }
    return $item('ok', '', first, '');
  }

  function $classify(value) {
    var kind = $limitKind(value);
    if (kind !== '') return kind + '\n' + $limitText(kind);
    if (value !== null && typeof value === 'object' && $getProto(value) === $SyntaxErrorProto) {
      var file = $getDesc(value, 'fileName'), stack = $getDesc(value, 'stack'), message = $getDesc(value, 'message');
      // A parse error carries the program's file name and no "<eval>" frame; a
      // SyntaxError thrown by running code (or by eval inside it) has one.
      if (file !== undefined && file.value === __PROGRAM_FILE__ && stack !== undefined && typeof stack.value === 'string' &&
          $apply($indexOf, stack.value, ['<eval>']) < 0 && message !== undefined && typeof message.value === 'string') {
        return 'syntax\n' + message.value + '\n' + stack.value;
      }
    }
    return 'throw\n' + $describe(value);
  }

  return function (op, a, b) {
    if (op === 5) return $start(a, b);
    if (op === 4) return $end();
    if (op === 0) {
      for (var n = $bundle.length - 4; $done < n; $done++) $progress = $progress + ($done > 0 ? ',' : '') + $runInput($done);
      $end();
      return '[' + $progress + ']';
    }
    if (op === 1) return '[' + $progress + ']';
    if (op === 2) return $classify(b);
    return typeof $bundle[0]() === 'function' ? '' : 'program does not define a function f';
  };
})()
`;

// ---- the minifier ------------------------------------------------------------------------

const WORD = /[\w$]/;

/**
 * Shrink guest source without changing its meaning: drop comments and indentation, and
 * give every identifier that starts with `$` a short name. Newlines are kept wherever
 * the source had one, so automatic semicolon insertion behaves exactly as written.
 * Only for the guest code in this file (no template literals; `$` names are ours).
 */
export function minify(src: string): string {
  const rename = new Map<string, string>();
  let out = '';
  let prevEnd = -1;
  for (const tok of tokenizer(src, { ecmaVersion: 'latest' })) {
    if (tok.type.label === 'template' || tok.type.label === '`') throw new Error('minify: template literals are not supported');
    let text = src.slice(tok.start, tok.end);
    if (tok.type.label === 'name' && text.startsWith('$')) {
      let short = rename.get(text);
      if (short === undefined) {
        short = `$${rename.size.toString(36)}`;
        rename.set(text, short);
      }
      text = short;
    }
    if (prevEnd >= 0) {
      const gap = src.slice(prevEnd, tok.start).replace(/\/\*[\s\S]*?\*\//g, ' ');
      const last = out[out.length - 1];
      if (/[\n\r\u2028\u2029]/.test(gap)) out += '\n';
      else if ((WORD.test(last) && WORD.test(text[0])) || ('+-/'.includes(last) && '+-/='.includes(text[0]))) out += ' ';
    }
    out += text;
    prevEnd = tok.end;
  }
  // Lines that held only a comment leave empty lines behind.
  return out.replace(/\n+/g, '\n');
}

const HOLE = /__(RUNS|MAX_CHARS|MAX_DEPTH|MEM_MB|STACK_KB|INPUTS|SEED|NOW|PROGRAM_FILE|RANDOM|DATE)__/g;

/** Minified source cut at its holes: [text, hole name, text, …, text]. */
function template(src: string): string[] {
  return minify(src).split(HOLE);
}
function fill(pieces: readonly string[], values: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < pieces.length; i++) out += i % 2 === 0 ? pieces[i] : values[pieces[i]];
  return out;
}
const finite = (n: number): string => {
  if (!Number.isFinite(n)) throw new RangeError(`guest: ${n} is not a finite number`);
  return String(n);
};

const JOB_PIECES = template(JOB);
const RANDOM_SOURCE = fill(template(RANDOM), { SEED: finite(RANDOM_SEED) });
const DATE_SOURCE = fill(template(DATE), { NOW: finite(FROZEN_NOW) });

/** The system source: evaluated once per runtime in the system context; its value is the host function. */
export const SYSTEM_SOURCE = fill(template(SYSTEM), { PROGRAM_FILE: JSON.stringify(PROGRAM_FILE) });

/**
 * The same canonicaliser and run loop without the realm hardening, for the naive
 * baseline (naive.ts), which evaluates it in the job's own context for every check:
 * there is no shared realm to protect there, and freezing a realm that dies with the
 * check would only add work a straightforward sandbox would not do.
 */
export const NAIVE_SYSTEM_SOURCE = fill(template(SYSTEM.replace(/\/\/ <harden>[\s\S]*?\/\/ <\/harden>\n/, '')), { PROGRAM_FILE: JSON.stringify(PROGRAM_FILE) });
if (NAIVE_SYSTEM_SOURCE.length >= SYSTEM_SOURCE.length) throw new Error('guest: the hardening block was not found in the system source');

/** The prelude of one job: evaluated in the job's context before the program; its value is the bundle. */
export function jobPreludeSource(o: JobPreludeOptions): string {
  return fill(JOB_PIECES, {
    RUNS: finite(o.runs),
    MAX_CHARS: finite(o.maxOutputChars),
    MAX_DEPTH: finite(o.maxDepth),
    MEM_MB: finite(Math.round((o.memoryBytes / 1048576) * 10) / 10),
    STACK_KB: finite(Math.round(o.stackBytes / 1024)),
    RANDOM: o.random ? RANDOM_SOURCE : '0',
    DATE: o.date ? DATE_SOURCE : '0',
    // Checked, re-printed literals (no identifiers, no calls): each factory builds a
    // fresh argument array when called.
    INPUTS: o.inputs.map((src) => `function(){return ${src}}`).join(','),
  });
}

/** What a job's realm is built with, beyond QuickJS's base objects (see jobFeatures). */
export interface JobFeatures {
  /** The frozen Date (the runner leaves out QuickJS's Date without it). */
  date: boolean;
  /** The seeded Math.random. */
  random: boolean;
  /** Map, Set, WeakMap, WeakSet, WeakRef and FinalizationRegistry. */
  mapSet: boolean;
  /** RegExp: regex literals, and String's match, matchAll and search. */
  regExp: boolean;
}

/**
 * The parts of a job's realm that its program's text names; the rest is left out, as
 * building it costs a tenth to a quarter of a typical job. A program can reach a part
 * without naming it (a computed property name, an escape in an identifier) and then
 * finds it absent: an error verdict, never a different output. The tests are loose on
 * purpose (`/` in a comment or a division keeps RegExp): leaving a part in costs a few
 * microseconds, leaving one out wrongly costs a program that works.
 */
export function jobFeatures(program: string): JobFeatures {
  return {
    date: program.includes('Date'),
    random: program.includes('random'),
    mapSet: /Map|Set|WeakRef|FinalizationRegistry/.test(program),
    // String.prototype.match, matchAll and search build a RegExp from a string; split,
    // replace and replaceAll with a string pattern do not.
    regExp: /\/|RegExp|match|search/.test(program),
  };
}
