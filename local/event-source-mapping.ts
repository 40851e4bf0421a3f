/**
 * A Kinesis event-source mapping with Lambda's semantics, for the local runtime: one poller per shard,
 * batches of `batchSize` gathered for up to the batching window, in order per shard; the checkpoint
 * advances from `batchItemFailures`; a failing batch is bisected when the handler throws; retries are
 * bounded, and what exhausts them (or outlives the record age) goes to the failure destination.
 */
import { GetShardIteratorCommand, type KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { getRecords, type StreamRecord } from './kinesis-records-reader.js';

export type BatchHandler = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse | undefined>;

export interface MappingOptions {
  /** The emulator's URL; records are read from it directly (see kinesis-records-reader.ts). */
  endpoint: string;
  streamName: string;
  streamArn: string;
  region: string;
  functionArn: string;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  bisectBatchOnError: boolean;
  maxRetryAttempts: number;
  maxRecordAgeSeconds: number;
  /** Wait between polls of an idle shard. */
  idlePollMs?: number;
  /** First retry delay; doubles per attempt up to 2 s. */
  retryBackoffMs?: number;
}

/** What AWS sends to an on-failure destination for a stream batch. */
export interface FailedBatchRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    functionArn: string;
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    approximateInvokeCount: number;
  };
  responseContext: { functionError?: string };
  KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface FailureDestination {
  send(record: FailedBatchRecord): Promise<void>;
}

export interface MappingStats {
  /** Records checkpointed after the handler stored them. */
  delivered: number;
  /** Records sent to the failure destination. */
  failed: number;
  invocations: number;
}

