// This browser's backend verdicts (src/model/backend.ts, BackendVerdict): how `auto` chose
// by timing the run's training step, kept in localStorage by key (adapter, isolation,
// cores, browser, model shape) so the next visit starts at once on the same backend.
// The trainer worker has no localStorage: the page hands the verdicts over in `start` and
// stores the one the worker measured. "Re-measure" clears them.
import type { BackendVerdict } from '../../model/backend.ts';

const VERDICTS_KEY = 'azr.backend-verdicts';
/** Verdicts kept per browser: one per model shape and machine state (isolation, adapter) seen. */
const MAX_VERDICTS = 8;

/** The backend verdicts this browser measured, by key ({} when none, or storage is off). */
export function readBackendVerdicts(): Record<string, BackendVerdict> {
  try {
    const v = JSON.parse(localStorage.getItem(VERDICTS_KEY) ?? '{}') as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v as Record<string, BackendVerdict>).filter(([k, x]) => x && typeof x === 'object' && x.key === k && typeof x.winner === 'string' && Array.isArray(x.outcomes)));
  } catch {
    return {};
  }
}

export function storeBackendVerdict(v: BackendVerdict): void {
  try {
    const all = { ...readBackendVerdicts(), [v.key]: v };
    const kept = Object.values(all).sort((a, b) => b.at - a.at).slice(0, MAX_VERDICTS);
    localStorage.setItem(VERDICTS_KEY, JSON.stringify(Object.fromEntries(kept.map((x) => [x.key, x]))));
  } catch {
    // Storage disabled or full: the next visit measures again.
  }
}

export function clearBackendVerdicts(): void {
  try {
    localStorage.removeItem(VERDICTS_KEY);
  } catch {
    // Nothing stored.
  }
}
