/**
 * The Kinesis event Lambda's event-source mapping hands the function: one record of a shard, as the
 * mapping delivers it. The local mapping (event-source-mapping.ts) and `npm run event -- kinesis` build
 * their records here, so an event written to a file is the event the processor receives.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { StreamRecord } from './kinesis-records-reader.js';

/** Where a record comes from and which function it goes to. */
export interface KinesisEventSource {
  shardId: string;
  streamArn: string;
  functionArn: string;
  region: string;
}

/**
 * @param record - a stream record, its data base64 as Kinesis returned it
 * @param source - its shard and stream, and the function that receives it
 */
export function kinesisEventRecord(record: StreamRecord, source: KinesisEventSource): KinesisStreamRecord {
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
    eventID: `${source.shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: source.functionArn,
    awsRegion: source.region,
    eventSourceARN: source.streamArn,
  };
}
