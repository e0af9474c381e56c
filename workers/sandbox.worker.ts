// Browser entry of a sandbox worker (module worker, spawned by src/sandbox/pool.ts).
// `expose` runs at once so the page can talk to the worker immediately; the QuickJS
// runner (and its WASM compile) is loaded on the first call.
import { expose } from 'comlink';
import { createSandboxWorkerApi } from '../src/sandbox/worker-api.ts';

expose(createSandboxWorkerApi(async () => (await import('../src/sandbox/runner.ts')).QuickJsRunner.create()));
