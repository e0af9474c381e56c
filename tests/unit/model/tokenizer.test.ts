import { describe, expect, test } from 'vitest';
import { ALPHABET, CharTokenizer, JS_PIECES, JsTokenizer, TokenizerError, makeTokenizer, tokenizerFromJSON } from '../../../src/model/tokenizer.ts';
import { generateProgram, randomTriplet, randomArgs, randomLiteral } from '../../../src/core/corpus.ts';
import { Rng } from '../../../src/core/rng.ts';
import { LEVELS } from '../../../src/core/levels.ts';
import { makeInductionTask, SPECIAL_TOKENS } from '../../../src/core/tasks.ts';
import { solvePrompt, type SolveTask } from '../../../src/selfplay/judge.ts';

const SPECIALS = ['<pad>', '<bos>', '<eos>', '<prog>', '<in>', '<out>', '<out2>'];

describe('CharTokenizer', () => {
  const tok = new CharTokenizer(SPECIALS);

  test('vocabulary: specials first, then the 97 characters', () => {
    expect(ALPHABET.length).toBe(97);
    expect(tok.vocabSize).toBe(SPECIALS.length + 97);
    expect(tok.id('<pad>')).toBe(0);
    expect(tok.id('<eos>')).toBe(2);
    expect(tok.encode('\t')).toEqual([SPECIALS.length]);
    expect(tok.encode('~')).toEqual([tok.vocabSize - 1]);
    expect(tok.isSpecial(2)).toBe(true);
    expect(tok.isSpecial(SPECIALS.length)).toBe(false);
  });

  test('round-trips every printable-ASCII program, tabs and newlines included', () => {
    const all = ALPHABET.join('');
    const program = 'function f(a, b) {\n\treturn a.map((x) => x * 2 + b).filter(Boolean); // ~`!@#$%^&*|\\"\'\n}';
    for (const s of [all, program, '', ' ']) {
      const ids = tok.encode(s);
      expect(ids.length).toBe(s.length);
      expect(tok.decode(ids)).toBe(s);
      expect(tok.decode(tok.encodeText(s))).toBe(s);
    }
  });

  test('specials written as their names become one id each; the longest name wins', () => {
    const ids = tok.encode('<bos><prog>f(1)<out2>3<eos>');
    expect(ids[0]).toBe(tok.id('<bos>'));
    expect(ids[1]).toBe(tok.id('<prog>'));
    expect(ids).toContain(tok.id('<out2>'));
    expect(ids).not.toContain(tok.id('<out>'));
    expect(ids.at(-1)).toBe(tok.id('<eos>'));
    expect(ids.length).toBe(2 + 4 + 1 + 1 + 1);
    expect(tok.decode(ids)).toBe('<bos><prog>f(1)<out2>3<eos>');
    // A '<' that starts no special name is a character.
    expect(tok.encode('a<b')).toEqual(tok.encodeText('a<b'));
    // encodeText keeps a special's name as characters.
    expect(tok.encodeText('<in>').length).toBe(4);
  });

  test('a character outside the alphabet is a named error with the character and index', () => {
    expect(() => tok.encode('abc\u00e9d')).toThrow(TokenizerError);
    expect(() => tok.encode('abc\u00e9d')).toThrow(/"é" \(U\+00E9\) at index 3/);
    expect(() => tok.encode('x\r\n')).toThrow(/U\+000D\) at index 1/);
    expect(() => tok.encode('ok \u{1F600}')).toThrow(/U\+1F600\) at index 3/);
  });

  test('toJSON / fromJSON round trip; bad JSON is refused', () => {
    const back = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
    expect(back.vocabSize).toBe(tok.vocabSize);
    expect(back.encode('<bos>f(x)<eos>')).toEqual(tok.encode('<bos>f(x)<eos>'));
    expect(() => CharTokenizer.fromJSON({ kind: 'bpe' })).toThrow(TokenizerError);
    expect(() => CharTokenizer.fromJSON({ kind: 'char', version: 2, specials: [] })).toThrow(/version/);
    expect(() => CharTokenizer.fromJSON(null)).toThrow(TokenizerError);
  });
});

/** Generated solve prompts of every type, over all levels. */
function solvePrompts(seed: number, n: number): string[] {
  const rng = new Rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const level = LEVELS[i % LEVELS.length];
    const type = (['deduction', 'abduction', 'induction'] as const)[i % 3];
    let task: SolveTask;
    if (type === 'induction') {
      const p = generateProgram(rng, level);
      const pairs = Array.from({ length: 6 }, () => ({ input: randomArgs(rng, p.params), output: randomLiteral(rng, p.returns) }));
      task = { type, task: makeInductionTask(p.program, 'find the rule', pairs) };
    } else {
      task = { type, task: randomTriplet(rng, level) };
    }
    out.push(solvePrompt(task));
  }
  return out;
}

