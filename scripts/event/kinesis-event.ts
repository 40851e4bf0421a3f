/**
 * The Kinesis event the processor receives for the rows of a CSV, made by the producer's own code: the
 * rows read and validated by `readCommitRows`, turned into user records and packed (KPL aggregates, or
 * one record per commit) by `replayRows`, whose put requests land here instead of on a stream. Each
 * Kinesis record gets the next sequence number of one shard, and the event-source mapping's record shape
 * (local/kinesis-event.ts). Rows the producer would refuse are handed to `onReject` with their reason.
 */
import type { Readable } from 'node:stream';
import type { KinesisStreamEvent } from 'aws-lambda';
import { readCommitRows } from '../../functions/producer/commit-row.js';
import type { CsvEncoding } from '../../functions/producer/csv-encoding.js';
import type { RejectedRow, RejectSink } from '../../functions/producer/reject-sinks.js';
import { type ReplayResult, replayRows } from '../../functions/producer/replay.js';
import { MAX_HASH_KEY, ShardMap } from '../../functions/shared/kinesis-aggregation/shard-map.js';
import type { PutOutcome, RecordPublisher, StreamEntry } from '../../functions/shared/ports.js';
import { kinesisEventRecord } from '../../local/kinesis-event.js';
import type { StreamRecord } from '../../local/kinesis-records-reader.js';
import { formatSequenceNumber, sequencePrefix } from '../../local/kinesis-server/sequence-numbers.js';
import { LOCAL_REGION, LOCAL_STREAM_ARN, localFunctionArn } from '../../local/local-resources.js';

/** A shard id as Kinesis writes it, e.g. `shardId-000000000000`. */
const SHARD_ID = /^shardId-(\d{12})$/;

export interface KinesisEventOptions {
  /** Data rows read at most (header excluded), valid or not. */
  rows: number;
  /** KPL aggregates (the producer's default), or one Kinesis record per commit. */
  aggregate: boolean;
  /** The shard the records come from. */
  shardId: string;
  /** @default 'utf-8' */
  encoding?: CsvEncoding | undefined;
  /** Told of each row the producer would not send. */
  onReject?: (row: RejectedRow) => void;
}

export interface GeneratedKinesisEvent {
  event: KinesisStreamEvent;
  /** The producer's account of the rows: read, sent (commits in the event), rejected by reason. */
  replay: ReplayResult;
}

/**
 * @param csv - the CSV bytes
 * @param options - how many rows, packed how, from which shard
 * @throws RangeError on a shard id that is not `shardId-` and 12 digits
 * @example
 * const { event } = await kinesisEventOfCsv(createReadStream('data/infected_code_sample.csv'),
 *   { rows: 100, aggregate: true, shardId: 'shardId-000000000000' });
 */
export async function kinesisEventOfCsv(
  csv: Readable,
  options: KinesisEventOptions,
): Promise<GeneratedKinesisEvent> {
  const shardIndex = shardIndexOf(options.shardId);
  const shard = new RecordingShard(options.shardId, shardIndex);
  // The whole hash key space is this one shard: every aggregate is packed for it.
  const shardMap = new ShardMap([
    { shardId: options.shardId, startingHashKey: 0n, endingHashKey: MAX_HASH_KEY },
  ]);
  const replay = await replayRows(
    readCommitRows(csv, { encoding: options.encoding }),
    {
      publisher: shard,
      rejects: reportingSink(options.onReject),
      shardMaps: { get: async () => shardMap, invalidate: () => undefined },
    },
    { limit: options.rows, aggregate: options.aggregate },
  );
  const source = {
    shardId: options.shardId,
    streamArn: LOCAL_STREAM_ARN,
    functionArn: localFunctionArn('processor'),
    region: LOCAL_REGION,
  };
  return { event: { Records: shard.records.map((record) => kinesisEventRecord(record, source)) }, replay };
}

/**
 * The index in a shard id, e.g. 1 for `shardId-000000000001`.
 *
 * @throws RangeError when it is not a shard id
 */
export function shardIndexOf(shardId: string): number {
  const match = SHARD_ID.exec(shardId);
  if (!match?.[1])
    throw new RangeError(`a shard id is shardId- and 12 digits, e.g. shardId-000000000000, got "${shardId}"`);
  return Number(match[1]);
}

/** A shard that accepts every put and keeps its records in order, numbered as a Kinesis shard numbers them. */
class RecordingShard implements RecordPublisher {
  readonly records: StreamRecord[] = [];
  private readonly prefix: string;

  constructor(
    private readonly shardId: string,
    shardIndex: number,
  ) {
    // The time as the stream's epoch: events made at different times do not share sequence numbers.
    this.prefix = sequencePrefix(Date.now(), shardIndex);
  }

  async put(entries: readonly StreamEntry[]): Promise<PutOutcome> {
    const arrivedAt = Date.now() / 1000;
    for (const entry of entries) {
      this.records.push({
        sequenceNumber: formatSequenceNumber(this.prefix, this.records.length),
        partitionKey: entry.partitionKey,
        data: Buffer.from(entry.data).toString('base64'),
        arrivedAt,
      });
    }
    return { failed: [], shardIds: entries.map(() => this.shardId) };
  }
}

/** The producer's reject sink, reporting each row instead of keeping a list. */
function reportingSink(onReject: ((row: RejectedRow) => void) | undefined): RejectSink {
  return {
    write: async (row) => onReject?.(row),
    close: async () => undefined,
    location: () => undefined,
    supersedeEarlier: async () => 0,
  };
}
