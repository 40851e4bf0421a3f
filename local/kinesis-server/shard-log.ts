/**
 * Append-only byte logs on disk, one per shard, so that a shard's record data lives in files (the page
 * cache) rather than in the server's heap.
 *
 * A log is a sequence of segment files addressed by one logical byte offset that only grows. Appends go
 * to the newest segment until it reaches the segment size; reads may span segments; trimming closes the
 * segments wholly before an offset, which frees their space. Each segment file is unlinked as soon as it
 * is open (where the platform allows it, as Linux and macOS do), so no file outlives the process, however
 * it ends — even killed; where unlinking an open file fails, the file is removed when it is closed.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Where a server's segment files go, and how large they grow. */
export class SegmentFiles {
  private readonly prefix = `kinesis-server-${process.pid}-${randomBytes(4).toString('hex')}`;
  private created = 0;
  /** Files still linked because the platform refused to unlink them while open. */
  private readonly linked = new Set<string>();
  private readonly open = new Set<number>();

  /**
   * @param directory - an existing folder (the system's temporary folder by default)
   * @param segmentBytes - size at which a log starts a new segment
   */
  constructor(
    readonly directory: string,
    readonly segmentBytes: number,
  ) {
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1) {
      throw new RangeError(`segmentBytes must be a positive integer, got ${segmentBytes}`);
    }
  }

  /** Segment files open now. */
  get openCount(): number {
    return this.open.size;
  }

  /** A new, empty segment file, open for reading and writing; returns its descriptor. */
  create(): { fd: number; path: string } {
    const path = join(this.directory, `${this.prefix}-${++this.created}.log`);
    const fd = openSync(path, 'wx+');
    try {
      unlinkSync(path);
    } catch {
      this.linked.add(path);
    }
    this.open.add(fd);
    return { fd, path };
  }

  release(segment: { fd: number; path: string }): void {
    if (!this.open.delete(segment.fd)) return;
    closeSync(segment.fd);
    if (this.linked.delete(segment.path)) unlinkSync(segment.path);
  }
}

interface Segment {
  fd: number;
  path: string;
  /** Logical offset of the segment's first byte. */
  start: number;
  /** Logical offset after its last byte. */
  end: number;
}

export class ShardLog {
  private segments: Segment[] = [];
  private endOffset = 0;

  constructor(private readonly files: SegmentFiles) {}

  /** Logical offset after the last byte appended. */
  get end(): number {
    return this.endOffset;
  }

  /** Segments open now. */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Appends bytes (in one segment); returns the logical offset of the first. */
  append(bytes: Uint8Array): number {
    let segment = this.segments.at(-1);
    if (
      !segment ||
      (segment.end > segment.start && segment.end - segment.start + bytes.length > this.files.segmentBytes)
    ) {
      segment = { ...this.files.create(), start: this.endOffset, end: this.endOffset };
      this.segments.push(segment);
    }
    let written = 0;
    while (written < bytes.length) {
      written += writeSync(
        segment.fd,
        bytes,
        written,
        bytes.length - written,
        segment.end - segment.start + written,
      );
    }
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
        const count = readSync(segment.fd, target, into, stop - position, position - segment.start);
        if (count === 0) throw new Error(`shard log ended early at offset ${position}`);
        position += count;
        into += count;
      }
    }
    if (into - targetOffset !== end - start)
      throw new Error(`shard log holds no bytes at [${start}, ${end})`);
  }

  /** Closes the segments that hold only bytes before `offset` (the newest one stays open for appends). */
  dropBefore(offset: number): void {
    let keep = 0;
    while (keep < this.segments.length - 1 && (this.segments[keep] as Segment).end <= offset) {
      this.files.release(this.segments[keep] as Segment);
      keep += 1;
    }
    if (keep > 0) this.segments = this.segments.slice(keep);
  }

  close(): void {
    for (const segment of this.segments) this.files.release(segment);
    this.segments = [];
  }
}
