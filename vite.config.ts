import './scripts/node-compat.mjs';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/support/chromium.ts';
import { keepWasmFactorySource } from './scripts/vite-wasm-factory.ts';

// Cross-origin isolation gives the page SharedArrayBuffer, which the tfjs wasm
// fallback needs for threads. Sent by the dev server, the preview server and the
// browser tests alike (the static build ships the same pair in public/_headers).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [svelte()],
  server: { headers: isolation },
  preview: { headers: isolation },
  // tfjs lives in the trainer worker's bundle, so the plugin that keeps the threaded wasm
  // factory's source intact under minification is a worker plugin (scripts/vite-wasm-factory.ts).
  worker: { format: 'es', plugins: () => [keepWasmFactorySource()] },
  // Relative asset and worker URLs: the same dist/ works at a host's root and under a
  // sub-path (GitHub Pages serves a project at /<repo>/).
  base: './',
  optimizeDeps: {
    // QuickJS loads its .wasm next to its module; pre-bundling would move the JS away from it.
    exclude: ['quickjs-emscripten', '@jitl/quickjs-wasmfile-release-sync'],
    // The tfjs backends are imported lazily (src/model/backend.ts); listed here so Vite
    // pre-bundles them at start instead of discovering them mid-run and reloading the page.
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'valibot', 'comlink', 'acorn', 'idb'],
  },
  test: {
    // Three groups, one after another: unit tests, then the real-browser tests, then the
    // built app. The browser and e2e suites assert main-thread responsiveness (no long
    // tasks), so they should not share the CPU with the unit suite's QuickJS and tfjs work.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // The built app, served by `vite preview`, driven by playwright-core (tests/e2e).
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          sequence: { groupOrder: 1 },
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
