// What answering without reading the program scores on a task file: every question of a type
// given the same constant answer, and the copy answers (deduction: the input as the output;
// abduction: the output as the input; induction: the identity program). A policy whose greedy
// answers have collapsed onto one constant per type scores at most the best constants' mean,
// so a run has learned something only where it beats that line. The "any shortcut" line is
// an oracle: a question counts when one of the constants or the copy answers it, i.e. what a
// policy that always picked the right shortcut would score; beyond it, only computing values
// scores. Judged by the real sandbox, as the benchmark judges the policy.
//
//   npx tsx scripts/answer-baselines.ts FILE [--tier T] [--json]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseTaskFile } from '../src/core/taskfile.ts';
import { formatAnswer, TASK_TYPES, type TaskType } from '../src/core/tasks.ts';
import { questionsOf } from '../src/eval/evaluate.ts';
import { InlineExecutor } from '../src/sandbox/inline.ts';
import { judgeAll, type SolveTask } from '../src/selfplay/judge.ts';

const CONSTANTS = ['0', '1', '2', '3', '5', '10', '-1', 'true', 'false', 'null', '""', '"a"', '[]', '[1,2,3]', '{}'];
const IDENTITY = 'const f = (x) => x;';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { tier: { type: 'string' }, json: { type: 'boolean' } } });
if (positionals.length !== 1) {
  console.error('usage: npx tsx scripts/answer-baselines.ts FILE [--tier T] [--json]');
  process.exit(2);
}
const all = parseTaskFile(readFileSync(positionals[0], 'utf8'));
const tasks = values.tier === undefined ? all : all.filter((t) => String(t.tier) === values.tier);
if (tasks.length === 0) {
  console.error(`no tasks${values.tier === undefined ? '' : ` of tier ${values.tier}`} in ${positionals[0]}`);
  process.exit(2);
}
// The benchmark's own questions (the same induction split), judged as the policy's answers are.
const { questions } = questionsOf(tasks, () => true);
const byType = (type: TaskType) => questions.filter((q) => q.task.type === type).map((q) => q.task);
const answerText = (t: SolveTask, value: string): string =>
  t.type === 'deduction' ? formatAnswer('deduction', { output: value }) : t.type === 'abduction' ? formatAnswer('abduction', { input: value }) : formatAnswer('induction', { program: value });

const executor = await InlineExecutor.create();
/** Indices of the questions of a type answered by any shortcut scored so far. */
const anyShortcut: Record<TaskType, Set<number>> = { deduction: new Set(), abduction: new Set(), induction: new Set() };
/** Questions of a type answered right when each gets `answer(task)`. */
async function score(type: TaskType, answer: (t: SolveTask) => string): Promise<number> {
  const qs = byType(type);
  const judged = await judgeAll(executor, qs.map((task) => ({ task, text: answerText(task, answer(task)) })), { timeoutMs: 1000 });
  judged.forEach((j, i) => {
    if (j.outcome === 'correct') anyShortcut[type].add(i);
  });
  return judged.filter((j) => j.outcome === 'correct').length;
}
const results: Record<TaskType, Record<string, number>> = { deduction: {}, abduction: {}, induction: {} };
for (const c of CONSTANTS) {
  results.deduction[c] = await score('deduction', () => c);
  results.abduction[c] = await score('abduction', () => c);
}
results.deduction['(copy the input)'] = await score('deduction', (t) => (t.type === 'deduction' ? t.task.input : ''));
results.abduction['(copy the output)'] = await score('abduction', (t) => (t.type === 'abduction' ? t.task.output : ''));
results.induction[IDENTITY] = await score('induction', () => IDENTITY);
await executor.dispose();
const n = Object.fromEntries(TASK_TYPES.map((type) => [type, byType(type).length])) as Record<TaskType, number>;
const { deduction, abduction, induction } = results;

const pct = (k: number, n: number) => (n === 0 ? 0 : (100 * k) / n);
const best = (r: Record<string, number>) => Object.entries(r).sort((a, b) => b[1] - a[1])[0];
const constantOnly = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([k]) => CONSTANTS.includes(k)));
const [dc, dn] = best(constantOnly(deduction));
const [ac, an] = best(constantOnly(abduction));
const [ic, inn] = best(induction);
const ceiling = (pct(dn, n.deduction) + pct(an, n.abduction) + pct(inn, n.induction)) / 3;
const oracle = Object.fromEntries(TASK_TYPES.map((type) => [type, pct(anyShortcut[type].size, n[type])])) as Record<TaskType, number>;
const oracleMean = (oracle.deduction + oracle.abduction + oracle.induction) / 3;
const summary = {
  file: positionals[0],
  tier: values.tier ?? null,
  n,
  deduction,
  abduction,
  induction,
  bestConstant: { deduction: dc, abduction: ac, induction: ic },
  constantCeilingMean: ceiling,
  anyShortcut: oracle,
  anyShortcutMean: oracleMean,
};
for (const type of TASK_TYPES) {
  const row = Object.entries(results[type]).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${pct(v, n[type]).toFixed(1)}%`);
  console.error(`${type} (n=${n[type]}): ${row.join(', ')}`);
}
console.error(`one constant per type at best (${dc} / ${ac} / ${ic}): mean ${ceiling.toFixed(1)}%`);
console.error(`any shortcut, picked right for every question (oracle): ${TASK_TYPES.map((t) => oracle[t].toFixed(1)).join(' / ')}, mean ${oracleMean.toFixed(1)}%`);
if (values.json) console.log(JSON.stringify(summary));
