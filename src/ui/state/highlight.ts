// Just enough JavaScript highlighting for the feed: keywords, strings, numbers, comments.
// A regex scanner, not a parser — programs the policy writes are often broken, and a
// highlighter must never throw or hide text. Output is tokens, rendered as text nodes by
// Svelte, so nothing from a program is ever interpreted as HTML.
export type TokenKind = 'kw' | 'str' | 'num' | 'com' | 'punct' | 'plain';

export interface Token {
  kind: TokenKind;
  text: string;
}

const KEYWORDS = new Set([
  'function', 'return', 'let', 'const', 'var', 'if', 'else', 'for', 'while', 'do', 'break', 'continue', 'new',
  'typeof', 'instanceof', 'in', 'of', 'true', 'false', 'null', 'undefined', 'this', 'switch', 'case', 'default', 'throw', 'try', 'catch',
]);

const SCANNER = /(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|("(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`(?:[^`\\]|\\.)*`?)|(\b\d[\d_]*(?:\.\d*)?(?:e[-+]?\d+)?\b|\.\d+\b)|([A-Za-z_$][\w$]*)|([{}()[\];,.=+\-*/%<>!&|?:^~]+)/gi;

export function highlight(src: string): Token[] {
  const out: Token[] = [];
  let last = 0;
  for (const m of src.matchAll(SCANNER)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ kind: 'plain', text: src.slice(last, at) });
    const kind: TokenKind = m[1] ? 'com' : m[2] ? 'str' : m[3] ? 'num' : m[4] ? (KEYWORDS.has(m[4]) ? 'kw' : 'plain') : 'punct';
    out.push({ kind, text: m[0] });
    last = at + m[0].length;
  }
  if (last < src.length) out.push({ kind: 'plain', text: src.slice(last) });
  return out;
}
