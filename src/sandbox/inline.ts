// An Executor that runs the QuickJS runner on the current thread: for Node (tests, the
// CLI) and as a building block. Never on a browser page's main thread: a job blocks the
// thread for up to its timeout; the worker pool is the browser's executor.
import { QuickJsRunner, type RunnerOptions } from './runner.ts';
import type { ExecJob, ExecResult, Executor } from './types.ts';

export class InlineExecutor implements Executor {
  private constructor(private readonly runner: QuickJsRunner) {}

  static async create(options?: RunnerOptions): Promise<InlineExecutor> {
    return new InlineExecutor(await QuickJsRunner.create(options));
  }

  /** Jobs run one after another; a broken QuickJS module is replaced between jobs. */
  run(jobs: ExecJob[]): Promise<ExecResult[]> {
    return this.runner.run(jobs);
  }

  async dispose(): Promise<void> {
    this.runner.dispose();
  }
}
