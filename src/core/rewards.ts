// Rewards, as the Absolute Zero paper defines them. All are scalars given on the last
// token of a response; TRR++ (advantages.ts) turns them into advantages. Pure functions:
// the reward values come in with the config, so the ablations and the two variants the
// paper's text and code disagree on are a switch, not a code change.
//
// Solver (format-aware):  +1 correct · −0.5 well-formed but wrong · −1 unparseable;
//   optionally (`solverTypeCredit`, 0 in the paper) a wrong answer of the right kind of value
//   earns that much more than one of the wrong kind, and (`solverNearCredit`, 0 in the paper)
//   a wrong answer earns that much times its closeness to the right value (judge.ts).
// Proposer (learnability): r̄ = mean success of n solver rollouts on the proposed task;
//   1 − r̄ when 0 < r̄ < 1 — tasks the current solver sometimes solves are worth most;
//   r̄ ∈ {0, 1} (impossible or trivial for the solver): 0 in the paper's equation,
//   −0.5 in the paper's code (`learnability: 'equation' | 'code'`);
//   'validity' (an ablation, not the paper): 1 for every valid new task, r̄ ignored;
//   invalid (the executor rejected it) or unparseable: −1.
// Duplicates (the program is already in that type's buffer): 'reject' treats the proposal
// as invalid (proposerInvalid, not added, not solved); 'penalise' gives
// `duplicatePenalty` instead of a learnability reward — so no rollouts are needed for it —
// and the task stays usable. With the defaults that orders proposals
// invalid (−1) < duplicate (−0.5) < new but trivial or impossible (0) < learnable (> 0).
import type { RewardConfig } from './config.ts';

/** How a solver's response turned out, as the executor and the parser judged it. */
export type SolverOutcome = 'correct' | 'wrong' | 'unparseable';

/**
 * `rightKind`: a wrong answer was the right kind of value; `closeness`: how near its value came
 * to the right one, in [0, 1) (selfplay/judge.ts decides both).
 */
export function solverReward(outcome: SolverOutcome, r: RewardConfig, rightKind = false, closeness = 0): number {
  switch (outcome) {
    case 'correct':
      return r.solverCorrect;
    case 'wrong':
      return r.solverWrong + (rightKind ? r.solverTypeCredit : 0) + r.solverNearCredit * closeness;
    case 'unparseable':
      return r.solverFormat;
    default:
      throw new RangeError(`unknown solver outcome ${JSON.stringify(outcome)}`);
  }
}

/** r̄: the fraction of solver rollouts that solved the task (success is correctness, not the format-aware reward). */
export function solveRate(successes: readonly boolean[]): number {
  if (successes.length === 0) throw new RangeError('solveRate needs at least one rollout');
  return successes.filter(Boolean).length / successes.length;
}

/** The learnability reward for a valid, new task with solve rate `rbar`. */
export function learnabilityReward(rbar: number, r: RewardConfig): number {
  if (!(rbar >= 0 && rbar <= 1)) throw new RangeError(`solve rate must be in [0, 1], got ${rbar}`);
  if (r.learnability === 'validity') return 1;
  if (rbar === 0 || rbar === 1) return r.learnability === 'equation' ? 0 : r.trivialTask;
  return 1 - rbar;
}

/** How a proposal turned out. `solveRate` is r̄ over the n learnability rollouts. */
export type ProposalOutcome =
  | { kind: 'unparseable' }
  | { kind: 'invalid' }
  | { kind: 'duplicate' }
  | { kind: 'valid'; solveRate: number };

export function proposerReward(outcome: ProposalOutcome, r: RewardConfig): number {
  switch (outcome.kind) {
    case 'unparseable':
      return r.proposerFormat;
    case 'invalid':
      return r.proposerInvalid;
    case 'duplicate':
      return r.duplicate === 'reject' ? r.proposerInvalid : r.duplicatePenalty;
    case 'valid':
      return learnabilityReward(outcome.solveRate, r);
    default:
      throw new RangeError(`unknown proposal outcome ${JSON.stringify(outcome)}`);
  }
}

/**
 * Whether a duplicate proposal still counts as a task: added to the buffer when it is
 * new as a (program, input) pair, and solved this step. Under 'reject' it is dropped.
 */
export function duplicateIsUsable(r: RewardConfig): boolean {
  return r.duplicate === 'penalise';
}
