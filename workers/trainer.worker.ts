// Browser entry of the trainer (src/selfplay/trainer.ts): a module worker that runs the
// self-play loop, so the page only sends commands and renders reports. `expose` runs at
// once; tfjs backends and the sandbox start on `start`. Guest code runs in the sandbox
// pool's own workers, spawned from here — never on the page's thread, nor on this one.
import { expose } from 'comlink';
import { createTrainer } from '../src/selfplay/trainer.ts';
import { initBackend } from '../src/model/backend.ts';
import { createExecutor } from '../src/sandbox/index.ts';

expose(
  createTrainer({
    initBackend,
    createExecutor: async () => {
      const pool = await createExecutor();
      await pool.ready();
      return pool;
    },
  }),
);
