import { describe, expect, it } from 'vitest';
import {
  MAX_INPUT_CHARS,
  MAX_PROGRAM_CHARS,
  MAX_RESPONSE_CHARS,
  PromptError,
  SPECIAL_TOKENS,
  TOK,
  abductionSolvePrompt,
  buildPrompt,
  deductionSolvePrompt,
  formatAnswer,
  formatProposal,
  inductionProposePrompt,
  inductionSolvePrompt,
  isArgumentList,
  isSingleExpression,
  makeInductionTask,
  parseAnswer,
  parseProposal,
  tripletProposePrompt,
  type Parsed,
  type Triplet,
} from '../../../src/core/tasks.ts';
import { CharTokenizer } from '../../../src/model/tokenizer.ts';

const inc: Triplet = { program: 'function f(x) { return x + 1; }', input: '1', output: '2' };
const cat: Triplet = { program: 'function f(a, b) { return a + b; }', input: '"a", "b"', output: '"ab"' };

function reason<T>(p: Parsed<T>): string {
  if (p.ok) throw new Error(`expected a failure, got ${JSON.stringify(p.value)}`);
  return p.reason;
}

describe('special tokens', () => {
  it('are all distinct and accepted by the character tokenizer, one id each', () => {
    expect(new Set(SPECIAL_TOKENS).size).toBe(SPECIAL_TOKENS.length);
    const tok = new CharTokenizer([...SPECIAL_TOKENS]);
    const prompt = deductionSolvePrompt(inc);
    const ids = tok.encode(prompt);
    // <bos><ded><solve><prog> = 4 ids, the program's characters, <in>, "1", <ans>.
    expect(ids).toHaveLength(4 + inc.program.length + 1 + 1 + 1);
    expect(tok.decode(ids)).toBe(prompt);
  });
});

