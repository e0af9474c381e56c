// `azr eval`: accuracy of a checkpoint on a task file, per task type and per tier
// (src/eval/evaluate.ts). Exit 2 for bad flags, an unreadable task file or checkpoint.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { emitJson, intFlag, log, noPositionals, parse, showHelp, UsageError } from './args.ts';
import { parseTaskFile, TaskFileError } from '../src/core/taskfile.ts';
import { BACKEND_PREFS, DEFAULT_CONFIG, validateConfig, ConfigError, type Config } from '../src/core/config.ts';
import { CheckpointError, parseCheckpoint } from '../src/model/checkpoint.ts';
import { loadCheckpointPath } from '../src/model/checkpoint-node.ts';
import { initBackend } from '../src/model/backend-node.ts';
import { formatBackendInfo, type BackendPref } from '../src/model/backend.ts';
import { createExecutor } from '../src/sandbox/index.ts';
import { TransformerPolicy } from '../src/selfplay/policy.ts';
import { evaluate, formatEval } from '../src/eval/evaluate.ts';

/** Where the app's embedded base checkpoint lives (public/ is served as the site root). */
export const BASE_CHECKPOINT = fileURLToPath(new URL('../public/checkpoints/base/', import.meta.url));

const USAGE = `usage: azr eval --checkpoint DIR|base --tasks FILE [--samples K] [--max-tokens N]
                [--seed S] [--backend B] [--json]

Accuracy of a policy on a task file: every task as deduction and as abduction, tasks
with "examples" also as induction (first half of the pairs shown, the rest held out);
per type, and per "tier" when the file has tiers. Greedy unless --samples K > 1.

  --checkpoint DIR  a checkpoint directory or bundle, or "base" for the shipped base model
  --tasks FILE      task file (JSONL) or CRUXEval-X JavaScript lines
  --samples K       responses per task and type (default 1 = greedy; K > 1 samples at temperature 1
                    and also reports pass@K: the share of questions with a right answer among K)
  --max-tokens N    response budget (default: the run's maxResponseTokens, else ${DEFAULT_CONFIG.maxResponseTokens})
  --seed S          sampling seed when K > 1 (default 0)
  --backend B       tfjs backend: ${BACKEND_PREFS.join(', ')} (default auto)
  --json            print {"n", "accuracy", "byTier", ...} as one JSON object on the last line of stdout
  -h, --help        this message`;

const OPTIONS = {
  checkpoint: { type: 'string' },
  tasks: { type: 'string' },
  samples: { type: 'string' },
  'max-tokens': { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
} as const;

class InputError extends Error {
  override name = 'InputError';
}

/** The run config saved with a self-play checkpoint, if it is one. */
function runConfigOf(meta: Record<string, unknown>): Config | null {
  const state = meta.selfplay as { config?: unknown } | undefined;
  if (!state?.config) return null;
  try {
    return validateConfig(state.config);
  } catch (e) {
    if (e instanceof ConfigError) return null;
    throw e;
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, USAGE);
  if (values.help) return showHelp(USAGE);
  noPositionals(positionals, USAGE);
  if (!values.checkpoint) throw new UsageError(`--checkpoint is required\n\n${USAGE}`);
  if (!values.tasks) throw new UsageError(`--tasks is required\n\n${USAGE}`);
  const samples = intFlag(values.samples, 'samples', 1);
  const seed = intFlag(values.seed, 'seed', 0, 0);
  if (values.backend !== undefined && !(BACKEND_PREFS as readonly string[]).includes(values.backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_PREFS.join(', ')}, got "${values.backend}"`);
  }
  try {
    return await run(values, samples, seed);
  } catch (e) {
    if (e instanceof InputError || e instanceof CheckpointError || e instanceof TaskFileError) {
      log(`azr eval: ${e.name}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

async function run(values: { checkpoint?: string; tasks?: string; 'max-tokens'?: string; backend?: string; json?: boolean }, samples: number, seed: number): Promise<number> {
  let text: string;
  try {
    text = await readFile(values.tasks!, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read task file ${values.tasks}: ${(e as Error).message}`);
  }
  let tasks;
  try {
    tasks = parseTaskFile(text);
  } catch (e) {
    if (e instanceof TaskFileError) throw new InputError(`task file ${values.tasks}: ${e.name}: ${e.message}`);
    throw e;
  }
  let where = values.checkpoint!;
  if (where === 'base') {
    if (!existsSync(BASE_CHECKPOINT)) throw new InputError(`no base checkpoint shipped yet at public/checkpoints/base/ (${BASE_CHECKPOINT}); pass --checkpoint DIR`);
    where = BASE_CHECKPOINT;
  }
  const { files, path } = await loadCheckpointPath(where);
  const meta = parseCheckpoint(files).config.meta;
  const runConfig = runConfigOf(meta);

  const backend = await initBackend((values.backend as BackendPref | undefined) ?? 'auto');
  log(`backend: ${formatBackendInfo(backend)}`);
  const policy = TransformerPolicy.forInference(files);
  const context = policy.model.config.contextLength;
  const maxTokens = intFlag(values['max-tokens'], 'max-tokens', Math.min(runConfig?.maxResponseTokens ?? DEFAULT_CONFIG.maxResponseTokens, context - 1));
  if (maxTokens >= context) {
    policy.dispose();
    throw new UsageError(`--max-tokens ${maxTokens} leaves no room for a prompt in the model's ${context}-token context`);
  }
  const executor = await createExecutor();
  try {
    log(`evaluating ${path} on ${tasks.length} tasks from ${values.tasks} (${samples === 1 ? 'greedy' : `${samples} samples`}, ${maxTokens} tokens per answer)`);
    const started = performance.now();
    const result = await evaluate(policy, executor, tasks, {
      samples,
      seed,
      maxTokens,
      maxPromptTokens: context - maxTokens,
      limits: { timeoutMs: runConfig?.executorTimeoutMs ?? DEFAULT_CONFIG.executorTimeoutMs },
      onProgress: (done, total) => log(`  ${done}/${total}`),
    });
    log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (values.json) {
      log(formatEval(result));
      emitJson({ checkpoint: path, ...result });
    } else {
      process.stdout.write(formatEval(result) + '\n');
    }
    return 0;
  } finally {
    policy.dispose();
    await executor.dispose();
  }
}
