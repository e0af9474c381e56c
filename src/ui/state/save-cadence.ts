// When the page saves a checkpoint while training (the controller asks after every step).
// A reload reopens the run at its checkpoint, so the cadence decides how much a reload
// loses: with saves after every step, only the step in flight.
/** A save after every step while it costs at most this share of a step. */
export const SAVE_SHARE = 0.1;
/** Otherwise at least this often while training, so a reload loses at most this much. */
export const SAVE_EVERY_MS = 10_000;

/** What saveDue weighs: the step just done, the last save, and what has happened since. */
export interface SaveClock {
  /** The step just done, ms. */
  stepMs: number;
  /** The last save (the worker's capture, the transfer and the IndexedDB write), ms; null before the first. */
  saveMs: number | null;
  /** Training time since the last save ended, ms. */
  sinceSaveMs: number;
  /** Steps done since the last save. */
  stepsSinceSave: number;
  /** Save at least every this many steps whatever it costs (ControllerOptions.checkpointEvery). */
  everySteps?: number;
}

/**
 * Whether to save after the step just done. After every step when a save costs little next
 * to a step (≤ SAVE_SHARE of it; with the shipped model on wasm a save is ~1–2% of a step),
 * so a reload loses at most the step in flight; otherwise at least every SAVE_EVERY_MS of
 * training. The first save always runs: it measures what saving costs.
 */
export function saveDue(c: SaveClock): boolean {
  if (c.stepsSinceSave <= 0) return false;
  if (c.saveMs === null) return true;
  if (c.saveMs <= SAVE_SHARE * c.stepMs) return true;
  if (c.sinceSaveMs >= SAVE_EVERY_MS) return true;
  return c.everySteps !== undefined && c.stepsSinceSave >= c.everySteps;
}
