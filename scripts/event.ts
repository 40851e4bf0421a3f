/**
 * `npm run event`: writes a function event as JSON, like `sam local generate-event`, for
 * `npm run invoke` (`-- --help` prints the usage; scripts/event/event-options.ts defines it).
 *
 * - `kinesis --csv <file>`: the stream batch the processor receives for the file's first rows, made by
 *   the producer's own code (scripts/event/kinesis-event.ts); rejected rows go to stderr with their reason.
 * - `api <METHOD> <path> [--query name=value]...`: the API Gateway proxy event of that request
 *   (scripts/event/api-event.ts).
 */
import { createReadStream } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { UsageError } from '../functions/shared/errors.js';
import { settings } from '../functions/shared/settings.js';
import { MAX_PAYLOAD_BYTES } from '../local/lambda-invoke-api.js';
import { runCli } from './cli/run-cli.js';
import { apiEventOf } from './event/api-event.js';
import { EVENT_COMMAND, type EventRequest, eventRequestOf } from './event/event-options.js';
import { kinesisEventOfCsv } from './event/kinesis-event.js';

runCli(EVENT_COMMAND, async (commandLine) => {
  const request = eventRequestOf(commandLine);
  const event =
    request.kind === 'api'
      ? apiEventOf(request.method, request.path, request.query)
      : await kinesisEvent(request);
  // Lambda counts the payload as sent: compact JSON.
  const payloadBytes = Buffer.byteLength(JSON.stringify(event));
  if (payloadBytes > MAX_PAYLOAD_BYTES) {
    console.error(
      `note: the event is ${(payloadBytes / 1024 / 1024).toFixed(1)} MB, over the 6 MB Lambda takes ` +
        'in a synchronous invocation: pass fewer --rows',
    );
  }
  const json = `${JSON.stringify(event, null, 2)}\n`;
  if (request.out === undefined) process.stdout.write(json);
  else {
    await writeFile(request.out, json);
    console.error(`written to ${request.out}`);
  }
  return 'done';
});

async function kinesisEvent(request: Extract<EventRequest, { kind: 'kinesis' }>) {
  await access(request.csv).catch((error: Error) => {
    throw new UsageError(`cannot read --csv ${request.csv}: ${error.message}`);
  });
  const { event, replay } = await kinesisEventOfCsv(createReadStream(request.csv), {
    rows: request.rows,
    aggregate: request.aggregate,
    shardId: request.shardId,
    encoding: request.encoding,
    onReject: (row) => console.error(`rejected line ${row.line}: ${row.reason}: ${row.detail}`),
  });
  const records = event.Records.length;
  console.error(
    `${replay.read} rows read: ${replay.sent} commits in ${records} Kinesis record${records === 1 ? '' : 's'}` +
      `${request.aggregate ? ' (aggregated)' : ''}, ${replay.rejected} rejected`,
  );
  if (records > settings.processor.batchSize) {
    console.error(
      `note: the event-source mapping delivers at most ${settings.processor.batchSize} records per batch; ` +
        `this event holds ${records}`,
    );
  }
  return event;
}
