import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../../src/core/config.ts';
import { resolvePreset } from '../../../src/core/presets.ts';
import { fetchBaseCheckpoint, pageStart, type BaseCheckpoint } from '../../../src/ui/state/base-checkpoint.ts';

const PUBLIC = new URL('../../../public/', import.meta.url);

/** fetch over public/, as the dev server and a static host serve it. */
const servePublic: typeof fetch = async (input) => {
  const path = String(input).replace(/^\//, '');
  try {
    return new Response(readFileSync(new URL(path, PUBLIC)));
  } catch {
    return new Response('<!doctype html>', { status: 200 });
  }
};

describe('the base checkpoint on the page', () => {
  it('reports the shipped base with its model: tiny, and the context it holds', async () => {
    const base = await fetchBaseCheckpoint('/', servePublic);
    expect(base.found, base.note).toBe(true);
    if (!base.found) return;
    expect(base.note).toBe('base checkpoint (3 layers, width 80)');
    expect(base.model).toEqual({ size: 'tiny', shape: { nLayer: 3, nHead: 4, dModel: 80, dMlp: 320 }, contextLength: 1216 });
    const missing = await fetchBaseCheckpoint('/nowhere/', servePublic);
    expect(missing).toEqual({ found: false, note: 'no base checkpoint at /nowhere/checkpoints/base/' });
  });

  it('a new run starts from the base only when it is the config’s model, else from random weights saying why', async () => {
    const base = await fetchBaseCheckpoint('/', servePublic);
    expect(pageStart(base, 'default', resolvePreset('default'))).toEqual({ init: 'base' });
    expect(pageStart(base, 'smoke', resolvePreset('smoke'))).toEqual({ init: 'base' });
    expect(pageStart(base, 'paper', resolvePreset('paper'))).toEqual({ init: 'random', why: 'preset paper runs a large model, the shipped base is tiny' });
    // Settings that change the model size speak for themselves, not for the preset.
    expect(pageStart(base, 'default', mergeConfig(resolvePreset('default'), { modelSize: 'small' }))).toEqual({ init: 'random', why: 'this config runs a small model, the shipped base is tiny' });
    expect(pageStart(base, 'default', mergeConfig(resolvePreset('default'), { maxPromptTokens: 2048 }))).toEqual({
      init: 'random',
      why: 'this config needs 2240 tokens of context (maxPromptTokens + maxResponseTokens), the shipped base holds 1216',
    });
    // init=random in the link, and a build without the base.
    expect(pageStart(null, 'default', resolvePreset('default'))).toEqual({ init: 'random', why: 'init=random in the link' });
    const none: BaseCheckpoint = { found: false, note: 'no base checkpoint at /checkpoints/base/' };
    expect(pageStart(none, 'default', resolvePreset('default'))).toEqual({ init: 'random', why: 'no base checkpoint at /checkpoints/base/' });
  });
});
