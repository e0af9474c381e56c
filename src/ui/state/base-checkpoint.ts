// The shipped base checkpoint (public/checkpoints/base/: config.json + weights.safetensors),
// fetched once at start. It is optional: a build without it starts from random weights, and
// the page says which. Static hosts and Vite's preview answer a missing file with the app's
// index.html and a 200, so "found" means "parses as a checkpoint", not "HTTP 200".
import type { Config } from '../../core/config.ts';
import { chooseInit, type CheckpointModel } from '../../core/init.ts';
import { resolvePreset } from '../../core/presets.ts';
import { validateCheckpoint, type CheckpointFiles } from '../../model/checkpoint-files.ts';
import { checkpointModel, runModel } from '../../model/config.ts';

export type BaseCheckpoint = { found: true; files: CheckpointFiles; note: string; model: CheckpointModel } | { found: false; note: string };

export async function fetchBaseCheckpoint(base = import.meta.env.BASE_URL, fetchFn: typeof fetch = fetch): Promise<BaseCheckpoint> {
  const dir = `${base.replace(/\/?$/, '/')}checkpoints/base/`;
  try {
    const configRes = await fetchFn(`${dir}config.json`);
    const text = configRes.ok ? await configRes.text() : '';
    if (!configRes.ok || !text.trimStart().startsWith('{')) return { found: false, note: `no base checkpoint at ${dir}` };
    const weightsRes = await fetchFn(`${dir}weights.safetensors`);
    if (!weightsRes.ok) return { found: false, note: `${dir}config.json exists but weights.safetensors answered HTTP ${weightsRes.status}` };
    const files: CheckpointFiles = { config: text, weights: new Uint8Array(await weightsRes.arrayBuffer()) };
    // Throws a CheckpointError naming the problem; the worker decodes the tensors.
    const { model } = validateCheckpoint(files);
    return { found: true, files, note: `base checkpoint (${model.nLayer} layers, width ${model.dModel})`, model: checkpointModel(model) };
  } catch (e) {
    return { found: false, note: `the base checkpoint could not be loaded: ${(e as Error).message}` };
  }
}

/**
 * Where a new run on the page starts, as `azr train` decides it (core/init.ts): the base when
 * it is found and is the config's model, else random weights and why. `base` is null when
 * the link says init=random.
 */
export function pageStart(base: BaseCheckpoint | null, preset: string, config: Config): { init: 'base' } | { init: 'random'; why: string } {
  if (base === null) return { init: 'random', why: 'init=random in the link' };
  if (!base.found) return { init: 'random', why: base.note };
  const choice = chooseInit(runModel(config, byOf(preset, config)), base.model);
  return choice.init === 'base' ? { init: 'base' } : { init: 'random', why: choice.reason };
}

/** Who chose the run's model: the preset, or the settings when they changed what the base must match. */
function byOf(preset: string, config: Config): string {
  let p: Config;
  try {
    p = resolvePreset(preset);
  } catch {
    return 'this config';
  }
  const same = p.modelSize === config.modelSize && p.maxPromptTokens + p.maxResponseTokens === config.maxPromptTokens + config.maxResponseTokens;
  return same ? `preset ${preset}` : 'this config';
}
