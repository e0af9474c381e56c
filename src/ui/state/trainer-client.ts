// The page's handle on the trainer module worker (workers/trainer.worker.ts). The page
// never runs the policy or guest code: it sends commands through comlink and receives
// events. A worker that misbehaves (a lost GPU device, a crashed step) is thrown away
// whole and a fresh one started from the last good checkpoint, so this class owns the
// Worker object and can terminate it.
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import type { BenchmarkProgress, BenchmarkRequest, BenchmarkResult, PlaygroundRequest, PlaygroundResult, TrainerApi, TrainerEvent, TrainerInfo, TrainerStart, TrainerStatus } from '../../selfplay/trainer.ts';
import type { StepReport } from '../../selfplay/report.ts';
import type { CheckpointFiles } from '../../model/checkpoint-files.ts';

export class TrainerClientError extends Error {
  override name = 'TrainerClientError';
}

export class TrainerClient {
  private worker: Worker | null;
  private api: Remote<TrainerApi> | null;
  private crashed: string | null = null;

  constructor() {
    this.worker = new Worker(new URL('../../../workers/trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
    // A worker that fails to load (bad bundle, CSP) never answers comlink: remember why,
    // so the next call fails with the reason instead of hanging.
    this.worker.addEventListener('error', (e) => {
      this.crashed = e.message || 'the trainer worker failed to load';
    });
    this.api = wrap<TrainerApi>(this.worker);
  }

  private remote(): Remote<TrainerApi> {
    if (!this.api) throw new TrainerClientError('the trainer worker was terminated');
    if (this.crashed) throw new TrainerClientError(`the trainer worker failed: ${this.crashed}`);
    return this.api;
  }

  start(opts: TrainerStart, onEvent: (e: TrainerEvent) => void): Promise<TrainerInfo> {
    return this.remote().start(opts, proxy(onEvent));
  }

  step(): Promise<StepReport> {
    return this.remote().step();
  }

  save(): Promise<CheckpointFiles> {
    return this.remote().save();
  }

  status(): Promise<TrainerStatus> {
    return this.remote().status();
  }

  playground(req: PlaygroundRequest): Promise<PlaygroundResult> {
    return this.remote().playground(req);
  }

  /** `onProgress` crosses to the worker as a comlink proxy, which the worker releases when the evaluation ends. */
  evaluate(req: BenchmarkRequest, onProgress?: (p: BenchmarkProgress) => void): Promise<BenchmarkResult> {
    return this.remote().evaluate(req, onProgress ? proxy(onProgress) : undefined);
  }

  cancelEvaluate(): Promise<void> {
    return this.remote().cancelEvaluate();
  }

  /** Stops the trainer politely (releases GPU memory and sandbox workers), then ends the worker. */
  async dispose(): Promise<void> {
    const api = this.api;
    if (api && !this.crashed) {
      // A wedged worker would never answer stop(): give it a moment, then terminate anyway.
      await Promise.race([api.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    }
    this.terminate();
  }

  terminate(): void {
    if (this.api) this.api[releaseProxy]();
    this.api = null;
    this.worker?.terminate();
    this.worker = null;
  }
}
