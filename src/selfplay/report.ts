// What one self-play step reports, and the events it emits while it runs. Plain JSON
// throughout: a StepReport is one line of the run log (runlog.ts), a message from the
// trainer worker and a row of the UI's charts, with no reshaping in between.
//
// Every number is finite. Rates over nothing (no proposals of a type this step, no update
// during the seeding phase) are 0, with the count beside them saying there was nothing:
// a chart can plot every line without special cases, and a reader can tell "0 of 0" from
// "0 of 12".
import { SEED_LEVELS } from '../core/config.ts';
import type { UpdateStats } from './policy.ts';
import type { ConfigKey } from '../core/advantages.ts';
import type { SolverOutcome } from '../core/rewards.ts';
import { ROLES, TASK_TYPES, type TaskType } from '../core/tasks.ts';
import type { Verdict } from '../sandbox/types.ts';

/** How a proposal ended: 'valid', or why it is not a usable new task. */
export type ProposalStatus =
  | 'valid'
  | 'duplicate' // already in the buffer (or proposed twice this step)
  | 'unparseable' // the response did not have the proposal's shape
  | 'not-distinct' // induction: the N inputs did not give N distinct outputs
  | 'unpromptable' // an output the model could not be shown (outside its alphabet, a special token, too long)
  | 'prompt-too-long' // the prompt for this proposal or its task would not fit maxPromptTokens
  | Exclude<Verdict, 'ok' | 'mismatch'>; // the executor rejected the program or input

export const PROPOSAL_STATUSES: readonly ProposalStatus[] = [
  'valid',
  'duplicate',
  'unparseable',
  'not-distinct',
  'unpromptable',
  'prompt-too-long',
  'error',
  'timeout',
  'memory',
  'nondeterministic',
  'invalid-input',
  'invalid-output',
  'syntax',
];

export interface RoleStats {
  /** Responses of this (type, role) in the update batch. */
  count: number;
  meanReward: number;
  /** TRR++ advantages: mean and population std (≈ 0 and ≈ 1 when rewards vary). */
  advMean: number;
  advStd: number;
  /** Mean response length, in tokens. */
  meanResponseTokens: number;
}

export interface ProposalStats {
  /** Proposer responses sampled this step. */
  total: number;
  /** Of those, new valid tasks (duplicates excluded). */
  valid: number;
  /** valid / total. */
  validityRate: number;
  /** How every proposal ended, counted (all statuses present, most 0). */
  verdicts: Record<ProposalStatus, number>;
  byType: Record<TaskType, { total: number; valid: number }>;
}

export interface LearnabilityStats {
  /** New valid tasks whose solve rate r̄ was estimated with n solver rollouts. */
  tasks: number;
  /** Mean r̄ over those tasks. */
  meanSolveRate: number;
  /** Mean proposer reward over every proposal of the type (invalid ones included). */
  meanProposerReward: number;
}

export interface SolveStats {
  /** Distinct tasks in the solver batch. */
  tasks: number;
  /** Solver samples (tasks × groupSize). */
  samples: number;
  /** Share of samples judged correct. */
  solveRate: number;
  /** Share of samples the parser could not read. */
  formatErrorRate: number;
  /** Mean number of distinct answers among one task's samples (1 = the policy always answers the same). */
  distinctAnswers: number;
}

export interface UpdateReport extends UpdateStats {
  /** False during the seeding phase, or when nothing was trainable. */
  updated: boolean;
}

export interface PhaseTimes {
  proposeMs: number;
  validateMs: number;
  solveMs: number;
  updateMs: number;
}

/** Levels as the config and the URL spell them (core/levels.ts's 0–3). */
export type LevelKey = (typeof SEED_LEVELS)[number];
export const LEVEL_KEYS: readonly LevelKey[] = SEED_LEVELS;

export interface LevelStats {
  valid: number;
  meanSolveRate: number | null;
}

