// The shipped base checkpoint (public/checkpoints/base/: config.json + weights.safetensors),
// fetched once at start. It is optional: a build without it starts from random weights, and
// the page says which. Static hosts and Vite's preview answer a missing file with the app's
// index.html and a 200, so "found" means "parses as a checkpoint", not "HTTP 200".
import { validateCheckpoint, type CheckpointFiles } from '../../model/checkpoint-files.ts';

export type BaseCheckpoint = { found: true; files: CheckpointFiles; note: string } | { found: false; note: string };

export async function fetchBaseCheckpoint(base = import.meta.env.BASE_URL, fetchFn: typeof fetch = fetch): Promise<BaseCheckpoint> {
  const dir = `${base.replace(/\/?$/, '/')}checkpoints/base/`;
  try {
    const configRes = await fetchFn(`${dir}config.json`);
    const text = configRes.ok ? await configRes.text() : '';
    if (!configRes.ok || !text.trimStart().startsWith('{')) return { found: false, note: `no base checkpoint at ${dir}` };
    const weightsRes = await fetchFn(`${dir}weights.safetensors`);
    if (!weightsRes.ok) return { found: false, note: `${dir}config.json exists but weights.safetensors answered HTTP ${weightsRes.status}` };
    const files: CheckpointFiles = { config: text, weights: new Uint8Array(await weightsRes.arrayBuffer()) };
    validateCheckpoint(files); // throws a CheckpointError naming the problem; the worker decodes the tensors
    const model = JSON.parse(text).model as { nLayer?: number; dModel?: number };
    return { found: true, files, note: `base checkpoint (${model.nLayer ?? '?'} layers, width ${model.dModel ?? '?'})` };
  } catch (e) {
    return { found: false, note: `the base checkpoint could not be loaded: ${(e as Error).message}` };
  }
}
