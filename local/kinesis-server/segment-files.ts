/**
 * The files a shard log's segments live in, in one of two ways:
 *
 * - temporary (no data directory): one file per segment in the system's temporary folder, unlinked as
 *   soon as it is open (where the platform allows it), so none outlives the process however it ends;
 * - durable (a data directory): per segment, the records' text (`<first position>.log`) and their index
 *   entries (`<first position>.idx`, see index-entries.ts) in the shard's folder, kept across restarts
 *   and deleted when retention trims the segment. Written bytes survive the process however it ends
 *   (they are in the page cache); with a {@link GroupSync}, they are also flushed to the device before
 *   any response goes out, so they survive a crash of the machine too.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { GroupSync } from './group-sync.js';

/** The open files of one segment. */
export interface SegmentHandle {
  /** Descriptor of the records' text. */
  log: number;
  /** Descriptor of the index entries (durable segments only). */
  index: number | undefined;
  /** Path of the text file (unlinked already for temporary segments). */
  path: string;
  /** Position in the shard of the segment's first record. */
  firstPosition: number;
}

/** Where a shard log's segments are created, and what becomes of them. */
export interface SegmentFiles {
  /** Size at which a log starts a new segment. */
  readonly segmentBytes: number;
  /** Whether segments carry index entries (and outlive the process). */
  readonly durable: boolean;
  /** A new, empty segment whose first record will have position `firstPosition`. */
  create(firstPosition: number): SegmentHandle;
  /** Bytes were written to the segment: makes them as durable as this policy promises. */
  written(segment: SegmentHandle): void;
  /** The segment's records are gone (trimmed): closes it and frees its space. */
  discard(segment: SegmentHandle): void;
  /** Closes the segment, keeping it where it is kept (the server is closing). */
  close(segment: SegmentHandle): void;
}

function checkSegmentBytes(segmentBytes: number): void {
  if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1) {
    throw new RangeError(`segmentBytes must be a positive integer, got ${segmentBytes}`);
  }
}

/** Segments in unlinked temporary files: nothing is left once the process ends. */
export class TemporarySegmentFiles implements SegmentFiles {
  readonly durable = false;
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
    checkSegmentBytes(segmentBytes);
  }

  /** Segment files open now. */
  get openCount(): number {
    return this.open.size;
  }

  create(firstPosition: number): SegmentHandle {
    const path = join(this.directory, `${this.prefix}-${++this.created}.log`);
    const fd = openSync(path, 'wx+');
    try {
      unlinkSync(path);
    } catch {
      this.linked.add(path);
    }
    this.open.add(fd);
    return { log: fd, index: undefined, path, firstPosition };
  }

  written(): void {
    // Nothing to keep: the data only lives as long as the process.
  }

  discard(segment: SegmentHandle): void {
    this.close(segment);
  }

  close(segment: SegmentHandle): void {
    if (!this.open.delete(segment.log)) return;
    closeSync(segment.log);
    if (this.linked.delete(segment.path)) unlinkSync(segment.path);
  }
}

const NAME_DIGITS = 20;
const SEGMENT_NAME = /^(\d{20})\.(log|idx)$/;

/** `<position>.log` / `<position>.idx`: zero-padded, so names sort in position order. */
export function segmentFileName(firstPosition: number, kind: 'log' | 'idx'): string {
  return `${String(firstPosition).padStart(NAME_DIGITS, '0')}.${kind}`;
}

/** The position and kind a segment file's name encodes; undefined for any other file. */
export function parseSegmentFileName(
  name: string,
): { firstPosition: number; kind: 'log' | 'idx' } | undefined {
  const match = SEGMENT_NAME.exec(name);
  if (!match) return undefined;
  return { firstPosition: Number(match[1]), kind: match[2] as 'log' | 'idx' };
}

/** Opened read-write, created when missing, never truncated and not in append mode (writes are positioned). */
const READ_WRITE_CREATE = constants.O_RDWR | constants.O_CREAT;

/** Segments kept in one shard's folder, across restarts of the server. */
export class DurableSegmentFiles implements SegmentFiles {
  readonly durable = true;

  /**
   * @param directory - the shard's folder (exists)
   * @param segmentBytes - size at which a log starts a new segment
   * @param sync - flushes writes to the device before responses go out; none: the page cache keeps them
   */
  constructor(
    readonly directory: string,
    readonly segmentBytes: number,
    readonly sync: GroupSync | undefined,
  ) {
    checkSegmentBytes(segmentBytes);
  }

  create(firstPosition: number): SegmentHandle {
    const segment = this.open(firstPosition);
    // The new names must survive a crash too, or the records written into them would not.
    if (this.sync) syncDirectory(this.directory);
    return segment;
  }

  /** Opens (creating what is missing) the files of the segment starting at `firstPosition`. */
  open(firstPosition: number): SegmentHandle {
    const path = join(this.directory, segmentFileName(firstPosition, 'log'));
    const log = openSync(path, READ_WRITE_CREATE);
    try {
      const index = openSync(join(this.directory, segmentFileName(firstPosition, 'idx')), READ_WRITE_CREATE);
      return { log, index, path, firstPosition };
    } catch (error) {
      closeSync(log);
      throw error;
    }
  }

  written(segment: SegmentHandle): void {
    this.sync?.written(segment.log);
    if (segment.index !== undefined) this.sync?.written(segment.index);
  }

  discard(segment: SegmentHandle): void {
    this.close(segment);
    // The index first: a text file left alone by a crash here is recognised as a discarded segment.
    unlinkSync(join(this.directory, segmentFileName(segment.firstPosition, 'idx')));
    unlinkSync(segment.path);
  }

  close(segment: SegmentHandle): void {
    // A flush in flight may still hold the descriptors: the group closes them once it is done.
    const close = (fd: number) => (this.sync ? this.sync.close(fd) : closeSync(fd));
    close(segment.log);
    if (segment.index !== undefined) close(segment.index);
  }
}

/** fsync of a folder, so that the files created or renamed in it keep their names after a crash. */
export function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes all of `bytes` at `position`, however few bytes each call moves. */
export function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let written = 0;
  while (written < bytes.length) {
    written += writeSync(fd, bytes, written, bytes.length - written, position + written);
  }
}

/** Reads exactly `length` bytes at `position` into `target` at `offset`. */
export function readFully(
  fd: number,
  target: Uint8Array,
  offset: number,
  length: number,
  position: number,
): void {
  let done = 0;
  while (done < length) {
    const count = readSync(fd, target, offset + done, length - done, position + done);
    if (count === 0) throw new Error(`file ended early at offset ${position + done}`);
    done += count;
  }
}
