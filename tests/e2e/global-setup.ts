// Builds the app once and serves the build with `vite preview` on a free localhost port
// (WebGPU and cross-origin isolation need a secure context: localhost, not file://).
// The e2e tests get the address through vitest's provide/inject.
import { createServer } from 'node:net';
import { build, preview } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    /** The built app's directory, for tests that serve it themselves. */
    distDir: string;
  }
}

const OUT_DIR = 'node_modules/.e2e-dist';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await build({ logLevel: 'warn', build: { outDir: OUT_DIR, emptyOutDir: true } });
  const port = await freePort();
  const server = await preview({ logLevel: 'warn', build: { outDir: OUT_DIR }, preview: { host: '127.0.0.1', port, strictPort: true, open: false } });
  project.provide('baseUrl', `http://127.0.0.1:${port}/`);
  project.provide('distDir', OUT_DIR);
  return async () => {
    await server.close();
  };
}
