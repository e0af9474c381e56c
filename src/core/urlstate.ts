// The page's config in its URL hash, after TensorFlow Playground's state.ts: one table of
// typed properties (PROPS) drives both directions, keys are short and readable
// (`#preset=paper&lr=0.0003&types=deduction,abduction`), and only values that differ from
// the chosen preset are written, so a shared link says exactly what was changed.
//
// Reading never throws at the page: a bad value (wrong type, out of range, unknown key)
// becomes a named problem, and that key alone falls back to the preset's value. Every
// control also has a `<key>_hide` flag, so a course can embed a page with only the knobs
// it is teaching.
import { ConfigError, mergeConfig, stableStringify, validateConfig, type Config, type ConfigOverrides } from './config.ts';
import { BACKEND_PREFS, BASELINES, DUPLICATE_POLICIES, KL_ROLES, LEARNABILITY_VARIANTS, MODEL_SIZE_NAMES, OPTIMIZERS, SEED_LEVELS } from './config.ts';
import { PRESET_NAMES, isPresetName, resolvePreset, type PresetName } from './presets.ts';
import { TASK_TYPES } from './tasks.ts';

type Kind = 'number' | 'boolean' | 'choice' | 'list';

export interface Prop {
  /** The URL key. */
  key: string;
  /** Where the value lives in Config: a field, or `rewards.<field>`. */
  path: string;
  kind: Kind;
  /** The allowed words, for 'choice' and 'list'. */
  options?: readonly string[];
  /** What the control is called on the page. */
  label: string;
}

/** Every URL-settable knob, in the order it is written. Ranges come from config.ts's schema. */
export const PROPS: readonly Prop[] = [
  { key: 'seed', path: 'seed', kind: 'number', label: 'Random seed' },
  { key: 'types', path: 'taskTypes', kind: 'list', options: TASK_TYPES, label: 'Task types' },
  { key: 'batch', path: 'batch', kind: 'number', label: 'Batch per task type and role' },
  { key: 'refs', path: 'references', kind: 'number', label: 'References shown to the proposer (K)' },
  { key: 'useRefs', path: 'useReferences', kind: 'boolean', label: 'Show references' },
  { key: 'inputs', path: 'inductionInputs', kind: 'number', label: 'Induction inputs (N)' },
  { key: 'rollouts', path: 'rollouts', kind: 'number', label: 'Learnability rollouts (n)' },
  { key: 'group', path: 'groupSize', kind: 'number', label: 'Solver samples per task' },
  { key: 'strictValidity', path: 'strictValidity', kind: 'boolean', label: 'A task must read its input and return a value (stricter than the paper)' },
  { key: 'behaviourDup', path: 'behaviourDuplicates', kind: 'boolean', label: 'Duplicates by behaviour: same outputs on probe inputs as a buffered program' },
  { key: 'seedLevels', path: 'seedLevels', kind: 'list', options: SEED_LEVELS, label: 'First tasks from levels (L0 one operation … L3 full grammar)' },
  { key: 'seedFactor', path: 'seedFactor', kind: 'number', label: 'Seeding factor' },
  { key: 'propose', path: 'propose', kind: 'boolean', label: 'Propose tasks (off: fixed task set)' },
  { key: 'trainProposer', path: 'trainProposer', kind: 'boolean', label: 'Train the proposer' },
  { key: 'baseline', path: 'baseline', kind: 'choice', options: BASELINES, label: 'Advantage baseline' },
  { key: 'temp', path: 'temperature', kind: 'number', label: 'Temperature' },
  { key: 'topP', path: 'topP', kind: 'number', label: 'Top-p' },
  { key: 'lr', path: 'lr', kind: 'number', label: 'Learning rate' },
  { key: 'optimizer', path: 'optimizer', kind: 'choice', options: OPTIMIZERS, label: 'Optimizer (adamw / muon)' },
  { key: 'execAnswers', path: 'executorAnswers', kind: 'number', label: "Executor's answers as solver responses, weight (0 = the paper: none)" },
  { key: 'wd', path: 'weightDecay', kind: 'number', label: 'Weight decay' },
  { key: 'gradClip', path: 'gradClip', kind: 'number', label: 'Gradient clip' },
  { key: 'clip', path: 'clipEps', kind: 'number', label: 'PPO clip ε' },
  { key: 'entropy', path: 'entropyCoef', kind: 'number', label: 'Entropy bonus' },
  { key: 'kl', path: 'klCoef', kind: 'number', label: 'KL penalty' },
  { key: 'klRoles', path: 'klRoles', kind: 'choice', options: KL_ROLES, label: 'KL penalty on (both roles / proposer only)' },
  { key: 'maxPrompt', path: 'maxPromptTokens', kind: 'number', label: 'Max prompt tokens' },
  { key: 'maxResponse', path: 'maxResponseTokens', kind: 'number', label: 'Max response tokens' },
  { key: 'model', path: 'modelSize', kind: 'choice', options: MODEL_SIZE_NAMES, label: 'Model size' },
  { key: 'backend', path: 'backend', kind: 'choice', options: BACKEND_PREFS, label: 'Backend' },
  { key: 'timeout', path: 'executorTimeoutMs', kind: 'number', label: 'Executor timeout (ms)' },
  { key: 'modalHits', path: 'rewards.ignoreModalHits', kind: 'boolean', label: "Learnability ignores the solver's habitual answer" },
  { key: 'learnability', path: 'rewards.learnability', kind: 'choice', options: LEARNABILITY_VARIANTS, label: 'Learnability reward variant' },
  { key: 'trivial', path: 'rewards.trivialTask', kind: 'number', label: 'Reward for a trivial or impossible task (code variant)' },
  { key: 'duplicate', path: 'rewards.duplicate', kind: 'choice', options: DUPLICATE_POLICIES, label: 'Duplicate proposals' },
  { key: 'dupPenalty', path: 'rewards.duplicatePenalty', kind: 'number', label: 'Duplicate penalty' },
  { key: 'rCorrect', path: 'rewards.solverCorrect', kind: 'number', label: 'Solver reward: correct' },
  { key: 'rWrong', path: 'rewards.solverWrong', kind: 'number', label: 'Solver reward: wrong' },
  { key: 'rFormat', path: 'rewards.solverFormat', kind: 'number', label: 'Solver reward: unparseable' },
  { key: 'rType', path: 'rewards.solverTypeCredit', kind: 'number', label: 'Solver reward: credit for a wrong answer of the right kind' },
  { key: 'rNear', path: 'rewards.solverNearCredit', kind: 'number', label: 'Solver reward: credit × closeness of a wrong answer to the right value' },
  { key: 'pInvalid', path: 'rewards.proposerInvalid', kind: 'number', label: 'Proposer reward: invalid' },
  { key: 'pFormat', path: 'rewards.proposerFormat', kind: 'number', label: 'Proposer reward: unparseable' },
];

