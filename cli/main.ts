// `azr`: the headless entry point over the same code the app runs.
// Each subcommand lives in its own module and is loaded only when called, so a
// slow import (tfjs, QuickJS) never delays `azr --help` or another command.
import { UsageError } from './args.ts';

type Command = { summary: string; load: () => Promise<{ main: (argv: string[]) => Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  train: { summary: 'Absolute Zero self-play: propose, check, solve, learn; writes a run directory', load: () => import('./train.ts') },
  pretrain: { summary: 'the base model: next-token loss on generated programs and prompt formats, random answers', load: () => import('./pretrain.ts') },
  eval: { summary: 'accuracy of a checkpoint on a task file, per task type and tier', load: () => import('./eval.ts') },
  'tasks check': { summary: 'run a task file (JSONL or CRUXEval-X) through the sandbox', load: () => import('./tasks-check.ts') },
  'bench sandbox': { summary: 'checks/s of the sandbox pool vs a naive runner and raw V8', load: () => import('./bench-sandbox.ts') },
  'bench model': { summary: 'training and sampling speed of the policy, KV cache vs recompute', load: () => import('./bench-model.ts') },
};

export const USAGE = `usage: azr <command> [options]

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`).join('\n')}

Every command takes --help; --json prints one JSON object as the last line of stdout.`;

async function run(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stderr.write(USAGE + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  const two = argv.slice(0, 2).join(' ');
  const name = COMMANDS[two] ? two : COMMANDS[argv[0]] ? argv[0] : undefined;
  if (!name) throw new UsageError(`unknown command: ${argv.slice(0, 2).join(' ')}\n\n${USAGE}`);
  const mod = await COMMANDS[name].load();
  return mod.main(argv.slice(name.split(' ').length));
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`azr: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`azr: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  }
}
