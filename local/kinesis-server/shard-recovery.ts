/**
 * Reopens a durable shard's segments after the server stopped, however it stopped (SIGKILL included).
 *
 * What a write leaves behind when it is cut short: the text of some records without their index
 * entries, or an entry whose text is incomplete, always at the end of the newest segment (only the
 * newest is written to). None of it was acknowledged (PutRecords answers once both are written), so
 * recovery keeps the records whose entry and text are both whole, checks that the last of them really
 * is the record its position names, and truncates the rest. Two other leftovers are finished: a segment
 * whose creation was cut short (one of its two files, newest segment) is completed empty, and one whose
 * removal by retention was cut short (oldest segment) is removed. Anything else — a gap between
 * segments, a damaged older segment — was not done by this server, and is refused with a message
 * naming the file rather than served with records missing.
 */
import { fstatSync, ftruncateSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { INDEX_ENTRY_BYTES, textBytesAt } from './index-entries.js';
import {
  type DurableSegmentFiles,
  parseSegmentFileName,
  readFully,
  type SegmentHandle,
  segmentFileName,
} from './segment-files.js';
import { formatSequenceNumber } from './sequence-numbers.js';
import type { ReopenedSegment } from './shard-log.js';

/** A shard's state as found on disk. */
export interface RecoveredShard {
  /** Position of the first record held (the position the next record gets, when none is held). */
  firstPosition: number;
  /** Open segments, oldest first. */
  segments: ReopenedSegment[];
  /** Each segment's index entries (whole ones only), in the same order. */
  entries: Buffer[];
  /** Bytes dropped from the newest segment's tail: a write the crash cut short. */
  droppedBytes: number;
}

/** A shard folder this server cannot have left as it is. */
export class ShardDataError extends Error {
  override readonly name = 'ShardDataError';
}

/**
 * @param files - the shard's folder
 * @param sequencePrefix - the fixed digits of the shard's sequence numbers (sequence-numbers.ts)
 */
export function recoverShard(files: DurableSegmentFiles, sequencePrefix: string): RecoveredShard {
  const found = segmentsOnDisk(files.directory);
  const recovered: RecoveredShard = { firstPosition: 0, segments: [], entries: [], droppedBytes: 0 };
  try {
    found.forEach(({ firstPosition, kinds }, i) => {
      const newest = i === found.length - 1;
      if (kinds.size < 2 && !newest) {
        if (i > 0) throw damaged(files.directory, `${segmentFileName(firstPosition, 'log')} lacks a file`);
        // The oldest segment, half removed by retention: finish the removal.
        for (const kind of kinds) unlinkSync(join(files.directory, segmentFileName(firstPosition, kind)));
        return;
      }
      const handle = files.open(firstPosition);
      try {
        const segment = reopenSegment(files, handle, sequencePrefix, newest);
        const previous = recovered.segments.at(-1);
        const expected =
          previous === undefined
            ? firstPosition
            : previous.handle.firstPosition + previous.indexBytes / INDEX_ENTRY_BYTES;
        if (firstPosition !== expected) {
          throw damaged(
            files.directory,
            `records ${expected} to ${firstPosition - 1} are missing before ${segmentFileName(firstPosition, 'log')}`,
          );
        }
        recovered.segments.push(segment.reopened);
        recovered.entries.push(segment.entries);
        recovered.droppedBytes += segment.droppedBytes;
      } catch (error) {
        files.close(handle);
        throw error;
      }
    });
  } catch (error) {
    for (const segment of recovered.segments) files.close(segment.handle);
    throw error;
  }
  recovered.firstPosition = recovered.segments[0]?.handle.firstPosition ?? 0;
  return recovered;
}

/** The segments named in a folder, by first position, with the kinds of file each has. */
function segmentsOnDisk(directory: string): Array<{ firstPosition: number; kinds: Set<'log' | 'idx'> }> {
  const byPosition = new Map<number, Set<'log' | 'idx'>>();
  for (const name of readdirSync(directory)) {
    const parsed = parseSegmentFileName(name);
    if (!parsed) continue;
    const kinds = byPosition.get(parsed.firstPosition) ?? new Set();
    kinds.add(parsed.kind);
    byPosition.set(parsed.firstPosition, kinds);
  }
  return [...byPosition.entries()]
    .sort(([a], [b]) => a - b)
    .map(([firstPosition, kinds]) => ({ firstPosition, kinds }));
}

function reopenSegment(
  files: DurableSegmentFiles,
  handle: SegmentHandle,
  sequencePrefix: string,
  newest: boolean,
): { reopened: ReopenedSegment; entries: Buffer; droppedBytes: number } {
  const index = handle.index as number;
  const logSize = fstatSync(handle.log).size;
  const indexSize = fstatSync(index).size;
  const whole = Math.floor(indexSize / INDEX_ENTRY_BYTES);
  const entries = Buffer.alloc(whole * INDEX_ENTRY_BYTES);
  if (entries.length > 0) readFully(index, entries, 0, entries.length, 0);

  // Whole entries whose text is whole too; then the last of them must really be its record.
  let count = 0;
  let logBytes = 0;
  for (; count < whole; count += 1) {
    const end = logBytes + textBytesAt(entries, count);
    if (end > logSize) break;
    logBytes = end;
  }
  while (count > 0) {
    const length = textBytesAt(entries, count - 1);
    if (holdsRecord(handle, sequencePrefix, count - 1, logBytes - length, length)) break;
    logBytes -= length;
    count -= 1;
  }
  const indexBytes = count * INDEX_ENTRY_BYTES;

  if (logBytes !== logSize || indexBytes !== indexSize) {
    if (!newest) {
      throw damaged(
        files.directory,
        `${segmentFileName(handle.firstPosition, 'log')} holds ${logSize} bytes of text and ${indexSize} of index, ` +
          `of which only ${logBytes} and ${indexBytes} make whole records`,
      );
    }
    ftruncateSync(handle.log, logBytes);
    ftruncateSync(index, indexBytes);
    files.written(handle);
  }
  return {
    reopened: { handle, logBytes, indexBytes },
    entries: entries.subarray(0, indexBytes),
    droppedBytes: logSize - logBytes + (indexSize - indexBytes),
  };
}

const OPENING = '{"SequenceNumber":"';
const CLOSING = '},';

/** Whether the text of the segment's record `i`, at `start`, begins with its own sequence number and ends whole. */
function holdsRecord(
  handle: SegmentHandle,
  sequencePrefix: string,
  i: number,
  start: number,
  length: number,
): boolean {
  const expected = `${OPENING}${formatSequenceNumber(sequencePrefix, handle.firstPosition + i)}"`;
  if (length < expected.length + CLOSING.length) return false;
  const head = Buffer.alloc(expected.length);
  const tail = Buffer.alloc(CLOSING.length);
  readFully(handle.log, head, 0, head.length, start);
  readFully(handle.log, tail, 0, tail.length, start + length - tail.length);
  return head.toString('latin1') === expected && tail.toString('latin1') === CLOSING;
}

function damaged(directory: string, reason: string): ShardDataError {
  return new ShardDataError(
    `cannot recover the shard in ${directory}: ${reason}. Only this server should write there; ` +
      'restore the folder, or move the data directory away to start without its streams',
  );
}
