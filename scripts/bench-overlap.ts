// Which benchmark programs the corpus generator itself writes. The generator was not written
// from the benchmark, but the simplest programs are few (`s.length`, `n % 3`): a generator of
// one-operation programs writes some of them by chance. Accuracy on a tier then mixes two
// things — programs the training world contains (answered on new inputs) and programs it never
// shows — and only the second is transfer. This splits a tier's tasks into the two, as task
// files `azr eval` reads, so both can be reported side by side.
//
//   npx tsx scripts/bench-overlap.ts --tasks public/bench/azr-bench.jsonl --levels 0,1 \
//     [--draws 100000] [--seed overlap] --out-dir runs/overlap
//
// Two programs are the same when they are up to the names they declare (core/buffer.ts
// normaliseSource: `(s) => s + s` and `(word) => word + word` are one program). Writes
// OUT/tier<T>-written.jsonl and OUT/tier<T>-unwritten.jsonl per tier, and prints a summary.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { normaliseSource } from '../src/core/buffer.ts';
import { generateProgram } from '../src/core/corpus.ts';
import { isLevel, type Level } from '../src/core/levels.ts';
import { Rng } from '../src/core/rng.ts';
import { parseTaskFile } from '../src/core/taskfile.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: 'public/bench/azr-bench.jsonl' },
    levels: { type: 'string', default: '0,1' },
    draws: { type: 'string', default: '100000' },
    seed: { type: 'string', default: 'overlap' },
    'out-dir': { type: 'string' },
  },
});
const levels = values.levels!.split(',').map((x) => Number(x.trim()));
const draws = Number(values.draws);
if (!levels.every(isLevel) || !(Number.isInteger(draws) && draws > 0) || !values['out-dir']) {
  console.error('usage: npx tsx scripts/bench-overlap.ts --out-dir DIR [--tasks FILE] [--levels 0,1] [--draws 100000] [--seed S]');
  process.exit(2);
}
const text = readFileSync(values.tasks!, 'utf8');
const tasks = parseTaskFile(text);
const lines = text.split('\n').filter((l) => l.trim());

// Every program the generator writes in `draws` draws per level, and how often.
const written = new Map<string, number>();
for (const level of levels as Level[]) {
  const rng = new Rng(`${values.seed}-L${level}`);
  for (let i = 0; i < draws; i++) {
    const key = normaliseSource(generateProgram(rng, level).program);
    written.set(key, (written.get(key) ?? 0) + 1);
  }
}
mkdirSync(values['out-dir']!, { recursive: true });
const tiers = [...new Set(tasks.map((t) => t.tier))].filter((t) => t !== undefined).sort();
for (const tier of tiers) {
  const inTier = tasks.map((t, i) => ({ t, line: lines[i] })).filter((x) => x.t.tier === tier);
  const isWritten = (x: (typeof inTier)[number]) => written.has(normaliseSource(x.t.program));
  const yes = inTier.filter(isWritten);
  const no = inTier.filter((x) => !isWritten(x));
  writeFileSync(join(values['out-dir']!, `tier${tier}-written.jsonl`), yes.map((x) => x.line).join('\n') + (yes.length ? '\n' : ''));
  writeFileSync(join(values['out-dir']!, `tier${tier}-unwritten.jsonl`), no.map((x) => x.line).join('\n') + (no.length ? '\n' : ''));
  const share = yes.reduce((a, x) => a + written.get(normaliseSource(x.t.program))!, 0) / (draws * levels.length);
  console.log(`tier ${tier}: ${yes.length} of ${inTier.length} programs are written by L${levels.join('+L')} in ${draws} draws per level (${(100 * share).toFixed(1)}% of the draws)`);
}
