// Checkpoints in the browser: named slots in IndexedDB, and one-file download/upload.
//
// IndexedDB layout (database "azr-checkpoints", version 1):
//   store "index": {name, savedAt, bytes, meta}  — cheap to list (no tensor bytes)
//   store "files": {name, config, weights, optimizer?} — the checkpoint itself
// Both are written in one transaction, so a slot is replaced whole or not at all (a
// closed tab mid-save keeps the previous checkpoint). Every checkpoint is validated
// (validateCheckpoint: every check of parseCheckpoint, no tensor decoded) before it is
// stored: a slot never holds something unloadable.
//
// Download/upload use the ustar bundle of checkpoint.ts ("<name>.ckpt.tar"), which the
// CLI reads too (`tar -xf` gives the directory form).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { bundleCheckpoint, CheckpointError, unbundleCheckpoint, validateCheckpoint, type CheckpointFiles } from './checkpoint-files.ts';

export const CHECKPOINT_DB = 'azr-checkpoints';

export interface StoredCheckpointInfo {
  name: string;
  /** ms since the epoch. */
  savedAt: number;
  /** Total bytes of the checkpoint's files. */
  bytes: number;
  /** config.json's "meta" (step, run settings…), for the list the UI shows. */
  meta: Record<string, unknown>;
}

interface StoredFiles {
  name: string;
  config: string;
  weights: Uint8Array;
  optimizer?: Uint8Array;
}

interface Schema extends DBSchema {
  index: { key: string; value: StoredCheckpointInfo };
  files: { key: string; value: StoredFiles };
}

let dbPromise: Promise<IDBPDatabase<Schema>> | undefined;

function db(): Promise<IDBPDatabase<Schema>> {
  if (typeof indexedDB === 'undefined') return Promise.reject(new CheckpointError('IndexedDB is not available in this context'));
  dbPromise ??= openDB<Schema>(CHECKPOINT_DB, 1, {
    upgrade(d) {
      d.createObjectStore('index', { keyPath: 'name' });
      d.createObjectStore('files', { keyPath: 'name' });
    },
  }).catch((e: unknown) => {
    dbPromise = undefined; // let a later call try again (e.g. after the user frees storage)
    throw new CheckpointError(`cannot open the checkpoint database: ${(e as Error)?.message ?? e}`);
  });
  return dbPromise;
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
    throw new CheckpointError(`checkpoint name must be a non-empty string of at most 200 characters, got ${JSON.stringify(name)}`);
  }
}

/** A standalone copy: structured clone of a view would store its whole underlying buffer. */
function own(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
}

/** Store (or replace) a checkpoint under `name`. */
export async function saveCheckpointToDb(name: string, files: CheckpointFiles, { fromTrainer = false } = {}): Promise<StoredCheckpointInfo> {
  checkName(name);
  // Files the trainer worker has just written carry checksums it computed over these very
  // bytes; recomputing CRC-32 over ~4 MB on the page after every step would be the page's
  // longest task while training. Everything else (imports, uploads) is checked in full.
  const config = validateCheckpoint(files, { verifyDigests: !fromTrainer });
  const info: StoredCheckpointInfo = {
    name,
    savedAt: Date.now(),
    bytes: new TextEncoder().encode(files.config).length + files.weights.length + (files.optimizer?.length ?? 0),
    meta: config.meta,
  };
  const d = await db();
  const tx = d.transaction(['index', 'files'], 'readwrite');
  await Promise.all([
    tx.objectStore('files').put({ name, config: files.config, weights: own(files.weights), ...(files.optimizer ? { optimizer: own(files.optimizer) } : {}) }),
    tx.objectStore('index').put(info),
    tx.done,
  ]);
  return info;
}

/** The files stored under `name` (validate with restoreCheckpoint / modelFromCheckpoint). */
export async function loadCheckpointFromDb(name: string): Promise<CheckpointFiles> {
  checkName(name);
  const rec = await (await db()).get('files', name);
  if (!rec) throw new CheckpointError(`no checkpoint named "${name}" in this browser`);
  return { config: rec.config, weights: rec.weights, ...(rec.optimizer ? { optimizer: rec.optimizer } : {}) };
}

/** Stored checkpoints, newest first. */
export async function listCheckpointsInDb(): Promise<StoredCheckpointInfo[]> {
  const all = await (await db()).getAll('index');
  return all.sort((a, b) => b.savedAt - a.savedAt);
}

export async function deleteCheckpointFromDb(name: string): Promise<void> {
  checkName(name);
  const tx = (await db()).transaction(['index', 'files'], 'readwrite');
  await Promise.all([tx.objectStore('files').delete(name), tx.objectStore('index').delete(name), tx.done]);
}

/** The one-file form as a Blob (works in a worker too; hand it to the page to download). */
export function checkpointBlob(files: CheckpointFiles): Blob {
  return new Blob([bundleCheckpoint(files) as Uint8Array<ArrayBuffer>], { type: 'application/x-tar' });
}

/** Offer the checkpoint as a file download (page only: needs a document). */
export function downloadCheckpoint(files: CheckpointFiles | Blob, filename = 'azr-checkpoint.ckpt.tar'): void {
  if (typeof document === 'undefined') throw new CheckpointError('downloading needs a page (no document in this context); send checkpointBlob() to the page');
  const blob = files instanceof Blob ? files : checkpointBlob(files);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started from the URL; revoking later keeps slow browsers working.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Read an uploaded bundle (a File from <input type=file> or a drop). */
export async function checkpointFromFile(file: Blob): Promise<CheckpointFiles> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const name = (file as File).name ?? 'the file';
  try {
    return unbundleCheckpoint(bytes);
  } catch (e) {
    if (e instanceof CheckpointError) throw new CheckpointError(`${name}: ${e.message}`);
    throw e;
  }
}
