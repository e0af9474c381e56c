// Which tfjs backend runs the policy, and why. The app and the CLI both print the
// answer (BackendInfo) so a visitor learns whether training runs on their GPU, on a
// software adapter, or on the CPU — and what was tried first.
//
// This module is safe for the browser bundle: no node:* imports. Optional backends
// are imported lazily, because tfjs-backend-webgpu decides at import time whether to
// register itself (it looks for navigator.gpu), and because a page that trains on
// WebGPU should not download the wasm binaries. Node's variant lives in
// backend-node.ts and reuses `selectBackend` with its own platform hooks.
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendPref = 'auto' | BackendName;

export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
/** Fastest first: a GPU through WebGPU, a GPU through WebGL, SIMD WebAssembly, plain JS. */
export const BROWSER_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** True for a CPU emulation (SwiftShader, llvmpipe, …): correct, but slower than tfjs's own cpu backend. */
  software: boolean;
}

export interface BackendInfo {
  name: BackendName;
  /** Why this backend: what was tried before it and why that failed, or that it was requested. */
  reason: string;
  adapter?: AdapterInfo;
  simd?: boolean;
  threads?: number;
}

/** A backend that was asked for by name and cannot run here, or a bad backend name. */
export class BackendError extends Error {
  override name = 'BackendError';
}

export function parseBackendPref(s: string): BackendPref {
  if (s === 'auto' || (BACKEND_NAMES as readonly string[]).includes(s)) return s as BackendPref;
  throw new BackendError(`unknown backend "${s}" (expected auto, ${BACKEND_NAMES.join(', ')})`);
}

/** What a platform (browser page or worker, Node) knows about making each backend ready. */
export interface BackendPlatform {
  /** The order `auto` tries. */
  order: readonly BackendName[];
  /**
   * Make `name` registered and initialisable. Returns why it cannot run here
   * (e.g. "no adapter (navigator.gpu missing)"), or null when tf.setBackend may try it.
   */
  prepare(name: BackendName): Promise<string | null>;
  /** Facts to print once `name` is active (adapter, SIMD, threads) and a short note for the reason. */
  describe(name: BackendName): Promise<{ info: Partial<BackendInfo>; note: string }>;
}

/** Heuristic for software adapters, from what WebGPU reports about them. */
export function isSoftwareAdapter(info: { vendor?: string; architecture?: string; description?: string; device?: string }, fallback = false): boolean {
  const text = [info.vendor, info.architecture, info.description, info.device].join(' ');
  return fallback || /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i.test(text);
}

export function adapterInfoOf(adapter: GPUAdapter): AdapterInfo {
  const info = (adapter.info ?? {}) as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const fallback = Boolean(info.isFallbackAdapter ?? (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter);
  return {
    vendor: info.vendor || 'unknown',
    architecture: info.architecture || 'unknown',
    description: info.description || '',
    software: isSoftwareAdapter(info, fallback),
  };
}

export function describeAdapter(a: AdapterInfo): string {
  const name = [a.vendor, a.architecture].filter((x) => x && x !== 'unknown').join(' ') || 'an adapter';
  return `${name}${a.description ? ` (${a.description})` : ''}${a.software
    ? ' — a software adapter (CPU emulation): correct but slower than the cpu backend'
    : ''}`;
}

/** One line for logs and the UI: "webgpu — google swiftshader …; webgpu: requested". */
export function formatBackendInfo(b: BackendInfo): string {
  const facts: string[] = [];
  if (b.adapter) facts.push(describeAdapter(b.adapter));
  if (b.simd !== undefined) facts.push(`SIMD ${b.simd ? 'on' : 'off'}`);
  if (b.threads !== undefined) facts.push(`${b.threads} thread${b.threads === 1 ? '' : 's'}`);
  return `${b.name}${facts.length ? ` [${facts.join(', ')}]` : ''}: ${b.reason}`;
}

/** Run one tiny op and read it back: a backend that registers but cannot compute is no backend. */
async function smokeTest(): Promise<string | null> {
  const x = tf.tensor1d([1, 2, 3]);
  const y = tf.mul(x, 2);
  try {
    const v = await y.data();
    return v[0] === 2 && v[1] === 4 && v[2] === 6 ? null : `computed [${Array.from(v)}] for 2·[1,2,3]`;
  } catch (e) {
    return `a first op failed: ${(e as Error).message}`;
  } finally {
    x.dispose();
    y.dispose();
  }
}

/**
 * tfjs reports a backend's failed initialisation only through console.warn, so we
 * listen while it starts to put the cause into the reason. Its advice to install
 * tfjs-node (printed on the cpu backend's first op in Node) is dropped: this project
 * deliberately runs without native addons.
 */
async function capturingWarnings<T>(fn: () => Promise<T>): Promise<{ value: T; warnings: string[] }> {
  const original = console.warn;
  const warnings: string[] = [];
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  };
  try {
    return { value: await fn(), warnings };
  } finally {
    console.warn = original;
  }
}

