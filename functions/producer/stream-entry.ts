/**
 * Turns a validated CSV row into the versioned stream record and its Kinesis entry.
 */
import { COMMIT_RECORD_VERSION, type CommitRecord, partitionKeyOf } from '../shared/commit-record.js';
import { eventTimeOf } from '../shared/derived-fields.js';
import type { StreamEntry } from '../shared/ports.js';
import type { CommitRow } from './csv-row.js';

/**
 * @param row - a validated row
 * @param ingestedAt - when the row was read (ISO 8601)
 */
export function toCommitRecord(row: CommitRow, ingestedAt: string): CommitRecord {
  return {
    v: COMMIT_RECORD_VERSION,
    commitId: row.commitId,
    author: row.author,
    time: row.time,
    eventTime: eventTimeOf(row.time),
    filePath: row.filePath,
    linesAdded: row.linesAdded,
    linesDeleted: row.linesDeleted,
    entropy: row.entropy,
    message: row.message,
    // Absent from the JSON when the message is whole (JSON.stringify leaves out undefined).
    messageChars: row.messageChars,
    ingestedAt,
  };
}

/** One commit's stream entry, with the CSV line it was read from. */
export interface UserRecord extends StreamEntry {
  line: number;
}

/**
 * @param record - the commit record
 * @param line - the CSV line its row starts at
 */
export function toStreamEntry(record: CommitRecord, line: number): UserRecord {
  return { partitionKey: partitionKeyOf(record), data: Buffer.from(JSON.stringify(record), 'utf8'), line };
}

/** Bytes an entry counts against the Kinesis record and request limits (data plus partition key). */
export function sizeOf(entry: StreamEntry): number {
  return entry.data.byteLength + Buffer.byteLength(entry.partitionKey, 'utf8');
}
