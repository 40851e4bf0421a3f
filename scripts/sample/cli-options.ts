/**
 * The command line of `npm run generate-sample`, described once (scripts/cli/command-line.ts) and
 * turned into validated options. It acts on no pipeline, so it takes no `--target`.
 */
import { SAMPLE_REPOSITORY_PATH } from '../../functions/producer/csv-source.js';
import { UsageError } from '../../functions/shared/errors.js';
import { defineCommand, type FlagValues } from '../cli/command-line.js';
import { DEFAULT_SEED, REFERENCE_ROWS } from './sample-generator.js';

export const DEFAULT_OUT = SAMPLE_REPOSITORY_PATH;

/** The definition of `npm run generate-sample`. */
export const GENERATE_SAMPLE_COMMAND = defineCommand({
  command: 'npm run generate-sample',
  summary:
    'Writes a deterministic Infected Code commit-log CSV (same rows and seed: byte-identical file), ' +
    'streamed to disk with bounded memory.',
  flags: {
    rows: {
      type: 'string',
      default: String(REFERENCE_ROWS),
      value: '<n>',
      help: 'number of commits to generate (digit separators allowed: 1_000_000)',
    },
    seed: {
      type: 'string',
      default: String(DEFAULT_SEED),
      value: '<s>',
      help: 'integer seed in [0, 4294967295]',
    },
    out: {
      type: 'string',
      default: DEFAULT_OUT,
      value: '<file>',
      help: 'output path, parent directories are created',
    },
  },
  problem: 'the file could not be written',
  examples: ['npm run generate-sample -- --rows 1000000 --seed 7 --out /tmp/infected_code_1m.csv'],
});

/** Validated options of the generator. */
export interface SampleOptions {
  rows: number;
  seed: number;
  out: string;
}

/**
 * @param values - the parsed flags of {@link GENERATE_SAMPLE_COMMAND}
 * @throws UsageError on an invalid number or an empty output path
 */
export function sampleOptionsOf(
  values: FlagValues<(typeof GENERATE_SAMPLE_COMMAND)['flags']>,
): SampleOptions {
  if (values.out.trim() === '') throw new UsageError('--out must not be empty');
  return {
    rows: parseInteger('--rows', values.rows, Number.MAX_SAFE_INTEGER),
    seed: parseInteger('--seed', values.seed, 0xffff_ffff),
    out: values.out,
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
