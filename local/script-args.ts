/**
 * Arguments of the repository's scripts (`npm start`, `npm run playground`, `bench`, `chaos`,
 * `continuity`), read like a Unix tool's: node:util's strict parser, so an unknown option or a
 * stray argument is refused (exit 2, with the usage on stderr) instead of being ignored; `--help`
 * prints the usage and exits 0 before anything starts; a closed pipe ends output quietly.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { quietOnClosedPipes } from '../cli/closed-pipes';
import { closest } from '../cli/suggest';

export type ScriptOptions = NonNullable<ParseArgsConfig['options']>;

export function parseScriptArgs<T extends ScriptOptions>(name: string, usage: string, options: T, argv: string[] = process.argv.slice(2)): Record<keyof T, string | boolean | undefined> {
  quietOnClosedPipes();
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }) as { values: Record<string, string | boolean | undefined> });
  } catch (error) {
    process.stderr.write(`${name}: ${describe(error as Error & { code?: string }, Object.keys(options))}\n\n${usage}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values as Record<keyof T, string | boolean | undefined>;
}

/** A whole number option (>= min), or exit 2 naming it. */
export function wholeNumber(name: string, usage: string, raw: string | boolean | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || value < min) {
    process.stderr.write(`--${name} takes a whole number >= ${min}; got ${String(raw)}\n\n${usage}\n`);
    process.exit(2);
  }
  return value;
}

/** node:util's message, shorter, with a guess for a mistyped option. */
function describe(error: Error & { code?: string }, known: string[]): string {
  const given = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && given) {
    const guess = closest(given.replace(/=.*$/, ''), [...known, 'help'].map((option) => `--${option}`));
    return `unknown option ${given}${guess ? `; did you mean ${guess}?` : ''}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && given) return `unexpected argument ${given}: options only`;
  return error.message;
}
