// What the charts plot: each chart a title and a few series, each series a function of
// one StepReport. Colours are Okabe–Ito (distinguishable with every common colour-vision
// deficiency); the task type picks the colour and the role the dash, so six lines stay
// legible without relying on hue alone.
import { LEVEL_KEYS, type LevelKey, type StepReport } from '../../selfplay/report.ts';
import { TASK_TYPES, type TaskType } from '../../core/task-types.ts';
import type { Accuracy, TypeCounts } from '../../eval/evaluate.ts';
import type { BenchmarkResult, BenchmarkTiers } from '../../selfplay/trainer.ts';

// Steps are whole numbers: never put a tick at step 1.25.
export const STEP_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

export const OKABE_ITO = {
  orange: '#E69F00',
  sky: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  black: '#000000',
} as const;

export const TYPE_COLOUR: Record<TaskType, string> = { deduction: OKABE_ITO.blue, abduction: OKABE_ITO.vermillion, induction: OKABE_ITO.green };
export const PROPOSE_DASH = [6, 4];

export interface SeriesSpec {
  label: string;
  colour: string;
  dash?: number[];
  /** null: nothing to plot at that step (a gap, not a zero). */
  value: (r: StepReport) => number | null;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** What the y axis measures. */
  unit: string;
  series: SeriesSpec[];
}

const perRole = (f: (r: StepReport, key: `${TaskType}.${'propose' | 'solve'}`) => number): SeriesSpec[] =>
  TASK_TYPES.flatMap((t) => [
    { label: `${t} solve`, colour: TYPE_COLOUR[t], value: (r: StepReport) => f(r, `${t}.solve`) },
    { label: `${t} propose`, colour: TYPE_COLOUR[t], dash: PROPOSE_DASH, value: (r: StepReport) => f(r, `${t}.propose`) },
  ]);

const share = (r: StepReport, ...statuses: (keyof StepReport['proposals']['verdicts'])[]) =>
  r.proposals.total > 0 ? statuses.reduce((a, s) => a + (r.proposals.verdicts[s] ?? 0), 0) / r.proposals.total : 0;

// Levels from easy to hard: light to dark, one hue family, so the order reads without the legend.
const LEVEL_COLOUR: Record<LevelKey, string> = { L0: OKABE_ITO.sky, L1: OKABE_ITO.blue, L2: OKABE_ITO.purple, L3: OKABE_ITO.black };
const LEVEL_LABELS: Record<LevelKey, string> = { L0: 'one operation', L1: 'one expression', L2: 'statements', L3: 'full grammar' };

/** A level's share of the step's valid new tasks; null when there were none (or the report
 *  predates levels: an imported old run log). */
function levelShare(r: StepReport, k: LevelKey): number | null {
  if (!r.levels) return null;
  const total = LEVEL_KEYS.reduce((a, x) => a + (r.levels[x]?.valid ?? 0), 0);
  return total > 0 ? (r.levels[k]?.valid ?? 0) / total : null;
}

export const CHARTS: ChartSpec[] = [
  { id: 'reward', title: 'Mean reward per task type and role', unit: 'reward', series: perRole((r, k) => r.roles[k]?.meanReward ?? 0) },
  {
    id: 'solve',
    title: 'Solve rate per task type (solver batch)',
    unit: 'share correct',
    series: TASK_TYPES.map((t) => ({ label: t, colour: TYPE_COLOUR[t], value: (r: StepReport) => r.solve[t]?.solveRate ?? 0 })),
  },
  {
    id: 'proposals',
    title: 'Proposals: validity and verdict mix',
    unit: 'share of proposals',
    series: [
      { label: 'valid', colour: OKABE_ITO.green, value: (r) => r.proposals.validityRate },
      { label: 'duplicate', colour: OKABE_ITO.sky, value: (r) => share(r, 'duplicate') },
      { label: 'unparseable', colour: OKABE_ITO.orange, value: (r) => share(r, 'unparseable') },
      { label: 'syntax', colour: OKABE_ITO.vermillion, value: (r) => share(r, 'syntax') },
      { label: 'error', colour: OKABE_ITO.purple, value: (r) => share(r, 'error') },
      { label: 'timeout / memory', colour: OKABE_ITO.black, value: (r) => share(r, 'timeout', 'memory') },
      { label: 'other rejections', colour: OKABE_ITO.blue, dash: PROPOSE_DASH, value: (r) => share(r, 'not-distinct', 'unpromptable', 'prompt-too-long', 'nondeterministic', 'invalid-input', 'invalid-output') },
    ],
  },
  {
    id: 'levels',
    title: 'Curriculum: level mix of valid new tasks',
    unit: 'share of valid tasks',
    series: LEVEL_KEYS.map((k) => ({ label: `${k} ${LEVEL_LABELS[k]}`, colour: LEVEL_COLOUR[k], value: (r: StepReport) => levelShare(r, k) })),
  },
  {
    id: 'level-solve',
    title: 'Curriculum: solve rate of valid new tasks per level',
    unit: 'mean r̄ (learnability rollouts)',
    series: LEVEL_KEYS.map((k) => ({ label: k, colour: LEVEL_COLOUR[k], value: (r: StepReport) => r.levels?.[k]?.meanSolveRate ?? null })),
  },
  { id: 'lengths', title: 'Mean response length', unit: 'tokens', series: perRole((r, k) => r.roles[k]?.meanResponseTokens ?? 0) },
  {
    id: 'buffers',
    title: 'Buffer sizes',
    unit: 'tasks',
    series: TASK_TYPES.map((t) => ({ label: t, colour: TYPE_COLOUR[t], value: (r: StepReport) => r.buffers[t] ?? 0 })),
  },
  {
    id: 'update',
    title: 'Update: loss, entropy, clip fraction',
    unit: 'value',
    series: [
      { label: 'loss', colour: OKABE_ITO.vermillion, value: (r) => r.update.loss },
      { label: 'entropy', colour: OKABE_ITO.blue, value: (r) => r.update.entropy },
      { label: 'clip fraction', colour: OKABE_ITO.orange, value: (r) => r.update.clipFrac },
      { label: 'approx KL', colour: OKABE_ITO.purple, dash: PROPOSE_DASH, value: (r) => r.update.approxKl },
    ],
  },
  {
    id: 'throughput',
    title: 'Throughput',
    unit: 'tokens / s',
    series: [
      { label: 'sampled tokens/s', colour: OKABE_ITO.blue, value: (r) => r.sampledTokensPerSec },
      { label: 'trained tokens/s', colour: OKABE_ITO.vermillion, value: (r) => r.trainedTokensPerSec },
    ],
  },
  {
    id: 'phases',
    title: 'Time per phase',
    unit: 'seconds',
    series: [
      { label: 'propose', colour: OKABE_ITO.blue, value: (r) => r.time.proposeMs / 1000 },
      { label: 'validate', colour: OKABE_ITO.green, value: (r) => r.time.validateMs / 1000 },
      { label: 'solve', colour: OKABE_ITO.orange, value: (r) => r.time.solveMs / 1000 },
      { label: 'update', colour: OKABE_ITO.vermillion, value: (r) => r.time.updateMs / 1000 },
    ],
  },
];

