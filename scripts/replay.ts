/**
 * `npm run replay`: a CSV through the producer function (`--help` prints the usage made from the
 * definition below), on either target the same InvokeCommand (scripts/replay/producer-replay.ts): the
 * runtime's producer on the local file `--csv`, or the stack's on its bundled sample or `--key`.
 * `--stream <name>` (or `STREAM_NAME`) is the escape hatch to any Kinesis stream the standard AWS
 * variables reach: no runtime and no function, this process runs the producer's core on `--csv`
 * (local/cli/replay-file.ts). The replay flags are the same everywhere (local/cli/replay-flags.ts).
 */
import { resolve } from 'node:path';
import { UsageError } from '../functions/shared/errors.js';
import { noticeOldNode } from '../local/cli/node-support.js';
import { replayFile } from '../local/cli/replay-file.js';
import { REPLAY_FLAGS, replayRequestOf } from '../local/cli/replay-flags.js';
import { defineCommand } from './cli/command-line.js';
import { runCli } from './cli/run-cli.js';
import { replayThroughFunction, reportReplay } from './replay/producer-replay.js';

const REPLAY_COMMAND = defineCommand({
  command: 'npm run replay',
  summary:
    "Replays a CSV through the producer function. Embedded: the runtime's producer replays --csv (or this " +
    "machine sends it to --stream). Deployed: the stack's producer replays the sample bundled with it, or --key.",
  targets: 'any',
  flags: {
    csv: { type: 'string', value: '<path>', appliesTo: 'embedded', help: 'the CSV to replay (required)' },
    'rejects-dir': {
      type: 'string',
      default: '.',
      value: '<dir>',
      appliesTo: 'embedded',
      help: "with --stream, where the list of rejected rows is written (the runtime's producer keeps them under rejected/ of its bucket)",
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
  const replay = { request, csv: values.csv, key: values.key, bucket: values.bucket, argv };
  if (target.kind === 'deployed') return replayThroughFunction(target, replay);
  if (values.stream !== undefined && given.has('data-dir')) {
    throw new UsageError('--stream replaces the runtime of --data-dir: give one or the other');
  }
  // An explicit --data-dir wins over a STREAM_NAME left in the environment.
  const stream = values.stream ?? (given.has('data-dir') ? undefined : process.env.STREAM_NAME);
  if (stream === undefined) return replayThroughFunction(target, replay);
  if (values.csv === undefined) throw new UsageError('--csv <path> is required');
  const endpoint = process.env.AWS_ENDPOINT_URL_KINESIS ?? process.env.AWS_ENDPOINT_URL ?? 'AWS';
  console.error(`sending to the stream ${stream} at ${endpoint} (--stream or STREAM_NAME)`);
  const rejectsDir = resolve(values['rejects-dir']);
  const { rejectsFile, ...result } = await replayFile(values.csv, {
    streamName: stream,
    rejectsDir,
    ...request,
  });
  return reportReplay(result, rejectsFile, argv);
});
