// Checkpoints in a real page: IndexedDB slots, download and upload of the one-file
// bundle, and a bit-identical restore on the WebGPU backend (SwiftShader here).
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/model/backend.ts';
import { modelConfig } from '../../../src/model/config.ts';
import { CharTokenizer } from '../../../src/model/tokenizer.ts';
import { Transformer } from '../../../src/model/transformer.ts';
import { captureCheckpoint, CheckpointError, restoreCheckpoint, type CheckpointFiles } from '../../../src/model/checkpoint.ts';
import {
  checkpointBlob, checkpointFromFile, deleteCheckpointFromDb, downloadCheckpoint, listCheckpointsInDb, loadCheckpointFromDb, saveCheckpointToDb,
} from '../../../src/model/checkpoint-browser.ts';

const tokenizer = new CharTokenizer(['<pad>', '<bos>', '<eos>']);
const cfg = modelConfig('tiny', tokenizer.vocabSize, { contextLength: 24, nLayer: 2 });
let a: Transformer;
let b: Transformer;
let files: CheckpointFiles;

async function rawBytes(m: Transformer): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const v of m.namedVariables().values()) out.push(new Uint8Array(((await v.data()) as Float32Array).slice().buffer));
  return out;
}

function equalBytes(x: Uint8Array[], y: Uint8Array[]): boolean {
  return x.length === y.length && x.every((u, i) => u.length === y[i].length && u.every((v, j) => v === y[i][j]));
}

beforeAll(async () => {
  const info = await initBackend('webgpu');
  expect(info.name).toBe('webgpu');
  a = new Transformer(cfg, 1);
  b = new Transformer(cfg, 2);
  files = await captureCheckpoint({ model: a.config, tokenizer, variables: a.namedVariables(), meta: { step: 5, note: 'browser' } });
});

afterAll(async () => {
  a?.dispose();
  b?.dispose();
  for (const c of await listCheckpointsInDb()) await deleteCheckpointFromDb(c.name);
});

test('IndexedDB: save, list, load and restore on webgpu, bit-identical', async () => {
  const before = await rawBytes(b);
  expect(equalBytes(before, await rawBytes(a))).toBe(false);
  const info = await saveCheckpointToDb('run-1', files);
  expect(info).toMatchObject({ name: 'run-1', meta: { step: 5, note: 'browser' } });
  expect(info.bytes).toBeGreaterThan(files.weights.length);
  expect((await listCheckpointsInDb()).map((c) => c.name)).toContain('run-1');
  const loaded = await loadCheckpointFromDb('run-1');
  restoreCheckpoint(loaded, { model: b.config, variables: b.namedVariables(), tokenizer });
  expect(equalBytes(await rawBytes(a), await rawBytes(b))).toBe(true);
});

test('IndexedDB: a slot is replaced whole, deleted on request, and a missing one is a named error', async () => {
  const other = await captureCheckpoint({ model: b.config, tokenizer, variables: b.namedVariables(), meta: { step: 6 } });
  await saveCheckpointToDb('run-2', files);
  await saveCheckpointToDb('run-2', other);
  const back = await loadCheckpointFromDb('run-2');
  expect(back.config).toBe(other.config);
  expect((await listCheckpointsInDb()).find((c) => c.name === 'run-2')!.meta).toEqual({ step: 6 });
  await deleteCheckpointFromDb('run-2');
  await expect(loadCheckpointFromDb('run-2')).rejects.toThrow(/no checkpoint named "run-2"/);
});

test('IndexedDB refuses to store a broken checkpoint', async () => {
  const broken = { ...files, weights: files.weights.subarray(0, 100) };
  await expect(saveCheckpointToDb('broken', broken)).rejects.toThrow(CheckpointError);
  expect((await listCheckpointsInDb()).map((c) => c.name)).not.toContain('broken');
});

test('download offers a .ckpt.tar, and uploading that file restores the same weights', async () => {
  let clicked: HTMLAnchorElement | null = null;
  const spy = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    clicked = this;
  });
  try {
    downloadCheckpoint(files, 'tiny.ckpt.tar');
  } finally {
    spy.mockRestore();
  }
  expect(clicked).not.toBeNull();
  expect(clicked!.download).toBe('tiny.ckpt.tar');
  expect(clicked!.href).toMatch(/^blob:/);
  // What the user would upload: the same bytes, as a File.
  const blob = await (await fetch(clicked!.href)).blob();
  const upload = new File([blob], 'tiny.ckpt.tar');
  const back = await checkpointFromFile(upload);
  const c = new Transformer(cfg, 3);
  try {
    restoreCheckpoint(back, { model: c.config, variables: c.namedVariables() });
    expect(equalBytes(await rawBytes(a), await rawBytes(c))).toBe(true);
  } finally {
    c.dispose();
  }
});

test('uploading something that is not a checkpoint names the file and the problem', async () => {
  await expect(checkpointFromFile(new File(['hello'], 'notes.txt'))).rejects.toThrow(/^notes\.txt: bundle: truncated/);
  const bytes = new Uint8Array(await checkpointBlob(files).arrayBuffer());
  await expect(checkpointFromFile(new File([bytes.slice(0, bytes.length - 2048)], 'cut.ckpt.tar'))).rejects.toThrow(/cut\.ckpt\.tar: bundle: truncated/);
});

test('no tensors leak across save, load and restore', async () => {
  const n0 = tf.memory().numTensors;
  const f = await captureCheckpoint({ model: a.config, tokenizer, variables: a.namedVariables() });
  await saveCheckpointToDb('leak', f);
  restoreCheckpoint(await loadCheckpointFromDb('leak'), { model: b.config, variables: b.namedVariables() });
  expect(tf.memory().numTensors).toBe(n0);
});
