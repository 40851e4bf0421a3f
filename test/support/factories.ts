/**
 * Factories for test inputs: commit records and Kinesis events shaped exactly as Lambda delivers them.
 */
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { CommitRecord } from '../../functions/shared/commit-record.js';
import { eventTimeOf } from '../../functions/shared/derived-fields.js';

let nextId = 1;

export function commitRecord(overrides: Partial<CommitRecord> = {}): CommitRecord {
  const time = overrides.time ?? 100;
  return {
    v: 1,
    commitId: `c_test_${String(nextId++).padStart(7, '0')}`,
    author: 'person_1',
    time,
    eventTime: eventTimeOf(time),
    filePath: '/core/api/server_1.go',
    linesAdded: 10,
    linesDeleted: 2,
    entropy: 0.4,
    message: 'refactor client',
    ingestedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function kinesisRecord(
  data: CommitRecord | string,
  sequenceNumber: string,
  shardId = 'shardId-000000000000',
  arrivedAt = 1_767_225_600,
): KinesisStreamRecord {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: typeof data === 'string' ? 'unknown' : data.author,
      sequenceNumber,
      data: Buffer.from(text).toString('base64'),
      approximateArrivalTimestamp: arrivedAt,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/processor',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/test',
  };
}

/** A Kinesis event whose records get ascending sequence numbers starting at `firstSequence`. */
export function kinesisEvent(items: Array<CommitRecord | string>, firstSequence = 1000): KinesisStreamEvent {
  return { Records: items.map((item, index) => kinesisRecord(item, String(firstSequence + index))) };
}
