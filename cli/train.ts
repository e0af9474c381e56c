// `azr train`: headless self-play, the same loop the app's trainer worker runs, writing a
// run directory (src/selfplay/run-dir.ts): run.jsonl, checkpoint/, buffers/<type>.jsonl.
// Ctrl-C finishes the current step, saves, and exits; `--resume DIR` continues exactly.
// Exit 2 for bad flags, a bad config or task file, or an --out that holds something else.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { emitJson, intFlag, log, noPositionals, parse, showHelp, UsageError } from './args.ts';
import { ConfigError, type Config, type ConfigOverrides } from '../src/core/config.ts';
import { PRESET_NAMES, PresetError, resolvePreset } from '../src/core/presets.ts';
import { parseTaskFile, TaskFileError, type Task } from '../src/core/taskfile.ts';
import { TaskBuffers } from '../src/core/buffer.ts';
import { BACKEND_PREFS } from '../src/core/config.ts';
import { CheckpointError, parseCheckpoint, validateCheckpoint, type CheckpointFiles } from '../src/model/checkpoint.ts';
import { loadCheckpointPath } from '../src/model/checkpoint-node.ts';
import { initBackend } from '../src/model/backend-node.ts';
import { checkpointModel, modelSizeName, runModel } from '../src/model/config.ts';
import { chooseInit, initMismatch } from '../src/core/init.ts';
import { formatBackendInfo } from '../src/model/backend.ts';
import { probeFor } from '../src/model/backend-probe.ts';
import { createExecutor } from '../src/sandbox/index.ts';
import { SelfPlay } from '../src/selfplay/loop.ts';
import { modelConfigFor, taskTokenizer, TransformerPolicy } from '../src/selfplay/policy.ts';
import { levelNumbers, levelSeedTasks, SEED_TASKS } from '../src/selfplay/seed-tasks.ts';
import { InlineExecutor } from '../src/sandbox/inline.ts';
import { formatRunLogLine } from '../src/selfplay/runlog.ts';
import type { StepReport } from '../src/selfplay/report.ts';
import { appendRunLog, assertFreshRunDir, loadRun, removePartials, RunDirError, saveRun, truncateRunLogFile, type SavedRun } from '../src/selfplay/run-dir.ts';
import { evaluate, formatEval, type EvalResult } from '../src/eval/evaluate.ts';
import { BASE_CHECKPOINT } from './eval.ts';

const DEFAULT_STEPS = 10;
/** The hand-written task set of the fixed-set baseline (disjoint from the built-in benchmark). */
export const FIXED_TASKS = fileURLToPath(new URL('../data/fixed-tasks.jsonl', import.meta.url));
const DEFAULT_SAVE_EVERY = 10;

const USAGE = `usage: azr train [--preset P] [--config FILE] [--steps N] [--seed S] [--out DIR]
                 [--minutes M] [--cpu-minutes M] [--resume DIR] [--backend B] [--tasks FILE]
                 [--init base|random|CKPT]
                 [--eval-every K --eval-tasks FILE] [--save-every K] [--json]

Absolute Zero self-play: the policy proposes tasks, the sandbox checks them, the policy
learns to solve them. Writes DIR/run.jsonl (one line per step), DIR/checkpoint/ and
DIR/buffers/<type>.jsonl. Ctrl-C saves at the end of the current step; --resume DIR
continues that run exactly.

  --preset P        ${PRESET_NAMES.join(', ')} (default "default")
  --config FILE     JSON object of config fields laid over the preset
  --steps N         total steps of the run (default ${DEFAULT_STEPS}, or no limit with a time budget)
  --minutes M       stop once the run's self-play time (its own clock: evaluation and saving
                    excluded, a resumed run's earlier time included) reaches M minutes; for
                    comparing runs at equal wall-clock
  --cpu-minutes M   stop once the CPU time of the run's steps (this process, all its threads:
                    policy and sandbox; evaluation and saving excluded) reaches M minutes: the
                    same budget on a machine shared with other work. Logged as "cpuSeconds"
  --seed S          the run's seed (overrides the preset and --config)
  --out DIR         run directory, new or empty (default runs/<preset>-<time>)
  --resume DIR      continue the run saved in DIR (its config is kept). With no --steps,
                    --minutes or --cpu-minutes it goes on toward the limits it was started
                    with; any of them replaces those limits
  --backend B       tfjs backend: ${BACKEND_PREFS.join(', ')}
  --tasks FILE      start the buffers from a task file (instead of the identity triplet alone);
                    a config without a proposer (preset fixed-set) defaults to data/fixed-tasks.jsonl
  --init W          where the weights start. Default: the shipped base model
                    (public/checkpoints/base, a tiny model) when it is the config's model (its
                    modelSize, and context for the prompt and response budgets), as in the app;
                    random weights otherwise, saying why. 'base' insists on the base, 'random'
                    opts out of it (weights seeded by the run's seed), and a checkpoint
                    (directory or bundle) starts from its weights. A checkpoint that is not the
                    config's model is an error: pass a config of its size, or --init random
  --eval-every K    evaluate on --eval-tasks every K steps (logged in run.jsonl as "eval")
  --eval-tasks FILE task file for --eval-every
  --save-every K    save the resumable state every K steps (default ${DEFAULT_SAVE_EVERY}; always at the end)
  --json            print a summary as one JSON object on the last line of stdout
  -h, --help        this message`;

