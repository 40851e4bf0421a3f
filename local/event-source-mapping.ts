/**
 * A Kinesis event-source mapping with Lambda's semantics, for the local runtime: one poller per shard,
 * batches of `batchSize` gathered for up to the batching window, in order per shard; the checkpoint
 * advances from `batchItemFailures`; a failing batch is bisected when the handler throws; retries are
 * bounded, and what exhausts them (or outlives the record age) goes to the failure destination.
 *
 * With a parallelization factor above 1, a shard's records are spread over that many lanes by
 * partition key, as Lambda does: batches of different lanes run concurrently, and each partition key
 * stays in order within its lane.
 *
 * Checkpoints (mapping-checkpoints.ts) are saved when a lane's progress advances, before it starts its
 * next batch, so a restarted mapping resumes each shard where processing stopped. A poll that fails
 * (the Kinesis server restarting: connection refused or reset, an iterator the new process does not
 * know) takes a new iterator from where reading stood and goes on; it costs no batch a retry attempt.
 *
 * A {@link DeliveryGate} tells the mapping when a part of the local cloud is down and coming back: polls
 * and deliveries wait for it, and an attempt that failed while a part went down is tried again without
 * counting against the batch's retries.
 */
import { GetShardIteratorCommand, type KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { messageOf } from '../functions/shared/errors.js';
import { fnv1a } from '../functions/shared/fnv1a.js';
import { retry } from '../functions/shared/retry.js';
import { kinesisEventRecord } from './kinesis-event.js';
import { getRecords, type StreamRecord } from './kinesis-records-reader.js';
import { compareSequenceNumbers } from './kinesis-server/sequence-numbers.js';
import {
  type CheckpointStore,
  NO_CHECKPOINTS,
  resumePoint,
  type ShardCheckpoint,
  type StartPosition,
} from './mapping-checkpoints.js';

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
  /** Concurrent batches per shard (1–10), each holding its own partition keys. @default 1 */
  parallelizationFactor?: number;
  /** Wait between polls of an idle shard. */
  idlePollMs?: number;
  /** First retry delay; doubles per attempt up to 2 s. */
  retryBackoffMs?: number;
  /** Where each shard's progress is kept across restarts. @default NO_CHECKPOINTS (start at TRIM_HORIZON) */
  checkpoints?: CheckpointStore;
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

/**
 * Tells the mapping when a part the pipeline depends on is down and coming back (the runtime's
 * supervisor), so that deliveries wait instead of spending a batch's retries on it.
 */
export interface DeliveryGate {
  /** The part that is down, or undefined when all are up. */
  blockedBy(): string | undefined;
  /** Resolves once nothing is down. */
  whenOpen(): Promise<void>;
  /** How many times a part went down so far: an attempt during which it grew overlapped an outage. */
  outages(): number;
}

/** The gate of a mapping that depends on nothing that restarts. */
const ALWAYS_OPEN: DeliveryGate = {
  blockedBy: () => undefined,
  whenOpen: () => Promise.resolve(),
  outages: () => 0,
};

/** Where a shard's reading started. */
export interface ShardStart {
  shardId: string;
  start: StartPosition;
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

/** Waits until the gate opens, at most `ms`, or until the mapping stops. */
async function untilOpen(gate: DeliveryGate, halt: AbortSignal, ms: number): Promise<void> {
  if (halt.aborted) return;
  let onHalt: () => void = () => undefined;
  const halted = new Promise<void>((resolve) => {
    onHalt = resolve;
    halt.addEventListener('abort', onHalt, { once: true });
  });
  try {
    await Promise.race([gate.whenOpen(), sleep(ms), halted]);
  } finally {
    halt.removeEventListener('abort', onHalt);
  }
}

export class KinesisEventSourceMapping {
  private pollers: ShardPoller[] = [];
  private readonly stats: MappingStats = { delivered: 0, failed: 0, invocations: 0 };
  private readonly halt = new AbortController();

  /**
   * @param kinesis - a client of the stream's Kinesis
   * @param handler - the function the batches go to
   * @param destination - where batches go that exhaust their retries or age out
   * @param options - Lambda's event-source mapping settings
   * @param gate - tells when a part is down and coming back (default: never)
   */
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly handler: BatchHandler,
    private readonly destination: FailureDestination,
    private readonly options: MappingOptions,
    private readonly gate: DeliveryGate = ALWAYS_OPEN,
  ) {}

  /** Discovers the shards and starts polling each from its checkpoint (TRIM_HORIZON without one). */
  async start(): Promise<void> {
    const { Shards = [] } = await this.kinesis.send(
      new ListShardsCommand({ StreamName: this.options.streamName }),
    );
    const waits = { gate: this.gate, halt: this.halt.signal };
    this.pollers = Shards.map(
      (shard) =>
        new ShardPoller(
          this.kinesis,
          this.handler,
          this.destination,
          this.options,
          {
            shardId: shard.ShardId ?? '',
            startingSequenceNumber: shard.SequenceNumberRange?.StartingSequenceNumber ?? '',
          },
          this.stats,
          waits,
        ),
    );
    await Promise.all(this.pollers.map((poller) => poller.start()));
  }

  async stop(): Promise<void> {
    this.halt.abort();
    await Promise.all(this.pollers.map((poller) => poller.stop()));
  }

  snapshot(): MappingStats {
    return { ...this.stats };
  }

  /** Where each shard's reading started: after its checkpoint, or at TRIM_HORIZON. */
  starts(): ShardStart[] {
    return this.pollers.map((poller) => poller.started);
  }

  /** True once every shard has been read to its end, with nothing buffered, after `since` (ms epoch). */
  caughtUpSince(since: number): boolean {
    return this.pollers.every((poller) => poller.caughtUpSince(since));
  }
}

/** What a poller or lane waits on besides its work: the gate, and the mapping stopping. */
interface Waits {
  gate: DeliveryGate;
  halt: AbortSignal;
}

class ShardPoller {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private iterator: string | undefined;
  /** Where reading goes on: after the last record read (or where it started). */
  private position: StartPosition = { type: 'TRIM_HORIZON' };
  /** Sequence number of the last record read in this run. */
  private lastRead: string | undefined;
  private lastEmptyPollAt = 0;
  /** Polls failed in a row (the Kinesis server restarting). */
  private failedPolls = 0;
  private readonly lanes: Lane[];
  private readonly checkpoints: CheckpointStore;
  private saving: Promise<void> = Promise.resolve();
  started: ShardStart;

  constructor(
    private readonly kinesis: KinesisClient,
    handler: BatchHandler,
    destination: FailureDestination,
    private readonly options: MappingOptions,
    private readonly shard: { shardId: string; startingSequenceNumber: string },
    stats: MappingStats,
    private readonly waits: Waits,
  ) {
    const count = Math.max(1, Math.min(10, options.parallelizationFactor ?? 1));
    this.checkpoints = options.checkpoints ?? NO_CHECKPOINTS;
    this.lanes = Array.from(
      { length: count },
      () => new Lane(handler, destination, options, shard.shardId, stats, waits, () => this.saveCheckpoint()),
    );
    this.started = { shardId: shard.shardId, start: this.position };
  }

  private get shardId(): string {
    return this.shard.shardId;
  }

  async start(): Promise<void> {
    const saved = await this.checkpoints.load(this.shardId);
    const current = saved?.startingSequenceNumber === this.shard.startingSequenceNumber ? saved : undefined;
    if (saved && !current) {
      process.emitWarning(
        `shard ${this.shardId}: the checkpoint belongs to an earlier incarnation of the stream; reading from TRIM_HORIZON`,
      );
    }
    const resume = resumePoint(current, this.lanes.length);
    if (resume.caveat) process.emitWarning(`shard ${this.shardId}: ${resume.caveat}`);
    this.lanes.forEach((lane, i) => {
      lane.resumeThrough(resume.lanes[i]);
    });
    this.position = resume.start;
    this.started = { shardId: this.shardId, start: resume.start };
    this.iterator = await this.acquireIterator();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await Promise.all(this.lanes.map((lane) => lane.idle()));
    await this.saving;
  }

  caughtUpSince(since: number): boolean {
    return this.lanes.every((lane) => lane.isEmpty()) && this.lastEmptyPollAt > since;
  }

  private async run(): Promise<void> {
    const idlePollMs = this.options.idlePollMs ?? 200;
    while (!this.stopped) {
      if (this.waits.gate.blockedBy() !== undefined) {
        // A part is coming back: neither read nor deliver until it is.
        await untilOpen(this.waits.gate, this.waits.halt, idlePollMs);
        continue;
      }
      // Reads go on while lanes deliver (the next page is ready when a batch completes), up to two
      // batches buffered per lane; lanes go on delivering what they hold while reads fail.
      const fetched = await this.fillOrRecover();
      const started = this.lanes.map((lane) => lane.deliverIfDue()).some(Boolean);
      if (fetched === 0 && !started) {
        // Nothing new to read or to start: wait for a lane to finish, or for the next poll.
        const busy = this.lanes.filter((lane) => lane.busy).map((lane) => lane.idle());
        const windowMs = this.options.maxBatchingWindowSeconds * 1000;
        const pollMs = this.buffered() > 0 ? Math.min(idlePollMs, windowMs) : idlePollMs;
        await Promise.race([sleep(pollMs), ...busy]);
      }
    }
  }

  /** One read; a failed one is reported (once per run of failures) and retried with a new iterator. */
  private async fillOrRecover(): Promise<number> {
    try {
      const fetched = await this.fill();
      if (this.failedPolls > 0) {
        process.emitWarning(`shard ${this.shardId}: reading again after ${this.failedPolls} failed polls`);
        this.failedPolls = 0;
      }
      return fetched;
    } catch (error) {
      if (this.stopped) return 0;
      if (this.failedPolls === 0) {
        process.emitWarning(
          `shard ${this.shardId}: a poll failed (${describeError(error)}); reading again from ${describePosition(this.position)}`,
        );
      }
      this.failedPolls += 1;
      // A restarted server does not know the old iterator: the next poll takes a new one.
      this.iterator = undefined;
      return 0;
    }
  }

  private buffered(): number {
    return this.lanes.reduce((sum, lane) => sum + lane.size(), 0);
  }

  private async acquireIterator(): Promise<string | undefined> {
    const { ShardIterator } = await this.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.options.streamName,
        ShardId: this.shardId,
        ShardIteratorType: this.position.type,
        StartingSequenceNumber:
          this.position.type === 'AFTER_SEQUENCE_NUMBER' ? this.position.sequenceNumber : undefined,
      }),
    );
    return ShardIterator;
  }

  /** Tops the lanes' buffers up with one read; returns how many records were read. */
  private async fill(): Promise<number> {
    // Two batches per lane at most.
    const room = 2 * this.options.batchSize * this.lanes.length - this.buffered();
    if (room <= 0) return 0;
    this.iterator ??= await this.acquireIterator();
    if (!this.iterator) return 0;
    const page = await getRecords(this.options.endpoint, this.iterator, Math.min(10_000, room));
    this.iterator = page.nextShardIterator;
    const last = page.records.at(-1);
    if (!last) {
      this.lastEmptyPollAt = Date.now();
      return 0;
    }
    for (const record of page.records) this.laneOf(record.partitionKey).push(record);
    this.lastRead = last.sequenceNumber;
    this.position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: last.sequenceNumber };
    return page.records.length;
  }

  /**
   * Saves the shard's checkpoint as it stands at each attempt, after any save in flight; tried again
   * until it is written, or the mapping stops.
   */
  private saveCheckpoint(): Promise<void> {
    const pauseMs = this.options.idlePollMs ?? 200;
    const saved = this.saving.then(() =>
      retry(
        () => this.checkpoints.save(this.shardId, this.checkpoint()),
        { attempts: Number.POSITIVE_INFINITY, baseDelayMs: pauseMs, maxDelayMs: pauseMs },
        {
          retryable: () => !this.stopped,
          onRetry: ({ error }) =>
            process.emitWarning(
              `shard ${this.shardId}: the checkpoint was not saved (${describeError(error)})`,
            ),
        },
      ),
    );
    this.saving = saved.catch(() => undefined);
    return saved;
  }

  private checkpoint(): ShardCheckpoint {
    return {
      startingSequenceNumber: this.shard.startingSequenceNumber,
      lanes: this.lanes.map((lane) => lane.doneThrough(this.lastRead) ?? null),
    };
  }

  private laneOf(partitionKey: string): Lane {
    // A stable hash of the key: a key always lands in the same lane and keeps its order.
    return this.lanes[fnv1a(partitionKey) % this.lanes.length] as Lane;
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch's "fetch failed" says why in its cause (ECONNREFUSED, ECONNRESET, …).
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${error.name}: ${error.message}: ${detail}` : `${error.name}: ${error.message}`;
}

function describePosition(position: StartPosition): string {
  return position.type === 'TRIM_HORIZON' ? 'TRIM_HORIZON' : `after ${position.sequenceNumber}`;
}

/** One sequence of batches of a shard: delivered one at a time, retried from its own checkpoint. */
class Lane {
  busy = false;
  private buffer: StreamRecord[] = [];
  private bufferedSince = 0;
  /** Failed attempts of the batch starting at the head of the buffer. */
  private headAttempts = 0;
  private delivering: Promise<void> = Promise.resolve();
  /** Every record of this lane at or below this sequence number is done (stored or dead-lettered). */
  private done: string | undefined;
  /** After a restart, records read again that this lane had done are skipped until this one. */
  private skipThrough: string | undefined;

  /** @param advanced - saves the checkpoint; called when the lane's progress advances */
  constructor(
    private readonly handler: BatchHandler,
    private readonly destination: FailureDestination,
    private readonly options: MappingOptions,
    private readonly shardId: string,
    private readonly stats: MappingStats,
    private readonly waits: Waits,
    private readonly advanced: () => Promise<void>,
  ) {}

  /** Resumes from a checkpoint: the lane has done everything through `sequenceNumber`. */
  resumeThrough(sequenceNumber: string | undefined): void {
    this.done = sequenceNumber;
    this.skipThrough = sequenceNumber;
  }

  /**
   * The lane's checkpoint: what it has done, or, with nothing pending, everything read so far.
   * @param lastRead - the last record the shard's poller read (and handed to its lane)
   */
  doneThrough(lastRead: string | undefined): string | undefined {
    if (!this.isEmpty() || lastRead === undefined) return this.done;
    return this.done !== undefined && compareSequenceNumbers(this.done, lastRead) > 0 ? this.done : lastRead;
  }

  push(record: StreamRecord): void {
    if (this.skipThrough !== undefined) {
      // Records arrive in order: the first one past the checkpoint ends the skipping.
      if (compareSequenceNumbers(record.sequenceNumber, this.skipThrough) <= 0) return;
      this.skipThrough = undefined;
    }
    if (this.buffer.length === 0) this.bufferedSince = Date.now();
    this.buffer.push(record);
  }

  size(): number {
    return this.buffer.length;
  }

  isEmpty(): boolean {
    return !this.busy && this.buffer.length === 0;
  }

  /** Resolves once the batch in flight (if any) is done. */
  idle(): Promise<void> {
    return this.delivering;
  }

  /** Starts delivering the head batch when it is full or its window has passed; true if it started. */
  deliverIfDue(): boolean {
    if (this.busy || this.buffer.length === 0) return false;
    const due =
      this.buffer.length >= this.options.batchSize ||
      Date.now() - this.bufferedSince >= this.options.maxBatchingWindowSeconds * 1000;
    if (!due) return false;
    this.busy = true;
    this.delivering = this.deliver(this.buffer.slice(0, this.options.batchSize)).then(
      (completed) => {
        this.buffer.splice(0, completed);
        this.bufferedSince = Date.now();
        this.busy = false;
      },
      (error: unknown) => {
        // The destination could not be written: what is not done stays at the head and is tried again.
        process.emitWarning(`shard ${this.shardId}: ${messageOf(error)}`);
        this.dropDone();
        this.busy = false;
      },
    );
    return true;
  }

  /** Takes the records that are done off the head of the buffer (after a failure part-way through a batch). */
  private dropDone(): void {
    const { done } = this;
    if (done === undefined) return;
    const pending = this.buffer.findIndex(
      (record) => compareSequenceNumbers(record.sequenceNumber, done) > 0,
    );
    this.buffer.splice(0, pending === -1 ? this.buffer.length : pending);
  }

  /** The first `count` records of the batch are done: the checkpoint moves past them before anything else starts. */
  private async advance(batch: StreamRecord[], count: number): Promise<void> {
    this.done = (batch[count - 1] as StreamRecord).sequenceNumber;
    await this.advanced();
  }

  /**
   * Hands a batch to the handler (bisecting on errors when enabled).
   * @returns how many records from the front of the batch are done: stored, or sent to the destination
   */
  private async deliver(batch: StreamRecord[]): Promise<number> {
    const { gate, halt } = this.waits;
    while (gate.blockedBy() !== undefined && !halt.aborted) await untilOpen(gate, halt, 1_000);
    if (halt.aborted) return 0;
    const expired = this.countExpired(batch);
    if (expired > 0) {
      await this.sendToDestination(batch.slice(0, expired), 'RecordAgeExceeded', undefined);
      await this.advance(batch, expired);
      return expired;
    }
    const outagesBefore = gate.outages();
    const outcome = await this.invoke(batch);
    if (outcome.kind === 'ok') {
      this.succeeded(batch.length);
      await this.advance(batch, batch.length);
      return batch.length;
    }
    if (outcome.kind === 'partial' && outcome.failedIndex > 0) {
      // Progress: checkpoint up to the first failed record; the rest is retried from there.
      this.succeeded(outcome.failedIndex);
      await this.advance(batch, outcome.failedIndex);
      return outcome.failedIndex;
    }
    // A part went down meanwhile: the whole batch again once it is back, and the attempt not counted.
    if (gate.outages() !== outagesBefore) return 0;
    if (outcome.kind === 'error' && this.options.bisectBatchOnError && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      const done = await this.deliver(batch.slice(0, half));
      return done < half ? done : half + (await this.deliver(batch.slice(half)));
    }
    const attempts = this.headAttempts + 1;
    // The pause also lets a part's death be noticed when the failure surfaced first.
    await sleep(Math.min(2_000, (this.options.retryBackoffMs ?? 100) * 2 ** (attempts - 1)));
    if (gate.outages() !== outagesBefore) return 0;
    this.headAttempts = attempts;
    if (attempts > this.options.maxRetryAttempts) {
      const functionError = outcome.kind === 'error' ? outcome.message : 'partial batch failure';
      await this.sendToDestination(batch, 'RetryAttemptsExhausted', functionError);
      await this.advance(batch, batch.length);
      return batch.length;
    }
    return 0;
  }

  private async invoke(batch: StreamRecord[]): Promise<Delivery> {
    this.stats.invocations += 1;
    let response: KinesisStreamBatchResponse | undefined;
    try {
      const { streamArn, functionArn, region } = this.options;
      const context = { shardId: this.shardId, streamArn, functionArn, region };
      response = await this.handler({ Records: batch.map((record) => kinesisEventRecord(record, context)) });
    } catch (error) {
      return { kind: 'error', message: messageOf(error) };
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
}
