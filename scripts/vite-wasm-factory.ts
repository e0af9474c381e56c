// Keeps tfjs-backend-wasm's threaded module factory byte-for-byte as published, so the
// production build can be minified.
//
// The threaded wasm backend starts each pthread worker from the *source text* of its
// Emscripten factory: backend_wasm.js posts `"var WasmBackendModuleThreadedSimd = " +
// factory.toString()` to the thread as a Blob. The factory's body refers to a variable of
// the closure around it (`_scriptDir`) and relies on its own names; a minifier renames
// and rewrites them, so the text a thread receives no longer runs (a ReferenceError in
// every thread, and the trainer never finishes starting).
//
// This plugin replaces that one module with a string of its published source, evaluated
// by `new Function` when the chunk loads: a minifier never touches string contents, so
// `factory.toString()` is exactly the published text again, while every other module of
// the build (the rest of tfjs included) is minified as usual. The cost is one
// `new Function` at start, which a Content-Security-Policy without 'unsafe-eval' would
// refuse (the app sets none; the thread's Blob already needs the same allowance).
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

export const THREADED_FACTORY = /tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;

/** The module that stands in for the factory file: its source as a string, evaluated at load. */
export function factoryModule(source: string): string {
  const body = `${source}\n;return WasmBackendModuleThreadedSimd;`;
  return [
    '// tfjs-backend-wasm-threaded-simd.js as published, kept as text so that its',
    '// toString() (which tfjs sends to every wasm thread) survives minification.',
    `const factory = new Function(${JSON.stringify(body)})();`,
    'export default factory;',
  ].join('\n');
}

export function keepWasmFactorySource(): Plugin {
  return {
    name: 'azr:keep-wasm-factory-source',
    apply: 'build',
    enforce: 'pre',
    load(id) {
      const file = id.replace(/\?.*$/, '');
      if (!THREADED_FACTORY.test(file)) return null;
      return factoryModule(readFileSync(file, 'utf8'));
    },
  };
}
