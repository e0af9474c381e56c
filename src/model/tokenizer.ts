// Tokenizers for the short JavaScript programs the policy reads and writes, and for the
// task prompts around them. Two share one id layout and one set of rules:
//
//   CharTokenizer ('char')  one id per character: the vocabulary stays tiny (≈100)
//   JsTokenizer   ('js')    the same ids, then a frozen list of multi-character pieces of
//                           JavaScript syntax (JS_PIECES): the same programs in fewer tokens
//
// Every string over the alphabet (printable ASCII 0x20–0x7E, '\n', '\t') is representable
// in both, without an out-of-vocabulary fallback. A character outside the alphabet is an
// error, never a silent substitution: a corrupted program would be checked and rewarded as
// if the policy had written it.
//
// Ids: the specials the caller names first (0..S-1, in the order given), then the
// characters in code-point order ('\t', '\n', ' ', '!', …, '~'), then (js only) the pieces
// in JS_PIECES order. Ids 0..S+96 therefore mean the same in both tokenizers.

export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

const CHARS: string[] = ['\t', '\n'];
for (let c = 0x20; c <= 0x7e; c++) CHARS.push(String.fromCharCode(c));

/** The plain-character alphabet, in id order after the specials. */
export const ALPHABET: readonly string[] = CHARS;

/**
 * The multi-character pieces of the 'js' tokenizer, in id order after the alphabet.
 *
 * FROZEN: a checkpoint stores only the tokenizer's kind, version and specials, so this
 * list is what gives its ids their meaning. Changing, removing or reordering an entry
 * (appending included) silently changes what every saved 'js' model reads and writes.
 * Another list is a new tokenizer version (JsTokenizer version 2), loaded side by side.
 *
 * Chosen from the language, not from any task set: keywords with the space that follows
 * them, operator and punctuation runs, the common built-in members and globals, the two
 * ways a task program starts (`function f(`, `const f = (`), and the JSON punctuation of
 * the canonical literals that fill a prompt's input and output fields (the prompts' own
 * markers are specials already). No piece holds a digit: numbers stay digit by digit, so
 * the model sees every number in the one form it can compose.
 */
export const JS_PIECES: readonly string[] = Object.freeze([
  // Keywords and literals.
  'function ', 'return ', 'const ', 'let ', 'var ', 'if (', 'else ', 'else if (', 'for (', 'while (',
  'switch (', 'case ', 'default: ', 'break;', 'continue;', 'throw ', 'new ', 'typeof ', 'instanceof ',
  ' of ', ' in ', 'true', 'false', 'null', 'undefined', 'NaN', 'Infinity',
  // Operators and punctuation runs.
  ' => ', ') => ', ') { ', ') {', ' { ', '{ ', ' }', '; }', '} ', '; ', ', ', ' = ',
  '===', '!==', '==', '!=', '<=', '>=', '&&', '||', '??', '**', '++', '--', '+=', '-=', '*=', '/=', '%=',
  ' + ', ' - ', ' * ', ' / ', ' % ', ' ** ', ' < ', ' > ', ' <= ', ' >= ', ' == ', ' != ', ' === ', ' !== ',
  ' && ', ' || ', ' ?? ', ' ? ', ' : ',
  '()', '[]', '{}', '""', "''", '``', '();', ');', '))', '((', ')]', '])', '...', '${', '?.',
  '\n  ', '\n    ', '\n}', ' {\n', ';\n',
  // JSON punctuation of canonical literals (prompt fields).
  '["', '"]', '","', ',"', '{"', '":', '", "', '", ', '("', '")', "('", "')",
  // Members of strings, arrays, numbers and collections.
  '.length', '.slice(', '.map(', '.filter(', '.reduce(', '.join(', '.split(', '.indexOf(', '.lastIndexOf(',
  '.includes(', '.push(', '.pop()', '.shift()', '.unshift(', '.reverse()', '.sort(', '.concat(',
  '.toUpperCase()', '.toLowerCase()', '.trim()', '.repeat(', '.charAt(', '.charCodeAt(', '.startsWith(',
  '.endsWith(', '.padStart(', '.padEnd(', '.replace(', '.replaceAll(', '.substring(', '.toFixed(',
  '.toString()', '.some(', '.every(', '.find(', '.findIndex(', '.forEach(', '.fill(', '.flat()', '.at(',
  '.keys(', '.values(', '.entries(', '.has(', '.get(', '.set(', '.add(', '.size',
  // Globals.
  'Math.', 'Math.max(', 'Math.min(', 'Math.floor(', 'Math.ceil(', 'Math.round(', 'Math.abs(', 'Math.sign(',
  'Math.sqrt(', 'Math.pow(', 'Math.trunc(', 'Math.PI', 'String(', 'Number(', 'Boolean(', 'Array(',
  'Array.from(', 'Array.isArray(', 'Object.keys(', 'Object.values(', 'Object.entries(', 'JSON.stringify(',
  'parseInt(', 'parseFloat(', 'isNaN(', 'String.fromCharCode(', 'Number.isInteger(', 'new Set(', 'new Map(',
  // How a task program defines f.
  'function f(', 'const f = (', ') { return ',
]);

