/**
 * Flags of `npm start`, validated with clear messages.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bundledSamplePath } from '../../functions/producer/csv-input.js';
import type { Pacing } from '../../functions/producer/pacer.js';
import { pacingOf } from '../../functions/producer/pacing-options.js';
import { BadRequestError } from '../../functions/shared/errors.js';
import { settings } from '../../functions/shared/settings.js';

export const USAGE = `Usage: npm start -- [options]

  --csv <path>        CSV to replay (default: the bundled sample)
  --port <n>          API port on 127.0.0.1 (default: 3000)
  --data-dir <dir>    where state persists across runs (default: .local-data)
  --reset             wipe the data dir first
  --no-replay         only start the pipeline and serve the API
  --rate <n>          replay at n records per second
  --speed <x>         replay the log's time axis x times faster than real time
  --limit <n>         stop after n rows
  --no-aggregation    one Kinesis record per commit (for consumers that cannot de-aggregate)
  -h, --help          show this help`;

export interface StartOptions {
  help: boolean;
  csv: string;
  port: number;
  dataDir: string;
  reset: boolean;
  replay: boolean;
  pacing: Pacing;
  limit?: number;
  aggregate: boolean;
}

export function parseStartOptions(argv: string[]): StartOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowNegative: true,
    options: {
      csv: { type: 'string' },
      port: { type: 'string', default: '3000' },
      'data-dir': { type: 'string', default: '.local-data' },
      reset: { type: 'boolean', default: false },
      replay: { type: 'boolean', default: true },
      rate: { type: 'string' },
      speed: { type: 'string' },
      limit: { type: 'string' },
      aggregation: { type: 'boolean', default: settings.producer.aggregation.enabled },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const csv = values.csv ?? bundledSamplePath();
  if (!existsSync(csv)) throw new BadRequestError(`--csv: no such file: ${csv}`);
  return {
    help: values.help,
    csv,
    port: integerFlag('port', values.port, 0, 65_535),
    dataDir: values['data-dir'],
    reset: values.reset,
    replay: values.replay,
    aggregate: values.aggregation,
    pacing: pacingOf({
      rate: positiveNumber('rate', values.rate),
      speed: positiveNumber('speed', values.speed),
    }),
    limit:
      values.limit === undefined ? undefined : integerFlag('limit', values.limit, 1, Number.MAX_SAFE_INTEGER),
  };
}

export function integerFlag(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new BadRequestError(`--${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

export function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new BadRequestError(`--${name} must be a positive number, got "${text}"`);
  return value;
}
