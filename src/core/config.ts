// The one object that holds every knob of a run: the self-play loop, the policy's
// optimiser and sampler, the executor's budget and the rewards all read from it. A run
// log records `configHash(config)` on every line so a chart can tell runs apart, and
// presets.ts / urlstate.ts build Configs by layering partial ones over DEFAULT_CONFIG.
//
// The valibot schema is the single source of truth for what a valid value is: ranges,
// choices, and the few rules that tie two fields together. `validateConfig` reports every
// bad field at once, by its path (`rewards.solverWrong`), so a URL or a CLI flag with
// three mistakes gets three messages, not one at a time.
import * as v from 'valibot';
import { MAX_INDUCTION_INPUTS, MAX_RESPONSE_CHARS, TASK_TYPES } from './tasks.ts';

// Named *_NAMES / *_PREFS so they do not shadow src/model's MODEL_SIZES (the shapes) where both are imported.
export const MODEL_SIZE_NAMES = ['tiny', 'small', 'medium', 'large'] as const;
export type ModelSize = (typeof MODEL_SIZE_NAMES)[number];

/** Which tfjs backend to ask for first; 'auto' tries WebGPU, then wasm, then cpu. */
export const BACKEND_PREFS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendPref = (typeof BACKEND_PREFS)[number];

/** 'task-relative' is the paper's TRR++; 'group' normalises within samples of one prompt. */
export const BASELINES = ['task-relative', 'group'] as const;
export type Baseline = (typeof BASELINES)[number];
/** Which responses the KL penalty applies to: every one, or the proposer's only. */
export const KL_ROLES = ['both', 'propose'] as const;
export type KlRoles = (typeof KL_ROLES)[number];

/** The generator's levels, as the config and the URL spell them (core/levels.ts). */
export const SEED_LEVELS = ['L0', 'L1', 'L2', 'L3'] as const;

/** 'equation' and 'code' are the paper's two readings of the learnability reward; 'validity'
 *  pays every valid new task the same (1), whatever its solve rate: the ablation that measures
 *  what the learnability term (the curriculum) adds over "propose anything that runs". */
export const LEARNABILITY_VARIANTS = ['equation', 'code', 'validity'] as const;
/** The optimizer of the policy's update (src/model/optim.ts, muon.ts). */
export const OPTIMIZERS = ['adamw', 'muon'] as const;
export const DUPLICATE_POLICIES = ['reject', 'penalise'] as const;

const choices = (xs: readonly string[]) => xs.map((x) => `"${x}"`).join(', ');
const oneOf = <const T extends readonly [string, ...string[]]>(xs: T) => v.picklist(xs, `must be one of ${choices(xs)}`);
const bool = () => v.boolean('must be true or false');

/** An integer in [min, max]. */
const int = (min: number, max: number) =>
  v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(min, `must be >= ${min}`), v.maxValue(max, `must be <= ${max}`));

/** A finite number in [min, max]; `open` makes the lower bound exclusive (rates that must be positive). */
const num = (min: number, max: number, open = false) =>
  v.pipe(
    v.number('must be a number'),
    v.finite('must be finite'),
    open ? v.gtValue(min, `must be > ${min}`) : v.minValue(min, `must be >= ${min}`),
    v.maxValue(max, `must be <= ${max}`),
  );

