// The trainer: a self-play run behind a small message protocol, as the app's trainer
// worker exposes it (workers/trainer.worker.ts, through comlink). The page sends start,
// step, run, pause, save and stop; the trainer answers each call and pushes events (one
// per step, proposal and phase) to a listener. Everything here is plain data that
// survives structured cloning, so the same object works in a worker, in Node, or inline.
//
// Where the policy computes and where guest code runs are the host's business: the
// entry point injects `initBackend` (browser or Node backends) and `createExecutor`
// (the sandbox pool, or an inline QuickJS runner) — this file imports neither.
import type { Config } from '../core/config.ts';
import { TaskBuffers } from '../core/buffer.ts';
import type { Task } from '../core/taskfile.ts';
import type { BackendPref } from '../core/config.ts';
import type { Executor } from '../sandbox/types.ts';
import { parseCheckpoint, type CheckpointFiles } from '../model/checkpoint.ts';
import { SelfPlay } from './loop.ts';
import { TransformerPolicy } from './policy.ts';
import { parseState } from './state.ts';
import type { SelfPlayEvents, StepReport } from './report.ts';

/** Which events the listener receives (rollouts are many per step: off unless asked). */
export type TrainerEventType = keyof SelfPlayEvents;

/** One pushed event, tagged with its type. */
export type TrainerEvent = { [K in TrainerEventType]: { type: K; event: SelfPlayEvents[K] } }[TrainerEventType];

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
  /** Event types pushed to the listener; default step, proposal and phase. */
  events?: TrainerEventType[];
}

export interface TrainerInfo {
  backend: string;
  backendReason: string;
  configHash: string;
  config: Config;
  /** Steps already done (non-zero after a resume). */
  step: number;
  resumed: boolean;
}

export type TrainerState = 'idle' | 'ready' | 'running' | 'stopped';

export interface TrainerStatus {
  state: TrainerState;
  step: number;
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
  /** Release the policy and the sandbox; the trainer can be started again afterwards. */
  stop(): Promise<void>;
}

export interface TrainerHost {
  initBackend(pref: BackendPref): Promise<{ name: string; reason: string }>;
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
        const meta = opts.checkpoint ? parseCheckpoint(opts.checkpoint).config.meta : {};
        const snapshot = meta.selfplay ? parseState(meta.selfplay) : null;
        const config = snapshot?.config ?? opts.config;
        if (!config) throw new TrainerError('start needs a config, or a checkpoint holding a self-play run');
        try {
          const backend = await host.initBackend(opts.backend ?? config.backend);
          executor = await host.createExecutor();
          // With a KL penalty the reference is the checkpoint's weights (the start of this
          // session), not those the run began with: the protocol carries one checkpoint.
          policy = opts.checkpoint ? TransformerPolicy.fromCheckpoint(opts.checkpoint, config) : TransformerPolicy.create(config);
          const buffers = !snapshot && opts.tasks ? TaskBuffers.fromTasks(opts.tasks, { identity: true }).buffers : undefined;
          loop = new SelfPlay(config, policy, executor, snapshot ? { state: snapshot } : { buffers });
          if (listener) {
            for (const type of opts.events ?? DEFAULT_EVENTS) {
              loop.events.on(type, (event) => listener({ type, event } as TrainerEvent));
            }
          }
          state = 'ready';
          return { backend: backend.name, backendReason: backend.reason, configHash: loop.configHash, config, step: loop.stepsDone, resumed: snapshot !== null };
        } catch (e) {
          await release();
          throw e;
        }
      }),

    step: () =>
      serial(async () => {
        const { loop: l } = live();
        return l.step();
      }),

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

    status: async () => ({ state, step: loop?.stepsDone ?? 0 }),

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
