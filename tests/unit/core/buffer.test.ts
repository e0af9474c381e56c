import { describe, expect, it } from 'vitest';
import { IDENTITY_TRIPLET, TaskBuffers, normaliseSource, tripletKey } from '../../../src/core/buffer.ts';
import { Rng } from '../../../src/core/rng.ts';
import { parseTaskFile, serializeTasks, type Task } from '../../../src/core/taskfile.ts';
import { makeInductionTask, type Triplet } from '../../../src/core/tasks.ts';

const t = (n: number): Triplet => ({ program: `function f(x) { return x + ${n}; }`, input: String(n), output: String(2 * n) });

describe('task buffers', () => {
  it('start with the identity triplet in both triplet buffers, induction empty', () => {
    const b = new TaskBuffers();
    expect(IDENTITY_TRIPLET).toEqual({ program: 'function f(a) { return a; }', input: '"Hello world"', output: '"Hello world"' });
    expect(b.deduction.items).toEqual([IDENTITY_TRIPLET]);
    expect(b.abduction.items).toEqual([IDENTITY_TRIPLET]);
    expect(b.induction.size).toBe(0);
    expect(new TaskBuffers({ identity: false }).deduction.size).toBe(0);
  });

  it('deduplicate by program and input with whitespace and comments normalised away', () => {
    const b = new TaskBuffers({ identity: false });
    expect(b.add('deduction', t(1))).toBe(true);
    expect(b.add('deduction', { program: 'function f(x){return x+1;}  // again', input: ' 1 ', output: '2' })).toBe(false);
    expect(b.add('deduction', { program: 'function f(x) {\n  /* same */ return x + 1;\n}', input: '1', output: '2' })).toBe(false);
    // A new input for the same program is a new task, but a duplicate *proposal*.
    expect(b.isDuplicate('deduction', { program: 'function f(x){ return x + 1 }' })).toBe(false); // no semicolon: another token list
    expect(b.isDuplicate('deduction', { program: 'function  f(x) { return x + 1; }' })).toBe(true);
    expect(b.add('deduction', { ...t(1), input: '5', output: '6' })).toBe(true);
    // A parameter's name does not matter; literal spelling and other names do.
    expect(b.add('deduction', { program: 'function f(y) { return y + 1; }', input: '1', output: '2' })).toBe(false);
    expect(b.add('deduction', { program: 'function f(y) { return y + one; }', input: '1', output: '2' })).toBe(true);
    expect(b.add('deduction', { ...t(1), input: "'1'" })).toBe(true);
    expect(b.deduction.size).toBe(4);
    // Buffers are per type.
    expect(b.add('abduction', t(1))).toBe(true);
    expect(b.isDuplicate('abduction', { program: t(2).program })).toBe(false);
    expect(normaliseSource('a  +\n b // c')).toBe('a + b');
    expect(normaliseSource('"unterminated')).toBe('"unterminated'); // untokenisable text still has a key
    // The names a program declares do not matter; properties and globals do.
    const same = (a: string, b: string) => expect(normaliseSource(a)).toBe(normaliseSource(b));
    same('function f(t) { }', 'function f(word) { }');
    same('function f(s) { return s.length + s; }', 'function f(x) { return x.length + x; }');
    same('function f(a, b) { let n = a * b; return n; }', 'function f(p, q) { let m = p * q; return m; }');
    same('function f(xs) { return xs.map(x => x + 1); }', 'function f(ys) { return ys.map(y => y + 1); }');
    same('function f(xs) { return xs.map((x, i) => x + i); }', 'function f(v) { return v.map((a, b) => a + b); }');
    expect(normaliseSource('function f(a, b) { return a - b; }')).not.toBe(normaliseSource('function f(a, b) { return b - a; }'));
    expect(normaliseSource('function f(s) { return s.length; }')).not.toBe(normaliseSource('function f(s) { return s.size; }'));
    expect(normaliseSource('function f(x) { return Math.abs(x); }')).not.toBe(normaliseSource('function f(x) { return Math.sign(x); }'));
    expect(normaliseSource('function f(x) { return x + y; }')).not.toBe(normaliseSource('function f(x) { return x + z; }'));
  });

  it('deduplicate induction tasks by program and inputs', () => {
    const b = new TaskBuffers();
    const pairs = [
      { input: '1', output: '2' },
      { input: '2', output: '3' },
    ];
    const task = makeInductionTask(t(1).program, 'adds one', pairs);
    expect(b.add('induction', task)).toBe(true);
    expect(b.isDuplicate('induction', makeInductionTask(t(1).program, 'another message', pairs))).toBe(true);
    expect(b.add('induction', makeInductionTask(t(1).program, 'x', [pairs[1], pairs[0]]))).toBe(true);
    expect(b.induction.size).toBe(2);
  });

  it('sample K references uniformly without replacement, fewer when the buffer is smaller', () => {
    const b = new TaskBuffers({ identity: false });
    for (let i = 0; i < 10; i++) b.add('deduction', t(i));
    const rng = new Rng(3);
    const counts = new Map<string, number>();
    for (let round = 0; round < 5000; round++) {
      const refs = b.references('deduction', 6, rng);
      expect(new Set(refs.map((r) => r.input)).size).toBe(6);
      for (const r of refs) counts.set(r.input, (counts.get(r.input) ?? 0) + 1);
    }
    // Each of 10 items is in a 6-of-10 sample with probability 0.6: 3000 of 5000 (sd ≈ 35).
    for (const c of counts.values()) expect(Math.abs(c - 3000)).toBeLessThan(200);
    expect(new TaskBuffers().references('abduction', 6, rng)).toEqual([IDENTITY_TRIPLET]);
    expect(b.references('abduction', 6, rng)).toEqual([]);
    // Same seed, same references.
    expect(b.references('deduction', 3, new Rng(9))).toEqual(b.references('deduction', 3, new Rng(9)));
  });

  it('stay in the seeding phase until they hold seedFactor × batch unique triplets', () => {
    const b = new TaskBuffers(); // identity, in both buffers, counts once
    expect(b.uniqueTriplets()).toHaveLength(1);
    expect(b.isSeeding(2, 2)).toBe(true); // 1 < 4
    b.add('deduction', t(1));
    b.add('abduction', t(1)); // the same triplet in both buffers: still one
    expect(b.isSeeding(2, 2)).toBe(true); // 2 < 4
    b.add('abduction', t(2));
    expect(b.isSeeding(2, 2)).toBe(true); // 3 < 4
    b.add('deduction', t(3));
    expect(b.isSeeding(2, 2)).toBe(false); // 4 = 4
    expect(b.isSeeding(0, 64)).toBe(false);
    expect(() => b.isSeeding(1, 0)).toThrow(/batch >= 1/);
  });

  it('build a solver batch from fresh proposals, filled up uniformly from the buffer without repeats', () => {
    const b = new TaskBuffers({ identity: false });
    for (let i = 0; i < 6; i++) b.add('deduction', t(i));
    const rng = new Rng(5);
    const fresh = [t(100), t(101)];
    const counts = new Map<string, number>();
    for (let round = 0; round < 3000; round++) {
      const batch = b.solverBatch('deduction', fresh, 5, rng);
      expect(batch.slice(0, 2)).toEqual(fresh);
      expect(new Set(batch.map(tripletKey)).size).toBe(5);
      for (const x of batch.slice(2)) counts.set(x.input, (counts.get(x.input) ?? 0) + 1);
    }
    // 3 fill-ups from 6 buffered tasks: each is drawn with probability 1/2, 1500 of 3000 (sd ≈ 27).
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - 1500)).toBeLessThan(150);
    // A fresh task that is also in the buffer is not drawn a second time.
    const again = b.solverBatch('deduction', [t(0)], 7, rng);
    expect(again).toHaveLength(6);
    expect(again.filter((x) => x.input === '0')).toHaveLength(1);
    // More fresh tasks than the batch: a uniform choice of them, nothing from the buffer.
    const many = b.solverBatch('deduction', [t(100), t(101), t(102), t(103)], 2, rng);
    expect(many).toHaveLength(2);
    expect(many.every((x) => Number(x.input) >= 100)).toBe(true);
    expect(new TaskBuffers().solverBatch('induction', [], 4, rng)).toEqual([]);
  });

  it('export to task-file objects and import them back (through the task-file text format)', () => {
    const b = new TaskBuffers();
    b.add('deduction', t(1));
    b.add('abduction', t(2));
    b.add('induction', makeInductionTask(t(3).program, 'adds three', [
      { input: '1', output: '4' },
      { input: '2', output: '5' },
      { input: '3', output: '6' },
      { input: '4', output: '7' },
    ]));
    const tasks = b.toTasks();
    expect(tasks.map((x) => x.id)).toEqual(['deduction-1', 'deduction-2', 'abduction-1', 'abduction-2', 'induction-1']);
    expect(tasks[1]).toEqual({ id: 'deduction-2', program: t(1).program, input: '1', output: '2', type: 'deduction' });
    expect(tasks[4]).toMatchObject({ input: '1', output: '4', examples: [{ input: '2', output: '5' }, { input: '3', output: '6' }, { input: '4', output: '7' }], type: 'induction', message: 'adds three' });

    const { buffers, skipped } = TaskBuffers.fromTasks(parseTaskFile(serializeTasks(tasks)));
    expect(skipped).toEqual([]);
    expect(buffers.deduction.items).toEqual(b.deduction.items);
    expect(buffers.abduction.items).toEqual(b.abduction.items);
    expect(buffers.induction.items).toEqual(b.induction.items);
    expect(buffers.induction.items[0].shown).toHaveLength(2);
  });

  it('import untyped tasks into both triplet buffers (and induction when they have examples), skipping what cannot be prompted', () => {
    const tasks: Task[] = [
      { id: 'a', program: t(1).program, input: '1', output: '2' },
      { id: 'b', program: t(2).program, input: '2', output: '4', examples: [{ input: '0', output: '2' }] },
      { id: 'c', program: 'function f() { return "<eos>"; }', input: '', output: '"<eos>"' },
      { id: 'd', program: 'function f() { return "é"; }', input: '', output: '"é"' },
      { id: 'e', program: t(5).program, input: '5', output: '10', type: 'induction' },
      { id: 'f', program: t(6).program, input: '6', output: '12', type: 'guess' as never },
    ];
    const { buffers, skipped } = TaskBuffers.fromTasks(tasks);
    expect(buffers.deduction.items.map((x) => x.input)).toEqual(['1', '2']);
    expect(buffers.abduction.items.map((x) => x.input)).toEqual(['1', '2']);
    expect(buffers.induction.items.map((x) => x.pairs.length)).toEqual([2]);
    expect(skipped).toEqual([
      { id: 'c', reason: 'program contains the special token <eos>' },
      { id: 'd', reason: "program contains U+00E9, which is outside the model's alphabet (printable ASCII, newline, tab)" },
      { id: 'e', reason: 'an induction task needs examples (at least 2 pairs in all)' },
      { id: 'f', reason: 'unknown type "guess"' },
    ]);
  });

  it('draw the induction proposer’s program uniformly from deduction ∪ abduction', () => {
    const b = new TaskBuffers({ identity: false });
    b.add('deduction', t(1));
    b.add('abduction', t(1));
    b.add('abduction', t(2));
    const rng = new Rng(1);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const s = b.inductionSource(rng);
      counts.set(s.input, (counts.get(s.input) ?? 0) + 1);
    }
    // Two unique triplets (t(1) is in both buffers but counts once): 2000 each (sd ≈ 32).
    expect(counts.size).toBe(2);
    for (const c of counts.values()) expect(Math.abs(c - 2000)).toBeLessThan(150);
    expect(() => new TaskBuffers({ identity: false }).inductionSource(rng)).toThrow(/empty/);
  });

  it('refuse a non-triplet type where a triplet buffer is needed', () => {
    const b = new TaskBuffers();
    expect(() => b.references('induction' as 'deduction', 2, new Rng(1))).toThrow(/not a triplet task type/);
  });
});
