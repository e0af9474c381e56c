import { describe, expect, test } from 'vitest';
import { ALPHABET, CharTokenizer, TokenizerError } from '../../../src/model/tokenizer.ts';

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

  test('decode rejects ids outside the vocabulary; id() rejects unknown specials', () => {
    expect(() => tok.decode([1, tok.vocabSize])).toThrow(/id \d+ at position 1/);
    expect(() => tok.decode([-1])).toThrow(TokenizerError);
    expect(() => tok.decode([1.5])).toThrow(TokenizerError);
    expect(() => tok.id('<nope>')).toThrow(/unknown special token "<nope>"/);
  });

  test('bad special lists are refused', () => {
    expect(() => new CharTokenizer(['<a>', '<a>'])).toThrow(/given twice/);
    expect(() => new CharTokenizer(['x'])).toThrow(/at least 2 characters/);
    expect(() => new CharTokenizer(['<\u00e9>'])).toThrow(/printable ASCII/);
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
