/**
 * An event-source mapping in a process of its own, for suites that kill it (SIGKILL) in the middle of
 * its work: `fork('mapping-child.ts', [JSON.stringify(MappingChildOptions)])`. Its handler appends one
 * line per invocation to `log` (`done` when it stores the batch, `hung` once `hangAfter` batches are
 * done: from then on every invocation waits forever, like a process frozen before it is killed).
 */
import { appendFileSync } from 'node:fs';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamEvent } from 'aws-lambda';
import { KinesisEventSourceMapping } from '../../local/event-source-mapping.js';
import { CheckpointFiles } from '../../local/mapping-checkpoints.js';

export interface MappingChildOptions {
  endpoint: string;
  streamName: string;
  streamArn: string;
  checkpointDir: string;
  log: string;
  hangAfter: number;
  batchSize: number;
  parallelizationFactor: number;
}

/** One line of the child's log. */
export interface MappingChildLine {
  kind: 'done' | 'hung';
  records: Array<{ sequenceNumber: string; partitionKey: string; value: string }>;
}

const options = JSON.parse(process.argv[2] ?? '{}') as MappingChildOptions;
let done = 0;

const handler = async (event: KinesisStreamEvent) => {
  const records = event.Records.map(({ kinesis }) => ({
    sequenceNumber: kinesis.sequenceNumber,
    partitionKey: kinesis.partitionKey,
    value: Buffer.from(kinesis.data, 'base64').toString(),
  }));
  const kind = done < options.hangAfter ? 'done' : 'hung';
  appendFileSync(options.log, `${JSON.stringify({ kind, records } satisfies MappingChildLine)}\n`);
  if (kind === 'hung') return new Promise<never>(() => undefined);
  done += 1;
  return { batchItemFailures: [] };
};

const mapping = new KinesisEventSourceMapping(
  new KinesisClient({
    endpoint: options.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    requestHandler: new NodeHttpHandler(),
  }),
  handler,
  {
    send: async () => {
      throw new Error('no batch of this test should fail');
    },
  },
  {
    endpoint: options.endpoint,
    streamName: options.streamName,
    streamArn: options.streamArn,
    region: 'us-east-1',
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
    batchSize: options.batchSize,
    maxBatchingWindowSeconds: 0,
    bisectBatchOnError: true,
    maxRetryAttempts: 2,
    maxRecordAgeSeconds: 3600,
    idlePollMs: 20,
    parallelizationFactor: options.parallelizationFactor,
    checkpoints: new CheckpointFiles(options.checkpointDir, options.streamArn),
  },
);
await mapping.start();
