// The task buffers: every valid task the proposer has made, one buffer per task type.
// They are where the proposer's references come from, what fills a solver batch when the
// last step made too few tasks, and what a run exports as a task file.
//
// Items are unique by normalised (program, input) — for induction, (program, inputs) —
// where normalising drops whitespace and comments, so a proposer cannot pass off a task
// it has already made by re-indenting it. The buffers trust their caller: only tasks the
// executor has validated go in.
//
// Both triplet buffers start with the paper's identity triplet,
// `function f(a) { return a; }` on `"Hello world"`, so the very first proposer prompt has
// a reference to imitate. The induction buffer starts empty; induction proposals draw
// their program from the deduction ∪ abduction buffers.
import { tokenizer } from 'acorn';
import { declaredNames } from './levels.ts';
import type { Rng } from './rng.ts';
import type { Task, TaskType } from './taskfile.ts';
import { makeInductionTask, promptFieldProblem, type InductionTask, type IOPair, type Triplet } from './tasks.ts';

export const IDENTITY_TRIPLET: Readonly<Triplet> = Object.freeze({
  program: 'function f(a) { return a; }',
  input: '"Hello world"',
  output: '"Hello world"',
});

export type TripletType = 'deduction' | 'abduction';

/**
 * Source text reduced to its tokens, one space apart: whitespace and comments stop
 * mattering, and so do the names a program chooses for what it declares — parameters,
 * `let`/`const`/`var` names and arrow-function parameters become $0, $1… in order of first
 * appearance — so `function f(t) { return t; }` and `function f(word) { return word; }` are
 * one program (core/levels.ts `declaredNames` reads them from the syntax tree). Everything else
 * (properties, globals, literal spelling) still matters; text that does not parse keeps its
 * names, and text acorn cannot tokenise falls back to collapsed whitespace, so any text has a key.
 */
export function normaliseSource(text: string): string {
  try {
    const toks = [...tokenizer(text, { ecmaVersion: 'latest' })].map((t) => ({ text: text.slice(t.start, t.end), name: t.type.label === 'name' }));
    const declared = declaredNames(text);
    const renamed = new Map<string, string>();
    return toks
      .map((t, i) => {
        // A declared name after `.` is a property that happens to share it, not the variable.
        if (!t.name || !declared.has(t.text) || toks[i - 1]?.text === '.') return t.text;
        if (!renamed.has(t.text)) renamed.set(t.text, `$${renamed.size}`);
        return renamed.get(t.text)!;
      })
      .join(' ');
  } catch {
    return text.trim().replace(/\s+/g, ' ');
  }
}

const SEP = '\u0000';

export function tripletKey(t: Pick<Triplet, 'program' | 'input'>): string {
  return normaliseSource(t.program) + SEP + normaliseSource(t.input);
}

export function inductionKey(t: Pick<InductionTask, 'program' | 'pairs'>): string {
  return [normaliseSource(t.program), ...t.pairs.map((p) => normaliseSource(p.input))].join(SEP);
}

/** Insertion-ordered items, unique by a key. Keys are kept, so callers need not recompute them. */
export class UniqueBuffer<T> {
  private readonly list: T[] = [];
  private readonly keyList: string[] = [];
  private readonly keys = new Set<string>();

  constructor(readonly keyOf: (item: T) => string) {}

  /** The items' keys, index-aligned with `items`. */
  get itemKeys(): readonly string[] {
    return this.keyList;
  }

  get size(): number {
    return this.list.length;
  }

  get items(): readonly T[] {
    return this.list;
  }

  has(item: T): boolean {
    return this.keys.has(this.keyOf(item));
  }

  /** Adds `item` unless an equal one is there; true when it was added. */
  add(item: T): boolean {
    const key = this.keyOf(item);
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    this.keyList.push(key);
    this.list.push(item);
    return true;
  }

  /** Up to `k` distinct items, uniformly without replacement (fewer if the buffer is smaller). */
  sample(k: number, rng: Rng): T[] {
    return rng.sampleWithoutReplacement(this.list, k);
  }
}

export interface BufferOptions {
  /** Start the triplet buffers with the identity triplet (default true). */
  identity?: boolean;
}

/** A task-file line that could not go into a buffer, and why. */
export interface SkippedTask {
  id: string;
  reason: string;
}

