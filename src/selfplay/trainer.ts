// The trainer: a self-play run behind a small message protocol, as the app's trainer
// worker exposes it (workers/trainer.worker.ts, through comlink). The page sends start,
// step, run, pause, save and stop; the trainer answers each call and pushes events (one
// per step, proposal and phase) to a listener. Between steps the page's playground asks
// the same policy and sandbox about a visitor's own program (`playground`), and
// `evaluate` measures the policy on a benchmark task file (greedy, as `azr train
// --eval-every` does). Everything here is plain data that survives structured cloning, so
// the same object works in a worker, in Node, or inline.
//
// Where the policy computes and where guest code runs are the host's business: the
// entry point injects `initBackend` (browser or Node backends) and `createExecutor`
// (the sandbox pool, or an inline QuickJS runner) — this file imports neither.
import type { Config } from '../core/config.ts';
import { TaskBuffers } from '../core/buffer.ts';
import { parseTaskFile, type Task } from '../core/taskfile.ts';
import type { BackendPref } from '../core/config.ts';
import type { ExecLimits, Executor, Verdict } from '../sandbox/types.ts';
import type { SolverOutcome } from '../core/rewards.ts';
import { makeInductionTask, MAX_INPUT_CHARS, MAX_MESSAGE_CHARS, MAX_OUTPUT_CHARS, MAX_PROGRAM_CHARS, promptFieldProblem, type IOPair, type TaskType, type Triplet } from '../core/tasks.ts';
import { judgeJob, readAnswer, solvePrompt, type SolveTask } from './judge.ts';
import { parseCheckpoint, type CheckpointFiles } from '../model/checkpoint.ts';
import type { BackendVerdict } from '../model/backend.ts';
import type { ModelConfig } from '../model/config.ts';
import { SelfPlay } from './loop.ts';
import { modelConfigFor, taskTokenizer, TransformerPolicy } from './policy.ts';
import { parseState } from './state.ts';
import { levelNumbers, levelSeedTasks, SEED_TASKS } from './seed-tasks.ts';
import type { SelfPlayEvents, StepReport } from './report.ts';
import { evaluate, type EvalResult } from '../eval/evaluate.ts';

/** Which events the listener receives (rollouts are many per step: off unless asked). */
export type TrainerEventType = keyof SelfPlayEvents;

/** What the backend choice is doing while the trainer starts (timing candidates takes a few seconds). */
export interface BackendProgressEvent {
  text: string;
}

/** One pushed event, tagged with its type ('backend' only during start, whatever `events` asks). */
export type TrainerEvent =
  | { [K in TrainerEventType]: { type: K; event: SelfPlayEvents[K] } }[TrainerEventType]
  | { type: 'backend'; event: BackendProgressEvent };

export type TrainerListener = (e: TrainerEvent) => void;

export interface TrainerStart {
  /** The run's config (ignored when `checkpoint` carries a self-play snapshot: a resume keeps its own). */
  config?: Config;
  /** Resume from, or start with the weights of, a checkpoint. */
  checkpoint?: CheckpointFiles;
  /** Starting buffers as task-file objects (new runs only). */
  tasks?: Task[];
  /** Backend to ask for; default the config's. */
  backend?: BackendPref;
  /** Backend verdicts measured earlier in this browser, by key: `auto` reuses a matching one instead of timing the candidates. */
  backendVerdicts?: Record<string, BackendVerdict>;
  /** `auto` times the candidates again even when a verdict matches. */
  remeasure?: boolean;
  /** Event types pushed to the listener; default step, proposal and phase. */
  events?: TrainerEventType[];
}

export interface TrainerInfo {
  backend: string;
  backendReason: string;
  /** How `auto` chose by measurement (absent for a named backend, or with one candidate). */
  backendVerdict?: BackendVerdict;
  /** True when that verdict came from `backendVerdicts` rather than a measurement now. */
  backendCached?: boolean;
  /** Threads the wasm backend runs on (absent on other backends); 1 where the page is not cross-origin isolated. */
  backendThreads?: number;
  configHash: string;
  config: Config;
  /** Steps already done (non-zero after a resume). */
  step: number;
  resumed: boolean;
  /** Tasks drawn from the config's seed levels and put in the fresh run's buffers (0 when none, or on resume). */
  levelTasks?: number;
}