const OPTIONS = {
  preset: { type: 'string' },
  config: { type: 'string' },
  steps: { type: 'string' },
  minutes: { type: 'string' },
  'cpu-minutes': { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  backend: { type: 'string' },
  tasks: { type: 'string' },
  init: { type: 'string' },
  'eval-every': { type: 'string' },
  'eval-tasks': { type: 'string' },
  'save-every': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** A problem with what the user gave us (a file, a directory): exit 2 with its message. */
class InputError extends Error {
  override name = 'InputError';
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

async function readTasks(file: string, what: string): Promise<Task[]> {
  const text = await readText(file, what);
  try {
    return parseTaskFile(text);
  } catch (e) {
    if (e instanceof TaskFileError) throw new InputError(`${what} ${file}: ${e.name}: ${e.message}`);
    throw e;
  }
}

async function readConfigFile(file: string): Promise<ConfigOverrides> {
  const text = await readText(file, 'config file');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(`config file ${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`config file ${file}: must hold a JSON object of config fields`);
  return value as ConfigOverrides;
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

function pct(x: number): string {
  return `${(100 * x).toFixed(0)}%`;
}

/** The progress line: the figures worth watching, one step per line. */
function progress(r: StepReport, target: number, config: Config): string {
  const solve = config.taskTypes.map((t) => `${t.slice(0, 3)} ${r.solve[t].samples ? pct(r.solve[t].solveRate) : '-'}`).join(' ');
  const u = r.update;
  const upd = u.updated ? `loss ${u.loss.toFixed(3)} ent ${u.entropy.toFixed(2)} kl ${u.approxKl.toExponential(1)} clip ${pct(u.clipFrac)}` : r.seeding ? 'seeding (no update)' : 'no update';
  const sizes = config.taskTypes.map((t) => r.buffers[t]).join('/');
  return `step ${target === NO_STEP_LIMIT ? r.step : `${r.step}/${target}`}  solve ${solve}  valid ${r.proposals.valid}/${r.proposals.total}  buffers ${sizes}  ${upd}  ${(r.wallMs / 1000).toFixed(1)}s ${Math.round(r.sampledTokensPerSec)} tok/s`;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, USAGE);
  if (values.help) return showHelp(USAGE);
  noPositionals(positionals, USAGE);
  const resume = values.resume;
  if (resume !== undefined) {
    for (const flag of ['preset', 'config', 'seed', 'tasks', 'init'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} cannot be combined with --resume: a resumed run keeps its own config, buffers and weights`);
    }
    if (values.out !== undefined && values.out !== resume) throw new UsageError(`--out and --resume name different directories; a resumed run writes where it was`);
  }
  if ((values['eval-every'] === undefined) !== (values['eval-tasks'] === undefined)) throw new UsageError('--eval-every and --eval-tasks go together');
  const evalEvery = intFlag(values['eval-every'], 'eval-every', 0);
  const saveEvery = intFlag(values['save-every'], 'save-every', DEFAULT_SAVE_EVERY);
  const stepsFlag = values.steps === undefined ? undefined : intFlag(values.steps, 'steps', 1);
  const minutes = minutesFlag(values.minutes, 'minutes');
  const cpuMinutes = minutesFlag(values['cpu-minutes'], 'cpu-minutes');
  const seed = values.seed === undefined ? undefined : intFlag(values.seed, 'seed', 0, 0);
  if (values.backend !== undefined && !(BACKEND_PREFS as readonly string[]).includes(values.backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_PREFS.join(', ')}, got "${values.backend}"`);
  }

  try {
    return await train(values, { resume, evalEvery, saveEvery, stepsFlag, seed, minutes, cpuMinutes });
  } catch (e) {
    if (e instanceof InputError || e instanceof ConfigError || e instanceof PresetError || e instanceof RunDirError || e instanceof CheckpointError) {
      log(`azr train: ${e.name}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/** `--init base` names the shipped base checkpoint, as `azr eval --checkpoint base` does. */
function initPath(init: string): string {
  if (init !== 'base') return init;
  if (!existsSync(BASE_CHECKPOINT)) throw new CheckpointError(`no base checkpoint shipped at public/checkpoints/base/ (${BASE_CHECKPOINT}); pass --init DIR, or --init random`);
  return BASE_CHECKPOINT;
}

/** Where a new run's weights start (`init`: "base", "random" or the --init path given) and
 *  the checkpoint to start from (null for random weights). Without --init the base is taken
 *  when it is the config's model, as the app does (core/init.ts); otherwise random weights,
 *  with a line saying why. An --init checkpoint of another model is a CheckpointError. */
async function startWeights(asked: string | undefined, config: Config, by: string): Promise<{ init: string; files: CheckpointFiles | null }> {
  const random = { init: 'random', files: null };
  if (asked === 'random') return random;
  const run = runModel(config, by);
  if (asked === undefined) {
    if (!existsSync(BASE_CHECKPOINT)) {
      log(`no --init and no base checkpoint at public/checkpoints/base/: starting from random weights`);
      return random;
    }
    const files = (await loadCheckpointPath(BASE_CHECKPOINT)).files;
    const choice = chooseInit(run, checkpointModel(validateCheckpoint(files).model));
    if (choice.init === 'random') {
      log(`no --init: ${choice.reason}: starting from random weights`);
      return random;
    }
    return { init: 'base', files };
  }
  const files = (await loadCheckpointPath(initPath(asked))).files;
  const mismatch = initMismatch(run, checkpointModel(validateCheckpoint(files).model), `--init ${asked}`);
  if (mismatch) throw new CheckpointError(`${mismatch.reason}: ${mismatch.fix}, or --init random`);
  return { init: asked, files };
}

/** Where the run's weights started, as the "starting run" line says it. */
function initLabel(init: string | undefined): string {
  if (init === undefined) return '';
  return init === 'base' ? ' from the shipped base' : init === 'random' ? ' from random weights' : ` from ${init}`;
}

interface Plan {
  resume: string | undefined;
  evalEvery: number;
  saveEvery: number;
  stepsFlag: number | undefined;
  seed: number | undefined;
  /** Self-play time budget in minutes (the loop's own clock). */
  minutes: number | undefined;
  /** CPU-time budget in minutes (this process's CPU time inside the steps). */
  cpuMinutes: number | undefined;
}

function minutesFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const m = Number(value);
  if (!(Number.isFinite(m) && m > 0)) throw new UsageError(`--${name} must be a number > 0, got "${value}"`);
  return m;
}

/** CPU seconds this process has used, every thread (policy, sandbox workers) included. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The CPU seconds a resumed run had already spent: the last run-log line's figure. */
async function loggedCpuSeconds(out: string): Promise<number> {
  const text = await readFile(`${out}/run.jsonl`, 'utf8').catch(() => '');
  const last = text.trim().split('\n').pop();
  if (!last) return 0;
  try {
    const v = (JSON.parse(last) as { cpuSeconds?: unknown }).cpuSeconds;
    return typeof v === 'number' && Number.isFinite(v) ? v : 0;
  } catch {
    return 0;
  }
}

/** A step limit that --minutes alone never reaches. */
const NO_STEP_LIMIT = 1_000_000;

async function train(values: Record<string, string | boolean | undefined>, plan: Plan): Promise<number> {
  // Everything the user gave is read and checked before anything is written or started.
  let config: Config;
  let saved: SavedRun | null = null;
  let out: string;
  let buffers: TaskBuffers | undefined;
  let init: string | undefined;
  let initFiles: CheckpointFiles | null = null;
  if (plan.resume !== undefined) {
    out = plan.resume;
    saved = await loadRun(out);
    init = saved.run.init;
    config = saved.state.config;
    if (values.backend !== undefined) config = { ...config, backend: values.backend as Config['backend'] };
  } else {
    const preset = (values.preset as string | undefined) ?? 'default';
    const overrides: ConfigOverrides = values.config ? await readConfigFile(values.config as string) : {};
    if (plan.seed !== undefined) overrides.seed = plan.seed;
    if (values.backend !== undefined) overrides.backend = values.backend as Config['backend'];
    config = resolvePreset(preset, overrides);
    out = (values.out as string | undefined) ?? `runs/${preset}-${stamp()}`;
    await assertFreshRunDir(out);
    const by = values.config ? `preset ${preset} with --config ${values.config as string}` : `preset ${preset}`;
    ({ init, files: initFiles } = await startWeights(values.init as string | undefined, config, by));
    // Without a proposer the buffers never grow: the identity triplet alone would be all the
    // run ever trains on, so the fixed-set baseline gets its task set unless told otherwise.
    const tasksFile = (values.tasks as string | undefined) ?? (config.propose ? undefined : FIXED_TASKS);
    if (tasksFile !== undefined && values.tasks === undefined) log(`no --tasks: a run without a proposer trains on ${tasksFile}`);
    // A config with seed levels starts with tasks of those levels, run in the sandbox (beside a --tasks file's).
    let levelTasks: Task[] = [];
    if (config.seedLevels.length > 0) {
      const ex = await InlineExecutor.create();
      try {
        levelTasks = await levelSeedTasks(levelNumbers(config.seedLevels), SEED_TASKS, config.seed, ex, config.executorTimeoutMs);
      } finally {
        await ex.dispose();
      }
      log(`seed levels ${config.seedLevels.join(', ')}: ${levelTasks.length} tasks of those levels start the buffers`);
    }
    if (tasksFile !== undefined || levelTasks.length > 0) {
      const fileTasks = tasksFile !== undefined ? await readTasks(tasksFile, 'task file') : [];
      const { buffers: b, skipped } = TaskBuffers.fromTasks([...levelTasks, ...fileTasks], { identity: true });
      if (skipped.length > 0) log(`--tasks: skipped ${skipped.length} task(s) the model cannot be shown (first: ${skipped[0].id}: ${skipped[0].reason})`);
      buffers = b;
    }
  }
  const evalTasks = values['eval-tasks'] ? await readTasks(values['eval-tasks'] as string, 'eval task file') : null;
  // A resume with no limit of its own continues the saved plan (steps and budgets alike);
  // any limit flag replaces the whole plan, so --steps 500 is not cut short by an old budget.
  const ownLimits = plan.stepsFlag !== undefined || plan.minutes !== undefined || plan.cpuMinutes !== undefined;
  const minutes = ownLimits ? plan.minutes : saved?.run.minutes;
  const cpuMinutes = ownLimits ? plan.cpuMinutes : saved?.run.cpuMinutes;
  const budgeted = minutes !== undefined || cpuMinutes !== undefined;
  const target = plan.stepsFlag ?? (ownLimits ? undefined : saved?.run.targetSteps) ?? (budgeted ? NO_STEP_LIMIT : DEFAULT_STEPS);
  const budgetMs = minutes === undefined ? Infinity : minutes * 60_000;
  const cpuBudget = cpuMinutes === undefined ? Infinity : cpuMinutes * 60;
  const runMeta = { targetSteps: target, ...(minutes !== undefined ? { minutes } : {}), ...(cpuMinutes !== undefined ? { cpuMinutes } : {}), ...(init !== undefined ? { init } : {}) };

  // `auto` times the model this run trains on each candidate backend (wasm, and webgpu
  // where the machine has its own Vulkan driver) and keeps the fastest; the figures are in the line below.
  const model = saved ? parseCheckpoint(saved.files).config.model : initFiles ? parseCheckpoint(initFiles).config.model : modelConfigFor(config, taskTokenizer());
  const backend = await initBackend(config.backend, probeFor(model, { onProgress: (text) => log(`backend: ${text}`) }));
  log(`backend: ${formatBackendInfo(backend)}`);
  const executor = await createExecutor();
  let policy: TransformerPolicy | null = null;
  try {
    if (saved) {
      policy = TransformerPolicy.fromCheckpoint(saved.files, config, saved.reference);
      await truncateRunLogFile(out, saved.state.step);
      await removePartials(out);
    } else if (initFiles) {
      policy = TransformerPolicy.fromCheckpoint(initFiles, config);
    } else {
      policy = TransformerPolicy.create(config);
    }
    // The checkpoint holds the config the run was made with; a backend flag only changes
    // where it runs, so the snapshot keeps the original config (and its hash).
    const loop = new SelfPlay(saved ? saved.state.config : config, policy, executor, saved ? { state: saved.state } : { buffers });
    log(`${saved ? 'resuming' : 'starting'} run ${loop.configHash} in ${out}: step ${loop.stepsDone}${target === NO_STEP_LIMIT ? ' (until the time budget)' : ` of ${target}`}, model ${modelSizeName(policy.model.config)}${initLabel(init)}, batch ${config.batch}`);

    let stop = false;
    const onSigint = () => {
      if (stop) {
        log('azr train: interrupted again; exiting without saving (the last saved state is intact)');
        process.exit(130);
      }
      stop = true;
      log('azr train: stopping after this step and saving (Ctrl-C again to quit at once)');
    };
    process.on('SIGINT', onSigint);
    let last: StepReport | null = null;
    let lastEval: EvalResult | null = null;
    let timeUp = false;
    let cpuUsed = saved ? await loggedCpuSeconds(out) : 0;
    /** The budget that is used up, named, or '' while there is budget left. */
    const spentBudget = () =>
      cpuUsed >= cpuBudget ? `CPU budget of ${cpuMinutes} min` : loop.elapsedSeconds * 1000 >= budgetMs ? `time budget of ${minutes} min` : '';
    // A budget that a resumed run has already spent: say so rather than run one more step.
    const spentBefore = saved !== null && spentBudget() !== '';
    if (spentBefore) {
      log(`the run's ${spentBudget()} is already used (step ${loop.stepsDone}, ${loop.elapsedSeconds.toFixed(0)} s of self-play, ${cpuUsed.toFixed(0)} CPU s); continue with a larger --cpu-minutes or --minutes, or with --steps N`);
      timeUp = true;
    }
    try {
      if (!saved) await saveRun(out, loop, policy, runMeta);
      while (loop.stepsDone < target && !stop && !timeUp) {
        const cpu0 = cpuSeconds();
        const report = await loop.step();
        cpuUsed += cpuSeconds() - cpu0;
        last = report;
        const extra: Record<string, unknown> = { cpuSeconds: cpuUsed };
        if (evalTasks && plan.evalEvery > 0 && report.step % plan.evalEvery === 0) {
          lastEval = await evaluate(policy, executor, evalTasks, {
            maxTokens: config.maxResponseTokens,
            maxPromptTokens: config.maxPromptTokens,
            limits: { timeoutMs: config.executorTimeoutMs },
          });
          extra.eval = lastEval;
        }
        await appendRunLog(out, formatRunLogLine(report, extra));
        log(progress(report, target, config));
        timeUp = spentBudget() !== '';
        if (extra.eval) log(formatEval(lastEval!).replace(/^/gm, '  eval '));
        if (report.step % plan.saveEvery === 0 || report.step === target || stop || timeUp) await saveRun(out, loop, policy, runMeta);
      }
      if (timeUp && !spentBefore) {
        log(`${spentBudget()} reached at step ${loop.stepsDone} (${loop.elapsedSeconds.toFixed(0)} s of self-play, ${cpuUsed.toFixed(0)} CPU s)`);
      }
      if (stop && loop.stepsDone < target) log(`saved at step ${loop.stepsDone}; continue with: azr train --resume ${out}`);
    } finally {
      process.off('SIGINT', onSigint);
    }
    if (values.json) emitJson({ out, steps: loop.stepsDone, target, interrupted: stop, timeUp, elapsedSeconds: loop.elapsedSeconds, cpuSeconds: cpuUsed, configHash: loop.configHash, init: init ?? null, last, eval: lastEval });
    return stop ? 130 : 0;
  } finally {
    policy?.dispose();
    await executor.dispose();
  }
}