const RewardSchema = v.strictObject(
  {
    /** Solver: answer correct (paper +1). */
    solverCorrect: num(-10, 10),
    /** Solver: well-formed answer, wrong (paper −0.5). */
    solverWrong: num(-10, 10),
    /** Solver: answer could not be parsed (paper −1). */
    solverFormat: num(-10, 10),
    /** Solver: added to solverWrong when the wrong answer is the right kind of value (paper 0: no
     *  partial credit). Deduction: the answer is a number where f gives a number, a string where
     *  it gives a string…; abduction: f(answer) is the kind the output is; induction: the answer
     *  program gives the right kind on every held-out input. A shaped reward: it rewards reading
     *  what kind of thing the program makes before the solver can compute its value. */
    // Optional with its neutral value so configs saved before the field existed still load.
    solverTypeCredit: v.optional(num(0, 10), 0),
    /** Solver: added to solverWrong, times the wrong answer's closeness to the right value (paper 0).
     *  Closeness is 1 − edit distance / length between canonical values (deduction: the answer and
     *  f(i); abduction: f(answer) and the output; induction: the mean over held-out pairs), so
     *  "[4,1,3,0]" for "[4,1,3]" earns nearly the full credit and "true" for 12 none: a dense
     *  reward that points at the value when an exact answer is still out of reach. */
    solverNearCredit: v.optional(num(0, 10), 0),
    /** Proposer: the executor rejected the task (paper −1). */
    proposerInvalid: num(-10, 10),
    /** Proposer: the proposal could not be parsed (paper −1). */
    proposerFormat: num(-10, 10),
    /** Learnability (r̄) leaves out a right answer that is the solver's habit: the answer it gave
     *  most often this step to that type's questions, on two or more different tasks (paper:
     *  false). Without it a solver that answers one constant makes "tasks that return that
     *  constant" the learnable ones, and proposer and solver co-adapt on it (docs/RESULTS.md). */
    // Optional with its neutral value so configs saved before the field existed still load.
    ignoreModalHits: v.optional(bool(), false),
    /** Reward when r̄ ∈ {0, 1}: 0 ('equation', the paper's text) or `trivialTask` ('code', its code);
     *  'validity' pays 1 for every valid new task (no learnability term: an ablation). */
    learnability: oneOf(LEARNABILITY_VARIANTS),
    /** The 'code' variant's reward for a task every rollout solved, or none did (paper code −0.5). */
    trivialTask: num(-10, 10),
    /** A proposal whose program is already in the buffer: 'reject' (= invalid) or 'penalise'. */
    duplicate: oneOf(DUPLICATE_POLICIES),
    /** The reward a duplicate gets under 'penalise'. */
    duplicatePenalty: num(-10, 10),
  },
  'must be an object',
);

