/**
 * The reference implementation, awslabs' `aws-kinesis-agg` (Node, protobufjs), typed for the tests that
 * check our encoder and decoder against it. Its own typings cover neither RecordAggregator nor the
 * protobuf model, so the few members used are declared here.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface ReferenceInputRecord {
  partitionKey: string;
  explicitHashKey?: string | undefined;
  data: Buffer;
}

interface ReferenceAggregator {
  addUserRecord(record: ReferenceInputRecord): void;
  build(): { partitionKey: string; data: Buffer } | undefined;
}

interface ReferenceUserRecord {
  partitionKey: string;
  explicitPartitionKey?: string;
  subSequenceNumber: number;
  /** Base64. */
  data: string;
}

interface DecodedAggregatedRecord {
  partition_key_table: string[];
  explicit_hash_key_table: string[];
  records: Array<{ partition_key_index: number; explicit_hash_key_index?: number; data: Uint8Array }>;
}

const library = require('aws-kinesis-agg') as {
  RecordAggregator: new () => ReferenceAggregator;
  deaggregateSync(
    record: { data: string; partitionKey: string; sequenceNumber: string },
    computeChecksums: boolean,
    done: (error: Error | null | undefined, records?: ReferenceUserRecord[]) => void,
  ): void;
};
const common = require('aws-kinesis-agg/lib/common.js') as {
  AggregatedRecord: {
    decode(bytes: Uint8Array): unknown;
    toObject(
      message: unknown,
      options: { defaults: boolean; arrays: boolean; longs: NumberConstructor },
    ): unknown;
  };
};

/** The reference encoder's aggregate of `records` (its own size bound: 1 MiB). */
export function referenceAggregate(records: readonly ReferenceInputRecord[]): Buffer {
  const aggregator = new library.RecordAggregator();
  // The reference mutates what it is given (string data becomes a Buffer): hand it copies.
  for (const record of records) aggregator.addUserRecord({ ...record });
  const built = aggregator.build();
  if (!built) throw new Error('the reference built nothing');
  return built.data;
}

/** The reference decoder's user records of a Kinesis record's data; throws what it reports. */
export function referenceDeaggregate(data: Uint8Array): ReferenceUserRecord[] {
  let result: ReferenceUserRecord[] | undefined;
  let failure: Error | undefined;
  library.deaggregateSync(
    { data: Buffer.from(data).toString('base64'), partitionKey: 'outer', sequenceNumber: '1' },
    true,
    (error, records) => {
      if (error) failure = error;
      else result = records;
    },
  );
  if (failure) throw failure;
  if (!result) throw new Error('the reference decoder reported nothing');
  return result;
}

/** The protobuf message of an aggregate as the reference's protobufjs model reads it. */
export function referenceProtobuf(aggregate: Uint8Array): DecodedAggregatedRecord {
  const message = common.AggregatedRecord.decode(aggregate.subarray(4, aggregate.length - 16));
  return common.AggregatedRecord.toObject(message, {
    defaults: false,
    arrays: true,
    longs: Number,
  }) as DecodedAggregatedRecord;
}