describe('prompt templates', () => {
  it('lays out the six (type × role) prompts, each ending with <ans>', () => {
    expect(deductionSolvePrompt(inc)).toBe('<bos><ded><solve><prog>function f(x) { return x + 1; }<in>1<ans>');
    expect(abductionSolvePrompt(inc)).toBe('<bos><abd><solve><prog>function f(x) { return x + 1; }<out>2<ans>');
    const ind = makeInductionTask('function f(x) { return x * 2; }', 'doubles', [
      { input: '1', output: '2' },
      { input: '2', output: '4' },
      { input: '3', output: '6' },
      { input: '4', output: '8' },
    ]);
    expect(inductionSolvePrompt(ind)).toBe('<bos><ind><solve><msg>doubles<in>1<out>2<in>2<out>4<ans>');
    expect(tripletProposePrompt('deduction', [inc, cat])).toBe(
      '<bos><ded><prop><ref><prog>function f(x) { return x + 1; }<in>1<out>2<ref><prog>function f(a, b) { return a + b; }<in>"a", "b"<out>"ab"<ans>',
    );
    expect(tripletProposePrompt('abduction', [])).toBe('<bos><abd><prop><ans>');
    expect(inductionProposePrompt(inc.program)).toBe('<bos><ind><prop><prog>function f(x) { return x + 1; }<ans>');
    expect(buildPrompt({ type: 'abduction', role: 'solve', task: inc })).toBe(abductionSolvePrompt(inc));
    expect(buildPrompt({ type: 'induction', role: 'propose', program: 'p' })).toBe('<bos><ind><prop><prog>p<ans>');
    expect(buildPrompt({ type: 'deduction', role: 'propose', references: [inc] })).toBe(tripletProposePrompt('deduction', [inc]));
    expect(buildPrompt({ type: 'induction', role: 'solve', task: ind })).toBe(inductionSolvePrompt(ind));
  });

  it('splits induction pairs into shown [0, N/2) and held-out halves', () => {
    const pairs = Array.from({ length: 10 }, (_, i) => ({ input: String(i), output: String(2 * i) }));
    const t = makeInductionTask('p', 'm', pairs);
    expect(t.shown.map((p) => p.input)).toEqual(['0', '1', '2', '3', '4']);
    expect(t.heldOut.map((p) => p.input)).toEqual(['5', '6', '7', '8', '9']);
    expect(() => makeInductionTask('p', 'm', pairs.slice(0, 1))).toThrow(/at least 2 pairs/);
  });

  it('refuses fields the tokenizer would misread or cannot encode', () => {
    expect(() => deductionSolvePrompt({ ...inc, program: 'function f(x) { return "<eos>"; }' })).toThrow(PromptError);
    expect(() => deductionSolvePrompt({ ...inc, program: 'function f(x) { return "<eos>"; }' })).toThrow(/program contains the special token <eos>/);
    expect(() => tripletProposePrompt('deduction', [inc, { ...cat, output: '"<in>"' }])).toThrow(/references\[1\]\.output contains the special token <in>/);
    expect(() => abductionSolvePrompt({ ...inc, output: '"é"' })).toThrow(/output contains U\+00E9, which is outside the model's alphabet/);
    expect(() => inductionProposePrompt('function f() { return "😀"; }')).toThrow(/U\+1F600/);
    // "<" and ">" on their own are ordinary characters.
    expect(deductionSolvePrompt({ ...inc, program: 'function f(a) { return a<1 || a>2; }' })).toContain('a<1 || a>2');
  });
});

describe('parsing proposals', () => {
  it('reads well-formed deduction / abduction proposals and round-trips formatProposal', () => {
    const text = formatProposal('deduction', { program: inc.program, input: '1' });
    expect(text).toBe('<prog>function f(x) { return x + 1; }<in>1<eos>');
    expect(parseProposal('deduction', text)).toEqual({ ok: true, value: { program: inc.program, input: '1' } });
    // Anything after <eos> is ignored (the sampler may run on past it in a batch).
    expect(parseProposal('abduction', '<prog>function f(a, b) { return a; }<in>1, [2, {"k": 3}]<eos><pad><pad>xyz')).toEqual({
      ok: true,
      value: { program: 'function f(a, b) { return a; }', input: '1, [2, {"k": 3}]' },
    });
    // An empty argument list is an argument list: f().
    expect(parseProposal('deduction', '<prog>function f() { return 1; }<in><eos>')).toEqual({ ok: true, value: { program: 'function f() { return 1; }', input: '' } });
  });

  it('reads well-formed induction proposals with N inputs, keeping the first N of more', () => {
    const value = { inputs: ['1', '"a"', '[1, 2]', '{"x": 1}'], message: 'adds one' };
    const text = formatProposal('induction', value);
    expect(text).toBe('<in>1<in>"a"<in>[1, 2]<in>{"x": 1}<msg>adds one<eos>');
    expect(parseProposal('induction', text, { inductionInputs: 4 })).toEqual({ ok: true, value });
    expect(parseProposal('induction', '<in>1<in>2<msg><eos>', { inductionInputs: 2 })).toEqual({ ok: true, value: { inputs: ['1', '2'], message: '' } });
    expect(reason(parseProposal('induction', text))).toBe('expected 10 inputs, got 4');
    // The prompt never states N, so a proposer that writes more has its extras dropped.
    expect(parseProposal('induction', text, { inductionInputs: 2 })).toEqual({ ok: true, value: { inputs: ['1', '"a"'], message: 'adds one' } });
    expect(() => parseProposal('induction', text, { inductionInputs: 0 })).toThrow(RangeError);
  });

  it('names every malformed shape', () => {
    const r = (type: 'deduction' | 'induction', text: string) => reason(parseProposal(type, text, { inductionInputs: 2 }));
    expect(r('deduction', '<prog>function f(x) { return x; }<in>1')).toMatch(/missing <eos>/);
    expect(r('deduction', '<prog>function f(x) { return x; }<eos>')).toBe('missing <in>');
    expect(r('deduction', '<in>1<eos>')).toBe('missing <prog>');
    expect(r('deduction', '<in>1<prog>function f(x) { return x; }<eos>')).toBe('wrong field order: expected <prog> then <in>');
    expect(r('deduction', '<prog>a<prog>b<in>1<eos>')).toBe('more than one <prog>');
    expect(r('deduction', '<prog>   \n<in>1<eos>')).toBe('empty program');
    expect(r('deduction', 'sure! <prog>function f(x) { return x; }<in>1<eos>')).toMatch(/^text before the first field/);
    expect(r('deduction', '<prog>function f(x) { return x; }<in>1<out>1<eos>')).toBe('unexpected <out> in a deduction proposal');
    expect(r('deduction', '<prog>function f(x) { return x; }<in>1); g(2<eos>')).toMatch(/^input is not an argument list/);
    expect(r('deduction', '<prog>function f(x) { return x; }<in>[1, 2<eos>')).toMatch(/not an argument list/);
    expect(r('induction', '<in>1<msg>m<in>2<eos>')).toBe('<in> after <msg>: the message comes last');
    expect(r('induction', '<in>1<in>2<eos>')).toBe('missing <msg>');
    expect(r('induction', '<in>1<in>2<msg>a<msg>b<eos>')).toBe('more than one <msg>');
    expect(r('induction', '<in>1<in>)<msg>m<eos>')).toBe('input 2 is not an argument list: ")"');
    expect(r('induction', '<prog>p<in>1<in>2<msg>m<eos>')).toBe('unexpected <prog> in an induction proposal');
  });

  it('treats special tokens nested inside a field as structure, so the proposal fails', () => {
    // A program that "contains" <in> cannot be told apart from a program field ending early.
    expect(reason(parseProposal('deduction', '<prog>function f(x) { return "<in>"; }<in>1<eos>'))).toBe('more than one <in>');
    expect(reason(parseProposal('deduction', '<prog>function f(x) { return "<ans>"; }<in>1<eos>'))).toBe('unexpected <ans> in a deduction proposal');
    expect(reason(parseProposal('deduction', '<prog><bos><prog>x<in>1<eos>'))).toBe('unexpected <bos> in a deduction proposal');
    // The first <eos> ends the response, even inside what looks like a string.
    expect(reason(parseProposal('deduction', '<prog>function f(x) { return "<eos>"; }<in>1<eos>'))).toBe('missing <in>');
  });

  it('refuses huge responses and over-long fields with the limit in the reason', () => {
    const huge = `<prog>${'x'.repeat(MAX_RESPONSE_CHARS)}<in>1<eos>`;
    // <prog> (6) + the x's + <in>1 (5) before <eos>.
    expect(reason(parseProposal('deduction', huge))).toMatch(new RegExp(`^too long: ${MAX_RESPONSE_CHARS + 11} characters before <eos>, limit ${MAX_RESPONSE_CHARS}$`));
    const longProgram = `function f(x) { return ${'1+'.repeat(MAX_PROGRAM_CHARS)}1; }`;
    expect(reason(parseProposal('deduction', `<prog>${longProgram}<in>1<eos>`))).toMatch(/^program too long: \d+ characters, limit 2000$/);
    const longInput = `"${'a'.repeat(MAX_INPUT_CHARS)}"`;
    expect(reason(parseProposal('deduction', `<prog>function f(x) { return x; }<in>${longInput}<eos>`))).toBe(`input too long: ${MAX_INPUT_CHARS + 2} characters, limit ${MAX_INPUT_CHARS}`);
    // A megabyte with no <eos> is answered quickly, and as truncated.
    const t0 = Date.now();
    expect(reason(parseProposal('deduction', '<prog>'.padEnd(1_000_000, 'y')))).toMatch(/missing <eos>/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('refuses proposals with characters outside the model alphabet (they could never be prompted)', () => {
    expect(reason(parseProposal('deduction', '<prog>function f(x) { return "ü"; }<in>1<eos>'))).toBe("U+00FC is outside the model's alphabet");
    expect(reason(parseProposal('induction', '<in>"😀"<in>1<msg>m<eos>', { inductionInputs: 2 }))).toBe("U+1F600 is outside the model's alphabet");
  });
});

describe('parsing answers', () => {
  it('reads one untagged field per task type and round-trips formatAnswer', () => {
    expect(parseAnswer('deduction', formatAnswer('deduction', { output: '[1, "two", {"a": null}]' }))).toEqual({ ok: true, value: { output: '[1, "two", {"a": null}]' } });
    expect(parseAnswer('abduction', formatAnswer('abduction', { input: '"Hello world"' }))).toEqual({ ok: true, value: { input: '"Hello world"' } });
    expect(parseAnswer('induction', formatAnswer('induction', { program: 'function f(x) { return x * 2; }' }))).toEqual({
      ok: true,
      value: { program: 'function f(x) { return x * 2; }' },
    });
    // Structure, not meaning: a non-literal expression is well-formed; the executor calls it wrong.
    expect(parseAnswer('deduction', 'x + 1<eos>').ok).toBe(true);
    expect(parseAnswer('induction', 'this is not javascript<eos>').ok).toBe(true);
    // Unicode is fine in an answer (it is never shown to the model again).
    expect(parseAnswer('deduction', '"héllo 😀"<eos>')).toEqual({ ok: true, value: { output: '"héllo 😀"' } });
  });

  it('names every malformed answer', () => {
    expect(reason(parseAnswer('deduction', '2'))).toMatch(/missing <eos>/);
    expect(reason(parseAnswer('deduction', '<eos>'))).toBe('empty output');
    expect(reason(parseAnswer('deduction', '1, 2<eos>'))).toBe('output is not a single expression: "1, 2"');
    expect(reason(parseAnswer('deduction', '[1, 2<eos>'))).toMatch(/^output is not a single expression/);
    expect(reason(parseAnswer('deduction', '1; 2<eos>'))).toMatch(/^output is not a single expression/);
    expect(reason(parseAnswer('deduction', '2<out>3<eos>'))).toBe('unexpected <out> in the answer');
    expect(reason(parseAnswer('abduction', '1) + f(2<eos>'))).toBe('input is not an argument list: "1) + f(2"');
    expect(reason(parseAnswer('induction', ' \n\t<eos>'))).toBe('empty program');
    expect(reason(parseAnswer('induction', `${'x'.repeat(MAX_PROGRAM_CHARS + 1)}<eos>`))).toBe(`program too long: ${MAX_PROGRAM_CHARS + 1} characters, limit ${MAX_PROGRAM_CHARS}`);
    expect(() => parseAnswer('bogus' as 'deduction', '1<eos>')).toThrow(/unknown task type/);
  });
});

describe('structural checks', () => {
  it('isArgumentList accepts argument lists and nothing that escapes the call', () => {
    for (const ok of ['', '1', '1, 2', '"a,b", [1, [2]], {"k": "v"}', '-1, null, undefined', '1 // note', '...[1, 2]', '`t`']) expect(isArgumentList(ok), ok).toBe(true);
    for (const bad of ['1)', '1); g(2', '1) + f(2', '1)(2', '(', '1 /*', '}', '1,,', ') || (1']) expect(isArgumentList(bad), bad).toBe(false);
  });

  it('isSingleExpression accepts one expression with trailing space or comment', () => {
    for (const ok of ['1', ' [1, 2] ', '{"a": 1}', '-0', 'NaN', '"x" // c', 'f(1)']) expect(isSingleExpression(ok), ok).toBe(true);
    for (const bad of ['', '1, 2', '1 2', '1;', '{', 'a b', '1 /*']) expect(isSingleExpression(bad), bad).toBe(false);
  });
});
