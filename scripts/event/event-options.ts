/**
 * The command line of `npm run event`, described once (scripts/cli/command-line.ts) and turned into a
 * checked request: which event, from what. A bad kind, method, path, shard or number is a usage error.
 */
import { type CsvEncoding, parseCsvEncoding } from '../../functions/producer/csv-encoding.js';
import { UsageError } from '../../functions/shared/errors.js';
import { integerFlag, REPLAY_FLAGS } from '../../local/cli/replay-flags.js';
import { type CommandLine, defineCommand } from '../cli/command-line.js';
import { shardIndexOf } from './kinesis-event.js';

/** Rows of a Kinesis event unless `--rows` says otherwise: a few aggregates, far under the payload limit. */
export const DEFAULT_EVENT_ROWS = 1000;
export const DEFAULT_SHARD_ID = 'shardId-000000000000';

/** The definition of `npm run event`. */
export const EVENT_COMMAND = defineCommand({
  command: 'npm run event',
  summary:
    'Writes a function event as JSON, for npm run invoke (or sam local invoke, aws lambda invoke). ' +
    'kinesis: the stream batch the processor receives for the first rows of --csv, made by the ' +
    "producer's code (rejected rows on stderr with their reason). api: the API Gateway proxy event of a " +
    'request to the api.',
  positionals: [
    {
      name: 'kinesis | api <METHOD> <path>',
      help:
        'kinesis: a Kinesis event for the processor, from --csv; api: an API Gateway REST proxy event ' +
        'for the api, e.g. api GET /stats/summary',
    },
  ],
  flags: {
    csv: {
      type: 'string',
      value: '<file>',
      help: 'kinesis: the CSV whose rows the event carries (required)',
    },
    rows: {
      type: 'string',
      value: '<n>',
      help: `kinesis: read at most n data rows (default: ${DEFAULT_EVENT_ROWS})`,
    },
    aggregation: { ...REPLAY_FLAGS.aggregation, help: `kinesis: ${REPLAY_FLAGS.aggregation.help}` },
    shard: {
      type: 'string',
      value: '<id>',
      help: `kinesis: the shard the records come from (default: ${DEFAULT_SHARD_ID})`,
    },
    encoding: { ...REPLAY_FLAGS.encoding, help: `kinesis: ${REPLAY_FLAGS.encoding.help}` },
    query: {
      type: 'string',
      value: '<name=value>',
      multiple: true,
      help: 'api: a query string parameter',
    },
    out: { type: 'string', value: '<file>', help: 'write the event to the file instead of stdout' },
  },
  problem: 'the CSV cannot be read',
  examples: [
    'npm run event -- kinesis --csv data/infected_code_sample.csv --rows 500 > batch.json',
    'npm run event -- kinesis --csv my-log.csv --no-aggregation --shard shardId-000000000001',
    'npm run event -- api GET /stats/authors --query limit=5 --out authors.json',
  ],
});

export type EventRequest =
  | {
      kind: 'kinesis';
      csv: string;
      rows: number;
      aggregate: boolean;
      shardId: string;
      encoding: CsvEncoding | undefined;
      out: string | undefined;
    }
  | { kind: 'api'; method: string; path: string; query: readonly string[]; out: string | undefined };

const KINESIS_ONLY = ['csv', 'rows', 'aggregation', 'shard', 'encoding'] as const;

/**
 * @param commandLine - parsed by {@link EVENT_COMMAND}
 * @throws UsageError on a missing or unknown kind, missing `--csv`, a bad `--rows` or `--shard`, a flag
 *   of the other kind, or extra arguments
 */
export function eventRequestOf({
  values,
  positionals,
  given,
}: CommandLine<(typeof EVENT_COMMAND)['flags'], undefined>): EventRequest {
  const [kind, ...rest] = positionals;
  const out = values.out;
  if (kind === 'kinesis') {
    if (rest.length > 0) throw new UsageError(`kinesis takes no arguments, got ${rest.join(' ')}`);
    if (given.has('query')) throw new UsageError('--query is a flag of api events, not of kinesis');
    if (values.csv === undefined) throw new UsageError('--csv <file> is required for a kinesis event');
    const shardId = values.shard ?? DEFAULT_SHARD_ID;
    try {
      shardIndexOf(shardId);
    } catch (error) {
      throw new UsageError(`--shard: ${(error as Error).message}`);
    }
    return {
      kind,
      csv: values.csv,
      rows:
        values.rows === undefined
          ? DEFAULT_EVENT_ROWS
          : integerFlag('rows', values.rows, 1, Number.MAX_SAFE_INTEGER),
      aggregate: values.aggregation,
      shardId,
      encoding: values.encoding === undefined ? undefined : parseCsvEncoding(values.encoding),
      out,
    };
  }
  if (kind === 'api') {
    const misplaced = KINESIS_ONLY.filter((name) => given.has(name));
    if (misplaced.length > 0) {
      throw new UsageError(
        `${misplaced.map((name) => `--${name}`).join(', ')}: flags of kinesis events, not of api`,
      );
    }
    const [method, path, ...extra] = rest;
    if (method === undefined || path === undefined) {
      throw new UsageError('an api event needs a method and a path, e.g. api GET /stats/summary');
    }
    if (extra.length > 0) throw new UsageError(`unexpected arguments after the path: ${extra.join(' ')}`);
    return { kind, method, path, query: values.query ?? [], out };
  }
  if (kind === undefined) throw new UsageError('name the event: kinesis or api');
  throw new UsageError(`unknown event ${JSON.stringify(kind)}: kinesis or api`);
}
