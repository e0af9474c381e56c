// The sandbox pool in Node: the same SandboxPool, over worker_threads. Node-only (it
// imports node:*), so nothing the browser bundle loads may import this file.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { wrap, type Endpoint } from 'comlink';
import { SandboxPool, type PoolOptions, type WorkerHandle } from './pool.ts';
import type { SandboxWorkerApi } from './worker-api.ts';
import type { Verdict } from './types.ts';

export interface NodePoolOptions extends PoolOptions {
  /**
   * Module URL (file: or data:) exporting `createRunner(): Promise<{ runJob(job) }>`,
   * loaded in each worker instead of the QuickJS runner. For tests of the pool itself
   * and for instrumented runners; leave unset to run the real sandbox.
   */
  runnerModule?: string | URL;
}

const ENTRY = new URL('../../workers/sandbox.node-worker.mjs', import.meta.url);
const WORKER_STACK_MB = 1;

/** The pool for Node: N = os.availableParallelism() worker threads unless `size` says otherwise. */
export function createNodePool(options: NodePoolOptions = {}): SandboxPool {
  const { runnerModule, ...rest } = options;
  const size = rest.size ?? Math.max(1, availableParallelism());
  const runner = runnerModule === undefined ? undefined : String(runnerModule);
  return new SandboxPool(() => spawnNodeWorker(runner), { ...rest, size });
}

function spawnNodeWorker(runnerModule: string | undefined): WorkerHandle {
  // Workers inherit the parent's Node flags, but --input-type (from `node -e`) makes a
  // worker refuse its file entry point; the entry decides its own module type.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  // Node gives worker threads a 4 MB native stack; the main thread and browser workers
  // have V8's ~1 MB, which is what the runner's stack limit is calibrated against. With
  // 4 MB, deep nesting meets QuickJS's own parser check instead (JSON.parse then throws a
  // SyntaxError rather than a limit verdict), so a task would check differently in Node
  // than in the page. Same stack, same verdicts.
  const resourceLimits = { stackSizeMb: WORKER_STACK_MB };
  const worker = new Worker(ENTRY, { workerData: { runnerModule }, execArgv, resourceLimits });
  let listener: ((reason: string, verdict: Verdict) => void) | null = null;
  worker.on('error', (e: Error & { code?: string }) => {
    listener?.(`${e.name}: ${e.message}`, e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'error');
  });
  worker.on('exit', (code) => listener?.(`the worker thread exited (code ${code})`, 'error'));
  return {
    api: wrap<SandboxWorkerApi>(endpointOf(worker)) as unknown as SandboxWorkerApi,
    terminate: () => worker.terminate(),
    onDeath: (l) => {
      listener = l;
    },
    setRef: (ref) => (ref ? worker.ref() : worker.unref()),
  };
}

/** comlink speaks the DOM's addEventListener; a Node Worker speaks EventEmitter. */
function endpointOf(worker: Worker): Endpoint {
  const wrapped = new Map<EventListenerOrEventListenerObject, (data: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => worker.postMessage(message, transfer as never),
    addEventListener: (_type: string, handler: EventListenerOrEventListenerObject) => {
      const l = (data: unknown) => {
        const event = { data } as MessageEvent;
        if (typeof handler === 'function') handler(event);
        else handler.handleEvent(event);
      };
      wrapped.set(handler, l);
      worker.on('message', l);
    },
    removeEventListener: (_type: string, handler: EventListenerOrEventListenerObject) => {
      const l = wrapped.get(handler);
      if (l) worker.off('message', l);
      wrapped.delete(handler);
    },
  };
}