export type TrainerState = 'idle' | 'ready' | 'running' | 'stopped';

export interface TrainerStatus {
  state: TrainerState;
  step: number;
  /** The seeding phase as of now (null before start): the next step updates no weights while `seeding`. */
  seeding: SeedingStatus | null;
}

/** How far the buffers are from ending the seeding phase (DESIGN §1). */
export interface SeedingStatus {
  /** True while the next step will update no weights. */
  seeding: boolean;
  /** Unique valid triplets in the deduction ∪ abduction buffers. */
  unique: number;
  /** seedFactor × batch: the count at which seeding ends. */
  target: number;
}

/** What a visitor asks the playground: a program, inputs (argument-list sources), a message. */
export interface PlaygroundRequest {
  /** Source that defines `f`. */
  program: string;
  /** Argument lists, e.g. `2, 3`. The first is the deduction / abduction input; all of them make the induction pairs. */
  inputs: string[];
  /** The induction solver's message (default empty). */
  message?: string;
  /** 0 is greedy; default the run's temperature. */
  temperature?: number;
  /** Sampling seed (same seed, same weights: same answers). */
  seed?: number;
}

/** What the sandbox made of one input. */
export interface PlaygroundRun {
  input: string;
  verdict: Verdict;
  /** Empty when ok; otherwise why not, in words. */
  reason: string;
  /** Canonical f(input) when the verdict is ok. */
  output: string | null;
}

/** One of the model's answers, judged. */
export interface PlaygroundAnswer {
  type: TaskType;
  /** What the solver was given, in task-file terms. */
  given: { program?: string; input?: string; output?: string; message?: string; shown?: IOPair[] };
  /** The response as sampled (`<eos>` included when the model wrote it). */
  text: string;
  /** The answer as parsed: an output, an input or a program; null when unparseable. */
  answer: string | null;
  outcome: SolverOutcome;
  verdict: Verdict | 'unparseable';
  /** Empty when correct; otherwise why not. */
  reason: string;
  /** Abduction: f(answer) as the sandbox computed it. Induction: each held-out pair with what the answer program gave. */
  check: { input: string; expected: string; got: string | null; verdict: Verdict }[];
}

/** A task the playground could not pose to the model, and why. */
export interface PlaygroundSkip {
  type: TaskType;
  skipped: string;
}

export interface PlaygroundResult {
  /** One entry per input, in order. */
  runs: PlaygroundRun[];
  /** Deduction, abduction, induction (those the request allows), each answered or skipped. */
  answers: (PlaygroundAnswer | PlaygroundSkip)[];
  /** The weights that answered: steps done so far. */
  step: number;
  temperature: number;
}

/** Which tiers of a benchmark file to ask: a list of tier numbers, or every task. */
export type BenchmarkTiers = number[] | 'all';

/** What `evaluate` is asked: a task file (its tasks, or a URL to fetch it from) and the tiers. */
export interface BenchmarkRequest {
  /** The benchmark's tasks; when absent, the file at `url` (fetched once per trainer, then cached). */
  tasks?: Task[];
  /** Absolute URL of a task file (JSONL), e.g. the app's /bench/azr-bench.jsonl. */
  url?: string;
  /** Default [1]: tier 1 only, cheap enough to run every few steps in a browser. */
  tiers?: BenchmarkTiers;
  /** Prompts per call to the policy; progress is reported between calls. Default 60. */
  chunk?: number;
}

/** How far an evaluation is: questions answered and judged of all it asks. */
export interface BenchmarkProgress {
  step: number;
  done: number;
  total: number;
}

/**
 * One evaluation of the current weights: evaluate.ts's result (the same object `azr
 * train --eval-every` logs as "eval"), plus when and on what it ran.
 */
export interface BenchmarkResult extends EvalResult {
  /** Steps done when it ran (the weights it measured). */
  step: number;
  tiers: BenchmarkTiers;
  /** Tasks of the file in those tiers (each asked as up to three questions). */
  tasks: number;
  /** Wall-clock time it took. */
  ms: number;
}

/** Why `run` returned. */
export interface RunEnd {
  reason: 'steps' | 'paused' | 'stopped';
  step: number;
  last: StepReport | null;
}

