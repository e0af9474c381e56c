// Shared argument handling for every `azr` subcommand: strict flags, a usage message
// on any mistake, exit code 2 for usage errors, and the `--json` convention (one JSON
// object as the last line of stdout; everything else goes to stderr).
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`);
  }
}

/** Progress and logs: always stderr, so stdout stays machine-readable. */
export function log(...parts: unknown[]): void {
  process.stderr.write(parts.map(String).join(' ') + '\n');
}

/** The `--json` contract: exactly one JSON object, on the last line of stdout. */
export function emitJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** Parse a positive integer flag or fail with a usage error naming the flag. */
export function intFlag(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

/** `--help`: the usage on stderr, exit code 0. */
export function showHelp(usage: string): number {
  process.stderr.write(usage + '\n');
  return 0;
}

/** For commands that take flags only: any positional argument is a usage error. */
export function noPositionals(positionals: string[], usage: string): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\n\n${usage}`);
}
