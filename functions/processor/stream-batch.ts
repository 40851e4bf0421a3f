/**
 * Decodes a Kinesis event's records: base64 data, then the commit record schema.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { type CommitRecord, decodeCommitRecord } from '../shared/commit-record.js';

export interface DecodedRecord {
  sequenceNumber: string;
  /** The record's JSON text exactly as produced. */
  text: string;
  /** Seconds since the epoch at which Kinesis accepted the record. */
  arrivedAt: number;
  result: { ok: true; commit: CommitRecord } | { ok: false; reason: string };
}

export function decodeRecords(records: readonly KinesisStreamRecord[]): DecodedRecord[] {
  return records.map(({ kinesis }) => {
    const text = Buffer.from(kinesis.data, 'base64').toString('utf8');
    const decoded = decodeCommitRecord(text);
    return {
      sequenceNumber: kinesis.sequenceNumber,
      text,
      arrivedAt: kinesis.approximateArrivalTimestamp,
      result: decoded.ok
        ? {
            ok: true,
            commit: { ...decoded.record, eventTime: new Date(decoded.record.eventTime).toISOString() },
          }
        : { ok: false, reason: decoded.reason },
    };
  });
}

/** The shard a record came from: the part of its `eventID` before the sequence number. */
export function shardIdOf(record: KinesisStreamRecord): string {
  return record.eventID.split(':')[0] ?? 'unknown-shard';
}
