/**
 * Command-line options of `npm run generate-sample`, parsed and validated with `node:util` parseArgs.
 */
import { parseArgs } from 'node:util';
import { SAMPLE_REPOSITORY_PATH } from '../../functions/producer/bundled-sample.js';
import { DEFAULT_SEED, REFERENCE_ROWS } from './sample-generator.js';

export const DEFAULT_OUT = SAMPLE_REPOSITORY_PATH;

export const USAGE = `Usage: npm run generate-sample -- [--rows <n>] [--seed <s>] [--out <file>]

Writes a deterministic Infected Code commit-log CSV (same rows and seed: byte-identical file).

Options:
  --rows <n>     number of commits to generate (default ${REFERENCE_ROWS})
  --seed <s>     integer seed in [0, 4294967295] (default ${DEFAULT_SEED})
  --out <file>   output path, parent directories are created (default ${DEFAULT_OUT})
  -h, --help     show this help`;

/** Validated options of the generator CLI. */
export interface CliOptions {
  rows: number;
  seed: number;
  out: string;
  help: boolean;
}

/** A command line that cannot be run: the message says why; the CLI prints it with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Parses the generator's command-line arguments.
 *
 * @param args - the arguments after the script name (`process.argv.slice(2)`)
 * @throws UsageError on an unknown flag, a missing value, a positional argument or an invalid number
 * @example parseCliOptions(['--rows', '1_000_000', '--out', '/tmp/big.csv'])
 */
export function parseCliOptions(args: readonly string[]): CliOptions {
  let values: { rows?: string; seed?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        rows: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const out = values.out ?? DEFAULT_OUT;
  if (out.trim() === '') throw new UsageError('--out must not be empty');
  return {
    rows:
      values.rows === undefined
        ? REFERENCE_ROWS
        : parseInteger('--rows', values.rows, Number.MAX_SAFE_INTEGER),
    seed: values.seed === undefined ? DEFAULT_SEED : parseInteger('--seed', values.seed, 0xffff_ffff),
    out,
    help: values.help ?? false,
  };
}

/** A non-negative integer written with digits and optional `_` separators (`1_000_000`). */
function parseInteger(flag: string, text: string, max: number): number {
  if (!/^\d+(_\d+)*$/.test(text))
    throw new UsageError(`${flag} must be a non-negative integer, got '${text}'`);
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value > max)
    throw new UsageError(`${flag} must be at most ${max}, got '${text}'`);
  return value;
}