export interface TrainerApi {
  /** Start the backend, sandbox and policy; resolves once the first step can run. */
  start(opts: TrainerStart, listener?: TrainerListener): Promise<TrainerInfo>;
  /** One self-play step. */
  step(): Promise<StepReport>;
  /** Steps until `maxSteps` more are done, or pause / stop is called. */
  run(maxSteps?: number): Promise<RunEnd>;
  /** Ask a running `run` to return after the current step. */
  pause(): Promise<void>;
  /** Checkpoint files (weights, optimizer, self-play snapshot in meta): what a resume needs. */
  save(): Promise<CheckpointFiles>;
  status(): Promise<TrainerStatus>;
  /**
   * Runs a visitor's program on their inputs in the sandbox and asks the current policy the
   * three tasks it makes (deduction, abduction, induction), judging each answer as self-play
   * does. Works once started, between steps; a step in progress makes it fail with a TrainerError.
   */
  playground(req: PlaygroundRequest): Promise<PlaygroundResult>;
  /**
   * Greedy accuracy of the current policy on a benchmark, per task type and tier, judged by
   * the sandbox as self-play judges its solver. Queued after a step in progress; never
   * changes the weights or the run's random streams. `onProgress` hears after every chunk.
   */
  evaluate(req: BenchmarkRequest, onProgress?: (p: BenchmarkProgress) => void): Promise<BenchmarkResult>;
  /** Makes an evaluation in progress (or queued) fail with a TrainerError at its next chunk. */
  cancelEvaluate(): Promise<void>;
  /** Release the policy and the sandbox; the trainer can be started again afterwards. */
  stop(): Promise<void>;
}

/** What the host's backend choice may use: the run's model (what `auto` times) and the cached verdicts. */
export interface BackendRequest {
  model: ModelConfig;
  verdicts?: Record<string, BackendVerdict>;
  remeasure?: boolean;
  onProgress?(text: string): void;
}

export interface TrainerHost {
  initBackend(pref: BackendPref, req: BackendRequest): Promise<{ name: string; reason: string; verdict?: BackendVerdict; cached?: boolean; threads?: number }>;
  createExecutor(): Promise<Executor>;
}

export class TrainerError extends Error {
  override name = 'TrainerError';
}

const DEFAULT_EVENTS: TrainerEventType[] = ['step', 'proposal', 'phase'];

