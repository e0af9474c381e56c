// The sandbox's public entry: `createExecutor()` gives a worker pool in the browser
// (module workers) and in Node (worker_threads), with one API. Guest code never runs
// on the calling thread.
import { createBrowserPool, type PoolOptions, type SandboxPool } from './pool.ts';
import type { NodePoolOptions } from './node-pool.ts';

export * from './types.ts';
export { SandboxPool, SandboxPoolError, createBrowserPool, DEFAULT_POOL_OPTIONS } from './pool.ts';
export type { PoolOptions, PoolStats } from './pool.ts';
export type { NodePoolOptions } from './node-pool.ts';

/** True under Node (CLI, unit tests); false in a page or a browser worker. */
export function isNode(): boolean {
  return typeof globalThis.process?.versions?.node === 'string';
}

/**
 * The pool for wherever this runs. Resolves once the pool exists (its workers keep
 * starting in the background; `await pool.ready()` to wait for them).
 */
export async function createExecutor(options: PoolOptions & NodePoolOptions = {}): Promise<SandboxPool> {
  if (!isNode()) return createBrowserPool(options);
  // The specifier is assembled at run time so that bundlers never follow it: the
  // Node pool imports node:worker_threads, which must stay out of the browser bundle.
  const nodePool = './node-pool' + '.ts';
  const mod = (await import(/* @vite-ignore */ nodePool)) as typeof import('./node-pool.ts');
  return mod.createNodePool(options);
}
