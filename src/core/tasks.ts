// Tasks as the policy sees them: the three task types, the two roles, the prompt text for
// each of the six (type × role) configurations, and the parsers that turn a sampled
// response back into a proposal or an answer.
//
// The policy is a small character-level model, so prompts carry no English instructions:
// each field is introduced by one special token, and the tokenizer is built with
// SPECIAL_TOKENS so each of those is a single token. Every prompt ends with `<ans>`, the
// token after which the model writes; every response ends with `<eos>`.
//
//   deduction solve    <bos><ded><solve><prog>P<in>I<ans>            → O<eos>
//   abduction solve    <bos><abd><solve><prog>P<out>O<ans>           → I<eos>
//   induction solve    <bos><ind><solve><msg>M(<in>I<out>O)×N/2<ans> → P<eos>
//   deduction propose  <bos><ded><prop>(<ref><prog>P<in>I<out>O)×K<ans> → <prog>P<in>I<eos>
//   abduction propose  <bos><abd><prop>(<ref><prog>P<in>I<out>O)×K<ans> → <prog>P<in>I<eos>
//   induction propose  <bos><ind><prop><prog>P<ans>                  → (<in>I)×N<msg>M<eos>
//
// Parsers check structure only: the fields are there, in order, non-empty where they
// must be, not too long, and an input is shaped like an argument list. Whether an input
// is a pure literal, whether a program runs, and what it returns are the executor's to
// decide (src/sandbox), so a well-formed answer that is semantically wrong is "wrong",
// not a format failure — the two earn different rewards.
import { parse as parseJs, parseExpressionAt } from 'acorn';
import type { TaskType } from './taskfile.ts';

export { TASK_TYPES, type TaskType } from './taskfile.ts';

export const ROLES = ['propose', 'solve'] as const;
export type Role = (typeof ROLES)[number];

/** A deduction or abduction task: `f` defined by `program`, `output` = canonical f(input). */
export interface Triplet {
  /** Source that defines `f`. */
  program: string;
  /** Argument-list source: what goes between the parentheses of `f(...)`. */
  input: string;
  /** Literal source of f(input). */
  output: string;
}

export interface IOPair {
  input: string;
  output: string;
}

/**
 * An induction task: the solver sees `message` and the `shown` pairs and must write a
 * program; it is correct when that program maps every `heldOut` input to its output.
 * `shown` is pairs[0, N/2) and `heldOut` the rest, as in the paper (N = 10: 5 + 5).
 */
export interface InductionTask {
  program: string;
  message: string;
  pairs: IOPair[];
  shown: IOPair[];
  heldOut: IOPair[];
}

/** Builds an InductionTask, splitting `pairs` into shown and held-out halves. */
export function makeInductionTask(program: string, message: string, pairs: readonly IOPair[]): InductionTask {
  if (pairs.length < 2) throw new RangeError(`an induction task needs at least 2 pairs (one shown, one held out), got ${pairs.length}`);
  const copy = pairs.map((p) => ({ input: p.input, output: p.output }));
  const half = Math.floor(copy.length / 2);
  return { program, message, pairs: copy, shown: copy.slice(0, half), heldOut: copy.slice(half) };
}

// ---- Special tokens ------------------------------------------------------------------

/** Named special tokens. The text form of each is its name; the tokenizer maps it to one id. */
export const TOK = {
  pad: '<pad>',
  bos: '<bos>',
  eos: '<eos>',
  ded: '<ded>',
  abd: '<abd>',
  ind: '<ind>',
  prop: '<prop>',
  solve: '<solve>',
  prog: '<prog>',
  in: '<in>',
  out: '<out>',
  msg: '<msg>',
  ref: '<ref>',
  ans: '<ans>',
} as const;
export type SpecialToken = (typeof TOK)[keyof typeof TOK];

/** The list the tokenizer is built with. Order is part of the vocabulary: append, never reorder. */
export const SPECIAL_TOKENS: readonly SpecialToken[] = Object.values(TOK);

