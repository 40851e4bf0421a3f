/**
 * Delivers a scenario's records to a processor handler the way Lambda's Kinesis mapping does: batches
 * from the checkpoint, and a batch answered with `batchItemFailures` is retried from the failed record,
 * a bounded number of times, so a test sees exactly the retries a fault causes.
 */
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { CommitRecord } from '../../functions/shared/commit-record.js';
import { kinesisRecord } from './factories.js';

export type Processor = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

export interface DeliveryOptions {
  shardId: string;
  batchSize: number;
  /** Sequence number of the first record; the others follow it. @default 1000 */
  firstSequence?: number;
  /** Invocations of one batch before the test gives up. @default 6 */
  maxAttempts?: number;
  /** Remaining time the context reports at the start of each invocation. @default 60 s */
  remainingMs?: number;
  /** Size of the batch after a failure (Lambda may read a retry differently). @default batchSize */
  retryBatchSize?: (attempt: number) => number;
}

export interface DeliveryReport {
  invocations: number;
  failures: number;
}

/** A context whose deadline is `remainingMs` from now. */
export function lambdaContext(remainingMs = 60_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    awsRequestId: 'test',
    functionName: 'processor',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  } as Context;
}

/**
 * @throws when a batch still fails after `maxAttempts` invocations
 */
export async function deliverAll(
  processor: Processor,
  records: ReadonlyArray<CommitRecord | string>,
  options: DeliveryOptions,
): Promise<DeliveryReport> {
  const first = options.firstSequence ?? 1000;
  const events = records.map((record, index) =>
    kinesisRecord(record, String(first + index), options.shardId),
  );
  const report: DeliveryReport = { invocations: 0, failures: 0 };
  let checkpoint = 0;
  let attempt = 0;
  while (checkpoint < events.length) {
    const size = attempt > 0 && options.retryBatchSize ? options.retryBatchSize(attempt) : options.batchSize;
    const batch = events.slice(checkpoint, checkpoint + size);
    report.invocations += 1;
    const response = await processor({ Records: batch }, lambdaContext(options.remainingMs));
    const [failure] = response.batchItemFailures;
    if (!failure) {
      checkpoint += batch.length;
      attempt = 0;
      continue;
    }
    report.failures += 1;
    attempt += 1;
    if (attempt >= (options.maxAttempts ?? 6))
      throw new Error(`batch at ${checkpoint} failed ${attempt} times`);
    const failed = batch.findIndex((record) => record.kinesis.sequenceNumber === failure.itemIdentifier);
    checkpoint += Math.max(0, failed);
  }
  return report;
}