/** The key of the preset control; it is written first and has its own `_hide` flag. */
export const PRESET_KEY = 'preset';
const HIDE = '_hide';

export interface UrlState {
  preset: PresetName;
  config: Config;
  /** Keys (from PROPS, or 'preset') whose control the page hides. */
  hidden: Set<string>;
}

/** One thing in a hash that was not used, and why. */
export interface UrlProblem {
  key: string;
  value: string;
  message: string;
}

const BY_KEY = new Map(PROPS.map((p) => [p.key, p]));
const BY_PATH = new Map(PROPS.map((p) => [p.path, p]));

function getPath(config: Config, path: string): unknown {
  const [a, b] = path.split('.');
  const top = (config as unknown as Record<string, unknown>)[a];
  return b === undefined ? top : (top as Record<string, unknown>)[b];
}

function setPath(over: Record<string, unknown>, path: string, value: unknown): void {
  const [a, b] = path.split('.');
  if (b === undefined) over[a] = value;
  else over[a] = { ...((over[a] as Record<string, unknown>) ?? {}), [b]: value };
}

function unsetPath(over: Record<string, unknown>, path: string): void {
  const [a, b] = path.split('.');
  if (b === undefined) delete over[a];
  else if (over[a]) delete (over[a] as Record<string, unknown>)[b];
}

/** Text → typed value, or a message. Ranges are not checked here: the schema does that. */
function decode(prop: Prop, text: string): { value: unknown } | { error: string } {
  switch (prop.kind) {
    case 'number': {
      // Number('') is 0 and Number(' 1 ') is 1: accept only what looks like a number.
      if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return { error: 'must be a number' };
      return { value: Number(text) };
    }
    case 'boolean':
      if (text === 'true' || text === '1') return { value: true };
      if (text === 'false' || text === '0') return { value: false };
      return { error: 'must be true or false' };
    case 'choice':
      return prop.options!.includes(text) ? { value: text } : { error: `must be one of ${prop.options!.join(', ')}` };
    case 'list': {
      const items = text === '' ? [] : text.split(',');
      const bad = items.find((x) => !prop.options!.includes(x));
      if (bad !== undefined) return { error: `"${bad}" is not one of ${prop.options!.join(', ')}` };
      return { value: items };
    }
  }
}

function encode(prop: Prop, value: unknown): string {
  if (prop.kind === 'list') return (value as string[]).join(',');
  return String(value);
}