export class TaskBuffers {
  readonly deduction = new UniqueBuffer<Triplet>(tripletKey);
  readonly abduction = new UniqueBuffer<Triplet>(tripletKey);
  readonly induction = new UniqueBuffer<InductionTask>(inductionKey);
  // Normalised programs per triplet buffer: "duplicate proposal" means the program is
  // already there, even with a new input (rewards.ts decides what that costs).
  private readonly programs: Record<TripletType, Set<string>> = { deduction: new Set(), abduction: new Set() };

  constructor(opts: BufferOptions = {}) {
    if (opts.identity ?? true) {
      this.add('deduction', { ...IDENTITY_TRIPLET });
      this.add('abduction', { ...IDENTITY_TRIPLET });
    }
  }

  /** Adds a validated task; false when an equal one is already in that buffer. */
  add(type: TripletType, item: Triplet): boolean;
  add(type: 'induction', item: InductionTask): boolean;
  add(type: TaskType, item: Triplet | InductionTask): boolean {
    if (type === 'induction') return this.induction.add(item as InductionTask);
    const buf = this.triplets(type);
    const added = buf.add(item as Triplet);
    if (added) this.programs[type].add(normaliseSource(item.program));
    return added;
  }

  private triplets(type: TaskType): UniqueBuffer<Triplet> {
    if (type === 'deduction') return this.deduction;
    if (type === 'abduction') return this.abduction;
    throw new RangeError(`${JSON.stringify(type)} is not a triplet task type (deduction or abduction)`);
  }

  size(type: TaskType): number {
    return type === 'induction' ? this.induction.size : this.triplets(type).size;
  }

  /** Whether a proposed program is already in `type`'s buffer (whitespace and comments aside). */
  hasProgram(type: TripletType, program: string): boolean {
    this.triplets(type);
    return this.programs[type].has(normaliseSource(program));
  }

  /**
   * Whether a proposal duplicates a buffered task, in the sense the duplicate reward uses:
   * triplets — the program is already in that buffer; induction — the same program with
   * the same inputs.
   */
  isDuplicate(type: TripletType, proposal: Pick<Triplet, 'program'>): boolean;
  isDuplicate(type: 'induction', proposal: Pick<InductionTask, 'program' | 'pairs'>): boolean;
  isDuplicate(type: TaskType, proposal: { program: string; pairs?: IOPair[] }): boolean {
    if (type === 'induction') return this.induction.has(proposal as InductionTask);
    return this.hasProgram(type, proposal.program);
  }

  /** K references for a deduction / abduction proposer: uniform, without replacement. */
  references(type: TripletType, k: number, rng: Rng): Triplet[] {
    return this.triplets(type).sample(k, rng);
  }

  /** Unique triplets across the deduction and abduction buffers (a task in both counts once). */
  uniqueTriplets(): Triplet[] {
    const seen = new Set<string>();
    const out: Triplet[] = [];
    for (const buf of [this.deduction, this.abduction]) {
      buf.items.forEach((t, i) => {
        const key = buf.itemKeys[i];
        if (seen.has(key)) return;
        seen.add(key);
        out.push(t);
      });
    }
    return out;
  }

  /** The triplet whose program an induction proposer is shown: uniform over deduction ∪ abduction. */
  inductionSource(rng: Rng): Triplet {
    return rng.choice(this.uniqueTriplets());
  }

  /**
   * The seeding phase: the proposer runs without updates until the buffers hold
   * `seedFactor × batch` unique valid triplets (the paper's |D_seed| = B × S, S = 4).
   * The identity triplet counts; seedFactor 0 means no seeding phase.
   */
  isSeeding(seedFactor: number, batch: number): boolean {
    if (!(seedFactor >= 0) || !(batch >= 1)) throw new RangeError(`isSeeding needs seedFactor >= 0 and batch >= 1, got ${seedFactor}, ${batch}`);
    return this.uniqueTriplets().length < seedFactor * batch;
  }

