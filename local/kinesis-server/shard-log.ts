/**
 * Append-only byte logs, one per shard, so that a shard's record data lives in files (the page cache)
 * rather than in the server's heap.
 *
 * A log is a sequence of segments addressed by one logical byte offset that only grows while the log
 * is open (it starts at 0 again when a durable log is reopened). Appends go to the newest segment until
 * it reaches the segment size; reads may span segments; trimming discards the segments wholly before an
 * offset, which frees their space. Where the segments live, and whether they outlive the process, is
 * the {@link SegmentFiles} policy's business (segment-files.ts). A durable segment also receives the
 * index entries of its records, written after their text: an entry on disk means its text is too.
 */
import { readSync } from 'node:fs';
import { type SegmentFiles, type SegmentHandle, writeFully } from './segment-files.js';

/** A segment found on disk, as recovery hands it over (shard-recovery.ts). */
export interface ReopenedSegment {
  handle: SegmentHandle;
  /** Bytes of record text it holds. */
  logBytes: number;
  /** Bytes of index entries it holds. */
  indexBytes: number;
}

interface Segment {
  handle: SegmentHandle;
  /** Logical offset of the segment's first byte. */
  start: number;
  /** Logical offset after its last byte. */
  end: number;
  /** Bytes of index entries written (durable segments). */
  indexBytes: number;
}

export class ShardLog {
  private segments: Segment[] = [];
  private endOffset = 0;

  /**
   * @param files - where segments are created
   * @param reopened - the segments of a durable log found on disk, oldest first
   */
  constructor(
    private readonly files: SegmentFiles,
    reopened: readonly ReopenedSegment[] = [],
  ) {
    for (const { handle, logBytes, indexBytes } of reopened) {
      this.segments.push({ handle, start: this.endOffset, end: this.endOffset + logBytes, indexBytes });
      this.endOffset += logBytes;
    }
  }

  /** Logical offset after the last byte appended. */
  get end(): number {
    return this.endOffset;
  }

  /** Segments open now. */
  get segmentCount(): number {
    return this.segments.length;
  }

  /**
   * Appends records' text (in one segment), then their index entries when the segment keeps them, and
   * tells the files' policy (which may flush them); returns the logical offset of the first byte.
   * @param firstPosition - position of the first record appended (names a new segment)
   * @param entries - their index entries (index-entries.ts), for durable segments
   */
  append(bytes: Uint8Array, firstPosition: number, entries?: Uint8Array): number {
    let segment = this.segments.at(-1);
    if (
      !segment ||
      (segment.end > segment.start && segment.end - segment.start + bytes.length > this.files.segmentBytes)
    ) {
      segment = {
        handle: this.files.create(firstPosition),
        start: this.endOffset,
        end: this.endOffset,
        indexBytes: 0,
      };
      this.segments.push(segment);
    }
    writeFully(segment.handle.log, bytes, segment.end - segment.start);
    if (segment.handle.index !== undefined && entries) {
      writeFully(segment.handle.index, entries, segment.indexBytes);
    }
    this.files.written(segment.handle);
    // Only now, when everything is written, do the new bytes count.
    if (entries) segment.indexBytes += entries.length;
    const start = this.endOffset;
    segment.end += bytes.length;
    this.endOffset += bytes.length;
    return start;
  }

  /** Copies the bytes at logical offsets [start, end) into `target` from `targetOffset` on. */
  read(start: number, end: number, target: Uint8Array, targetOffset: number): void {
    let into = targetOffset;
    for (const segment of this.segments) {
      if (segment.end <= start) continue;
      if (segment.start >= end) break;
      let position = Math.max(start, segment.start);
      const stop = Math.min(end, segment.end);
      while (position < stop) {
        const count = readSync(segment.handle.log, target, into, stop - position, position - segment.start);
        if (count === 0) throw new Error(`shard log ended early at offset ${position}`);
        position += count;
        into += count;
      }
    }
    if (into - targetOffset !== end - start)
      throw new Error(`shard log holds no bytes at [${start}, ${end})`);
  }

  /** Discards the segments that hold only bytes before `offset` (the newest one stays, for appends). */
  dropBefore(offset: number): void {
    let keep = 0;
    while (keep < this.segments.length - 1 && (this.segments[keep] as Segment).end <= offset) {
      this.files.discard((this.segments[keep] as Segment).handle);
      keep += 1;
    }
    if (keep > 0) this.segments = this.segments.slice(keep);
  }

  /** Closes the segments; a durable log keeps them on disk. */
  close(): void {
    for (const segment of this.segments) this.files.close(segment.handle);
    this.segments = [];
  }
}