export const TOKENIZER_KINDS = ['char', 'js'] as const;
export type TokenizerKind = (typeof TOKENIZER_KINDS)[number];

export interface CharTokenizerJSON {
  kind: 'char';
  version: 1;
  specials: string[];
}

export interface JsTokenizerJSON {
  kind: 'js';
  version: 1;
  specials: string[];
}

/** What a checkpoint stores: the kind and version name the piece table, the specials come first. */
export type TokenizerJSON = CharTokenizerJSON | JsTokenizerJSON;

/** What the model, the sampler and checkpoints need of a tokenizer, whichever kind it is. */
export interface Tokenizer {
  readonly kind: TokenizerKind;
  readonly specials: readonly string[];
  readonly vocabSize: number;
  id(special: string): number;
  isSpecial(id: number): boolean;
  encode(s: string): number[];
  encodeText(s: string): number[];
  decode(ids: ArrayLike<number>): string;
  toJSON(): TokenizerJSON;
}

function describe(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return `${JSON.stringify(ch)} (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

const knownKinds = () => TOKENIZER_KINDS.map((k) => JSON.stringify(k)).join(', ');

interface TrieNode {
  /** The id of the piece that ends here, or -1. */
  id: number;
  next: Map<string, TrieNode>;
}

/**
 * Specials plus a table of text pieces (every alphabet character among them). Text is
 * encoded by taking the longest piece at each position, so any id sequence decodes to the
 * concatenation of its pieces, and decode(encode(s)) === s.
 */
abstract class PieceTokenizer implements Tokenizer {
  abstract readonly kind: TokenizerKind;
  readonly specials: readonly string[];
  readonly vocabSize: number;
  /** Piece text by id − S. */
  private readonly pieces: readonly string[];
  private readonly root: TrieNode = { id: -1, next: new Map() };
  private readonly specialId = new Map<string, number>();
  /** Specials by first character, longest name first, so that encode() prefers
   *  '<out2>' over '<out>' when both exist. */
  private readonly byFirst = new Map<string, string[]>();

  protected constructor(specials: string[], pieces: readonly string[]) {
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
    this.pieces = pieces;
    pieces.forEach((p, k) => {
      let node = this.root;
      for (const ch of p) {
        let child = node.next.get(ch);
        if (!child) node.next.set(ch, (child = { id: -1, next: new Map() }));
        node = child;
      }
      // Two ids for one text would make the encoding ambiguous.
      if (node.id >= 0) throw new TokenizerError(`piece ${JSON.stringify(p)} is listed twice`);
      node.id = specials.length + k;
    });
    this.vocabSize = specials.length + pieces.length;
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

  /** The special whose name starts at s[i] (the longest), or undefined. */
  private specialAt(s: string, i: number): string | undefined {
    return this.byFirst.get(s[i])?.find((name) => s.startsWith(name, i));
  }

  private encodeFrom(s: string, specials: boolean): number[] {
    if (typeof s !== 'string') throw new TokenizerError(`encode expects a string, got ${typeof s}`);
    const out: number[] = [];
    if (!specials) {
      this.encodeRun(s, 0, s.length, out);
      return out;
    }
    // Specials are found exactly where a character-by-character scan finds them, and no
    // piece reaches across one: where the markers are must not depend on the piece table
    // (a prompt then encodes as its prompt part followed by its response part).
    let i = 0;
    while (i < s.length) {
      const name = this.specialAt(s, i);
      if (name !== undefined) {
        out.push(this.specialId.get(name)!);
        i += name.length;
        continue;
      }
      let end = i + 1;
      while (end < s.length && this.specialAt(s, end) === undefined) end++;
      this.encodeRun(s, i, end, out);
      i = end;
    }
    return out;
  }

  /** s[start, end) as pieces, the longest match first. */
  private encodeRun(s: string, start: number, end: number, out: number[]): void {
    let i = start;
    while (i < end) {
      let node: TrieNode | undefined = this.root;
      let best = -1;
      let bestLen = 0;
      for (let j = i; j < end; j++) {
        node = node.next.get(s[j]);
        if (!node) break;
        if (node.id >= 0) {
          best = node.id;
          bestLen = j - i + 1;
        }
      }
      // Every alphabet character is a piece, so no match means s[i] is outside the alphabet.
      if (best < 0) {
        // Report the whole code point (a surrogate pair is one character to a reader).
        const cp = String.fromCodePoint(s.codePointAt(i)!);
        throw new TokenizerError(`cannot encode character ${describe(cp)} at index ${i}: only printable ASCII, \\n and \\t are in the vocabulary`);
      }
      out.push(best);
      i += bestLen;
    }
  }

  /** Ids back to text, specials written as their names; any id sequence decodes, not only
   *  the one encode would give (a sampled word may be spelled character by character). */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new TokenizerError(`cannot decode id ${id} at position ${k}: vocabulary has ids 0..${this.vocabSize - 1}`);
      }
      s += id < this.specials.length ? this.specials[id] : this.pieces[id - this.specials.length];
    }
    return s;
  }

  toJSON(): TokenizerJSON {
    return { kind: this.kind, version: 1, specials: [...this.specials] };
  }
}

/** The specials of a `kind` tokenizer's JSON, or a TokenizerError naming what is wrong. */
function specialsFromJSON(json: unknown, kind: TokenizerKind): string[] {
  const j = json as Partial<TokenizerJSON> | null;
  if (typeof j !== 'object' || j === null || j.kind !== kind) {
    throw new TokenizerError(`tokenizer JSON must have kind "${kind}", got ${JSON.stringify(j?.kind ?? j)}`);
  }
  if (j.version !== 1) throw new TokenizerError(`unsupported ${kind} tokenizer version ${JSON.stringify(j.version)} (expected 1)`);
  if (!Array.isArray(j.specials)) throw new TokenizerError('tokenizer JSON: specials must be an array');
  return j.specials;
}

/** One id per character: the smallest vocabulary, the longest sequences. */
export class CharTokenizer extends PieceTokenizer {
  readonly kind = 'char' as const;

  constructor(specials: string[]) {
    super(specials, CHARS);
  }

  static fromJSON(json: unknown): CharTokenizer {
    return new CharTokenizer(specialsFromJSON(json, 'char'));
  }
}

/** The character ids plus JS_PIECES: a program in fewer tokens, every character still writable on its own. */
export class JsTokenizer extends PieceTokenizer {
  readonly kind = 'js' as const;

  constructor(specials: string[]) {
    super(specials, [...CHARS, ...JS_PIECES]);
  }

  static fromJSON(json: unknown): JsTokenizer {
    return new JsTokenizer(specialsFromJSON(json, 'js'));
  }
}

/** A new tokenizer of the given kind. */
export function makeTokenizer(kind: TokenizerKind, specials: string[]): Tokenizer {
  if (kind === 'char') return new CharTokenizer(specials);
  if (kind === 'js') return new JsTokenizer(specials);
  throw new TokenizerError(`unknown tokenizer kind ${JSON.stringify(kind)} (known: ${knownKinds()})`);
}

/** The tokenizer a checkpoint's JSON describes, whichever kind it is. */
export function tokenizerFromJSON(json: unknown): Tokenizer {
  const j = json as { kind?: unknown } | null;
  if (typeof j !== 'object' || j === null || Array.isArray(j)) {
    throw new TokenizerError(`tokenizer JSON must be an object with a kind (${knownKinds()}), got ${JSON.stringify(j)}`);
  }
  if (j.kind === 'char') return CharTokenizer.fromJSON(j);
  if (j.kind === 'js') return JsTokenizer.fromJSON(j);
  throw new TokenizerError(`unknown tokenizer kind ${JSON.stringify(j.kind)} (known: ${knownKinds()})`);
}

/** A Tokenizer object (either class), as opposed to its JSON. */
export function isTokenizer(x: unknown): x is Tokenizer {
  return x instanceof CharTokenizer || x instanceof JsTokenizer;
}