async function tryBackend(name: BackendName, platform: BackendPlatform): Promise<string | null> {
  let why: string | null;
  try {
    why = await platform.prepare(name);
  } catch (e) {
    why = `setup failed: ${(e as Error).message}`;
  }
  if (why) return why;
  const { value, warnings } = await capturingWarnings(async () => {
    let ok = false;
    try {
      ok = await tf.setBackend(name);
    } catch (e) {
      return `initialisation failed: ${(e as Error).message}`;
    }
    if (!ok) return 'initialisation failed';
    await tf.ready();
    return smokeTest();
  });
  const relevant = warnings.filter((w) => !/tfjs-node/.test(w));
  if (value) {
    const cause = relevant.filter((w) => !/^Initialization of backend .* failed$/.test(w.trim())).map((w) => w.trim().split('\n')[0]);
    return cause.length ? `${value} (${cause.join('; ')})` : value;
  }
  for (const w of relevant) console.warn(w);
  return null;
}

/**
 * Activate a backend. `auto` walks `platform.order` and explains every skip; a named
 * backend is tried alone and a failure is a BackendError (asking for webgpu and
 * silently getting cpu would mislead every timing that follows).
 */
export async function selectBackend(pref: BackendPref, platform: BackendPlatform): Promise<BackendInfo> {
  const candidates = pref === 'auto' ? platform.order : [pref];
  const skipped: string[] = [];
  for (const name of candidates) {
    const why = await tryBackend(name, platform);
    if (why) {
      if (pref !== 'auto') throw new BackendError(`backend ${name} is not available: ${why}`);
      skipped.push(`${name}: ${why}`);
      continue;
    }
    const { info, note } = await platform.describe(name);
    const chosen = pref === 'auto'
      ? skipped.length ? `fell back to ${name}` : `${name}: first choice`
      : `${name}: requested`;
    const reason = [...skipped, chosen].join('; ') + (note ? ` (${note})` : '');
    return { ...info, name, reason };
  }
  throw new BackendError(`no tfjs backend could start: ${skipped.join('; ')}`);
}

// ---------------------------------------------------------------------------------
// The browser (a page or a worker).

async function wasmFacts(): Promise<{ simd: boolean; threads: number }> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  return { simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')), threads: wasm.getThreadsCount() };
}

let browserAdapter: AdapterInfo | undefined;

const browserPlatform: BackendPlatform = {
  order: BROWSER_ORDER,
  async prepare(name) {
    switch (name) {
      case 'webgpu': {
        const gpu = (globalThis.navigator as Navigator & { gpu?: GPU } | undefined)?.gpu;
        if (!gpu) {
          return globalThis.isSecureContext === false
            ? 'no adapter (navigator.gpu missing: WebGPU needs a secure context, https or localhost)'
            : 'no adapter (navigator.gpu missing: this browser does not expose WebGPU)';
        }
        const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
        if (!adapter) return 'no adapter (requestAdapter returned null: GPU blocklisted or disabled)';
        browserAdapter = adapterInfoOf(adapter);
        await import('@tensorflow/tfjs-backend-webgpu');
        return null;
      }
      case 'webgl':
        // @tensorflow/tfjs registers webgl itself; in a worker it needs OffscreenCanvas.
        if (typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined') return 'no canvas in this worker (OffscreenCanvas missing)';
        return null;
      case 'wasm': {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        // Vite serves the three binaries as assets; tfjs picks one by the browser's
        // SIMD and thread support (threads need cross-origin isolation, which the app has).
        const [plain, simd, threaded] = await Promise.all([
          import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'),
          import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'),
          import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'),
        ]);
        wasm.setWasmPaths({
          'tfjs-backend-wasm.wasm': plain.default,
          'tfjs-backend-wasm-simd.wasm': simd.default,
          'tfjs-backend-wasm-threaded-simd.wasm': threaded.default,
        });
        return null;
      }
      case 'cpu':
        return null;
    }
  },
  async describe(name) {
    if (name === 'webgpu' && browserAdapter) {
      return { info: { adapter: browserAdapter }, note: describeAdapter(browserAdapter) };
    }
    if (name === 'wasm') {
      const f = await wasmFacts();
      const note = f.threads > 1 ? '' : globalThis.crossOriginIsolated === false
        ? 'single-threaded: the page is not cross-origin isolated, so no SharedArrayBuffer'
        : '';
      return { info: f, note };
    }
    return { info: {}, note: '' };
  },
};

/** The browser's backend: webgpu, then webgl, wasm, cpu (or the one named). */
export function initBackend(pref: BackendPref = 'auto'): Promise<BackendInfo> {
  return selectBackend(pref, browserPlatform);
}
