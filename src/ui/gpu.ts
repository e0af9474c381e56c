// What the page can tell about WebGPU before any model loads: an adapter with its
// vendor and architecture, or the reason there is none (so the visitor learns which
// backend will train, and why).
export type GpuStatus =
  | { available: true; vendor: string; architecture: string; description: string; fallback: boolean }
  | { available: false; reason: string };

export async function probeWebGpu(nav: Navigator = navigator): Promise<GpuStatus> {
  const gpu = (nav as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    return {
      available: false,
      reason: globalThis.isSecureContext === false
        ? 'WebGPU needs a secure context (https or localhost).'
        : 'This browser does not expose WebGPU (navigator.gpu is missing).',
    };
  }
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { available: false, reason: 'navigator.gpu returned no adapter (GPU blocklisted or disabled).' };
    const info = adapter.info;
    return {
      available: true,
      vendor: info?.vendor || 'unknown vendor',
      architecture: info?.architecture || 'unknown architecture',
      description: info?.description || '',
      fallback: Boolean((info as GPUAdapterInfo & { isFallbackAdapter?: boolean })?.isFallbackAdapter),
    };
  } catch (e) {
    return { available: false, reason: `requestAdapter failed: ${(e as Error).message}` };
  }
}

export function describeGpu(s: GpuStatus): string {
  if (!s.available) return `No WebGPU: ${s.reason} Training falls back to WebAssembly on the CPU.`;
  const name = [s.vendor, s.architecture].filter((x) => x && !x.startsWith('unknown')).join(' / ') || 'an adapter';
  return `WebGPU ready: ${name}${s.description ? ` (${s.description})` : ''}${s.fallback ? ', a software fallback adapter' : ''}.`;
}
