// Backends under Node (the CLI and the unit tests). Never imported by the browser bundle.
//
// - wasm (default): tfjs's SIMD build, loaded from node_modules by file path. Node
//   gets no wasm threads from tfjs (DESIGN §6), so two runs in two processes are how
//   to use two cores.
// - cpu: tfjs's plain JavaScript kernels; the reference the others are checked against.
// - webgpu (only when named): Dawn through the `webgpu` package. On a machine without
//   a GPU Dawn finds an adapter only through SwiftShader's Vulkan driver, which
//   Debian's chromium package ships; we point the Vulkan loader at it. That adapter is
//   a CPU emulation — it proves correctness, it is never the fast choice.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { adapterInfoOf, selectBackend, type AdapterInfo, type BackendInfo, type BackendPlatform, type BackendPref, type ProbeOptions } from './backend.ts';

const require = createRequire(import.meta.url);

/** Where Debian's chromium keeps SwiftShader's Vulkan driver and a Vulkan loader. */
export const CHROMIUM_LIB_DIR = '/usr/lib/chromium';
export const SWIFTSHADER_ICD = join(CHROMIUM_LIB_DIR, 'vk_swiftshader_icd.json');
const CHROMIUM_VULKAN_LOADER = join(CHROMIUM_LIB_DIR, 'libvulkan.so.1');
/** glibc's RTLD_NODELETE (Node's os.constants.dlopen omits it). */
const RTLD_NODELETE = 0x1000;
const RTLD_NOW = 2;

/** The directory holding tfjs-backend-wasm's .wasm files, with a trailing slash as setWasmPaths wants. */
export function wasmDir(): string {
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/';
}

function systemHasVulkanLoader(): boolean {
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean),
    '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu',
    '/usr/lib64', '/usr/lib', '/usr/local/lib',
  ];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

