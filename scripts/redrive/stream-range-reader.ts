/**
 * Re-reads the records a failure pointer names, from the stream, as long as the stream still holds
 * them: an iterator at the pointer's first sequence number, then pages until past its last.
 *
 * Kinesis does not say "expired": a read from a sequence number that has been trimmed starts at the
 * oldest record still held (so the first record comes after the pointer's start), and a number the
 * shard does not know is refused. Both mean the same to a redrive: records of the batch that are no
 * longer there to store.
 */
import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { FailurePointer } from './failure-pointer.js';

/** The records of a pointer's range, as Lambda would have delivered them. */
export type RangeRead =
  | { complete: true; records: KinesisStreamRecord[] }
  | {
      complete: false;
      /** What could still be read of the range (stored anyway: nothing else can bring it back). */
      records: KinesisStreamRecord[];
      /** What is missing, in a sentence. */
      missing: string;
    };

/** Names of the errors with which Kinesis refuses an iterator for a position it does not hold. */
const REFUSED_POSITION = new Set(['InvalidArgumentException', 'ResourceNotFoundException']);

export class StreamRangeReader {
  /**
   * @param kinesis - a client of the stream's Kinesis (with retries for throttling)
   * @param streamName - the stream the pointers must name
   * @param pageLimit - most records per GetRecords call
   */
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly pageLimit = 10_000,
  ) {}

  /**
   * @param pointer - a validated pointer of this stream
   */
  async read(pointer: FailurePointer): Promise<RangeRead> {
    const start = BigInt(pointer.startSequenceNumber);
    const end = BigInt(pointer.endSequenceNumber);
    let iterator: string | undefined;
    try {
      ({ ShardIterator: iterator } = await this.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: this.streamName,
          ShardId: pointer.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: pointer.startSequenceNumber,
        }),
      ));
    } catch (error) {
      if (!(error instanceof Error && REFUSED_POSITION.has(error.name))) throw error;
      return {
        complete: false,
        records: [],
        missing: `the stream no longer holds them: ${pointer.shardId} refuses ${pointer.startSequenceNumber} (${error.message})`,
      };
    }

    const records: KinesisStreamRecord[] = [];
    let firstSeen: bigint | undefined;
    while (iterator) {
      const page: GetRecordsCommandOutput = await this.kinesis.send(
        new GetRecordsCommand({
          ShardIterator: iterator,
          Limit: Math.min(this.pageLimit, pointer.batchSize),
        }),
      );
      for (const record of page.Records ?? []) {
        const sequence = BigInt(record.SequenceNumber ?? '0');
        firstSeen ??= sequence;
        if (sequence > end) return this.result(pointer, records, firstSeen, start);
        if (sequence >= start) records.push(eventRecord(pointer, record));
        if (sequence === end) return this.result(pointer, records, firstSeen, start);
      }
      // An empty page at the tip: the shard holds nothing more (a page can be empty before the tip).
      const atTip = (page.Records ?? []).length === 0 && page.MillisBehindLatest === 0;
      if (atTip) break;
      iterator = page.NextShardIterator;
    }
    const last = records.at(-1)?.kinesis.sequenceNumber ?? pointer.startSequenceNumber;
    return {
      complete: false,
      records,
      missing: `the shard ends before ${pointer.endSequenceNumber} (last record read: ${last})`,
    };
  }

  private result(
    pointer: FailurePointer,
    records: KinesisStreamRecord[],
    firstSeen: bigint,
    start: bigint,
  ): RangeRead {
    if (firstSeen === start) return { complete: true, records };
    return {
      complete: false,
      records,
      missing:
        `the stream no longer holds the records from ${pointer.startSequenceNumber} to before ${firstSeen} ` +
        '(trimmed after its retention period)',
    };
  }
}

type SdkRecord = NonNullable<GetRecordsCommandOutput['Records']>[number];

/** A stream record as the event-source mapping hands it to the processor. */
function eventRecord(pointer: FailurePointer, record: SdkRecord): KinesisStreamRecord {
  const sequenceNumber = record.SequenceNumber ?? '';
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey ?? '',
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${pointer.shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: '',
    awsRegion: pointer.streamArn.split(':')[3] ?? '',
    eventSourceARN: pointer.streamArn,
  };
}
