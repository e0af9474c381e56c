// The pretraining corpus teaches the language and the prompt format, never semantics.
// These tests check that claim against the real QuickJS executor: the generator cannot
// run code (static check), its programs are valid JavaScript that defines f, and its
// "answers" agree with execution only at chance rate.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseJs } from 'acorn';
import { CORPUS_MIX, generateProgram, MAX_CORPUS_PROGRAM_CHARS, randomTriplet, sampleCorpus } from '../../../src/core/corpus.ts';
import { Rng } from '../../../src/core/rng.ts';
import { parseAnswer, parseProposal, SPECIAL_TOKENS, TOK } from '../../../src/core/tasks.ts';
import { CharTokenizer } from '../../../src/model/tokenizer.ts';
import { createExecutor } from '../../../src/sandbox/index.ts';

const SOURCE = readFileSync(fileURLToPath(new URL('../../../src/core/corpus.ts', import.meta.url)), 'utf8');

describe('corpus generator: no access to an executor', () => {
  it('imports only pure core modules, none that can run code', () => {
    // Every import statement of the module, type-only ones included.
    const imports = [...SOURCE.matchAll(/^import[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const spec of imports) {
      expect(spec, `corpus.ts imports ${spec}`).toMatch(/^\.\/[a-z]+\.ts$/);
      expect(spec).not.toMatch(/sandbox|eval|quickjs|runner|worker/i);
    }
    // And what those modules import in turn stays in core (no path out of src/core).
    for (const spec of imports) {
      const dep = readFileSync(fileURLToPath(new URL(`../../../src/core/${spec.slice(2)}`, import.meta.url)), 'utf8');
      for (const m of dep.matchAll(/^import[^;]*?from\s+'([^']+)'/gms)) expect(m[1], `${spec} imports ${m[1]}`).not.toMatch(/sandbox|\.\.\/|quickjs|^node:/);
    }
  });

  it('contains no eval, no Function constructor, no dynamic import', () => {
    // Comments may name these words; code may not.
    const code = SOURCE.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    expect(code).not.toMatch(/\beval\s*\(/);
    expect(code).not.toMatch(/\bnew\s+Function\b|\bFunction\s*\(/);
    expect(code).not.toMatch(/\bimport\s*\(/);
    expect(code).not.toMatch(/\brequire\s*\(/);
  });
});

describe('corpus generator: form', () => {
  const examples = sampleCorpus(7, 600);
  const tok = new CharTokenizer([...SPECIAL_TOKENS]);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(sampleCorpus(7, 50)).toEqual(examples.slice(0, 50));
    expect(sampleCorpus('7', 50)).toEqual(examples.slice(0, 50)); // a seed is its text
    const other = sampleCorpus(8, 50);
    expect(other.filter((e, i) => e.prompt === examples[i].prompt).length).toBeLessThan(3);
  });

  it('covers all six (type × role) configurations in roughly the mix proportions', () => {
    const total = CORPUS_MIX.reduce((a, m) => a + m.weight, 0);
    for (const m of CORPUS_MIX) {
      const got = examples.filter((e) => e.type === m.type && e.role === m.role).length / examples.length;
      // 600 draws: the standard error of a share p is sqrt(p(1-p)/600) < 0.021; 0.07 is > 3 of them.
      expect(Math.abs(got - m.weight / total), `${m.type}/${m.role}`).toBeLessThan(0.07);
    }
  });

  it('every text is encodable by the tokenizer and round-trips', () => {
    for (const e of examples) {
      const text = e.prompt + e.response;
      expect(tok.decode(tok.encode(text))).toBe(text);
      expect(e.prompt.startsWith(TOK.bos)).toBe(true);
      expect(e.prompt.endsWith(TOK.ans)).toBe(true);
      expect(e.response.endsWith(TOK.eos)).toBe(true);
    }
  });

  it('every response parses with the loop\'s own parsers', () => {
    for (const e of examples) {
      if (e.role === 'solve') {
        const r = parseAnswer(e.type, e.response);
        expect(r.ok, `${e.type} answer ${e.response}: ${r.ok ? '' : r.reason}`).toBe(true);
      } else {
        const n = e.type === 'induction' ? e.response.split(TOK.in).length - 1 : undefined;
        const r = parseProposal(e.type, e.response, n ? { inductionInputs: n } : {});
        expect(r.ok, `${e.type} proposal ${e.response}: ${r.ok ? '' : r.reason}`).toBe(true);
      }
    }
  });

  it('programs are short, define f in both styles, and parse as JavaScript', () => {
    const rng = new Rng('programs');
    const programs = Array.from({ length: 500 }, () => generateProgram(rng).program);
    let arrows = 0;
    for (const p of programs) {
      expect(p.length).toBeLessThanOrEqual(MAX_CORPUS_PROGRAM_CHARS);
      expect(() => parseJs(p, { ecmaVersion: 'latest' }), p).not.toThrow();
      if (p.startsWith('const f = (')) arrows++;
      else expect(p.startsWith('function f(')).toBe(true);
    }
    expect(arrows).toBeGreaterThan(100);
    expect(arrows).toBeLessThan(400);
    expect(new Set(programs).size).toBeGreaterThan(450);
  });
});

describe('corpus generator against the real executor', () => {
  const executor = createExecutor();
  afterAll(async () => (await executor).dispose());

  // 400 deduction-style triplets: a sample large enough that a 10% bound is far from the
  // measured rate's sampling noise (±1.5 points at 5%).
  const N = 400;
  const rng = new Rng('agreement');
  const triplets = Array.from({ length: N }, () => randomTriplet(rng));

  it('programs are valid (parse and define f) and most run on their random inputs', async () => {
    const ex = await executor;
    const results = await ex.run(triplets.map((t) => ({ program: t.program, inputs: [t.input], limits: { timeoutMs: 1000 } })));
    const syntax = results.filter((r) => r.verdict === 'syntax').length;
    const ran = results.filter((r) => r.results?.[0]?.verdict === 'ok').length;
    console.log(`corpus programs: ${N - syntax}/${N} parse and define f; ${ran}/${N} return a plain value on their random input`);
    // The grammar only writes well-formed programs: a syntax failure is a generator bug.
    expect(syntax).toBe(0);
    // Random inputs can still make a typed program throw (e.g. reduce on an empty array);
    // that is fine for a corpus, but most must run.
    expect(ran / N).toBeGreaterThan(0.8);
  }, 120_000);

  it('deduction answers agree with execution only at chance rate', async () => {
    const ex = await executor;
    const results = await ex.run(triplets.map((t) => ({ program: t.program, inputs: [t.input], expected: [t.output], limits: { timeoutMs: 1000 } })));
    const agree = results.filter((r) => r.results?.[0]?.verdict === 'ok').length;
    // Control: the same answers scored against the execution of another program with the
    // same static return type (the next one in the sample). That is the chance rate for a
    // literal of the right type; if the generator knew anything about f beyond its type,
    // its own pairs would agree clearly more often than these.
    const partner = (i: number) => {
      for (let k = 1; k < N; k++) if (triplets[(i + k) % N].returns.k === triplets[i].returns.k) return triplets[(i + k) % N];
      return triplets[(i + 1) % N];
    };
    const shifted = triplets.map((t, i) => ({ program: partner(i).program, inputs: [partner(i).input], expected: [t.output], limits: { timeoutMs: 1000 } }));
    const control = (await ex.run(shifted)).filter((r) => r.results?.[0]?.verdict === 'ok').length;
    console.log(`deduction answers equal to f(input): ${agree}/${N} (${((100 * agree) / N).toFixed(1)}%); against another program of the same return type: ${control}/${N}`);
    // Bound: the answers are random literals of the program's static type, so they match
    // only by coincidence, mostly on booleans (≈5% of programs return one, and a random
    // boolean is right half the time) and on small integers. 10% leaves room for that
    // and for sampling noise, and would still catch a generator that computed outputs
    // for even a tenth of its tasks.
    expect(agree / N).toBeLessThan(0.1);
    // And no better than chance: within 4 points of the control (both rates are ≈4%, whose
    // binomial standard error on 400 draws is ≈1 point, so a difference of 4 is ~3 sigma).
    expect((agree - control) / N).toBeLessThan(0.04);
  }, 120_000);
});