/** Whether the Vulkan loader would find any installed driver manifest by itself. */
function systemHasVulkanDrivers(): boolean {
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
  return dirs.some((d) => {
    try {
      return readdirSync(d).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
}

/**
 * Dawn dlopen()s "libvulkan.so.1" by name. Without a system Vulkan loader it fails even
 * though Chromium ships one; LD_LIBRARY_PATH would have to be set before Node starts.
 * Loading Chromium's copy into the process first, with RTLD_NODELETE so it stays after
 * process.dlopen rejects it (it is not a Node addon), lets Dawn's later dlopen find it
 * by its soname.
 */
function preloadChromiumVulkanLoader(): boolean {
  if (process.platform !== 'linux' || !existsSync(CHROMIUM_VULKAN_LOADER)) return false;
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, CHROMIUM_VULKAN_LOADER, RTLD_NOW | RTLD_NODELETE);
  } catch (e) {
    // Expected: "did not self-register". Anything else means the library did not load.
    if (!/self-register/.test((e as Error).message)) return false;
  }
  return true;
}

type Gpu = { requestAdapter(o?: GPURequestAdapterOptions): Promise<GPUAdapter | null> };

async function dawnGpu(): Promise<Gpu> {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  return create([]) as unknown as Gpu;
}

let nodeAdapter: AdapterInfo | undefined;
let adapterNote = '';

/**
 * Find a WebGPU adapter through Dawn: the machine's own Vulkan first, then SwiftShader.
 * As a candidate of `auto` (`ownDriversOnly`) only the machine's own drivers count: the
 * SwiftShader fallback is a CPU emulation that would only spend the probe's budget.
 */
async function prepareWebGpu(ownDriversOnly = false): Promise<string | null> {
  if (tf.findBackendFactory('webgpu') && nodeAdapter) return null; // already set up by an earlier call
  const userIcd = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  if (ownDriversOnly && !userIcd && !systemHasVulkanDrivers()) {
    return 'not a candidate: no Vulkan driver installed (SwiftShader, a CPU emulation, is used only when webgpu is named)';
  }
  const hasLoader = systemHasVulkanLoader();
  // Without a system loader, Chromium's stands in (it honours VK_ICD_FILENAMES like any loader).
  const loaderNote = hasLoader ? '' : preloadChromiumVulkanLoader() ? `, Vulkan loader from ${CHROMIUM_LIB_DIR}` : '';
  if (!hasLoader && !loaderNote) {
    return `no adapter (no Vulkan loader: neither libvulkan.so.1 on the system nor ${CHROMIUM_VULKAN_LOADER})`;
  }
  let gpu = await dawnGpu();
  // The machine's own drivers (or the ones the user named) first: a real GPU wins.
  // With no installed driver manifest the attempt could only fail (noisily, on stderr).
  let adapter = userIcd || systemHasVulkanDrivers() ? await gpu.requestAdapter({ powerPreference: 'high-performance' }) : null;
  adapterNote = userIcd ? `VK_ICD_FILENAMES=${userIcd}${loaderNote}` : loaderNote.slice(2);
  if (!adapter && !userIcd) {
    if (!existsSync(SWIFTSHADER_ICD)) {
      return `no adapter (Dawn found no GPU, and SwiftShader's Vulkan driver ${SWIFTSHADER_ICD} is absent: install Debian's chromium package)`;
    }
    // The Vulkan loader reads this when Dawn creates its instance, so a fresh Dawn instance sees it.
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    gpu = await dawnGpu();
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    adapterNote = `VK_ICD_FILENAMES set to ${SWIFTSHADER_ICD}${loaderNote}`;
  }
  if (!adapter) return `no adapter (Dawn's requestAdapter returned null${userIcd ? ` with VK_ICD_FILENAMES=${userIcd}` : ''})`;
  nodeAdapter = adapterInfoOf(adapter);
  // tfjs-backend-webgpu registers itself at import only if navigator.gpu exists then.
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  return null;
}

let wasmPathsSet = false;

/** Set while `auto` prepares the candidates it will time. */
let probing = false;

const nodePlatform: BackendPlatform = {
  order: ['wasm', 'cpu'],
  probeOrder: ['wasm', 'webgpu'],
  async identity() {
    const a = nodeAdapter;
    return [a ? `adapter ${a.vendor}/${a.architecture}/${a.description}${a.software ? '/software' : ''}` : 'no webgpu adapter', `cores ${availableParallelism()}`, `node ${process.versions.node}`].join('|');
  },
  untimed: async () => ['wasm multi-threaded (tfjs runs wasm single-threaded in Node)'],
  async prepare(name) {
    switch (name) {
      case 'wasm': {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        if (!wasmPathsSet) {
          const dir = wasmDir();
          if (!existsSync(join(dir, 'tfjs-backend-wasm-simd.wasm'))) return `binaries missing under ${dir}`;
          wasm.setWasmPaths(dir);
          wasmPathsSet = true;
        }
        return null;
      }
      case 'webgpu':
        return prepareWebGpu(probing);
      case 'webgl':
        return 'not available in Node (no WebGL context)';
      case 'cpu':
        return null;
    }
  },
  async describe(name) {
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      const threads = wasm.getThreadsCount();
      return { info: { simd, threads }, note: threads === 1 ? 'tfjs wasm runs single-threaded in Node' : '' };
    }
    if (name === 'webgpu' && nodeAdapter) {
      return {
        info: { adapter: nodeAdapter },
        note: `Dawn, ${nodeAdapter.software ? 'a software adapter: slower than the cpu backend' : 'a hardware adapter'}${adapterNote ? `; ${adapterNote}` : ''}`,
      };
    }
    return { info: {}, note: '' };
  },
};

/**
 * Node's backend. Named: that one or a BackendError. `auto` with `probe` (the run's model):
 * wasm and, where the machine has its own Vulkan driver, webgpu through Dawn, timed on the
 * model's training step (the figures go into the reason); `auto` alone: wasm, then cpu.
 */
export async function initBackend(pref: BackendPref = 'auto', probe?: ProbeOptions): Promise<BackendInfo> {
  probing = probe !== undefined;
  try {
    return await selectBackend(pref, nodePlatform, probe);
  } finally {
    probing = false;
  }
}
