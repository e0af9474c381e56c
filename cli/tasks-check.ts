// `azr tasks check FILE`: run every task of a task file (ours or CRUXEval-X) through the
// sandbox and report which ones hold. Exit 0 whenever the file ran, mismatches included:
// the verdicts are the result. Exit 2 when the file cannot be read or parsed, or for bad flags.
import { readFile } from 'node:fs/promises';
import { emitJson, intFlag, log, parse, showHelp, UsageError } from './args.ts';
import { parseTaskFile, TaskFileError } from '../src/core/taskfile.ts';
import { checkTasks, formatSummary } from '../src/eval/check.ts';
import { createExecutor, DEFAULT_LIMITS } from '../src/sandbox/index.ts';

const USAGE = `usage: azr tasks check FILE [--json] [--timeout-ms N]

Runs each task's program on its input and on every example in the QuickJS sandbox and
compares with the expected outputs. FILE is a task file (JSONL: id, program, input,
output, examples?) or CRUXEval-X JavaScript lines (id, code); the format is detected
from the first line.

  --json           print the summary as one JSON object on the last line of stdout
  --timeout-ms N   wall-clock budget per task, in ms (default ${DEFAULT_LIMITS.timeoutMs})
  -h, --help       this message`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, 'timeout-ms': { type: 'string' } }, USAGE);
  if (values.help) return showHelp(USAGE);
  if (positionals.length !== 1) throw new UsageError(`expected exactly one FILE, got ${positionals.length}\n\n${USAGE}`);
  const timeoutMs = intFlag(values['timeout-ms'], 'timeout-ms', DEFAULT_LIMITS.timeoutMs);
  const file = positionals[0];

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    log(`azr tasks check: cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  let tasks;
  try {
    tasks = parseTaskFile(text);
  } catch (e) {
    if (!(e instanceof TaskFileError)) throw e;
    log(`azr tasks check: ${file}: ${e.message}`);
    return 2;
  }

  const executor = await createExecutor();
  log(`checking ${tasks.length} tasks from ${file} (${executor.size} sandbox workers, ${timeoutMs} ms per task)`);
  const tty = process.stderr.isTTY;
  let lastShown = -1;
  const started = performance.now();
  try {
    const summary = await checkTasks(tasks, executor, {
      limits: { timeoutMs },
      onProgress: (done, total) => {
        // On a terminal, one line rewritten in place; in a log, a line every tenth or so.
        if (tty) process.stderr.write(`\r  ${done}/${total}${done === total ? '\n' : ''}`);
        else if (done === total || done - lastShown >= Math.max(1, Math.ceil(total / 10))) {
          log(`  ${done}/${total}`);
          lastShown = done;
        }
      },
    });
    log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    if (values.json) {
      log(formatSummary(summary));
      emitJson(summary);
    } else {
      process.stdout.write(formatSummary(summary) + '\n');
    }
    return 0;
  } finally {
    await executor.dispose();
  }
}
