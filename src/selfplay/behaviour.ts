// What a program does, as opposed to how it is spelled: its outputs (or failures) on a fixed
// set of probe inputs of every common kind. Two programs with the same fingerprint compute the
// same function as far as the probes can tell — `function f(s) { return s; }` and
// `const f = (x) => x;` are one task family, however differently written. Proposers here
// found the identity in a dozen spellings, each a "new" program to a source-level duplicate
// check, each paid by the learnability reward (docs/RESULTS.md, sixth round); config
// `behaviourDuplicates` judges duplicates by fingerprint instead.
import type { ExecJob, ExecLimits, ExecResult, Executor } from '../sandbox/types.ts';

/** One argument of each kind a small program meets: numbers (zero, one, negative, larger),
 *  strings (empty, short, with a space), arrays (empty, numbers), a boolean and null. */
export const PROBE_INPUTS: readonly string[] = ['0', '1', '-3', '7', '42', '""', '"ab"', '"Hi there"', '[]', '[3, 1, 2]', 'true', 'null'];

/** The executor job that fingerprints `program` (one run per probe: determinism was checked at validation). */
export function probeJob(program: string, limits: Partial<ExecLimits>): ExecJob {
  return { program, inputs: [...PROBE_INPUTS], determinismRuns: 1, limits };
}

/** A program's fingerprint from its probe job's result: each probe's canonical output, or its failure verdict. */
export function fingerprintOf(result: ExecResult): string {
  return PROBE_INPUTS.map((_, i) => {
    const r = result.results[i];
    if (!r) return `!${result.verdict}`;
    return r.verdict === 'ok' && r.output !== undefined ? r.output : `!${r.verdict}`;
  }).join('\u0001');
}

/** Fingerprints of many programs in one executor call, index-aligned. */
export async function fingerprints(executor: Executor, programs: readonly string[], limits: Partial<ExecLimits>): Promise<string[]> {
  if (programs.length === 0) return [];
  const results = await executor.run(programs.map((p) => probeJob(p, limits)));
  return results.map(fingerprintOf);
}
