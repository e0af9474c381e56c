// Task-Relative REINFORCE++ (TRR++), the paper's advantage estimator. One policy plays six
// parts — (deduction, abduction, induction) × (propose, solve) — whose rewards live on
// different scales (a proposer's learnability reward is never above 1 − 1/n; a solver's is
// +1 or negative), so a single batch-wide baseline would favour whichever part happens to
// pay more. TRR++ keeps six baselines instead:
//
//   A = (r − μ_{type,role}) / (σ_{type,role} + ε)
//
// over the batch's items of the same (type, role). The advantage is per response; the
// policy update broadcasts it to every token of that response.
//
// σ is the POPULATION standard deviation (divide by the count, not count − 1), because:
// the batch is the whole set being normalised, not a sample of a larger one; it makes the
// normalised advantages of a group have mean 0 and mean square ≈ 1 exactly; and it is
// defined for a group of one item, where the sample std would divide by zero.
//
// A group of one item has μ = r, so A = r − μ = 0: a lone item carries no signal about
// whether it was better or worse than its peers, and gets no push either way. The same holds
// for any group whose rewards are all equal (σ = 0): A is exactly 0, not 0 / ε.
//
// Option `baseline: 'group'` normalises instead within each prompt's samples (GRPO-style:
// several solver samples of the same task compared with each other); the stats are still
// reported per (type, role).
import type { Baseline } from './config.ts';
import type { Role, TaskType } from './tasks.ts';

export interface AdvantageItem {
  type: TaskType;
  role: Role;
  reward: number;
  /** The prompt this sample answers (any string id); required when baseline is 'group'. */
  group?: string;
}

export interface AdvantageOptions {
  /** Default 'task-relative' (TRR++). */
  baseline?: Baseline;
  /** Added to σ so a near-constant group does not blow up; default 1e-6. */
  eps?: number;
}

/** Per (type, role) numbers for the step report. */
export interface ConfigStats {
  type: TaskType;
  role: Role;
  count: number;
  meanReward: number;
  advMean: number;
  /** Population std of the advantages. */
  advStd: number;
}

export type ConfigKey = `${TaskType}.${Role}`;

export interface AdvantageResult {
  /** One advantage per item, index-aligned with the input. */
  advantages: number[];
  /** Only the (type, role) pairs present in the batch, keyed `deduction.solve` etc. */
  stats: Partial<Record<ConfigKey, ConfigStats>>;
}

export class AdvantageError extends Error {
  override name = 'AdvantageError';
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Population standard deviation (see the header for why population). */
export function populationStd(xs: readonly number[]): number {
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / xs.length);
}

/** Normalises one group in place into `out` at `indices`. */
function normalise(rewards: readonly number[], indices: readonly number[], eps: number, out: number[]): void {
  const rs = indices.map((i) => rewards[i]);
  const first = rs[0];
  // All equal (a single item included): exactly zero, rather than rounding noise over ε.
  if (rs.every((r) => r === first)) {
    for (const i of indices) out[i] = 0;
    return;
  }
  const mu = mean(rs);
  const sigma = populationStd(rs);
  for (const i of indices) out[i] = (rewards[i] - mu) / (sigma + eps);
}

export function computeAdvantages(items: readonly AdvantageItem[], opts: AdvantageOptions = {}): AdvantageResult {
  const baseline = opts.baseline ?? 'task-relative';
  const eps = opts.eps ?? 1e-6;
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new AdvantageError(`eps must be a finite number >= 0, got ${eps}`);
  if (baseline !== 'task-relative' && baseline !== 'group') throw new AdvantageError(`unknown baseline ${JSON.stringify(baseline)}`);

  const rewards = items.map((it, i) => {
    if (typeof it.reward !== 'number' || !Number.isFinite(it.reward)) throw new AdvantageError(`item ${i}: reward must be a finite number, got ${it.reward}`);
    return it.reward;
  });

  // Which items share a baseline.
  const groups = new Map<string, number[]>();
  items.forEach((it, i) => {
    let key = `${it.type}.${it.role}`;
    if (baseline === 'group') {
      if (typeof it.group !== 'string') throw new AdvantageError(`item ${i}: baseline 'group' needs a group id on every item`);
      // Keyed by (type, role) too, so two roles answering one prompt never share a baseline.
      key += `\u0000${it.group}`;
    }
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });

  const advantages = new Array<number>(items.length).fill(0);
  for (const indices of groups.values()) normalise(rewards, indices, eps, advantages);

  const byConfig = new Map<ConfigKey, number[]>();
  items.forEach((it, i) => {
    const key = `${it.type}.${it.role}` as ConfigKey;
    const g = byConfig.get(key);
    if (g) g.push(i);
    else byConfig.set(key, [i]);
  });
  const stats: AdvantageResult['stats'] = {};
  for (const [key, indices] of byConfig) {
    const advs = indices.map((i) => advantages[i]);
    stats[key] = {
      type: items[indices[0]].type,
      role: items[indices[0]].role,
      count: indices.length,
      meanReward: mean(indices.map((i) => rewards[i])),
      advMean: mean(advs),
      advStd: populationStd(advs),
    };
  }
  return { advantages, stats };
}
