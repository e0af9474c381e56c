// The page's thread renders; tfjs and QuickJS belong to the workers. Loading tfjs on the
// page cost a second copy of it on the first visit (~2.7 MB before minification) and the
// longest task of the load. This walks the module graph the page can reach — static and
// dynamic imports from src/main.ts, never following `new Worker(new URL(...))` — and
// names the chain of imports that would pull either library in.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const FORBIDDEN = [/^@tensorflow\//, /^quickjs-emscripten/, /^@jitl\/quickjs/];

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Value imports of a module (type-only imports and re-exports are erased by the compiler). */
export function importsOf(src: string): string[] {
  const code = stripComments(src);
  const out: string[] = [];
  const patterns = [
    /\bimport\s+(?!type\b)[\w*{}\s,$]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bexport\s+(?!type\b)[\w*{}\s,$]*?\bfrom\s*['"]([^'"]+)['"]/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]);
  return out;
}

/** Every bare module the page's thread can load, with the chain of files that imports it. */
function reachable(entry: string): Map<string, string[]> {
  const bare = new Map<string, string[]>();
  const seen = new Set<string>();
  const queue: [string, string[]][] = [[resolve(ROOT, entry), []]];
  while (queue.length) {
    const [file, chain] = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const here = [...chain, relative(ROOT, file)];
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec.replace(/\?.*$/, ''));
        if (/\.(ts|svelte)$/.test(target)) queue.push([target, here]);
      } else if (!bare.has(spec)) {
        bare.set(spec, here);
      }
    }
  }
  return bare;
}

describe("the page's module graph", () => {
  test('the import scanner sees static, dynamic and re-exported modules, and skips type-only ones', () => {
    const src = `import { a } from './a.ts';\nimport type { B } from '@tensorflow/tfjs';\nimport 'side';\n// import x from 'commented';\nconst m = await import('./lazy.ts');\nexport * from './re.ts';\nexport type { C } from 'types-only';\nnew Worker(new URL('./w.ts', import.meta.url));`;
    expect(importsOf(src).sort()).toEqual(['./a.ts', './lazy.ts', './re.ts', 'side']);
  });

  test('reaches the checkpoint store and the controller, but neither tfjs nor QuickJS', () => {
    const bare = reachable('src/main.ts');
    // The walk did get there: the page stores checkpoints and talks to the worker.
    expect([...bare.keys()]).toEqual(expect.arrayContaining(['idb', 'comlink', 'svelte']));
    const bad = [...bare].filter(([spec]) => FORBIDDEN.some((re) => re.test(spec)));
    expect(bad.map(([spec, chain]) => `${spec} ← ${chain.reverse().join(' ← ')}`)).toEqual([]);
  });
});
