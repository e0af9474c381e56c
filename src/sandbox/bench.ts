// The sandbox benchmark: a fixed, varied mix of checks and the ways to run it.
//   pool          — the worker pool, batches of jobs (the way self-play uses it);
//   single thread — the real runner (runner.ts), one job per (program, input) pair, one
//                   at a time on this thread: runtime reuse without batching or workers;
//   naive         — the naive runner (naive.ts), one check at a time on this thread: a
//                   fresh QuickJS runtime and canonicaliser for every check;
//   v8            — the same programs as trusted code through `new Function` (the ceiling).
// A "check" is one (program, input) pair evaluated and compared with its expected
// output (plus the determinism re-run where the sandbox does one). Environment-free:
// the CLI (cli/bench-sandbox.ts) supplies the pool and the runner.
import type { ExecJob, ExecResult, Verdict } from './types.ts';
import type { JobRunner } from './worker-api.ts';

export interface BenchCase {
  name: string;
  kind: 'string' | 'array' | 'number' | 'object' | 'failing';
  job: ExecJob;
  /** The verdict the job must get; the bench refuses to report speed for wrong answers. */
  verdict: Verdict;
}

const job = (program: string, pairs: [string, string][]): ExecJob => ({
  program,
  inputs: pairs.map(([i]) => i),
  expected: pairs.map(([, o]) => o),
});