export interface StepReport {
  /** 1-based number of this step. */
  step: number;
  /** Seconds of self-play since the run started (across resumes). */
  t: number;
  configHash: string;
  /** The buffers were still filling: no update this step. */
  seeding: boolean;
  roles: Record<ConfigKey, RoleStats>;
  proposals: ProposalStats;
  learnability: Record<TaskType, LearnabilityStats>;
  /** The valid new proposals of the step by level (core/levels.ts; an induction task counts at
   *  its source program's level) and their mean learnability solve rate r̄ (null: none). */
  levels: Record<LevelKey, LevelStats>;
  /** Executor answers trained on this step (config.executorAnswers; 0 when off). */
  executorAnswers: number;
  solve: Record<TaskType, SolveStats>;
  /** Buffer sizes after this step's proposals were added. */
  buffers: Record<TaskType, number>;
  update: UpdateReport;
  time: PhaseTimes;
  /** Whole step, in ms. */
  wallMs: number;
  /** Tokens sampled (proposals, rollouts, solver batch) and their rate over sampling time. */
  sampledTokens: number;
  sampledTokensPerSec: number;
  /** Tokens trained on and their rate over the update's time. */
  trainedTokensPerSec: number;
  /** Prompts skipped because they would not fit maxPromptTokens. */
  skippedPrompts: number;
}

export const CONFIG_KEYS: readonly ConfigKey[] = TASK_TYPES.flatMap((t) => ROLES.map((r) => `${t}.${r}` as ConfigKey));

export function emptyRoleStats(): RoleStats {
  return { count: 0, meanReward: 0, advMean: 0, advStd: 0, meanResponseTokens: 0 };
}

export function perType<T>(make: (type: TaskType) => T): Record<TaskType, T> {
  return Object.fromEntries(TASK_TYPES.map((t) => [t, make(t)])) as Record<TaskType, T>;
}

export function emptyVerdicts(): Record<ProposalStatus, number> {
  return Object.fromEntries(PROPOSAL_STATUSES.map((s) => [s, 0])) as Record<ProposalStatus, number>;
}

/** x / n, or 0 when n is 0 (see the header). */
export function ratio(x: number, n: number): number {
  return n > 0 ? x / n : 0;
}

export function mean(xs: readonly number[]): number {
  return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

// ---- Events ----------------------------------------------------------------------------

export type Phase = 'propose' | 'validate' | 'solve' | 'update';

export interface PhaseEvent {
  step: number;
  phase: Phase;
  ms: number;
}

/** A task in task-file terms: program, input and output (deduction, abduction), or program, message and pairs (induction). */
export interface TaskView {
  program: string;
  input?: string;
  output?: string;
  message?: string;
  /** Induction: every pair; the first half is shown to the solver, the rest held out. */
  pairs?: { input: string; output: string }[];
}

/** A buffered triplet as a proposer was shown it. */
export interface TripletView {
  program: string;
  input: string;
  output: string;
}

/** One proposer response and what became of it. */
export interface ProposalEvent {
  step: number;
  type: TaskType;
  /** The response text as sampled. */
  text: string;
  status: ProposalStatus;
  /** Empty for valid proposals; otherwise why not. */
  reason: string;
  reward: number;
  /** r̄ over the learnability rollouts, or null when none were run. */
  solveRate: number | null;
  /** The task it made, in task-file terms (program, input, output / pairs), when valid. */
  task: TaskView | null;
  /** Deduction / abduction: the K reference triplets in the prompt (fewer when some had to go to fit; none without references). */
  references: TripletView[];
  /** Induction: the buffered triplet whose program the proposer was shown; null otherwise. */
  source: TripletView | null;
}

/** One solver response: a learnability rollout or a solver-batch sample. */
export interface RolloutEvent {
  step: number;
  type: TaskType;
  purpose: 'learnability' | 'solve';
  /** Index of the task within its purpose's list this step (samples of one task share it). */
  task: number;
  /** The task the solver was given, with its answer (deduction's output, abduction's input, induction's held-out pairs). */
  problem: TaskView;
  text: string;
  answer: string | null;
  outcome: SolverOutcome;
  reason: string;
  reward: number;
}

export interface SelfPlayEvents {
  phase: PhaseEvent;
  proposal: ProposalEvent;
  rollout: RolloutEvent;
  step: StepReport;
}

export type Listener<T> = (event: T) => void;

/** A typed event stream. Listeners run synchronously; one that throws does not stop the others or the loop. */
export class Emitter<M> {
  private readonly listeners = new Map<keyof M, Set<Listener<never>>>();
  /** Errors thrown by listeners, kept so a test or the UI can surface them. */
  readonly listenerErrors: unknown[] = [];

  on<K extends keyof M>(type: K, listener: Listener<M[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof M>(type: K, event: M[K]): void {
    for (const l of this.listeners.get(type) ?? []) {
      try {
        (l as Listener<M[K]>)(event);
      } catch (e) {
        this.listenerErrors.push(e);
      }
    }
  }

  has(type: keyof M): boolean {
    return (this.listeners.get(type)?.size ?? 0) > 0;
  }
}
