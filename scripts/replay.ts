/**
 * `npm run replay`: a CSV through the producer. `npm run replay -- --help` prints the usage, made from
 * the definition below.
 *
 * - `--target embedded` (the default): this machine reads `--csv` and sends it through the producer's
 *   core to the stream of the runtime `npm start` runs on `--data-dir`, or, with `--stream <name>` (or
 *   `STREAM_NAME`), to any Kinesis stream the standard AWS variables reach (scripts/replay/local-replay.ts).
 * - `--target deployed`: invokes the stack's producer function on the sample bundled with it, or on
 *   `--key` under `sources/` of its archive bucket (scripts/replay/deployed-replay.ts).
 *
 * The replay flags (rate, speed, limit, aggregation, from-line, encoding) are the same on both
 * (local/cli/replay-flags.ts); a replay that stops early prints the command that resumes it.
 */
import { UsageError } from '../functions/shared/errors.js';
import { noticeOldNode } from '../local/cli/node-support.js';
import { REPLAY_FLAGS, replayRequestOf } from '../local/cli/replay-flags.js';
import { defineCommand } from './cli/command-line.js';
import { runCli } from './cli/run-cli.js';
import { replayOnDeployedStack } from './replay/deployed-replay.js';
import { replayOnThisMachine } from './replay/local-replay.js';

const REPLAY_COMMAND = defineCommand({
  command: 'npm run replay',
  summary:
    "Replays a CSV through the producer. Embedded: this machine sends --csv to the runtime's stream (or " +
    "to --stream). Deployed: the stack's producer function replays the sample bundled with it, or --key.",
  targets: 'any',
  flags: {
    csv: { type: 'string', value: '<path>', appliesTo: 'embedded', help: 'the CSV to replay (required)' },
    'rejects-dir': {
      type: 'string',
      default: '.',
      value: '<dir>',
      appliesTo: 'embedded',
      help: 'where the list of rejected rows is written',
    },
    stream: {
      type: 'string',
      value: '<name>',
      appliesTo: 'embedded',
      help:
        "instead of the runtime's stream, this Kinesis stream, reached through the standard AWS variables " +
        '(AWS_ENDPOINT_URL for LocalStack); STREAM_NAME says the same',
    },
    key: {
      type: 'string',
      value: '<key>',
      appliesTo: 'deployed',
      help: 'a CSV uploaded under sources/ of the archive bucket (default: the sample bundled with the producer)',
    },
    bucket: {
      type: 'string',
      value: '<name>',
      appliesTo: 'deployed',
      help: "another bucket than the stack's archive bucket (needs --key)",
    },
    ...REPLAY_FLAGS,
  },
  problem: 'rows could not be sent, the producer function failed, or the replay stopped early',
  examples: [
    'npm run replay -- --csv data/infected_code_sample.csv --rate 500',
    'npm run replay -- --target deployed --key sources/my-log.csv --encoding latin1',
    'STREAM_NAME=commits AWS_ENDPOINT_URL=http://localhost:4566 npm run replay -- --csv my-log.csv',
  ],
});

runCli(REPLAY_COMMAND, async ({ values, target, given, argv }) => {
  noticeOldNode();
  // The flags are checked before the target is looked for: a typo is reported at once.
  const request = replayRequestOf(values);
  if (target.kind === 'deployed') {
    return replayOnDeployedStack(target, { request, key: values.key, bucket: values.bucket, argv });
  }
  if (values.stream !== undefined && given.has('data-dir')) {
    throw new UsageError('--stream replaces the runtime of --data-dir: give one or the other');
  }
  return replayOnThisMachine(target, {
    csv: values.csv,
    rejectsDir: values['rejects-dir'],
    // An explicit --data-dir wins over a STREAM_NAME left in the environment.
    stream: values.stream ?? (given.has('data-dir') ? undefined : process.env.STREAM_NAME),
    request,
    argv,
  });
});