const ConfigObject = v.strictObject(
  {
    /** Seed of every random stream of the run (rng.ts). */
    seed: int(0, 2 ** 31 - 1),
    /** Task types in play; the paper uses all three. */
    taskTypes: v.pipe(
      v.array(oneOf(TASK_TYPES), 'must be a list of task types'),
      v.minLength(1, 'must name at least one task type'),
      v.check((xs) => new Set(xs).size === xs.length, 'must not repeat a task type'),
    ),
    /** Items per (task type × role) per step: B in the paper (64). */
    batch: int(1, 1024),
    /** K: reference triplets shown to the deduction / abduction proposer (paper 6). */
    references: int(0, 32),
    /** Show references at all (the paper's "no references" ablation turns this off). */
    useReferences: bool(),
    /** N: inputs an induction proposer writes; the first half is shown, the rest held out (paper 10). */
    inductionInputs: v.pipe(int(2, MAX_INDUCTION_INPUTS), v.check((n) => n % 2 === 0, 'must be even (half shown, half held out)')),
    /** n: solver rollouts per proposed task to estimate its solve rate r̄ (paper 8). */
    rollouts: int(1, 64),
    /** Solver samples per task in the batch; > 1 gives the group baseline something to compare. */
    groupSize: int(1, 64),
    /** Seeding phase lasts until the buffers hold seedFactor × batch unique triplets (paper 4). */
    seedFactor: int(0, 64),
    /** Propose tasks at all. false = the paper's fixed-set baseline: no proposer prompts are
     *  sampled, the solver batch comes only from the starting buffers (e.g. `azr train --tasks`),
     *  there is no seeding phase (the buffers never grow) and trainProposer has nothing to train. */
    propose: bool(),
    /** Train the proposer (false = the "solver only" ablation: proposals sampled, never updated). */
    trainProposer: bool(),
    /** Advantage baseline: the paper's TRR++ or a per-prompt group baseline. */
    baseline: oneOf(BASELINES),
    /** Sampling temperature (paper 1.0). */
    temperature: num(0, 5, true),
    /** Nucleus sampling mass (paper 1.0 = off). */
    topP: num(0, 1, true),
    /** Learning rate of the update's optimizer. */
    lr: num(0, 1, true),
    /** The update's optimizer: 'adamw' (the paper's), or 'muon' (orthogonalised momentum for the
     *  blocks' weight matrices, AdamW for the rest; src/model/muon.ts).
     *  Optional with its neutral value so configs saved before the field existed still load. */
    optimizer: v.optional(oneOf(OPTIMIZERS), 'adamw'),
    /** AdamW decoupled weight decay. */
    weightDecay: num(0, 1),
    /** Global gradient-norm clip (paper 1.0); 0 turns it off. */
    gradClip: num(0, 1000),
    /** PPO clip ε (paper 0.2). */
    clipEps: num(0, 1, true),
    /** Entropy bonus coefficient (0 = none). */
    entropyCoef: num(0, 1),
    /** KL penalty to the starting policy (paper: none). */
    klCoef: num(0, 10),
    /** Responses the KL penalty applies to: 'both' roles, or only 'propose' — one set of
     *  weights plays both roles, so a solver that moves fast can erase the proposer's
     *  validity; this keeps the proposer near the start and lets the solver move.
     *  Optional with its neutral value so configs saved before the field existed still load. */
    klRoles: v.optional(oneOf(KL_ROLES), 'both'),
    /** The graded world's levels a fresh run's first tasks are drawn from (core/levels.ts:
     *  L0 one operation on one argument … L3 the full grammar), executed in the sandbox and put
     *  in the buffers beside the identity triplet. Empty: the identity triplet alone (the paper). */
    // Optional with its neutral value so configs saved before the field existed still load.
    seedLevels: v.optional(
      v.pipe(
        v.array(oneOf(SEED_LEVELS), 'must be a list of levels'),
        v.check((xs) => new Set(xs).size === xs.length, 'must not repeat a level'),
      ),
      [],
    ),
    /** A valid task must read its input and return a value: a program whose body never reads a
     *  parameter, or whose output is `undefined` on every input it ran on, is rejected
     *  ('invalid-output'). The paper checks only that a program runs deterministically; proposers
     *  here found that `function f(t) { }` and `function f(y) { return 1; }` are always valid and
     *  always solvable, filled their buffers with them, and the solver learned nothing else.
     *  Optional, false (the paper) when absent, so configs saved before the field existed load. */
    strictValidity: v.optional(bool(), false),
    /** Judge deduction/abduction duplicates by behaviour as well as by source: a program whose
     *  outputs on a fixed set of probe inputs (selfplay/behaviour.ts) equal a buffered program's
     *  is a duplicate (the paper compares programs as text). Proposers found the identity in a
     *  dozen spellings, each "new", each paid for. Optional, false when absent. */
    behaviourDuplicates: v.optional(bool(), false),
    /** Weight of the executor's answers (paper: 0, none). The executor knows the right answer to
     *  every valid proposal — o for deduction, i for abduction, the program for induction — so the
     *  solver may also learn it directly: each valid new task of the step joins the update as a
     *  solver response holding that answer, with this advantage (at ratio 1 it is cross-entropy on
     *  the answer, scaled). No human data enters; the proposer still chooses every task. Not the
     *  paper's RL: an expert-iteration-style term beside it (DESIGN §7).
     *  Optional with its neutral value so configs saved before the field existed still load. */
    executorAnswers: v.optional(num(0, 10), 0),
    /** Longest prompt, in tokens; longer prompts are skipped by the loop. */
    maxPromptTokens: int(16, 65536),
    /** Sampling budget per response, in tokens; a response without <eos> by then is unparseable. */
    maxResponseTokens: int(4, MAX_RESPONSE_CHARS + 1),
    /** Policy size; src/model maps each name to layers and widths. */
    modelSize: oneOf(MODEL_SIZE_NAMES),
    /** Preferred tfjs backend. */
    backend: oneOf(BACKEND_PREFS),
    /** Executor wall-clock budget per job, in ms. */
    executorTimeoutMs: int(10, 60_000),
    rewards: RewardSchema,
  },
  'a config must be an object',
);

