// Browser entry of a sandbox worker (module worker, spawned by src/sandbox/pool.ts).
// `expose` runs at once so the page can talk to the worker immediately; the QuickJS
// runner is loaded on the first call, from the QuickJS module the pool compiled once for
// all its workers (or, without one, from the .wasm file).
import { expose } from 'comlink';
import { createSandboxWorkerApi } from '../src/sandbox/worker-api.ts';

expose(
  createSandboxWorkerApi(async (quickjs) => {
    const runner = await import('../src/sandbox/runner.ts');
    // The pool's compiled module when it sent one: no fetch, no compile here.
    if (quickjs) runner.useCompiledQuickJs(quickjs);
    return runner.QuickJsRunner.create();
  }),
);
