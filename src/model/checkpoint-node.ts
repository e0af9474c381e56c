// Checkpoints as directories (the CLI's store), written atomically.
//
// A save never edits the target directory in place. It writes a sibling
// "<dir>.partial-<pid>-<n>" and flushes every file to disk, then swaps:
//   1. the existing <dir> (if any) is renamed to <dir>.previous
//   2. the new one is renamed to <dir>
//   3. <dir>.previous is removed
// A crash before step 2 leaves the old checkpoint either at <dir> or, between steps 1
// and 2, at <dir>.previous — which loadCheckpointDir falls back to, and which the next
// save keeps until its own step 2 has succeeded. So an interrupted save never destroys
// the previous checkpoint. Leftover *.partial-* directories are inert.
//
// Node only (node:fs); the browser uses checkpoint-browser.ts.
import { existsSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CHECKPOINT_FILES, CheckpointError, bundleCheckpoint, unbundleCheckpoint, type CheckpointFiles } from './checkpoint.ts';

export type SaveStage = 'written' | 'moved-aside';

export interface SaveOptions {
  /**
   * Called after each stage of the swap. Throwing here simulates a crash at that point;
   * the tests use it to prove the previous checkpoint survives.
   */
  afterStage?: (stage: SaveStage) => void;
}

let saveCounter = 0;

async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(path: string): Promise<void> {
  // Makes the renames themselves durable; some filesystems refuse fsync on directories.
  try {
    const fh = await open(path, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
}

/** Write a checkpoint directory atomically (see the header). Returns the absolute path. */
export async function saveCheckpointDir(dir: string, files: CheckpointFiles, opts: SaveOptions = {}): Promise<string> {
  const target = resolve(dir);
  const parent = dirname(target);
  const previous = `${target}.previous`;
  const partial = `${target}.partial-${process.pid}-${saveCounter++}`;
  await mkdir(parent, { recursive: true });
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new CheckpointError(`${target} exists and is not a directory`);
  }
  try {
    await mkdir(partial);
    await writeDurably(join(partial, CHECKPOINT_FILES.config), files.config);
    await writeDurably(join(partial, CHECKPOINT_FILES.weights), files.weights);
    if (files.optimizer) await writeDurably(join(partial, CHECKPOINT_FILES.optimizer), files.optimizer);
    await syncDir(partial);
    opts.afterStage?.('written');
    if (existsSync(target)) {
      // A stale .previous (from a save that completed step 2 but not 3) is safe to drop now.
      await rm(previous, { recursive: true, force: true });
      await rename(target, previous);
      await syncDir(parent);
    }
    opts.afterStage?.('moved-aside');
    await rename(partial, target);
    await syncDir(parent);
  } catch (e) {
    await rm(partial, { recursive: true, force: true });
    throw e;
  }
  await rm(previous, { recursive: true, force: true });
  return target;
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function bytesOf(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Read a checkpoint directory's files (unvalidated: parseCheckpoint/restoreCheckpoint
 * check them). Falls back to <dir>.previous when <dir> is missing because a save was
 * interrupted mid-swap. `path` is the directory actually read.
 */
export async function loadCheckpointDir(dir: string): Promise<{ files: CheckpointFiles; path: string }> {
  let path = resolve(dir);
  if (!existsSync(path) && existsSync(`${path}.previous`)) path = `${path}.previous`;
  if (!existsSync(path)) throw new CheckpointError(`no checkpoint at ${resolve(dir)}`);
  if (!statSync(path).isDirectory()) throw new CheckpointError(`${path} is not a checkpoint directory`);
  const config = await readIfExists(join(path, CHECKPOINT_FILES.config));
  if (!config) {
    const present = (await readdir(path)).join(', ') || 'nothing';
    throw new CheckpointError(`${join(path, CHECKPOINT_FILES.config)} is missing (the directory holds ${present})`);
  }
  const weights = await readIfExists(join(path, CHECKPOINT_FILES.weights));
  if (!weights) throw new CheckpointError(`${join(path, CHECKPOINT_FILES.weights)} is missing`);
  const optimizer = await readIfExists(join(path, CHECKPOINT_FILES.optimizer));
  return {
    files: { config: config.toString('utf8'), weights: bytesOf(weights), ...(optimizer ? { optimizer: bytesOf(optimizer) } : {}) },
    path,
  };
}

/** Read a checkpoint from a directory or from a bundle file (what the app downloads). */
export async function loadCheckpointPath(path: string): Promise<{ files: CheckpointFiles; path: string }> {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isFile()) {
    return { files: unbundleCheckpoint(bytesOf(await readFile(abs))), path: abs };
  }
  return loadCheckpointDir(abs);
}

/** Write a bundle file (the same single-file format the app downloads and uploads). */
export async function saveCheckpointBundle(file: string, files: CheckpointFiles): Promise<string> {
  const target = resolve(file);
  await mkdir(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.partial-${process.pid}-${saveCounter++}`);
  try {
    await writeDurably(tmp, bundleCheckpoint(files));
    await rename(tmp, target); // a file rename replaces the old one atomically
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return target;
}