// Ten-input jobs mirror induction validation; one-input jobs mirror deduction and
// abduction checks. The failing ones cost what failures cost (a throw, a wrong answer,
// a parse error).
export const BENCH_MIX: BenchCase[] = [
  {
    name: 'reverse string ×10',
    kind: 'string',
    verdict: 'ok',
    job: job(
      `function f(s) { return s.split('').reverse().join(''); }`,
      ['abc', 'hello', 'racecar', 'x', '', 'Hello world', 'ab cd', '12345', 'zyx', 'mississippi'].map((s) => [
        JSON.stringify(s),
        JSON.stringify([...s].reverse().join('')),
      ]),
    ),
  },
  {
    name: 'count vowels',
    kind: 'string',
    verdict: 'ok',
    job: job(`function f(s) { let n = 0; for (const c of s.toLowerCase()) if ('aeiou'.includes(c)) n++; return n; }`, [['"Absolute Zero Reasoner"', '10']]),
  },
  {
    name: 'capitalise words',
    kind: 'string',
    verdict: 'ok',
    job: job(`const f = (s) => s.split(' ').map((w) => w ? w[0].toUpperCase() + w.slice(1) : w).join(' ');`, [['"self play in a tab"', '"Self Play In A Tab"']]),
  },
  {
    name: 'run-length encode ×10',
    kind: 'string',
    verdict: 'ok',
    job: job(
      `function f(s) { let out = ''; for (let i = 0; i < s.length; ) { let j = i; while (s[j] === s[i]) j++; out += s[i] + (j - i); i = j; } return out; }`,
      ['aaab', 'abc', 'zzzz', 'aabbaa', 'q', 'xyyzzz', 'mmmmmmmm', 'abab', 'ccd', 'eeeffg'].map((s) => {
        let out = '';
        for (let i = 0; i < s.length; ) {
          let j = i;
          while (s[j] === s[i]) j++;
          out += s[i] + (j - i);
          i = j;
        }
        return [JSON.stringify(s), JSON.stringify(out)];
      }),
    ),
  },
  {
    name: 'sum of evens ×10',
    kind: 'array',
    verdict: 'ok',
    job: job(
      `function f(a) { return a.filter((x) => x % 2 === 0).reduce((s, x) => s + x, 0); }`,
      [[1, 2, 3, 4], [], [2], [5, 7], [10, 20, 30], [-2, 3], [0, 0, 1], [8, 6, 4, 2, 1], [11, 12], [100]].map((a) => [
        JSON.stringify(a),
        String(a.filter((x) => x % 2 === 0).reduce((s, x) => s + x, 0)),
      ]),
    ),
  },
  {
    name: 'running max',
    kind: 'array',
    verdict: 'ok',
    job: job(`function f(a) { const out = []; let m = -Infinity; for (const x of a) { m = Math.max(m, x); out.push(m); } return out; }`, [['[3, 1, 4, 1, 5, 9, 2, 6]', '[3, 3, 4, 4, 5, 9, 9, 9]']]),
  },
  {
    name: 'sort descending',
    kind: 'array',
    verdict: 'ok',
    job: job(`function f(a) { return [...a].sort((x, y) => y - x); }`, [['[5, 3, 8, 1, 9, 2]', '[9, 8, 5, 3, 2, 1]']]),
  },
  {
    name: 'dedupe ×10',
    kind: 'array',
    verdict: 'ok',
    job: job(
      `function f(a) { const seen = new Set(); return a.filter((x) => !seen.has(x) && seen.add(x)); }`,
      [[1, 1, 2], [3, 2, 3, 1], [], [7], [4, 4, 4, 4], [1, 2, 3], [9, 8, 9, 8], [0, -1, 0], [5, 6, 5, 7, 6], [2, 2, 3, 3]].map((a) => [
        JSON.stringify(a),
        JSON.stringify([...new Set(a)]),
      ]),
    ),
  },
  {
    name: 'fibonacci',
    kind: 'number',
    verdict: 'ok',
    job: job(`function f(n) { let a = 0, b = 1; for (let i = 0; i < n; i++) [a, b] = [b, a + b]; return a; }`, [['30', '832040']]),
  },
  {
    name: 'gcd ×10',
    kind: 'number',
    verdict: 'ok',
    job: job(
      `function f(a, b) { while (b) [a, b] = [b, a % b]; return a; }`,
      [[12, 18], [7, 5], [100, 75], [81, 27], [17, 17], [0, 9], [48, 180], [13, 39], [210, 84], [1, 1]].map(([a, b]) => {
        let x = a, y = b;
        while (y) [x, y] = [y, x % y];
        return [`${a}, ${b}`, String(x)];
      }),
    ),
  },
  {
    name: 'digit sum',
    kind: 'number',
    verdict: 'ok',
    job: job(`function f(n) { return String(Math.abs(n)).split('').reduce((s, d) => s + Number(d), 0); }`, [['98765', '35']]),
  },
  {
    name: 'is prime ×10',
    kind: 'number',
    verdict: 'ok',
    job: job(
      `function f(n) { if (n < 2) return false; for (let d = 2; d * d <= n; d++) if (n % d === 0) return false; return true; }`,
      [2, 9, 17, 1, 97, 100, 7919, 0, 15, 31].map((n) => {
        let p = n >= 2;
        for (let d = 2; d * d <= n; d++) if (n % d === 0) p = false;
        return [String(n), String(p)];
      }),
    ),
  },
  {
    name: 'char counts',
    kind: 'object',
    verdict: 'ok',
    job: job(`function f(s) { const c = {}; for (const ch of s) c[ch] = (c[ch] || 0) + 1; return c; }`, [['"banana"', '{"a": 3, "b": 1, "n": 2}']]),
  },
  {
    name: 'group by parity ×10',
    kind: 'object',
    verdict: 'ok',
    job: job(
      `function f(a) { return { even: a.filter((x) => x % 2 === 0), odd: a.filter((x) => x % 2 !== 0) }; }`,
      [[1, 2, 3], [], [4], [5, 7], [2, 4, 6], [1, 8, 3, 6], [0], [9, 10, 11], [12, 13], [21, 22, 23, 24]].map((a) => [
        JSON.stringify(a),
        JSON.stringify({ even: a.filter((x) => x % 2 === 0), odd: a.filter((x) => x % 2 !== 0) }),
      ]),
    ),
  },
  {
    name: 'invert object',
    kind: 'object',
    verdict: 'ok',
    job: job(`function f(o) { const r = {}; for (const [k, v] of Object.entries(o)) r[v] = k; return r; }`, [['{"a": "x", "b": "y", "c": "z"}', '{"x": "a", "y": "b", "z": "c"}']]),
  },
  {
    name: 'throws on input',
    kind: 'failing',
    verdict: 'error',
    job: job(`function f(x) { if (x < 0) throw new RangeError('negative'); return Math.sqrt(x); }`, [['-4', '2']]),
  },
  {
    name: 'reads a missing property',
    kind: 'failing',
    verdict: 'error',
    job: job(`function f(o) { return o.items.length; }`, [['{}', '0']]),
  },
  {
    name: 'wrong answer',
    kind: 'failing',
    verdict: 'mismatch',
    job: job(`function f(a, b) { return a * b; }`, [['6, 7', '43']]),
  },
  {
    name: 'does not parse',
    kind: 'failing',
    verdict: 'syntax',
    job: job(`function f(a { return a; }`, [['1', '1']]),
  },
];

export const checksOf = (jobs: readonly ExecJob[]) => jobs.reduce((n, j) => n + j.inputs.length, 0);

/** The mix cut into one job per (program, input) pair: what the naive baseline runs. */
export function splitPerCheck(jobs: readonly ExecJob[]): ExecJob[] {
  return jobs.flatMap((j) => j.inputs.map((input, k) => ({ ...j, inputs: [input], expected: j.expected ? [j.expected[k]] : undefined })));
}