const ConfigSchema = v.pipe(
  ConfigObject,
  // A reward scheme where a wrong answer pays as much as a right one teaches nothing.
  v.forward(
    v.check((c) => c.rewards.solverCorrect > c.rewards.solverWrong, 'must be greater than rewards.solverWrong'),
    ['rewards', 'solverCorrect'],
  ),
  v.forward(
    v.check((c) => c.rewards.solverTypeCredit === 0 || c.rewards.solverCorrect > c.rewards.solverWrong + c.rewards.solverTypeCredit, 'must be less than rewards.solverCorrect − rewards.solverWrong (a wrong answer of the right kind must still pay less than a right one)'),
    ['rewards', 'solverTypeCredit'],
  ),
  v.forward(
    v.check((c) => c.rewards.solverNearCredit === 0 || c.rewards.solverCorrect > c.rewards.solverWrong + c.rewards.solverTypeCredit + c.rewards.solverNearCredit, 'must be less than rewards.solverCorrect − rewards.solverWrong − rewards.solverTypeCredit (a wrong answer, however close, must still pay less than a right one)'),
    ['rewards', 'solverNearCredit'],
  ),
);

export type Config = v.InferOutput<typeof ConfigObject>;
export type RewardConfig = Config['rewards'];

/** A partial Config: any subset of fields, `rewards` itself partial. Lists are replaced, not merged. */
export type ConfigOverrides = Partial<Omit<Config, 'rewards'>> & { rewards?: Partial<RewardConfig> };

/**
 * The `default` preset: a run that shows learning within minutes on a 2-core CPU (a
 * tiny model, small batches, a higher learning rate than the paper's 7B-model 1e-6).
 * The paper's own values are the `paper` preset (presets.ts).
 */
export const DEFAULT_CONFIG: Config = Object.freeze({
  seed: 1,
  taskTypes: Object.freeze(['deduction', 'abduction', 'induction']) as Config['taskTypes'],
  batch: 8,
  references: 3,
  useReferences: true,
  inductionInputs: 6,
  rollouts: 4,
  groupSize: 4,
  seedFactor: 2,
  propose: true,
  trainProposer: true,
  baseline: 'task-relative',
  temperature: 1,
  topP: 1,
  // From the shipped base, 5e-4 broke the proposer within ten steps (no valid task after step 3,
  // 22 of 24 proposals unparseable by step 8; docs/RESULTS.md, sixth round); 2e-4 kept it writing tasks.
  lr: 2e-4,
  optimizer: 'adamw',
  weightDecay: 0.01,
  gradClip: 1,
  clipEps: 0.2,
  // Entropy collapse stalled earlier REINFORCE runs on this model size (DESIGN §6): a
  // small bonus keeps answers diverse enough for advantages to stay non-zero.
  entropyCoef: 0.01,
  klCoef: 0,
  klRoles: 'both',
  // The run starts in the graded world's first levels (one operation; one expression), where the
  // base has its foothold, rather than from the identity triplet alone.
  seedLevels: ['L0', 'L1'] as Config['seedLevels'],
  // The executor's answers to the proposer's tasks are learned beside the RL term (not the
  // paper: the `paper` preset turns it off); the reason is in docs/RESULTS.md's sixth round.
  executorAnswers: 1,
  strictValidity: true,
  behaviourDuplicates: false,
  maxPromptTokens: 1024,
  maxResponseTokens: 192,
  // The shipped base checkpoint's size (public/checkpoints/base: 3 layers, d 80): the app and
  // `azr train` start a run from the base when the config names its size (core/init.ts), so
  // the default run is the base's model, not a larger one from random weights.
  modelSize: 'tiny',
  backend: 'auto',
  executorTimeoutMs: 1000,
  rewards: Object.freeze({
    solverCorrect: 1,
    solverWrong: -0.5,
    solverFormat: -1,
    solverTypeCredit: 0,
    solverNearCredit: 0,
    proposerInvalid: -1,
    proposerFormat: -1,
    ignoreModalHits: false,
    learnability: 'equation',
    trivialTask: -0.5,
    duplicate: 'penalise',
    duplicatePenalty: -0.5,
  }),
}) as Config;

