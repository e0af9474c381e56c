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
import type { ModelConfig } from './config.ts';

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
  /** How `auto` chose among several candidates by timing the run's own training step (absent when it did not). */
  verdict?: BackendVerdict;
  /** True when `verdict` was read from the cache rather than measured now. */
  cached?: boolean;
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
  /**
   * The backends `auto` times against each other when it knows the run's model (cheapest
   * to probe first); absent, `auto` takes the first of `order` that starts.
   */
  probeOrder?: readonly BackendName[];
  /**
   * What, besides the model, decides which backend wins on this machine: the adapter's
   * identity, cross-origin isolation (wasm threads), the core count. Part of the cache key.
   */
  identity?(): Promise<string>;
  /** Variants that cannot be timed here (after the probe: it may depend on what started), each with the reason (said in the verdict). */
  untimed?(): Promise<string[]>;
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
 * Activate a backend. A named backend is tried alone and a failure is a BackendError
 * (asking for webgpu and silently getting cpu would mislead every timing that follows).
 * `auto` with `probe` (the run's model) times the platform's candidates on that model's
 * own training step and keeps the fastest (see selectByProbe); `auto` without it walks
 * `platform.order` and explains every skip.
 */
export async function selectBackend(pref: BackendPref, platform: BackendPlatform, probe?: ProbeOptions): Promise<BackendInfo> {
  if (pref === 'auto' && probe && platform.probeOrder) return selectByProbe(platform, probe);
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
// Choosing by measurement. A backend's name says little about its speed for this model:
// WebGPU on a software adapter (SwiftShader, llvmpipe) is a CPU emulation far slower
// than wasm, and even a real GPU can lose to wasm on a model this small, where every
// kernel's dispatch costs more than its arithmetic. So `auto` times one training step of
// the run's own model on each candidate, within a fixed budget, and keeps the fastest.

/** What the probe times: a training step (forward + backward + AdamW) of the run's model on a batch of `rows` × `tokens`. */
export interface ProbeSpec {
  model: ModelConfig;
  rows: number;
  tokens: number;
}

/** One candidate's result, as a measurement reports it (the probe adds the name and label). */
export type Measurement =
  | { status: 'measured'; msPerStep: number; steps: number; warmupMs: number }
  /** Gave up at the time bound: `stage` is what was running, `stagesDone` how many stages finished before. */
  | { status: 'cut-off'; spentMs: number; stage: string; stagesDone: number }
  | { status: 'failed'; reason: string };

export type ProbeOutcome = Measurement & { name: BackendName; label: string };

/** Times the run's step on the active backend, giving up at `deadline` (a reading of `now`). */
export type Measure = (deadline: number, now: () => number) => Promise<Measurement>;

/** How `auto` chose: every candidate's figure and why the winner won. Plain data: it is cached as JSON. */
export interface BackendVerdict {
  /** The cache key it was measured under (verdictKey). */
  key: string;
  winner: BackendName;
  outcomes: ProbeOutcome[];
  /** Candidates that were not timed, each with the reason. */
  untimed: string[];
  /** One sentence: why the winner won. */
  why: string;
  /** The timed step's shape in words. */
  shape: string;
  budgetMs: number;
  /** How long the timing took. */
  spentMs: number;
  /** When it was measured (ms since the epoch). */
  at: number;
}

export interface ProbeOptions {
  spec: ProbeSpec;
  /** Times a candidate once it is active (backend-probe.ts's trainingStepMeasure; a fake in tests). */
  measure: Measure;
  /** Total time for timing every candidate (activation not included); default PROBE_BUDGET_MS. */
  budgetMs?: number;
  /** Verdicts measured earlier on this machine, by key: a matching one is reused without timing anything. */
  verdicts?: Record<string, BackendVerdict>;
  /** Ignore `verdicts` and measure again. */
  remeasure?: boolean;
  /** Hears what the probe is doing (the page shows it while the trainer starts). */
  onProgress?(text: string): void;
  now?(): number;
}

/** About three seconds: noticeable once, on a first visit, and enough to time a few steps of the small models. */
export const PROBE_BUDGET_MS = 3000;

/**
 * The timed step's shape: sequences of 128 tokens (a short prompt and its answer), 2 rows. The
 * run's micro-batch is bigger (16 rows of up to prompt + response tokens), which favours a
 * GPU more; this shape keeps a few wasm steps of the small models inside the budget.
 */
export function probeSpecFor(model: ModelConfig): ProbeSpec {
  return { model, rows: 2, tokens: Math.min(128, model.contextLength) };
}

export function describeSpec(spec: ProbeSpec): string {
  const m = spec.model;
  return `a training step of this run's model (${m.nLayer} layers, d=${m.dModel}) on ${spec.rows}×${spec.tokens} tokens`;
}

/**
 * The cache key: a verdict holds only for the same machine facts (adapter, isolation,
 * cores: `identity`), the same model shape, the same probe shape, the same candidates and
 * the same tfjs.
 */
export function verdictKey(identity: string, spec: ProbeSpec, candidates: readonly BackendName[]): string {
  const m = spec.model;
  const model = `${m.nLayer}x${m.dModel}/${m.nHead}h/${m.dMlp}/v${m.vocabSize}/c${m.contextLength}/${m.positions}`;
  return ['v1', `tfjs ${tf.version_core}`, identity, model, `${spec.rows}x${spec.tokens}`, candidates.join('+')].join('|');
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** One candidate's figure in words: "wasm (SIMD, 2 threads) 180 ms/step". */
export function formatOutcome(o: ProbeOutcome): string {
  switch (o.status) {
    case 'measured':
      return `${o.label} ${Math.round(o.msPerStep)} ms/step`;
    case 'cut-off':
      return `${o.label} cut off after ${seconds(o.spentMs)} (${o.stage} unfinished)`;
    case 'failed':
      return `${o.label} failed: ${o.reason}`;
  }
}

/**
 * The fastest candidate: the lowest ms per step among those that finished a timed step.
 * A candidate cut off by the time bound is slower than any that finished; when none
 * finished, the one that got furthest (most stages done, then least time) wins. Null when
 * every candidate failed.
 */
export function decide(outcomes: readonly ProbeOutcome[]): { winner: ProbeOutcome; why: string } | null {
  const measured = outcomes.flatMap((o) => (o.status === 'measured' ? [o] : [])).sort((a, b) => a.msPerStep - b.msPerStep);
  const cut = outcomes.flatMap((o) => (o.status === 'cut-off' ? [o] : []));
  if (measured.length) {
    const [w, second] = measured;
    const slower = [...(second ? [second.label] : []), ...cut.map((o) => `${o.label} (no step within the bound)`)];
    let why: string;
    if (second) why = `${w.name} is fastest: ${(second.msPerStep / w.msPerStep).toFixed(1)}× ${second.label}'s speed${cut.length ? `; ${cut.map((o) => o.name).join(', ')} did not finish a step in time` : ''}`;
    else if (slower.length) why = `${w.name} is fastest: the only candidate that finished a step within the bound`;
    else why = `${w.name} is the only candidate that could be timed`;
    return { winner: w, why };
  }
  if (cut.length) {
    const w = [...cut].sort((a, b) => b.stagesDone - a.stagesDone || a.spentMs - b.spentMs)[0];
    return { winner: w, why: `no candidate finished a timed step within the bound; ${w.name} got furthest` };
  }
  return null;
}

/**
 * Times each candidate in turn within `budgetMs` overall: a candidate gets an even share
 * of what is left when its turn comes (so one that finishes early leaves its time to the
 * next), is activated by `activate` (null, or why it cannot start), labelled, and timed by
 * `measure` up to its share. A candidate that fails to start or throws is reported with its
 * reason and skipped.
 */
export async function probeCandidates(
  candidates: readonly BackendName[],
  hooks: { activate(name: BackendName): Promise<string | null>; label(name: BackendName): Promise<string>; measure: Measure; onProgress?(text: string): void },
  budgetMs: number,
  now: () => number = () => performance.now(),
): Promise<{ outcomes: ProbeOutcome[]; spentMs: number }> {
  const outcomes: ProbeOutcome[] = [];
  let timed = 0;
  for (let i = 0; i < candidates.length; i++) {
    const name = candidates[i];
    hooks.onProgress?.(`choosing the fastest backend: timing ${name} (${i + 1} of ${candidates.length})…`);
    const why = await hooks.activate(name);
    if (why) {
      outcomes.push({ name, label: name, status: 'failed', reason: why });
      continue;
    }
    const label = await hooks.label(name).catch(() => name);
    const share = (budgetMs - timed) / (candidates.length - i);
    const t0 = now();
    let m: Measurement;
    if (share <= 0) m = { status: 'cut-off', spentMs: 0, stage: 'its turn (no time left)', stagesDone: 0 };
    else {
      try {
        m = await hooks.measure(t0 + share, now);
      } catch (e) {
        m = { status: 'failed', reason: `the probe step threw: ${(e as Error).message}` };
      }
    }
    timed += now() - t0;
    outcomes.push({ ...m, name, label });
  }
  return { outcomes, spentMs: timed };
}

/** The verdict in one line, for the status line and the CLI's stderr. */
export function formatVerdict(v: BackendVerdict, cached = false): string {
  const figures = v.outcomes.map(formatOutcome).join('; ');
  const untimed = v.untimed.length ? ` Not timed: ${v.untimed.join('; ')}.` : '';
  return `${cached ? 'measured earlier on this machine' : `measured now in ${seconds(v.spentMs)}`}, ${v.shape}: ${figures}. ${v.why}.${untimed}`;
}

/**
 * `auto` with the run's model: prepare every candidate of `platform.probeOrder`; with two
 * or more, reuse a cached verdict for the same key, else time them (probeCandidates) and
 * activate the winner. With fewer than two, or when every candidate fails, the plain walk
 * over `platform.order` decides.
 */
async function selectByProbe(platform: BackendPlatform, probe: ProbeOptions): Promise<BackendInfo> {
  const now = probe.now ?? (() => performance.now());
  const skipped: string[] = [];
  const ready: BackendName[] = [];
  for (const name of platform.probeOrder!) {
    let why: string | null;
    try {
      why = await platform.prepare(name);
    } catch (e) {
      why = `setup failed: ${(e as Error).message}`;
    }
    if (why) skipped.push(`${name}: ${why}`);
    else ready.push(name);
  }
  const walk = async (lead: string): Promise<BackendInfo> => {
    const info = await selectBackend('auto', platform);
    return { ...info, reason: `${lead}; ${info.reason}` };
  };
  if (ready.length < 2) return walk(ready.length ? `only ${ready[0]} could be a candidate, nothing to measure${skipped.length ? ` (${skipped.join('; ')})` : ''}` : 'no candidate to measure');

  const key = verdictKey(platform.identity ? await platform.identity() : '', probe.spec, ready);
  const finish = async (v: BackendVerdict, cached: boolean): Promise<BackendInfo> => {
    const { info, note } = await platform.describe(v.winner);
    const skips = skipped.length ? ` Not candidates: ${skipped.join('; ')}.` : '';
    const reason = `${v.winner}: fastest by measurement — ${formatVerdict(v, cached)}${skips}${note ? ` (${note})` : ''}`;
    return { ...info, name: v.winner, reason, verdict: v, cached };
  };
  const cached = probe.remeasure ? undefined : probe.verdicts?.[key];
  if (cached && cached.key === key && ready.includes(cached.winner) && !(await tryBackend(cached.winner, platform))) return finish(cached, true);

  const budgetMs = probe.budgetMs ?? PROBE_BUDGET_MS;
  const { outcomes, spentMs } = await probeCandidates(ready, {
    activate: (name) => tryBackend(name, platform),
    label: async (name) => labelOf(name, (await platform.describe(name)).info),
    measure: probe.measure,
    onProgress: probe.onProgress,
  }, budgetMs, now);
  const d = decide(outcomes);
  if (!d) return walk(`every candidate failed (${outcomes.map(formatOutcome).join('; ')})`);
  const why = await tryBackend(d.winner.name, platform);
  if (why) return walk(`the fastest, ${d.winner.name}, could not start again: ${why}`);
  const verdict: BackendVerdict = {
    key,
    winner: d.winner.name,
    outcomes,
    untimed: (await platform.untimed?.()) ?? [],
    why: d.why,
    shape: describeSpec(probe.spec),
    budgetMs,
    spentMs,
    at: Date.now(),
  };
  return finish(verdict, false);
}

/** "wasm (SIMD, 2 threads)", "webgpu (google swiftshader, software)": which variant was timed. */
export function labelOf(name: BackendName, info: Partial<BackendInfo>): string {
  const facts: string[] = [];
  if (info.adapter) {
    const a = info.adapter;
    facts.push([a.vendor, a.architecture].filter((x) => x && x !== 'unknown').join(' ') || 'an adapter');
    if (a.software) facts.push('software');
  }
  if (info.simd !== undefined && info.simd) facts.push('SIMD');
  if (info.threads !== undefined) facts.push(`${info.threads} thread${info.threads === 1 ? '' : 's'}`);
  return facts.length ? `${name} (${facts.join(', ')})` : name;
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
  // wasm first: its figure is the yardstick, and a slow GPU candidate timed last cannot
  // slow it down with work still running after its cut-off.
  probeOrder: ['wasm', 'webgpu', 'webgl'],
  async identity() {
    const a = browserAdapter;
    const nav = globalThis.navigator as Navigator | undefined;
    return [
      a ? `adapter ${a.vendor}/${a.architecture}/${a.description}${a.software ? '/software' : ''}` : 'no webgpu adapter',
      `isolated ${globalThis.crossOriginIsolated === true}`,
      `cores ${nav?.hardwareConcurrency ?? '?'}`,
      nav?.userAgent ?? '',
    ].join('|');
  },
  async untimed() {
    if (globalThis.crossOriginIsolated !== true) return ['wasm multi-threaded (the page is not cross-origin isolated, so there is no SharedArrayBuffer for threads)'];
    let threads = 0;
    try {
      threads = (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount();
    } catch {
      // wasm never started: nothing to say about its threads.
    }
    return threads ? [`wasm with another thread count (tfjs fixes its pool when the backend first starts, here at ${threads} thread${threads === 1 ? '' : 's'}: half the cores; one page can time one variant)`] : [];
  },
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
        // WebGL is the GPU path of browsers without WebGPU; where WebGPU has an adapter,
        // timing WebGL too would only spend the probe's budget on the same GPU.
        if (browserAdapter && probing) return 'WebGPU has an adapter, and WebGL would only reach the same GPU';
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

/** Set while `auto` prepares its candidates to time them (webgl then stands aside for WebGPU). */
let probing = false;

/**
 * The browser's backend. Named: that one or a BackendError. `auto` with `probe` (the run's
 * model): the fastest of wasm, webgpu (or webgl where there is no WebGPU) by a timed
 * training step, or a cached verdict; `auto` alone: webgpu, then webgl, wasm, cpu.
 */
export async function initBackend(pref: BackendPref = 'auto', probe?: ProbeOptions): Promise<BackendInfo> {
  probing = probe !== undefined;
  try {
    return await selectBackend(pref, browserPlatform, probe);
  } finally {
    probing = false;
  }
}