export function createTrainer(host: TrainerHost): TrainerApi {
  let loop: SelfPlay | null = null;
  let policy: TransformerPolicy | null = null;
  let executor: Executor | null = null;
  let state: TrainerState = 'idle';
  let pauseRequested = false;
  let stopRequested = false;
  /** Evaluations started before this count are cancelled (cancelEvaluate bumps it). */
  let evalGeneration = 0;
  /** Benchmark files fetched so far, by URL: a task file does not change under a running page. */
  const benchFiles = new Map<string, Promise<Task[]>>();
  /** Steps sent and not yet finished (waiting in the queue or running). */
  let busy = 0;
  // Calls are serialised: a step never overlaps another step, a save or a stop.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };
  const live = (): { loop: SelfPlay; policy: TransformerPolicy } => {
    if (!loop || !policy) throw new TrainerError(state === 'stopped' ? 'the trainer was stopped; start it again' : 'the trainer is not started; call start first');
    return { loop, policy };
  };
  const release = async () => {
    policy?.dispose();
    policy = null;
    loop = null;
    const ex = executor;
    executor = null;
    await ex?.dispose();
  };

  return {
    start: (opts, listener) =>
      serial(async () => {
        if (loop) throw new TrainerError('the trainer is already started; stop it first');
        stopRequested = false;
        const parsed = opts.checkpoint ? parseCheckpoint(opts.checkpoint).config : null;
        const meta = parsed?.meta ?? {};
        const snapshot = meta.selfplay ? parseState(meta.selfplay) : null;
        const config = snapshot?.config ?? opts.config;
        if (!config) throw new TrainerError('start needs a config, or a checkpoint holding a self-play run');
        try {
          // The model the run will train, as `auto` times it: the checkpoint's, or the config's size.
          const model = parsed?.model ?? modelConfigFor(config, taskTokenizer());
          const backend = await host.initBackend(opts.backend ?? config.backend, {
            model,
            verdicts: opts.backendVerdicts,
            remeasure: opts.remeasure,
            onProgress: listener ? (text) => listener({ type: 'backend', event: { text } }) : undefined,
          });
          executor = await host.createExecutor();
          // With a KL penalty the reference is the checkpoint's weights (the start of this
          // session), not those the run began with: the protocol carries one checkpoint.
          policy = opts.checkpoint ? TransformerPolicy.fromCheckpoint(opts.checkpoint, config) : TransformerPolicy.create(config);
          // A fresh run whose config names seed levels starts with tasks of those levels too.
          const levelTasks = !snapshot && config.seedLevels.length > 0 ? await levelSeedTasks(levelNumbers(config.seedLevels), SEED_TASKS, config.seed, executor, config.executorTimeoutMs) : [];
          const startTasks = [...levelTasks, ...(opts.tasks ?? [])];
          const buffers = !snapshot && startTasks.length > 0 ? TaskBuffers.fromTasks(startTasks, { identity: true }).buffers : undefined;
          loop = new SelfPlay(config, policy, executor, snapshot ? { state: snapshot } : { buffers });
          if (listener) {
            for (const type of opts.events ?? DEFAULT_EVENTS) {
              loop.events.on(type, (event) => listener({ type, event } as TrainerEvent));
            }
          }
          state = 'ready';
          return {
            backend: backend.name,
            backendReason: backend.reason,
            ...(backend.verdict ? { backendVerdict: backend.verdict, backendCached: backend.cached === true } : {}),
            ...(backend.threads !== undefined ? { backendThreads: backend.threads } : {}),
            configHash: loop.configHash,
            config,
            step: loop.stepsDone,
            resumed: snapshot !== null,
            levelTasks: levelTasks.length,
          };
        } catch (e) {
          await release();
          throw e;
        }
      }),

    step: () => {
      busy++;
      return serial(async () => {
        const { loop: l } = live();
        return l.step();
      }).finally(() => busy--);
    },

    run: (maxSteps = Infinity) => {
      // Cleared when the call arrives, not when it starts: a pause sent right after
      // must still reach this run even if it waits behind a step.
      pauseRequested = false;
      return serial(async () => {
        const { loop: l } = live();
        state = 'running';
        let last: StepReport | null = null;
        let done = 0;
        try {
          while (done < maxSteps && !pauseRequested && loop === l) {
            last = await l.step();
            done++;
          }
        } finally {
          if (state === 'running') state = 'ready';
        }
        return { reason: stopRequested ? 'stopped' : done >= maxSteps ? 'steps' : 'paused', step: l.stepsDone, last };
      });
    },

    // Not serialised: it must reach a `run` that is in progress.
    pause: async () => {
      pauseRequested = true;
    },

    save: () =>
      serial(async () => {
        const { loop: l, policy: p } = live();
        return p.save({ selfplay: l.state() });
      }),

    status: async () => ({ state, step: loop?.stepsDone ?? 0, seeding: loop ? seedingOf(loop) : null }),

    playground: async (req) => {
      // Refused rather than queued while a step runs: a queued request would answer with
      // weights the visitor never saw, after a wait of unknown length.
      if (busy > 0 || state === 'running') throw new TrainerError('the trainer is busy with a step or an evaluation; pause training (or wait for it to end) and ask again');
      return serial(async () => {
        const { loop: l, policy: p } = live();
        return playground(l, p, executor!, req);
      });
    },

    evaluate: (req, onProgress) => {
      const generation = evalGeneration;
      busy++;
      return serial(async () => {
        const { loop: l, policy: p } = live();
        const tasks = await benchmarkTasks(req, benchFiles);
        const tiers = req.tiers ?? [1];
        const chosen = tiers === 'all' ? tasks : tasks.filter((t) => t.tier !== undefined && tiers.includes(t.tier));
        if (chosen.length === 0) throw new TrainerError(`the benchmark has no task in tier${tiers === 'all' ? 's' : ` ${tiers.join(', ')}`}`);
        const c = l.config;
        const step = l.stepsDone;
        const t0 = performance.now();
        const cancelled = () => {
          if (generation !== evalGeneration || stopRequested) throw new TrainerError('the evaluation was cancelled');
        };
        cancelled();
        // As `azr train --eval-every` asks it: one greedy answer per question, the run's own
        // budgets, so the numbers of the app and of the CLI can be set side by side.
        const result = await evaluate(p, executor!, chosen, {
          maxTokens: c.maxResponseTokens,
          maxPromptTokens: c.maxPromptTokens,
          limits: { timeoutMs: c.executorTimeoutMs },
          chunk: req.chunk ?? 60,
          onProgress: async (done, total) => {
            onProgress?.({ step, done, total });
            // Between two chunks is the only place evaluate() can stop (a throw here ends
            // it). Yield to the event loop first: on wasm a chunk of unreadable answers
            // never waits on anything, and a worker would not hear a cancel until the end.
            await new Promise((r) => setTimeout(r, 0));
            cancelled();
          },
        });
        return { ...result, step, tiers, tasks: chosen.length, ms: performance.now() - t0 };
      }).finally(() => busy--);
    },

    // Not serialised: it must reach an evaluation in progress.
    cancelEvaluate: async () => {
      evalGeneration++;
    },

    stop: async () => {
      pauseRequested = true;
      stopRequested = true;
      await serial(async () => {
        await release();
        state = 'stopped';
      });
    },
  };
}