const TYPE_TOKEN: Record<TaskType, SpecialToken> = { deduction: TOK.ded, abduction: TOK.abd, induction: TOK.ind };
const ROLE_TOKEN: Record<Role, SpecialToken> = { propose: TOK.prop, solve: TOK.solve };

// Special tokens all look like `<name>`; one regex finds any of them.
const SPECIAL_RE = new RegExp(SPECIAL_TOKENS.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');

/** The first special token written inside `text`, or null. */
export function findSpecialToken(text: string): SpecialToken | null {
  SPECIAL_RE.lastIndex = 0;
  const m = SPECIAL_RE.exec(text);
  return m ? (m[0] as SpecialToken) : null;
}

/**
 * The characters a prompt may hold besides special tokens: printable ASCII, newline and
 * tab — the character tokenizer's alphabet (src/model/tokenizer.ts), which has no
 * out-of-vocabulary fallback. The policy cannot write anything else, but imported tasks
 * and executor outputs (a program may compute "é") can hold it.
 */
export function firstUnpromptableChar(text: string): string | null {
  const m = /[^\t\n\x20-\x7e]/u.exec(text);
  return m ? m[0] : null;
}

const describeChar = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `text` cannot be a prompt field (a special token inside it, or a character outside the alphabet), or null. */
export function promptFieldProblem(text: string): string | null {
  const tok = findSpecialToken(text);
  // A special token's name inside a field would be read by the tokenizer as the token
  // itself, splitting the field: such a task cannot be shown to the model faithfully.
  if (tok) return `contains the special token ${tok}`;
  const c = firstUnpromptableChar(text);
  if (c) return `contains ${describeChar(c)}, which is outside the model's alphabet (printable ASCII, newline, tab)`;
  return null;
}

// ---- Limits --------------------------------------------------------------------------
// Hard structural limits on what a response may contain, in UTF-16 code units (for the
// ASCII a program is made of, one character = one token of the char tokenizer). They
// bound the work one bad sample can cause; the sampler's token budget
// (config.maxResponseTokens) is usually much tighter.

export const MAX_PROGRAM_CHARS = 2000;
export const MAX_INPUT_CHARS = 500;
export const MAX_OUTPUT_CHARS = 1000;
export const MAX_MESSAGE_CHARS = 500;
/** Most inputs an induction proposal may carry (config N must not exceed it). */
export const MAX_INDUCTION_INPUTS = 32;
/** Longest response body (text before `<eos>`) any parser reads. */
export const MAX_RESPONSE_CHARS = MAX_INDUCTION_INPUTS * (MAX_INPUT_CHARS + TOK.in.length) + MAX_MESSAGE_CHARS + TOK.msg.length;

// ---- Prompts -------------------------------------------------------------------------

/** A field that cannot go into a prompt (it would read back as a different structure). */
export class PromptError extends Error {
  override name = 'PromptError';
}

function field(name: string, text: string): string {
  if (typeof text !== 'string') throw new PromptError(`${name} must be a string, got ${typeof text}`);
  const problem = promptFieldProblem(text);
  if (problem) throw new PromptError(`${name} ${problem}`);
  return text;
}

function head(type: TaskType, role: Role): string {
  return TOK.bos + TYPE_TOKEN[type] + ROLE_TOKEN[role];
}

/** Deduction solver: given program and input, write the output. */
export function deductionSolvePrompt(t: Triplet): string {
  return head('deduction', 'solve') + TOK.prog + field('program', t.program) + TOK.in + field('input', t.input) + TOK.ans;
}

/** Abduction solver: given program and output, write an input that produces it. */
export function abductionSolvePrompt(t: Triplet): string {
  return head('abduction', 'solve') + TOK.prog + field('program', t.program) + TOK.out + field('output', t.output) + TOK.ans;
}

/** Induction solver: given the message and the shown pairs, write the program. */
export function inductionSolvePrompt(t: InductionTask): string {
  let s = head('induction', 'solve') + TOK.msg + field('message', t.message);
  t.shown.forEach((p, i) => {
    s += TOK.in + field(`shown[${i}].input`, p.input) + TOK.out + field(`shown[${i}].output`, p.output);
  });
  return s + TOK.ans;
}

/**
 * Deduction / abduction proposer: shown K reference triplets, write a new program and
 * one input. The two types share the layout and differ in their type token, so the model
 * can learn what makes a good task of each kind. No references (the ablation) is allowed.
 */
export function tripletProposePrompt(type: 'deduction' | 'abduction', references: readonly Triplet[]): string {
  let s = head(type, 'propose');
  references.forEach((r, i) => {
    s += TOK.ref + TOK.prog + field(`references[${i}].program`, r.program) + TOK.in + field(`references[${i}].input`, r.input) + TOK.out + field(`references[${i}].output`, r.output);
  });
  return s + TOK.ans;
}

/** Induction proposer: shown one program, write N inputs and a message. */
export function inductionProposePrompt(program: string): string {
  return head('induction', 'propose') + TOK.prog + field('program', program) + TOK.ans;
}

/** Every prompt the loop builds, as one value; `buildPrompt` dispatches on it. */
export type PromptSpec =
  | { type: 'deduction' | 'abduction'; role: 'solve'; task: Triplet }
  | { type: 'induction'; role: 'solve'; task: InductionTask }
  | { type: 'deduction' | 'abduction'; role: 'propose'; references: readonly Triplet[] }
  | { type: 'induction'; role: 'propose'; program: string };

export function buildPrompt(spec: PromptSpec): string {
  if (spec.role === 'solve') {
    if (spec.type === 'induction') return inductionSolvePrompt(spec.task);
    return spec.type === 'deduction' ? deductionSolvePrompt(spec.task) : abductionSolvePrompt(spec.task);
  }
  if (spec.type === 'induction') return inductionProposePrompt(spec.program);
  return tripletProposePrompt(spec.type, spec.references);
}

// ---- Responses -----------------------------------------------------------------------

/** What a proposer's response holds, per task type. */
export interface Proposals {
  deduction: { program: string; input: string };
  abduction: { program: string; input: string };
  induction: { inputs: string[]; message: string };
}

/** What a solver's response holds, per task type. */
export interface Answers {
  deduction: { output: string };
  abduction: { input: string };
  induction: { program: string };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface ParseOptions {
  /** How many inputs an induction proposal must carry (config N; any beyond N are dropped). Default 10. */
  inductionInputs?: number;
}

/** The response text a correct proposer would write: the inverse of `parseProposal`. */
export function formatProposal<T extends TaskType>(type: T, value: Proposals[T]): string {
  if (type === 'induction') {
    const v = value as Proposals['induction'];
    return v.inputs.map((x, i) => TOK.in + field(`inputs[${i}]`, x)).join('') + TOK.msg + field('message', v.message) + TOK.eos;
  }
  const v = value as Proposals['deduction'];
  return TOK.prog + field('program', v.program) + TOK.in + field('input', v.input) + TOK.eos;
}

/** The response text a correct solver would write: the inverse of `parseAnswer`. */
export function formatAnswer<T extends TaskType>(type: T, value: Answers[T]): string {
  if (type === 'deduction') return field('output', (value as Answers['deduction']).output) + TOK.eos;
  if (type === 'abduction') return field('input', (value as Answers['abduction']).input) + TOK.eos;
  return field('program', (value as Answers['induction']).program) + TOK.eos;
}

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** The text before the first `<eos>`, or a reason why there is none we can use. */
function body(text: string): Parsed<string> {
  if (typeof text !== 'string') return fail(`response must be a string, got ${typeof text}`);
  const end = text.indexOf(TOK.eos);
  // No <eos>: the sampler hit its length budget mid-answer, so the answer is truncated.
  if (end < 0) return fail(`missing ${TOK.eos} (the response was cut off)`);
  if (end > MAX_RESPONSE_CHARS) return fail(`too long: ${end} characters before ${TOK.eos}, limit ${MAX_RESPONSE_CHARS}`);
  return { ok: true, value: text.slice(0, end) };
}

interface Segment {
  tag: SpecialToken | null;
  text: string;
}

/** Splits a body at special tokens: [text before any tag, then (tag, text) per tag]. */
function segments(text: string): Segment[] {
  const out: Segment[] = [];
  let tag: SpecialToken | null = null;
  let at = 0;
  SPECIAL_RE.lastIndex = 0;
  for (let m = SPECIAL_RE.exec(text); m; m = SPECIAL_RE.exec(text)) {
    out.push({ tag, text: text.slice(at, m.index) });
    tag = m[0] as SpecialToken;
    at = m.index + m[0].length;
  }
  out.push({ tag, text: text.slice(at) });
  return out;
}

function checkLength(name: string, text: string, max: number): string | null {
  return text.length > max ? `${name} too long: ${text.length} characters, limit ${max}` : null;
}

function checkProgram(text: string): string | null {
  if (text.trim() === '') return 'empty program';
  return checkLength('program', text, MAX_PROGRAM_CHARS);
}

/**
 * An argument list is what fits between `f(` and `)` as exactly that call's arguments.
 * Parsing `f(<input>\n)` as a whole script and requiring one call statement whose end is
 * the script's end rejects inputs that close the call early (`1); g(2`), comment out the
 * closing parenthesis (`1 //`), or are not syntax at all. The newline ends a line comment
 * so `1 // note` is still one argument.
 */
export function isArgumentList(input: string): boolean {
  const src = `f(${input}\n)`;
  let ast;
  try {
    ast = parseJs(src, { ecmaVersion: 'latest', sourceType: 'script' });
  } catch {
    return false;
  }
  if (ast.body.length !== 1) return false;
  const stmt = ast.body[0];
  if (stmt.type !== 'ExpressionStatement') return false;
  const call = stmt.expression;
  return call.type === 'CallExpression' && call.start === 0 && call.end === src.length && call.callee.type === 'Identifier' && call.callee.name === 'f' && call.callee.end === 1;
}

/**
 * One expression, with nothing after it (a comma list is not one value). Whether it is a
 * plain literal is for the executor to say.
 */
export function isSingleExpression(text: string): boolean {
  if (text.trim() === '') return false;
  try {
    const e = parseExpressionAt(text, 0, { ecmaVersion: 'latest' });
    if (e.type === 'SequenceExpression') return false;
    // parseExpressionAt stops at the end of the expression; anything but whitespace or a
    // comment after it means the text held more than one value.
    const rest = text.slice(e.end);
    return parseJs(rest, { ecmaVersion: 'latest' }).body.length === 0;
  } catch {
    return false;
  }
}

function checkInput(name: string, text: string): string | null {
  const long = checkLength(name, text, MAX_INPUT_CHARS);
  if (long) return long;
  return isArgumentList(text) ? null : `${name} is not an argument list: ${JSON.stringify(clip(text))}`;
}

function checkOutput(text: string): string | null {
  if (text.trim() === '') return 'empty output';
  const long = checkLength('output', text, MAX_OUTPUT_CHARS);
  if (long) return long;
  return isSingleExpression(text) ? null : `output is not a single expression: ${JSON.stringify(clip(text))}`;
}

/** Keeps quoted text in reasons short. */
function clip(text: string, n = 60): string {
  return text.length > n ? `${text.slice(0, n)}…` : text;
}

/** A solver's answer is one untagged field: any special token inside it is a format failure. */
function untagged(text: string): Parsed<string> {
  const b = body(text);
  if (!b.ok) return b;
  const tok = findSpecialToken(b.value);
  if (tok) return fail(`unexpected ${tok} in the answer`);
  return b;
}

/**
 * Reads a proposer's response. Deduction / abduction: `<prog>P<in>I<eos>`. Induction:
 * exactly N × `<in>I`, then `<msg>M`, then `<eos>` (the message may be empty; inputs are
 * checked one by one for shape, and whether they are distinct is left to the loop, which
 * compares their canonical values from the executor).
 */
export function parseProposal<T extends TaskType>(type: T, text: string, opts: ParseOptions = {}): Parsed<Proposals[T]> {
  const b = body(text);
  if (!b.ok) return b;
  // A proposal becomes a buffer task that later prompts show, so it must be writable in
  // the model's alphabet. (The policy cannot emit anything else; this guards other callers.)
  const c = firstUnpromptableChar(b.value);
  if (c) return fail(`${describeChar(c)} is outside the model's alphabet`);
  const segs = segments(b.value);
  if (segs[0].text.trim() !== '') return fail(`text before the first field: ${JSON.stringify(clip(segs[0].text))}`);
  const fields = segs.slice(1);

  if (type === 'induction') {
    const n = opts.inductionInputs ?? 10;
    if (!Number.isInteger(n) || n < 1 || n > MAX_INDUCTION_INPUTS) throw new RangeError(`inductionInputs must be an integer in [1, ${MAX_INDUCTION_INPUTS}], got ${n}`);
    const inputs: string[] = [];
    let message: string | null = null;
    for (const f of fields) {
      if (f.tag === TOK.in) {
        if (message !== null) return fail(`${TOK.in} after ${TOK.msg}: the message comes last`);
        const bad = checkInput(`input ${inputs.length + 1}`, f.text);
        if (bad) return fail(bad);
        inputs.push(f.text);
      } else if (f.tag === TOK.msg) {
        if (message !== null) return fail(`more than one ${TOK.msg}`);
        const long = checkLength('message', f.text, MAX_MESSAGE_CHARS);
        if (long) return fail(long);
        message = f.text;
      } else {
        return fail(`unexpected ${f.tag} in an induction proposal`);
      }
    }
    // The prompt does not say N (the base model was pretrained on several), so extra
    // inputs are dropped rather than failing the proposal; too few cannot be made up.
    if (inputs.length < n) return fail(`expected ${n} inputs, got ${inputs.length}`);
    if (message === null) return fail(`missing ${TOK.msg}`);
    return { ok: true, value: { inputs: inputs.slice(0, n), message } as Proposals[T] };
  }

  const expected = [TOK.prog, TOK.in];
  for (const f of fields) if (!expected.includes(f.tag as (typeof expected)[number])) return fail(`unexpected ${f.tag} in a ${type} proposal`);
  for (const tag of expected) {
    const count = fields.filter((f) => f.tag === tag).length;
    if (count === 0) return fail(`missing ${tag}`);
    if (count > 1) return fail(`more than one ${tag}`);
  }
  if (fields[0].tag !== TOK.prog) return fail(`wrong field order: expected ${TOK.prog} then ${TOK.in}`);
  const [program, input] = [fields[0].text, fields[1].text];
  const bad = checkProgram(program) ?? checkInput('input', input);
  if (bad) return fail(bad);
  return { ok: true, value: { program, input } as Proposals[T] };
}

/**
 * Reads a solver's response: deduction → an output (one expression), abduction → an
 * input (an argument list), induction → a program (non-empty). Always one untagged field.
 */
export function parseAnswer<T extends TaskType>(type: T, text: string): Parsed<Answers[T]> {
  const b = untagged(text);
  if (!b.ok) return b;
  const v = b.value;
  if (type === 'deduction') {
    const bad = checkOutput(v);
    return bad ? fail(bad) : { ok: true, value: { output: v } as Answers[T] };
  }
  if (type === 'abduction') {
    const bad = checkInput('input', v);
    return bad ? fail(bad) : { ok: true, value: { input: v } as Answers[T] };
  }
  if (type === 'induction') {
    const bad = checkProgram(v);
    return bad ? fail(bad) : { ok: true, value: { program: v } as Answers[T] };
  }
  throw new RangeError(`unknown task type ${JSON.stringify(type)}`);
}
