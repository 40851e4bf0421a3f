/**
 * Decodes a Kinesis event's records into user records: base64 data, then KPL de-aggregation (an
 * aggregated record holds many commits, a plain one is a commit itself), then the commit record
 * schema. A corrupt aggregate (bad magic, digest or protobuf) is one invalid record, kept whole.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { type CommitRecord, decodeCommitRecord } from '../shared/commit-record.js';
import { deaggregate } from '../shared/kinesis-aggregation/deaggregate.js';

export interface DecodedRecord {
  /** The Kinesis record's sequence number (an aggregate's, for its user records). */
  sequenceNumber: string;
  /** Position of the user record in its aggregate; undefined for a plain record. */
  subSequenceNumber?: number | undefined;
  /** The user record's JSON text exactly as produced (a corrupt aggregate: its bytes in base64). */
  text: string;
  /** Seconds since the epoch at which Kinesis accepted the record. */
  arrivedAt: number;
  result: { ok: true; commit: CommitRecord } | { ok: false; reason: string };
}

const utf8 = new TextDecoder();

/**
 * @param records - one Kinesis batch, in sequence order
 * @returns the user records in stream order: per Kinesis record, its user records in aggregate order
 */
export function decodeRecords(records: readonly KinesisStreamRecord[]): DecodedRecord[] {
  return records.flatMap(({ kinesis }) => {
    const bytes = Buffer.from(kinesis.data, 'base64');
    const { sequenceNumber, approximateArrivalTimestamp: arrivedAt } = kinesis;
    const unpacked = deaggregate(bytes);
    if (unpacked.kind === 'plain')
      return [decodeUserRecord(sequenceNumber, undefined, bytes.toString('utf8'), arrivedAt)];
    if (unpacked.kind === 'corrupt') {
      const reason = `corrupt aggregated record (${unpacked.reason}): ${unpacked.message}`;
      return [{ sequenceNumber, text: kinesis.data, arrivedAt, result: { ok: false, reason } }];
    }
    return unpacked.records.map((user) =>
      decodeUserRecord(sequenceNumber, user.index, utf8.decode(user.data), arrivedAt),
    );
  });
}

function decodeUserRecord(
  sequenceNumber: string,
  subSequenceNumber: number | undefined,
  text: string,
  arrivedAt: number,
): DecodedRecord {
  const decoded = decodeCommitRecord(text);
  return {
    sequenceNumber,
    subSequenceNumber,
    text,
    arrivedAt,
    result: decoded.ok ? { ok: true, commit: decoded.record } : { ok: false, reason: decoded.reason },
  };
}

/** The shard a record came from: the part of its `eventID` before the sequence number. */
export function shardIdOf(record: KinesisStreamRecord): string {
  return record.eventID.split(':')[0] ?? 'unknown-shard';
}
