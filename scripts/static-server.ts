// A plain static file server for the built app, as a static host would serve it: files
// under a path prefix (GitHub Pages serves a project at /<repo>/), no rewriting, a 404 for
// a missing file, a redirect from "/prefix" to "/prefix/", and the COOP/COEP pair only when
// asked (hosts that read public/_headers send it; GitHub Pages and `python3 -m http.server`
// do not). It records every request with the bytes it sent, so the load benchmark counts
// exactly what a first visit fetched, the workers' fetches included.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.wasm': 'application/wasm',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServerOptions {
  /** The directory to serve (e.g. dist/). */
  root: string;
  /** The URL path it appears under: "/" or "/azr-playground/". */
  prefix?: string;
  /** Send COOP/COEP (cross-origin isolation). */
  isolate?: boolean;
  port?: number;
}

export interface StaticServer {
  /** The served root's address, ending in the prefix. */
  url: string;
  /** Every request answered, in order. */
  log: { path: string; status: number; bytes: number }[];
  close(): Promise<void>;
}

export async function serveStatic({ root, prefix = '/', isolate = false, port = 0 }: StaticServerOptions): Promise<StaticServer> {
  const base = resolve(root);
  const pre = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const log: StaticServer['log'] = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const send = (status: number, body: Buffer, headers: Record<string, string | number> = {}) => {
      if (isolate) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      res.writeHead(status, { 'Content-Length': body.length, ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
      log.push({ path, status, bytes: body.length });
    };
    if (path === pre.slice(0, -1)) return send(301, Buffer.alloc(0), { Location: pre });
    if (!path.startsWith(pre)) return send(404, Buffer.from('not found'));
    let file = normalize(join(base, path.slice(pre.length)));
    if (file !== base && !file.startsWith(base + sep)) return send(403, Buffer.from('forbidden'));
    try {
      if ((await stat(file)).isDirectory()) {
        if (!path.endsWith('/')) return send(301, Buffer.alloc(0), { Location: `${path}/` });
        file = join(file, 'index.html');
      }
      const body = await readFile(file);
      send(200, body, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    } catch {
      send(404, Buffer.from('not found'));
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}${pre}`,
    log,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections?.();
      server.close(() => ok());
    }),
  };
}
