// Character-level tokenizer: one id per printable ASCII character (0x20–0x7E) plus
// '\n' and '\t', and one id per special token the caller names ('<pad>', '<bos>', …).
// The programs the policy writes are short JavaScript, so characters keep the
// vocabulary tiny (≈100) and every program is representable without an
// out-of-vocabulary fallback. A character outside the alphabet is an error, never a
// silent substitution: a corrupted program would be checked and rewarded as if the
// policy had written it.
//
// Ids: specials first (0..S-1, in the order given), then the characters in code-point
// order ('\t', '\n', ' ', '!', …, '~').

export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

const CHARS: string[] = ['\t', '\n'];
for (let c = 0x20; c <= 0x7e; c++) CHARS.push(String.fromCharCode(c));

/** The plain-character alphabet, in id order after the specials. */
export const ALPHABET: readonly string[] = CHARS;

export interface TokenizerJSON {
  kind: 'char';
  version: 1;
  specials: string[];
}

function describe(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return `${JSON.stringify(ch)} (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

export class CharTokenizer {
  readonly specials: readonly string[];
  readonly vocabSize: number;
  private readonly charId = new Map<string, number>();
  private readonly specialId = new Map<string, number>();
  /** Specials by first character, longest name first, so that encode() prefers
   *  '<out2>' over '<out>' when both exist. */
  private readonly byFirst = new Map<string, string[]>();

  constructor(specials: string[]) {
    if (!Array.isArray(specials)) throw new TokenizerError('specials must be an array of strings');
    for (const [i, s] of specials.entries()) {
      // A one-character special would shadow that character, and the program text
      // could no longer be told apart from the marker.
      if (typeof s !== 'string' || s.length < 2) {
        throw new TokenizerError(`special token #${i} must be a string of at least 2 characters, got ${JSON.stringify(s)}`);
      }
      if (this.specialId.has(s)) throw new TokenizerError(`special token ${JSON.stringify(s)} is given twice`);
      for (let j = 0; j < s.length; j++) {
        if (!CHARS.includes(s[j]) || s[j] === '\n' || s[j] === '\t') {
          throw new TokenizerError(`special token ${JSON.stringify(s)} has ${describe(s[j])} at index ${j}; use printable ASCII`);
        }
      }
      this.specialId.set(s, i);
      const list = this.byFirst.get(s[0]) ?? [];
      list.push(s);
      list.sort((a, b) => b.length - a.length);
      this.byFirst.set(s[0], list);
    }
    this.specials = [...specials];
    CHARS.forEach((c, i) => this.charId.set(c, specials.length + i));
    this.vocabSize = specials.length + CHARS.length;
  }

  /** Id of a special token by name. */
  id(special: string): number {
    const id = this.specialId.get(special);
    if (id === undefined) {
      throw new TokenizerError(`unknown special token ${JSON.stringify(special)} (known: ${this.specials.join(' ') || 'none'})`);
    }
    return id;
  }

  isSpecial(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.specials.length;
  }

  /** Text in which special tokens are written as their names ("<bos>f(1)<out>").
   *  decode(encode(s)) === s for every string over the alphabet; note that a special's
   *  name inside program text becomes that special — use encodeText for text that must
   *  stay literal. */
  encode(s: string): number[] {
    return this.encodeFrom(s, true);
  }

  /** Every character literally, specials' names included (for program text and
   *  answers that must not turn into markers). */
  encodeText(s: string): number[] {
    return this.encodeFrom(s, false);
  }

  private encodeFrom(s: string, specials: boolean): number[] {
    if (typeof s !== 'string') throw new TokenizerError(`encode expects a string, got ${typeof s}`);
    const out: number[] = [];
    let i = 0;
    outer: while (i < s.length) {
      const ch = s[i];
      if (specials) {
        const candidates = this.byFirst.get(ch);
        if (candidates) {
          for (const name of candidates) {
            if (s.startsWith(name, i)) {
              out.push(this.specialId.get(name)!);
              i += name.length;
              continue outer;
            }
          }
        }
      }
      const id = this.charId.get(ch);
      if (id === undefined) {
        // Report the whole code point (a surrogate pair is one character to a reader).
        const cp = String.fromCodePoint(s.codePointAt(i)!);
        throw new TokenizerError(`cannot encode character ${describe(cp)} at index ${i}: only printable ASCII, \\n and \\t are in the vocabulary`);
      }
      out.push(id);
      i++;
    }
    return out;
  }

  /** Ids back to text, specials written as their names. */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new TokenizerError(`cannot decode id ${id} at position ${k}: vocabulary has ids 0..${this.vocabSize - 1}`);
      }
      s += id < this.specials.length ? this.specials[id] : CHARS[id - this.specials.length];
    }
    return s;
  }

  toJSON(): TokenizerJSON {
    return { kind: 'char', version: 1, specials: [...this.specials] };
  }

  static fromJSON(json: unknown): CharTokenizer {
    const j = json as Partial<TokenizerJSON> | null;
    if (typeof j !== 'object' || j === null || j.kind !== 'char') {
      throw new TokenizerError(`tokenizer JSON must have kind "char", got ${JSON.stringify(j?.kind ?? j)}`);
    }
    if (j.version !== 1) throw new TokenizerError(`unsupported tokenizer version ${JSON.stringify(j.version)} (expected 1)`);
    if (!Array.isArray(j.specials)) throw new TokenizerError('tokenizer JSON: specials must be an array');
    return new CharTokenizer(j.specials);
  }
}
