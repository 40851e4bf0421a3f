/**
 * Flags of `npm start`, validated with clear messages.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bundledSamplePath } from '../../functions/producer/bundled-sample.js';
import type { ReplayRequest } from '../../functions/producer/replay-request.js';
import { BadRequestError } from '../../functions/shared/errors.js';
import { integerFlag, REPLAY_FLAGS, REPLAY_FLAGS_USAGE, replayRequestOf } from './replay-flags.js';

export const USAGE = `Usage: npm start -- [options]

  --csv <path>        CSV to replay (default: the bundled sample)
  --port <n>          API port on 127.0.0.1 (default: 3000)
  --data-dir <dir>    where state persists across runs (default: .local-data)
  --reset             wipe the data dir first
  --no-replay         only start the pipeline and serve the API
${REPLAY_FLAGS_USAGE}
  -h, --help          show this help`;

export interface StartOptions {
  help: boolean;
  csv: string;
  port: number;
  dataDir: string;
  reset: boolean;
  replay: boolean;
  /** How to replay the CSV: pace, limit, aggregation, line to start from, encoding. */
  request: ReplayRequest;
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
      ...REPLAY_FLAGS,
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
    request: replayRequestOf(values),
  };
}
