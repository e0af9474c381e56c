// Tier 1 split by whether the L0+L1 generator writes the program (finish.sh): mean ± half-range
// of the final checkpoints' greedy accuracy per arm, from <arm>-s<seed>/tier1-split.jsonl.
//   node docs/results/logs/round7/split-table.mjs ref cos short wide worked
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
const D = new URL('.', import.meta.url).pathname;
const TYPES = ['deduction', 'abduction', 'induction'];
const read = (file) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).accuracy);
const mean = (a) => TYPES.reduce((s, t) => s + (a[t] ?? 0), 0) / 3;
const cell = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.length > 1 ? `${(100 * m).toFixed(1)} ± ${((100 * (Math.max(...xs) - Math.min(...xs))) / 2).toFixed(1)}` : (100 * m).toFixed(1);
};
const row = (label, splits) => {
  const part = (k) => [...TYPES.map((t) => cell(splits.map((s) => s[k][t] ?? 0))), cell(splits.map((s) => mean(s[k])))].join(' / ');
  return `| ${label} | ${splits.length} | ${part(0)} | ${part(1)} |`;
};
console.log('| run | seeds | tier 1, programs the generator writes: ded / abd / ind / mean | tier 1, programs it never writes: ded / abd / ind / mean |');
console.log('|---|---|---|---|');
console.log(row('base', [read(join(D, 'base-tier1-split.jsonl'))]));
for (const arm of process.argv.slice(2)) {
  const dirs = readdirSync(D).filter((n) => n.startsWith(`${arm}-s`) && existsSync(join(D, n, 'tier1-split.jsonl')));
  if (dirs.length) console.log(row(arm, dirs.map((n) => read(join(D, n, 'tier1-split.jsonl')))));
}