/** The benchmark's tasks: the request's own, or its URL's file (fetched once, then cached; a failed fetch is retried next time). */
async function benchmarkTasks(req: BenchmarkRequest, cache: Map<string, Promise<Task[]>>): Promise<Task[]> {
  if (req.tasks) return req.tasks;
  const url = req.url;
  if (!url) throw new TrainerError('evaluate needs the benchmark: its tasks, or the URL of its task file');
  let file = cache.get(url);
  if (!file) {
    file = (async () => {
      const res = await fetch(url);
      if (!res.ok) throw new TrainerError(`the benchmark ${url} could not be fetched: HTTP ${res.status}`);
      return parseTaskFile(await res.text());
    })();
    cache.set(url, file);
    file.catch(() => cache.delete(url));
  }
  return file;
}

function seedingOf(loop: SelfPlay): SeedingStatus {
  const c = loop.config;
  const unique = loop.taskBuffers.uniqueTriplets().length;
  const target = c.seedFactor * c.batch;
  // As the loop decides it: without a proposer the buffers never grow, so there is no seeding phase.
  return { seeding: c.propose && unique < target, unique, target };
}

/** Why `text` cannot go into a prompt as `name` (or be run), or null. */
function fieldProblem(name: string, text: string, max: number): string | null {
  if (text.trim() === '') return `${name} is empty`;
  if (text.length > max) return `${name} is too long: ${text.length} characters, limit ${max}`;
  const p = promptFieldProblem(text);
  return p ? `${name} ${p}` : null;
}