describe('JsTokenizer', () => {
  const tok = new JsTokenizer(SPECIALS);
  const chars = new CharTokenizer(SPECIALS);

  test('the piece list: multi-character, over the alphabet, no digits, no duplicates, no special-like text', () => {
    expect(Object.isFrozen(JS_PIECES)).toBe(true);
    expect(new Set(JS_PIECES).size).toBe(JS_PIECES.length);
    expect(JS_PIECES.length).toBeGreaterThanOrEqual(100);
    expect(JS_PIECES.length).toBeLessThanOrEqual(200);
    for (const p of JS_PIECES) {
      expect(p.length, p).toBeGreaterThanOrEqual(2);
      expect([...p].every((c) => ALPHABET.includes(c)), p).toBe(true);
      expect(/[0-9]/.test(p), p).toBe(false);
      // A piece may not reach into a marker's name (every special is written `<name>`).
      expect(/<[a-z]/i.test(p), p).toBe(false);
    }
  });

  test('ids of specials and characters are the CharTokenizer\'s; pieces come after them', () => {
    expect(tok.kind).toBe('js');
    expect(tok.vocabSize).toBe(chars.vocabSize + JS_PIECES.length);
    for (const s of SPECIALS) expect(tok.id(s)).toBe(chars.id(s));
    for (const c of ALPHABET) expect(tok.encodeText(c)).toEqual(chars.encodeText(c));
    expect(tok.decode(Array.from({ length: chars.vocabSize }, (_, i) => i))).toBe(chars.decode(Array.from({ length: chars.vocabSize }, (_, i) => i)));
    JS_PIECES.forEach((p, k) => {
      expect(tok.decode([chars.vocabSize + k])).toBe(p);
      expect(tok.encodeText(p)).toEqual([chars.vocabSize + k]);
    });
    expect(tok.isSpecial(SPECIALS.length - 1)).toBe(true);
    expect(tok.isSpecial(tok.vocabSize - 1)).toBe(false);
  });

  test('greedy longest match', () => {
    const ids = tok.encodeText('function f(x) { return x.map((v) => v * 2); }');
    expect(ids.map((i) => tok.decode([i]))).toEqual(['function f(', 'x', ') { return ', 'x', '.map(', '(', 'v', ') => ', 'v', ' * ', '2', ');', ' }']);
    // Numbers stay digit by digit.
    expect(tok.encodeText('1234').length).toBe(4);
  });

  test('round-trips every generated program, at every level, in fewer tokens than CharTokenizer', () => {
    const rng = new Rng('js-tokenizer-programs');
    for (const level of LEVELS) {
      let charTokens = 0;
      let jsTokens = 0;
      for (let i = 0; i < 300; i++) {
        const { program } = generateProgram(rng, level);
        const ids = tok.encodeText(program);
        expect(tok.decode(ids)).toBe(program);
        expect(tok.decode(tok.encode(program))).toBe(program);
        charTokens += chars.encodeText(program).length;
        jsTokens += ids.length;
      }
      expect(jsTokens, `level ${level}`).toBeLessThan(charTokens);
    }
  });

  test('round-trips solve prompts, the markers still one id each where CharTokenizer has them', () => {
    const js = new JsTokenizer([...SPECIAL_TOKENS]);
    const ch = new CharTokenizer([...SPECIAL_TOKENS]);
    let jsTokens = 0;
    let charTokens = 0;
    for (const prompt of solvePrompts(7, 120)) {
      const ids = js.encode(prompt);
      const charIds = ch.encode(prompt);
      expect(js.decode(ids)).toBe(prompt);
      // An induction prompt of short pairs may hold no piece at all: never longer, shorter on average.
      expect(ids.length).toBeLessThanOrEqual(charIds.length);
      expect(ids.filter((x) => js.isSpecial(x))).toEqual(charIds.filter((x) => ch.isSpecial(x)));
      jsTokens += ids.length;
      charTokens += charIds.length;
    }
    expect(jsTokens).toBeLessThan(charTokens);
  });

  test('a prompt and its response encode as the prompt\'s tokens followed by the response\'s', () => {
    const task = makeTokenizer('js', [...SPECIAL_TOKENS]);
    for (const prompt of solvePrompts(8, 30)) {
      const response = '[1, 2].map((x) => x + 1)<eos>';
      expect(task.encode(prompt + response)).toEqual([...task.encode(prompt), ...task.encode(response)]);
    }
  });

  test('fuzz: random printable strings, piece prefixes and special names round-trip', () => {
    const rng = new Rng('js-tokenizer-fuzz');
    const fragments = [...ALPHABET, ...JS_PIECES, ...JS_PIECES.map((p) => p.slice(0, -1)), ...SPECIALS, ...SPECIALS.map((s) => s.slice(0, -1)), '<', '<out', '<out2'];
    for (let n = 0; n < 2000; n++) {
      const len = rng.int(0, 40);
      let s = '';
      for (let i = 0; i < len; i++) s += n % 2 ? rng.choice(ALPHABET) : rng.choice(fragments);
      const text = tok.encodeText(s);
      expect(tok.decode(text)).toBe(s);
      expect(text.some((id) => tok.isSpecial(id))).toBe(false);
      const marked = tok.encode(s);
      expect(tok.decode(marked)).toBe(s);
      // Markers are found exactly where the character tokenizer finds them.
      expect(marked.filter((id) => tok.isSpecial(id))).toEqual(chars.encode(s).filter((id) => chars.isSpecial(id)));
      expect(text.length).toBeLessThanOrEqual(s.length);
    }
  });

  test('any id sequence decodes, a word spelled character by character included', () => {
    const spelled = chars.encodeText('return x;');
    expect(tok.decode(spelled)).toBe('return x;');
    expect(tok.encodeText('return x;').length).toBeLessThan(spelled.length);
    const mixed = [tok.id('<bos>'), ...tok.encodeText('Math.'), ...chars.encodeText('max('), tok.id('<eos>')];
    expect(tok.decode(mixed)).toBe('<bos>Math.max(<eos>');
  });

  test('a character outside the alphabet is a named error with the character and index', () => {
    expect(() => tok.encode('abc\u00e9d')).toThrow(TokenizerError);
    expect(() => tok.encode('function \u00e9')).toThrow(/"é" \(U\+00E9\) at index 9/);
    expect(() => tok.encodeText('x\u0000')).toThrow(/U\+0000\) at index 1/);
    expect(() => tok.encode('<bos>ok \u{1F600}')).toThrow(/U\+1F600\) at index 8/);
    expect(() => tok.encode('return \r\n')).toThrow(/U\+000D\) at index 7/);
  });

  test('the last id is the last piece', () => {
    expect(tok.decode([tok.vocabSize - 1])).toBe(JS_PIECES.at(-1));
  });
});

