// Node worker-thread entry of the sandbox pool (src/sandbox/node-pool.ts). Worker
// threads run plain JavaScript, so TypeScript is loaded through tsx, as bin/azr.mjs
// does. comlink's `expose` is called at once and the runner is loaded on the first
// call, like the browser worker: the host never waits on a silent worker.
import { parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { register } from 'tsx/esm/api';

register();

/** @type {Promise<import('../src/sandbox/worker-api.ts').SandboxWorkerApi> | null} */
let api = null;

function load() {
  return (api ??= (async () => {
    const { createSandboxWorkerApi } = await import('../src/sandbox/worker-api.ts');
    // `runnerModule` (a module URL exporting createRunner()) swaps in another runner,
    // e.g. an instrumented one; by default this is the project's QuickJS runner.
    const custom = workerData?.runnerModule;
    return createSandboxWorkerApi(async () => {
      if (custom) return (await import(custom)).createRunner();
      const { QuickJsRunner } = await import('../src/sandbox/runner.ts');
      return QuickJsRunner.create();
    });
  })());
}

expose(
  {
    init: async (progress) => (await load()).init(progress),
    runChunk: async (jobs) => (await load()).runChunk(jobs),
  },
  nodeEndpoint(parentPort),
);
