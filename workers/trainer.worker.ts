// Browser entry of the trainer (src/selfplay/trainer.ts): a module worker that runs the
// self-play loop, so the page only sends commands and renders reports. `expose` runs at
// once; tfjs backends and the sandbox start on `start`. Guest code runs in the sandbox
// pool's own workers, spawned from here — never on the page's thread, nor on this one.
import { expose, releaseProxy, transfer, type Remote } from 'comlink';
import { createTrainer, type BenchmarkProgress, type TrainerApi } from '../src/selfplay/trainer.ts';
import { initBackend } from '../src/model/backend.ts';
import { probeFor } from '../src/model/backend-probe.ts';
import { createExecutor } from '../src/sandbox/index.ts';

const trainer = createTrainer({
  // `auto` times the run's own training step on each candidate (or reuses the page's
  // cached verdict for this machine and model); a named backend is used as asked.
  initBackend: (pref, req) =>
    initBackend(pref, probeFor(req.model, { verdicts: req.verdicts, remeasure: req.remeasure, onProgress: req.onProgress })),
  createExecutor: async () => {
    const pool = await createExecutor();
    await pool.ready();
    return pool;
  },
});

const api: TrainerApi = {
  ...trainer,
  // A checkpoint is ~4 MB, saved after every step: its buffers are handed over, not copied,
  // so the page does not spend a long task deserialising them (the worker keeps no reference).
  save: async () => {
    const files = await trainer.save();
    const buffers = [files.weights.buffer, ...(files.optimizer ? [files.optimizer.buffer] : [])].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    return transfer(files, [...new Set(buffers)]);
  },
  // The page's progress callback arrives as a comlink proxy (a message port per call):
  // released when the evaluation ends, so evaluating every few steps leaks no ports.
  evaluate: async (req, onProgress) => {
    const remote = onProgress as Remote<(p: BenchmarkProgress) => void> | undefined;
    try {
      return await trainer.evaluate(req, remote ? (p) => void remote(p).catch(() => undefined) : undefined);
    } finally {
      remote?.[releaseProxy]();
    }
  },
};

expose(api);