export interface ConfigProblem {
  /** Dotted path of the field, e.g. `rewards.solverWrong` or `taskTypes[1]`; '' for the whole object. */
  path: string;
  message: string;
}

/** A config that does not validate; `problems` has one entry per bad field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid config: ${problems.map((p) => (p.path ? `${p.path} ${p.message}` : p.message)).join('; ')}`);
  }
}

function pathOf(found: v.BaseIssue<unknown>): string {
  return (found.path ?? []).map((p, i) => (typeof p.key === 'number' ? `[${p.key}]` : i === 0 ? String(p.key) : `.${String(p.key)}`)).join('');
}

/** Checks `value` is a complete, valid Config and returns a copy; throws ConfigError listing every problem. */
export function validateConfig(value: unknown): Config {
  const result = v.safeParse(ConfigSchema, value, { abortEarly: false });
  if (result.success) return result.output;
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const found of result.issues) {
    const path = pathOf(found);
    // One message per field: the first failed check says the most (type before range).
    if (seen.has(path)) continue;
    seen.add(path);
    let message = found.message;
    // valibot reports both a missing and an unknown key as a failure of the enclosing object.
    if (found.type === 'strict_object' && path !== '') message = found.expected === 'never' ? 'is not a known field' : 'is missing';
    problems.push({ path, message });
  }
  throw new ConfigError(problems);
}

/** `base` with `over` laid on top (one level deep for `rewards`); no validation. */
export function mergeConfig(base: Config, over: ConfigOverrides = {}): Config {
  const { rewards, ...rest } = over;
  return { ...base, ...rest, rewards: { ...base.rewards, ...rewards } } as Config;
}

/** JSON with object keys sorted at every level, so equal configs give equal text. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Fields added after runs were already being saved are left out of the hash while they hold
 * the value that means "as before", so a saved run's configHash (in its run log and its
 * state) still matches its config after an upgrade.
 */
function withoutNeutralAdditions(config: Config): unknown {
  const { klRoles, seedLevels, optimizer, executorAnswers, strictValidity, behaviourDuplicates, ...rest } = config;
  const out: Record<string, unknown> = {
    ...rest,
    ...(klRoles !== 'both' ? { klRoles } : {}),
    ...(seedLevels.length > 0 ? { seedLevels } : {}),
    ...(optimizer !== 'adamw' ? { optimizer } : {}),
    ...(executorAnswers !== 0 ? { executorAnswers } : {}),
    ...(strictValidity ? { strictValidity } : {}),
    ...(behaviourDuplicates ? { behaviourDuplicates } : {}),
  };
  const { solverTypeCredit, solverNearCredit, ignoreModalHits, ...rewards } = config.rewards;
  return {
    ...out,
    rewards: {
      ...rewards,
      ...(solverTypeCredit !== 0 ? { solverTypeCredit } : {}),
      ...(solverNearCredit !== 0 ? { solverNearCredit } : {}),
      ...(ignoreModalHits ? { ignoreModalHits } : {}),
    },
  };
}

/**
 * A short, stable name for a config (12 hex digits): two independent 32-bit FNV-1a style
 * hashes of its sorted-key JSON. Key order and object identity do not change it; any
 * value does. For telling runs apart in logs, not for security.
 */
export function configHash(config: Config): string {
  const text = stableStringify(withoutNeutralAdditions(config));
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return ((a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0')).slice(0, 12);
}
