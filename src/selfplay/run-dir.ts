// A self-play run as a directory (the CLI's store). Node only (node:fs): nothing the
// browser bundle loads may import this file.
//
//   DIR/run.jsonl              the run log, one line per step (runlog.ts)
//   DIR/checkpoint/            weights + optimizer state; its config.json meta holds the
//                              self-play snapshot (state.ts) — the whole resumable state,
//                              written in one atomic directory swap (model/checkpoint-node.ts)
//   DIR/reference/             the KL penalty's frozen policy (only when klCoef > 0)
//   DIR/buffers/<type>.jsonl   the buffers as task files, for people and `azr eval`
//
// Resuming reads DIR/checkpoint only; the buffer files are an export, rewritten (each
// atomically) on every save.
import { existsSync, statSync } from 'node:fs';
import { appendFile, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseCheckpoint, type CheckpointFiles } from '../model/checkpoint.ts';
import { loadCheckpointDir, saveCheckpointDir } from '../model/checkpoint-node.ts';
import { serializeTasks } from '../core/taskfile.ts';
import { TASK_TYPES } from '../core/tasks.ts';
import { parseState, StateError, type SelfPlayState } from './state.ts';
import { truncateRunLog } from './runlog.ts';
import type { SelfPlay } from './loop.ts';
import type { TransformerPolicy } from './policy.ts';

export const RUN_FILES = {
  log: 'run.jsonl',
  checkpoint: 'checkpoint',
  reference: 'reference',
  buffers: 'buffers',
} as const;

/** A directory that cannot be used as asked; the message names the path and what to do. */
export class RunDirError extends Error {
  override name = 'RunDirError';
}

/** What the CLI keeps beside the snapshot: how long the run was asked to go, so that a
 *  resume without new limits continues toward the same end. */
export interface RunMeta {
  targetSteps: number;
  /** Self-play time budget in minutes, when the run was given one (cumulative over resumes). */
  minutes?: number;
  /** CPU-time budget in minutes, when the run was given one (cumulative over resumes). */
  cpuMinutes?: number;
  /** Where the weights at step 0 came from: "base", "random" or the checkpoint's path (absent in runs saved before it was kept). */
  init?: string;
}

export interface SavedRun {
  files: CheckpointFiles;
  state: SelfPlayState;
  run: RunMeta;
  reference?: CheckpointFiles;
}

/** A new run may only start in a missing or empty directory: another run's files are never overwritten. */
export async function assertFreshRunDir(dir: string): Promise<void> {
  const path = resolve(dir);
  if (!existsSync(path)) return;
  if (!statSync(path).isDirectory()) throw new RunDirError(`--out ${path} exists and is not a directory`);
  const entries = await readdir(path);
  if (entries.length === 0) return;
  const isRun = entries.includes(RUN_FILES.checkpoint) || entries.includes(RUN_FILES.log);
  throw new RunDirError(
    isRun
      ? `--out ${path} holds another run (${entries.join(', ')}); continue it with --resume ${dir}, or pick another --out`
      : `--out ${path} is not empty (${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', …' : ''}); pick an empty or new directory`,
  );
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.partial-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** Saves everything a resume needs, then the buffer export. */
export async function saveRun(dir: string, loop: SelfPlay, policy: TransformerPolicy, run: RunMeta): Promise<void> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const files = await policy.save({ selfplay: loop.state(), run });
  // The reference never changes during a run: written once, at the run's first save
  // (step 0, when the weights still are the reference), so a checkpoint never exists
  // without its reference.
  const refDir = join(root, RUN_FILES.reference);
  if (policy.hasReference && !existsSync(refDir)) {
    if (loop.stepsDone > 0) throw new RunDirError(`${refDir} is missing and the weights have moved since the run began: the KL reference is lost`);
    await saveCheckpointDir(refDir, await policy.saveReference());
  }
  await saveCheckpointDir(join(root, RUN_FILES.checkpoint), files);
  const bufDir = join(root, RUN_FILES.buffers);
  await mkdir(bufDir, { recursive: true });
  const tasks = loop.taskBuffers.toTasks();
  for (const type of TASK_TYPES) await writeAtomic(join(bufDir, `${type}.jsonl`), serializeTasks(tasks.filter((t) => t.type === type)));
}

/** Reads a run saved by saveRun; a directory that is not one, or a damaged snapshot, is a RunDirError. */
export async function loadRun(dir: string): Promise<SavedRun> {
  const root = resolve(dir);
  if (!existsSync(root)) throw new RunDirError(`--resume ${root}: no such directory`);
  const ckpt = join(root, RUN_FILES.checkpoint);
  if (!existsSync(ckpt) && !existsSync(`${ckpt}.previous`)) throw new RunDirError(`--resume ${root}: no ${RUN_FILES.checkpoint}/ in it, so there is no run to continue`);
  const { files } = await loadCheckpointDir(ckpt);
  const meta = parseCheckpoint(files).config.meta;
  let state: SelfPlayState;
  try {
    state = parseState(meta.selfplay);
  } catch (e) {
    if (e instanceof StateError) throw new RunDirError(`--resume ${root}: the checkpoint's self-play state is unusable: ${e.message}`);
    throw e;
  }
  const run = meta.run as Partial<RunMeta> | undefined;
  const targetSteps = typeof run?.targetSteps === 'number' && Number.isInteger(run.targetSteps) ? run.targetSteps : state.step;
  const budget = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : undefined);
  const minutes = budget(run?.minutes);
  const cpuMinutes = budget(run?.cpuMinutes);
  const init = typeof run?.init === 'string' ? run.init : undefined;
  const refDir = join(root, RUN_FILES.reference);
  let reference: CheckpointFiles | undefined;
  if (state.config.klCoef > 0) {
    if (!existsSync(refDir)) throw new RunDirError(`--resume ${root}: the run uses a KL penalty but ${RUN_FILES.reference}/ is missing`);
    reference = (await loadCheckpointDir(refDir)).files;
  }
  return {
    files,
    state,
    run: { targetSteps, ...(minutes !== undefined ? { minutes } : {}), ...(cpuMinutes !== undefined ? { cpuMinutes } : {}), ...(init !== undefined ? { init } : {}) },
    ...(reference ? { reference } : {}),
  };
}

export async function appendRunLog(dir: string, line: string): Promise<void> {
  await appendFile(join(resolve(dir), RUN_FILES.log), line + '\n');
}

/** Drops log lines of steps after `step` (see runlog.ts); a missing log is left missing. */
export async function truncateRunLogFile(dir: string, step: number): Promise<void> {
  const path = join(resolve(dir), RUN_FILES.log);
  if (!existsSync(path)) return;
  const text = await readFile(path, 'utf8');
  const kept = truncateRunLog(text, step);
  if (kept !== text) await writeAtomic(path, kept);
}

/** Removes the leftovers of a save interrupted before its swap (they are inert, just clutter). */
export async function removePartials(dir: string): Promise<void> {
  const root = resolve(dir);
  if (!existsSync(root)) return;
  for (const e of await readdir(root)) if (e.includes('.partial-')) await rm(join(root, e), { recursive: true, force: true });
}