/**
 * Each case's job run the way the one-by-one paths run it (one job per check), its
 * results joined back into one result per case, for wrongVerdicts.
 */
export function runPerCheck(runner: JobRunner, cases: readonly BenchCase[]): ExecResult[] {
  return cases.map((c) => {
    const parts = splitPerCheck([c.job]).map((j) => runner.runJob(j));
    const results = parts.flatMap((p) => p.results);
    const bad = results.find((r) => r.verdict !== 'ok');
    return { verdict: bad?.verdict ?? 'ok', reason: bad?.reason ?? '', results, ms: parts.reduce((s, p) => s + p.ms, 0) };
  });
}

export interface Timing {
  checks: number;
  ms: number;
  checksPerSec: number;
  /** Sum of ExecResult.ms (time inside the runner), when the runner reports it. */
  runnerMs: number;
}

/** Which mix jobs got a verdict other than their own: the bench reports these, not speed. */
export function wrongVerdicts(cases: readonly BenchCase[], results: readonly ExecResult[]): string[] {
  return cases.flatMap((c, i) => (results[i]?.verdict === c.verdict ? [] : [`${c.name}: expected ${c.verdict}, got ${results[i]?.verdict} (${results[i]?.reason})`]));
}

/**
 * Call `once()` (which performs some checks and says how many) until `seconds` have
 * passed; at least one call. Returns checks per second over the whole window.
 */
export async function timeLoop(seconds: number, once: () => Promise<{ checks: number; runnerMs: number }> | { checks: number; runnerMs: number }): Promise<Timing> {
  const t0 = performance.now();
  let checks = 0;
  let runnerMs = 0;
  do {
    const r = await once();
    checks += r.checks;
    runnerMs += r.runnerMs;
  } while (performance.now() - t0 < seconds * 1000);
  const ms = performance.now() - t0;
  return { checks, ms, checksPerSec: (checks * 1000) / ms, runnerMs };
}

/** Several timings of one path as one: total checks over total time. */
export function combine(parts: readonly Timing[]): Timing {
  const checks = parts.reduce((n, t) => n + t.checks, 0);
  const ms = parts.reduce((n, t) => n + t.ms, 0);
  return { checks, ms, checksPerSec: (checks * 1000) / ms, runnerMs: parts.reduce((n, t) => n + t.runnerMs, 0) };
}

/** The pool, fed `batch` again and again (the way a self-play step feeds it). */
export function timePool(run: (jobs: ExecJob[]) => Promise<ExecResult[]>, batch: ExecJob[], seconds: number): Promise<Timing> {
  const n = checksOf(batch);
  return timeLoop(seconds, async () => {
    const results = await run(batch);
    return { checks: n, runnerMs: results.reduce((s, r) => s + r.ms, 0) };
  });
}

/** One check per job, one job at a time, on this thread (the naive and single-thread rows). */
export function timeOneByOne(runner: JobRunner, jobs: readonly ExecJob[], seconds: number): Promise<Timing> {
  const single = splitPerCheck(jobs);
  return timeLoop(seconds, () => {
    let runnerMs = 0;
    for (const j of single) runnerMs += runner.runJob(j).ms;
    return { checks: single.length, runnerMs };
  });
}

/** The ceiling: the same programs as trusted code, compiled by V8, same determinism re-run. */
export function timeV8(jobs: readonly ExecJob[], seconds: number): Promise<Timing> {
  return timeLoop(seconds, () => {
    for (const j of jobs) v8Check(j);
    return { checks: checksOf(jobs), runnerMs: 0 };
  });
}

/** Run one job as trusted code; returns a verdict per input (exported for the bench's own test). */
export function v8Check(j: ExecJob): Verdict[] {
  let f: (...args: unknown[]) => unknown;
  try {
    f = new Function(`${j.program}\nreturn f;`)() as typeof f;
  } catch {
    return j.inputs.map(() => 'syntax');
  }
  const runs = Math.max(1, j.determinismRuns ?? 2);
  return j.inputs.map((input, k): Verdict => {
    try {
      const args = new Function(`return [${input}];`)() as unknown[];
      const first = canon(f(...args));
      for (let r = 1; r < runs; r++) if (canon(f(...(new Function(`return [${input}];`)() as unknown[]))) !== first) return 'nondeterministic';
      const want = j.expected?.[k];
      if (want == null) return 'ok';
      return canon(new Function(`return (${want});`)()) === first ? 'ok' : 'mismatch';
    } catch {
      return 'error';
    }
  });
}

/** Enough of the canonical value form for the ceiling's comparisons (plain data only). */
function canon(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (v === undefined) return 'undefined';
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`).join(',')}}`;
}