// encodeURIComponent, but commas stay readable in lists.
const esc = (s: string) => encodeURIComponent(s).replace(/%2C/gi, ',');

function splitHash(hash: string): { key: string; value: string; raw: string }[] {
  const text = hash.replace(/^[#?]/, '');
  if (text === '') return [];
  return text.split('&').filter((part) => part !== '').map((raw) => {
    const eq = raw.indexOf('=');
    return { raw, key: eq < 0 ? raw : raw.slice(0, eq), value: eq < 0 ? '' : raw.slice(eq + 1) };
  });
}

/**
 * Reads a hash (with or without the leading '#'). Never throws: problems are listed and
 * the keys they concern keep the preset's values.
 */
export function parseUrlState(hash: string): { state: UrlState; problems: UrlProblem[] } {
  const problems: UrlProblem[] = [];
  const values = new Map<string, string>();
  const hidden = new Set<string>();

  for (const part of splitHash(hash)) {
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(part.key);
      value = decodeURIComponent(part.value);
    } catch {
      problems.push({ key: part.key, value: part.value, message: 'is not valid URL encoding' });
      continue;
    }
    if (key.endsWith(HIDE)) {
      const target = key.slice(0, -HIDE.length);
      if (target !== PRESET_KEY && !BY_KEY.has(target)) {
        problems.push({ key, value, message: `hides "${target}", which is not a known key` });
        continue;
      }
      if (value === '' || value === 'true' || value === '1') hidden.add(target);
      else if (value === 'false' || value === '0') hidden.delete(target);
      else problems.push({ key, value, message: 'must be true or false' });
      continue;
    }
    if (key !== PRESET_KEY && !BY_KEY.has(key)) {
      problems.push({ key, value, message: 'is not a known key' });
      continue;
    }
    if (values.has(key)) problems.push({ key, value: values.get(key)!, message: 'is given more than once; the last value is used' });
    values.set(key, value);
  }

  let preset: PresetName = 'default';
  const presetText = values.get(PRESET_KEY);
  if (presetText !== undefined) {
    if (isPresetName(presetText)) preset = presetText;
    else problems.push({ key: PRESET_KEY, value: presetText, message: `is not a preset (valid: ${PRESET_NAMES.join(', ')})` });
  }
  const base = resolvePreset(preset);

  const over: Record<string, unknown> = {};
  const given = new Map<string, string>(); // path → raw text, for messages
  for (const [key, text] of values) {
    if (key === PRESET_KEY) continue;
    const prop = BY_KEY.get(key)!;
    const decoded = decode(prop, text);
    if ('error' in decoded) {
      problems.push({ key, value: text, message: decoded.error });
      continue;
    }
    setPath(over, prop.path, decoded.value);
    given.set(prop.path, text);
  }

  // Range and cross-field rules live in the schema: validate, drop every override it
  // names, and try again. The preset itself is valid, so this ends within a few rounds.
  let config: Config;
  for (;;) {
    try {
      config = validateConfig(mergeConfig(base, over as ConfigOverrides));
      break;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      let dropped = 0;
      for (const p of e.problems) {
        // `taskTypes[1]` belongs to the `taskTypes` control.
        const path = p.path.replace(/\[\d+\]$/, '');
        const prop = BY_PATH.get(path);
        if (!prop || !given.has(path)) continue;
        problems.push({ key: prop.key, value: given.get(path)!, message: p.message });
        unsetPath(over, path);
        given.delete(path);
        dropped++;
      }
      // A problem no override explains cannot come from the URL; stop rather than loop.
      if (dropped === 0) {
        config = base;
        break;
      }
    }
  }
  return { state: { preset, config, hidden }, problems };
}

/**
 * Writes a state as a hash (no leading '#'): the preset unless it is `default`, then
 * every control whose value differs from the preset's, then the `_hide` flags, all in
 * PROPS order.
 */
export function serializeUrlState(state: UrlState): string {
  const base = resolvePreset(state.preset);
  const parts: string[] = [];
  if (state.preset !== 'default') parts.push(`${PRESET_KEY}=${esc(state.preset)}`);
  for (const prop of PROPS) {
    const value = getPath(state.config, prop.path);
    if (stableStringify(value) !== stableStringify(getPath(base, prop.path))) parts.push(`${prop.key}=${esc(encode(prop, value))}`);
  }
  for (const key of [PRESET_KEY, ...PROPS.map((p) => p.key)]) if (state.hidden.has(key)) parts.push(`${key}${HIDE}=true`);
  return parts.join('&');
}

/** The state of a bare URL: the default preset, nothing hidden. */
export function defaultUrlState(): UrlState {
  return { preset: 'default', config: resolvePreset('default'), hidden: new Set() };
}