  /**
   * The tasks a solver works on this step: last step's valid proposals first (a uniform
   * choice of `batch` of them if there are more), then filled up uniformly from the
   * buffer without replacement, skipping tasks already in the batch. No task is repeated
   * to pad the batch: with a small buffer the batch is smaller (a repeated task adds
   * nothing a group of solver samples does not already give).
   */
  solverBatch(type: TripletType, fresh: readonly Triplet[], batch: number, rng: Rng): Triplet[];
  solverBatch(type: 'induction', fresh: readonly InductionTask[], batch: number, rng: Rng): InductionTask[];
  solverBatch(type: TaskType, fresh: readonly (Triplet | InductionTask)[], batch: number, rng: Rng): (Triplet | InductionTask)[] {
    if (!Number.isInteger(batch) || batch < 0) throw new RangeError(`batch must be an integer >= 0, got ${batch}`);
    const buf = (type === 'induction' ? this.induction : this.triplets(type)) as UniqueBuffer<Triplet | InductionTask>;
    const chosen = fresh.length > batch ? rng.sampleWithoutReplacement(fresh, batch) : fresh.slice();
    const taken = new Set(chosen.map(buf.keyOf));
    const rest = buf.items.filter((_, i) => !taken.has(buf.itemKeys[i]));
    return chosen.concat(rng.sampleWithoutReplacement(rest, batch - chosen.length));
  }

  /**
   * Every buffered task as task-file objects (see taskfile.ts): triplets as
   * `{id, program, input, output, type}`; induction tasks with pair 1 as input/output, the
   * rest as `examples`, and their `message`. Ids are `<type>-<n>` in insertion order.
   */
  toTasks(): Task[] {
    const out: Task[] = [];
    for (const type of ['deduction', 'abduction'] as const) {
      this[type].items.forEach((t, i) => out.push({ id: `${type}-${i + 1}`, program: t.program, input: t.input, output: t.output, type }));
    }
    this.induction.items.forEach((t, i) => {
      out.push({ id: `induction-${i + 1}`, program: t.program, input: t.pairs[0].input, output: t.pairs[0].output, examples: t.pairs.slice(1), type: 'induction', message: t.message });
    });
    return out;
  }

  /**
   * Buffers from task-file objects. `type` picks the buffer; a task without one goes into
   * both triplet buffers, and also into induction when it has `examples`. Tasks that could
   * not be shown to the model (a special token or a non-ASCII character in a field) or an induction task
   * without examples are skipped, with a reason. Duplicates are dropped silently. The
   * identity triplet is not added unless asked (an export already holds it).
   */
  static fromTasks(tasks: readonly Task[], opts: BufferOptions = {}): { buffers: TaskBuffers; skipped: SkippedTask[] } {
    const buffers = new TaskBuffers({ identity: opts.identity ?? false });
    const skipped: SkippedTask[] = [];
    for (const task of tasks) {
      const id = String(task.id);
      const message = typeof task.message === 'string' ? task.message : '';
      const pairs: IOPair[] = [{ input: task.input, output: task.output }, ...(task.examples ?? [])];
      const fields: [string, unknown][] = [['program', task.program], ['input', task.input], ['output', task.output], ['message', message]];
      (task.examples ?? []).forEach((e, i) => fields.push([`examples[${i}].input`, e.input], [`examples[${i}].output`, e.output]));
      const bad = fields.find(([, text]) => typeof text !== 'string' || promptFieldProblem(text) !== null);
      if (bad) {
        skipped.push({ id, reason: `${bad[0]} ${typeof bad[1] !== 'string' ? 'is not a string' : promptFieldProblem(bad[1])}` });
        continue;
      }
      const triplet: Triplet = { program: task.program, input: task.input, output: task.output };
      if (task.type === 'deduction' || task.type === 'abduction') {
        buffers.add(task.type, triplet);
      } else if (task.type === 'induction') {
        if (pairs.length < 2) {
          skipped.push({ id, reason: 'an induction task needs examples (at least 2 pairs in all)' });
          continue;
        }
        buffers.add('induction', makeInductionTask(task.program, message, pairs));
      } else if (task.type === undefined) {
        buffers.add('deduction', triplet);
        buffers.add('abduction', { ...triplet });
        if (pairs.length >= 2) buffers.add('induction', makeInductionTask(task.program, message, pairs));
      } else {
        skipped.push({ id, reason: `unknown type ${JSON.stringify(task.type)}` });
      }
    }
    return { buffers, skipped };
  }
}