type Delivery =
  | { kind: 'ok' }
  | { kind: 'partial'; failedIndex: number }
  | { kind: 'error'; message: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class KinesisEventSourceMapping {
  private pollers: ShardPoller[] = [];
  private readonly stats: MappingStats = { delivered: 0, failed: 0, invocations: 0 };

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly handler: BatchHandler,
    private readonly destination: FailureDestination,
    private readonly options: MappingOptions,
  ) {}

  /** Discovers the shards and starts polling each from TRIM_HORIZON. */
  async start(): Promise<void> {
    const { Shards = [] } = await this.kinesis.send(
      new ListShardsCommand({ StreamName: this.options.streamName }),
    );
    this.pollers = Shards.map(
      (shard) =>
        new ShardPoller(
          this.kinesis,
          this.handler,
          this.destination,
          this.options,
          shard.ShardId ?? '',
          this.stats,
        ),
    );
    await Promise.all(this.pollers.map((poller) => poller.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.pollers.map((poller) => poller.stop()));
  }

  snapshot(): MappingStats {
    return { ...this.stats };
  }

  /** True once every shard has been read to its end, with nothing buffered, after `since` (ms epoch). */
  caughtUpSince(since: number): boolean {
    return this.pollers.every((poller) => poller.caughtUpSince(since));
  }
}

class ShardPoller {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private iterator: string | undefined;
  private buffer: StreamRecord[] = [];
  private bufferedSince = 0;
  private lastEmptyPollAt = 0;
  private busy = false;
  /** Failed attempts of the batch starting at the head of the buffer. */
  private headAttempts = 0;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly handler: BatchHandler,
    private readonly destination: FailureDestination,
    private readonly options: MappingOptions,
    private readonly shardId: string,
    private readonly stats: MappingStats,
  ) {}

  async start(): Promise<void> {
    const { ShardIterator } = await this.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.options.streamName,
        ShardId: this.shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    this.iterator = ShardIterator;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  caughtUpSince(since: number): boolean {
    return !this.busy && this.buffer.length === 0 && this.lastEmptyPollAt > since;
  }

  private async run(): Promise<void> {
    const windowMs = this.options.maxBatchingWindowSeconds * 1000;
    const idlePollMs = this.options.idlePollMs ?? 200;
    while (!this.stopped) {
      try {
        const fetched = await this.fill();
        const due =
          this.buffer.length >= this.options.batchSize || Date.now() - this.bufferedSince >= windowMs;
        if (this.buffer.length > 0 && due) {
          this.busy = true;
          // The next page is read while the handler works on this batch, as Lambda's pollers do.
          const [completed] = await Promise.all([
            this.deliver(this.buffer.slice(0, this.options.batchSize)),
            this.fill(2 * this.options.batchSize).catch(() => 0),
          ]);
          this.buffer.splice(0, completed);
          this.bufferedSince = Date.now();
          this.busy = false;
        } else if (fetched === 0) {
          await sleep(this.buffer.length > 0 ? Math.min(idlePollMs, windowMs) : idlePollMs);
        }
      } catch (error) {
        this.busy = false;
        // A poll that failed (emulator restarting, throttled) is simply tried again.
        if (!this.stopped) {
          process.emitWarning(
            `shard ${this.shardId}: ${error instanceof Error ? error.message : String(error)}`,
          );
          await sleep(idlePollMs);
        }
      }
    }
  }

  /**
   * Tops the buffer up to `capacity` records with one read; returns how many records were read.
   * Reads never overlap: the run loop starts at most one at a time.
   */
  private async fill(capacity = this.options.batchSize): Promise<number> {
    if (this.buffer.length >= capacity || !this.iterator) return 0;
    const page = await getRecords(
      this.options.endpoint,
      this.iterator,
      Math.min(10_000, capacity - this.buffer.length),
    );
    this.iterator = page.nextShardIterator;
    const records = page.records;
    if (records.length === 0) {
      this.lastEmptyPollAt = Date.now();
      return 0;
    }
    if (this.buffer.length === 0) this.bufferedSince = Date.now();
    this.buffer.push(...records);
    return records.length;
  }

  /**
   * Hands a batch to the handler (bisecting on errors when enabled).
   * @returns how many records from the front of the batch are done: stored, or sent to the destination
   */
  private async deliver(batch: StreamRecord[]): Promise<number> {
    const expired = this.countExpired(batch);
    if (expired > 0) {
      await this.sendToDestination(batch.slice(0, expired), 'RecordAgeExceeded', undefined);
      return expired;
    }
    const outcome = await this.invoke(batch);
    if (outcome.kind === 'ok') {
      this.succeeded(batch.length);
      return batch.length;
    }
    if (outcome.kind === 'partial' && outcome.failedIndex > 0) {
      // Progress: checkpoint up to the first failed record; the rest is retried from there.
      this.succeeded(outcome.failedIndex);
      return outcome.failedIndex;
    }
    if (outcome.kind === 'error' && this.options.bisectBatchOnError && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      const done = await this.deliver(batch.slice(0, half));
      return done < half ? done : half + (await this.deliver(batch.slice(half)));
    }
    this.headAttempts += 1;
    if (this.headAttempts > this.options.maxRetryAttempts) {
      const functionError = outcome.kind === 'error' ? outcome.message : 'partial batch failure';
      await this.sendToDestination(batch, 'RetryAttemptsExhausted', functionError);
      return batch.length;
    }
    const backoff = Math.min(2_000, (this.options.retryBackoffMs ?? 100) * 2 ** (this.headAttempts - 1));
    await sleep(backoff);
    return 0;
  }

  private async invoke(batch: StreamRecord[]): Promise<Delivery> {
    this.stats.invocations += 1;
    let response: KinesisStreamBatchResponse | undefined;
    try {
      response = await this.handler({ Records: batch.map((record) => this.toEventRecord(record)) });
    } catch (error) {
      return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
    }
    const failures = response?.batchItemFailures ?? [];
    if (failures.length === 0) return { kind: 'ok' };
    const indexes = failures.map((failure) =>
      batch.findIndex((r) => r.sequenceNumber === failure.itemIdentifier),
    );
    // An identifier that is not in the batch makes the whole batch fail, as in Lambda.
    return { kind: 'partial', failedIndex: indexes.includes(-1) ? 0 : Math.min(...indexes) };
  }

  private succeeded(count: number): void {
    this.headAttempts = 0;
    this.stats.delivered += count;
  }

  private countExpired(batch: StreamRecord[]): number {
    const oldest = Date.now() - this.options.maxRecordAgeSeconds * 1000;
    const index = batch.findIndex((record) => record.arrivedAt * 1000 >= oldest);
    return index === -1 ? batch.length : index;
  }

  private async sendToDestination(
    batch: StreamRecord[],
    condition: FailedBatchRecord['requestContext']['condition'],
    functionError: string | undefined,
  ): Promise<void> {
    const first = batch[0];
    const last = batch.at(-1);
    if (!first || !last) return;
    await this.destination.send({
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        functionArn: this.options.functionArn,
        condition,
        approximateInvokeCount: this.headAttempts,
      },
      responseContext: functionError ? { functionError } : {},
      KinesisBatchInfo: {
        shardId: this.shardId,
        startSequenceNumber: first.sequenceNumber,
        endSequenceNumber: last.sequenceNumber,
        approximateArrivalOfFirstRecord: new Date(first.arrivedAt * 1000).toISOString(),
        approximateArrivalOfLastRecord: new Date(last.arrivedAt * 1000).toISOString(),
        batchSize: batch.length,
        streamArn: this.options.streamArn,
      },
    });
    this.headAttempts = 0;
    this.stats.failed += batch.length;
  }

  private toEventRecord(record: StreamRecord): KinesisStreamRecord {
    const { sequenceNumber } = record;
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber,
        data: record.data,
        approximateArrivalTimestamp: record.arrivedAt,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${this.shardId}:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: this.options.functionArn,
      awsRegion: this.options.region,
      eventSourceARN: this.options.streamArn,
    };
  }
}