/** The playground's work (see TrainerApi.playground): sandbox first, then the three tasks, all with the run's own limits. */
async function playground(loop: SelfPlay, policy: TransformerPolicy, executor: Executor, req: PlaygroundRequest): Promise<PlaygroundResult> {
  const c = loop.config;
  const program = String(req.program ?? '');
  const inputs = (req.inputs ?? []).map((x) => String(x)).filter((x) => x.trim() !== '');
  const message = String(req.message ?? '');
  if (program.trim() === '') throw new TrainerError('write a program that defines f');
  if (inputs.length === 0) throw new TrainerError('give at least one input (an argument list such as 2, 3)');
  if (inputs.length > 16) throw new TrainerError(`at most 16 inputs, got ${inputs.length}`);
  const limits: Partial<ExecLimits> = { timeoutMs: c.executorTimeoutMs };

  // One job per input, each in its own fresh context: one input that loops or throws does
  // not hide what the others give. Determinism runs as in validation.
  const results = await executor.run(inputs.map((input) => ({ program, inputs: [input], limits })));
  const runs: PlaygroundRun[] = results.map((r, i) => {
    const one = r.results[0];
    const verdict = one?.verdict ?? r.verdict;
    return { input: inputs[i], verdict, reason: verdict === 'ok' ? '' : (one?.reason || r.reason), output: verdict === 'ok' ? (one?.output ?? null) : null };
  });

  const temperature = req.temperature ?? c.temperature;
  const programProblem = fieldProblem('the program', program, MAX_PROGRAM_CHARS);
  const pairProblem = (r: PlaygroundRun): string | null =>
    r.verdict !== 'ok' ? `the sandbox rejected f(${r.input}): ${r.verdict}` : fieldProblem('the input', r.input, MAX_INPUT_CHARS) ?? fieldProblem('the output', r.output ?? '', MAX_OUTPUT_CHARS);

  const tasks: (SolveTask | PlaygroundSkip)[] = [];
  for (const type of c.taskTypes) {
    if (programProblem) {
      tasks.push({ type, skipped: programProblem });
    } else if (type === 'induction') {
      const pairs = runs.filter((r) => pairProblem(r) === null).map((r) => ({ input: r.input, output: r.output! }));
      const firstProblem = runs.map(pairProblem).find((x) => x !== null);
      const msg = message === '' ? null : fieldProblem('the message', message, MAX_MESSAGE_CHARS);
      if (msg) tasks.push({ type, skipped: msg });
      else if (pairs.length < 2) tasks.push({ type, skipped: `induction needs at least 2 usable inputs (one shown, one held out); ${pairs.length} of ${runs.length} are${firstProblem ? ` (${firstProblem})` : ''}` });
      else tasks.push({ type, task: makeInductionTask(program, message, pairs) });
    } else {
      const why = pairProblem(runs[0]);
      if (why) tasks.push({ type, skipped: why });
      else tasks.push({ type, task: { program, input: runs[0].input, output: runs[0].output! } });
    }
  }
  // The model's context holds maxPromptTokens of prompt, as in self-play.
  const posed: { at: number; task: SolveTask; prompt: string }[] = [];
  tasks.forEach((t, at) => {
    if ('skipped' in t) return;
    const prompt = solvePrompt(t);
    const n = policy.promptTokens(prompt);
    if (n > c.maxPromptTokens) tasks[at] = { type: t.type, skipped: `the solver's prompt is ${n} tokens; this run allows ${c.maxPromptTokens} (maxPromptTokens)` };
    else posed.push({ at, task: t, prompt });
  });

  const gens = posed.length ? await policy.generate(posed.map((x) => x.prompt), { maxTokens: c.maxResponseTokens, temperature, topP: c.topP, seed: req.seed ?? 1 }) : [];
  // The judge's own reading and job (judge.ts), run here so the result's outputs can be shown.
  // The judge's own reading and job (judge.ts: readable and accepted by the sandbox =
  // correct), run here rather than through judgeAll so the outputs can be shown too.
  const read = posed.map((x, k) => ({ ...x, text: gens[k].text, read: readAnswer(x.task, gens[k].text) }));
  const toJudge = read.flatMap((x) => (x.read.ok ? [{ at: x.at, job: judgeJob(x.task, x.read.answer, limits) }] : []));
  const judged = toJudge.length ? await executor.run(toJudge.map((j) => j.job)) : [];
  const answers: (PlaygroundAnswer | PlaygroundSkip)[] = tasks.map((t) => ('skipped' in t ? t : { type: t.type, skipped: 'not asked' }));
  for (const x of read) {
    const base = { type: x.task.type, given: givenOf(x.task), text: x.text };
    if (!x.read.ok) {
      answers[x.at] = { ...base, answer: null, outcome: 'unparseable', verdict: 'unparseable', reason: x.read.reason, check: [] };
      continue;
    }
    const k = toJudge.findIndex((j) => j.at === x.at);
    const { job } = toJudge[k];
    const r = judged[k];
    // Deduction's check is the comparison itself; abduction and induction show what f (or
    // the answer program) gave on each input it was judged on.
    const check = x.task.type === 'deduction' ? [] : job.inputs.map((input, i) => ({ input, expected: job.expected?.[i] ?? '', got: r.results[i]?.output ?? null, verdict: r.results[i]?.verdict ?? r.verdict }));
    answers[x.at] = { ...base, answer: x.read.answer, outcome: r.verdict === 'ok' ? 'correct' : 'wrong', verdict: r.verdict, reason: r.verdict === 'ok' ? '' : r.reason, check };
  }
  return { runs, answers, step: loop.stepsDone, temperature };
}

function givenOf(t: SolveTask): PlaygroundAnswer['given'] {
  if (t.type === 'induction') return { message: t.task.message, shown: t.task.shown.map((p) => ({ ...p })) };
  const tr: Triplet = t.task;
  return t.type === 'deduction' ? { program: tr.program, input: tr.input } : { program: tr.program, output: tr.output };
}