// What both tokenizers refuse, and how: one set of rules (the shared base class).
describe.each([CharTokenizer, JsTokenizer])('%o: refusals', (Kind) => {
  const tok = new Kind(SPECIALS);

  test('decode rejects ids outside the vocabulary; id() rejects unknown specials', () => {
    expect(() => tok.decode([1, tok.vocabSize])).toThrow(/id \d+ at position 1/);
    expect(() => tok.decode([-1])).toThrow(TokenizerError);
    expect(() => tok.decode([1.5])).toThrow(TokenizerError);
    expect(() => tok.decode([2.5])).toThrow(TokenizerError);
    expect(() => tok.id('<nope>')).toThrow(/unknown special token "<nope>"/);
  });

  test('bad special lists are refused', () => {
    expect(() => new Kind(['<a>', '<a>'])).toThrow(/given twice/);
    expect(() => new Kind(['x'])).toThrow(/at least 2 characters/);
    expect(() => new Kind(['<\u00e9>'])).toThrow(/printable ASCII/);
  });
});

describe('tokenizerFromJSON', () => {
  test('round-trips both kinds', () => {
    for (const t of [new CharTokenizer(SPECIALS), new JsTokenizer(SPECIALS)]) {
      const json = JSON.parse(JSON.stringify(t));
      expect(json).toEqual({ kind: t.kind, version: 1, specials: SPECIALS });
      const back = tokenizerFromJSON(json);
      expect(back).toBeInstanceOf(t.constructor);
      expect(back.vocabSize).toBe(t.vocabSize);
      expect(back.encode('<bos>const f = (x) => x;<eos>')).toEqual(t.encode('<bos>const f = (x) => x;<eos>'));
    }
    // Each class's own fromJSON reads only its kind.
    expect(JsTokenizer.fromJSON(new JsTokenizer(SPECIALS).toJSON())).toBeInstanceOf(JsTokenizer);
    expect(() => JsTokenizer.fromJSON(new CharTokenizer(SPECIALS).toJSON())).toThrow(/kind "js", got "char"/);
    expect(() => CharTokenizer.fromJSON(new JsTokenizer(SPECIALS).toJSON())).toThrow(/kind "char", got "js"/);
  });

  test('an unknown kind or version is refused by name', () => {
    expect(() => tokenizerFromJSON({ kind: 'bpe', version: 1, specials: [] })).toThrow(TokenizerError);
    expect(() => tokenizerFromJSON({ kind: 'bpe', version: 1, specials: [] })).toThrow(/unknown tokenizer kind "bpe" \(known: "char", "js"\)/);
    expect(() => tokenizerFromJSON({ version: 1, specials: [] })).toThrow(/unknown tokenizer kind undefined/);
    expect(() => tokenizerFromJSON(null)).toThrow(/must be an object with a kind/);
    expect(() => tokenizerFromJSON({ kind: 'js', version: 2, specials: [] })).toThrow(/unsupported js tokenizer version 2 \(expected 1\)/);
    expect(() => tokenizerFromJSON({ kind: 'char', version: 2, specials: [] })).toThrow(/unsupported char tokenizer version 2/);
    expect(() => tokenizerFromJSON({ kind: 'js', version: 1 })).toThrow(/specials must be an array/);
    expect(() => makeTokenizer('bpe' as 'js', SPECIALS)).toThrow(/unknown tokenizer kind "bpe"/);
  });
});