/** uPlot's column data for one chart: x = step, then one column per series. */
export function columns(spec: ChartSpec, reports: readonly StepReport[]): (number | null)[][] {
  return [reports.map((r) => r.step), ...spec.series.map((s) => reports.map((r) => s.value(r)))];
}

// ---- Benchmark accuracy ------------------------------------------------------------------
// Evaluations are sparse (every K steps, or when asked), so their chart has its own x
// column: the steps that were evaluated, not every step.

/** What a chart needs of one evaluation (stored rows and imported run logs hold at least this). */
export type BenchPoint = Pick<BenchmarkResult, 'step' | 'tiers' | 'n' | 'accuracy' | 'byTier'>;

export const BENCH_SERIES = TASK_TYPES.map((t) => ({ label: t, colour: TYPE_COLOUR[t] }));

const sortedTiers = (t: number[]) => [...new Set(t)].sort((a, b) => a - b);

export function sameTiers(a: BenchmarkTiers, b: BenchmarkTiers): boolean {
  if (a === 'all' || b === 'all') return a === b;
  return sortedTiers(a).join(',') === sortedTiers(b).join(',');
}

/** "tier 1", "tiers 1, 2", "all tiers". */
export function tiersLabel(t: BenchmarkTiers): string {
  if (t === 'all') return 'all tiers';
  const xs = sortedTiers(t);
  return `tier${xs.length > 1 ? 's' : ''} ${xs.join(', ')}`;
}

/**
 * Accuracy and question counts per type over `tiers`: the evaluation's own totals when it
 * ran on exactly those tiers, pooled from its per-tier counts when it ran on more of them
 * (an all-tier evaluation holds a tier-1 one), null when it did not measure them all.
 */
export function accuracyOver(ev: BenchPoint, tiers: BenchmarkTiers): { accuracy: Accuracy; n: TypeCounts } | null {
  if (sameTiers(ev.tiers, tiers)) return { accuracy: ev.accuracy, n: ev.n };
  if (tiers === 'all') return null;
  const parts = sortedTiers(tiers).map((t) => ev.byTier[String(t)]);
  if (parts.some((p) => !p)) return null;
  const n = { deduction: 0, abduction: 0, induction: 0 };
  const accuracy = { deduction: null, abduction: null, induction: null } as Accuracy;
  for (const type of TASK_TYPES) {
    let right = 0;
    for (const p of parts) {
      n[type] += p.n[type];
      right += (p.accuracy[type] ?? 0) * p.n[type];
    }
    accuracy[type] = n[type] > 0 ? right / n[type] : null;
  }
  return { accuracy, n };
}

/** Mean accuracy over the task types measured (the CLI's plots use the same mean), or null. */
export function meanAccuracy(acc: Accuracy): number | null {
  const xs = TASK_TYPES.map((t) => acc[t]).filter((x): x is number => x !== null);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/**
 * uPlot's columns for the benchmark chart: x = evaluated steps (ascending, one per step,
 * the newest evaluation of a step wins), then one column per task type (null: not measured).
 * Only evaluations that cover `tiers` are plotted: points of different task sets on one line
 * would read as progress that is not there.
 */
export function benchColumns(evals: readonly BenchPoint[], tiers: BenchmarkTiers): (number | null)[][] {
  const byStep = new Map<number, Accuracy>();
  for (const ev of evals) {
    const over = accuracyOver(ev, tiers);
    if (over) byStep.set(ev.step, over.accuracy);
  }
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  return [steps, ...TASK_TYPES.map((t) => steps.map((s) => byStep.get(s)![t]))];
}

/** The tiers the benchmark chart shows: those of the newest evaluation (tier 1 before any). */
export function chartTiers(evals: readonly BenchPoint[]): BenchmarkTiers {
  return evals.length ? evals.reduce((a, b) => (b.step >= a.step ? b : a)).tiers : [1];
}

/** "60 deduction, 60 abduction and 60 induction questions". */
export function questionCounts(n: TypeCounts): string {
  return `${n.deduction} deduction, ${n.abduction} abduction and ${n.induction} induction questions`;
}

export const pct = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
