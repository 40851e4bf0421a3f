/**
 * Groups stream entries into PutRecords-sized batches (record count and byte limits).
 */
import type { StreamEntry } from '../shared/ports.js';
import { sizeOf } from './stream-entry.js';

export interface BatchLimits {
  maxRecordsPerRequest: number;
  maxBytesPerRequest: number;
}

export class BatchAssembler<T extends StreamEntry = StreamEntry> {
  private entries: T[] = [];
  private bytes = 0;

  constructor(private readonly limits: BatchLimits) {}

  /**
   * Adds an entry; returns the batch that had to be closed to make room for it, if any.
   * An entry must individually fit the request limits (checked by the caller).
   */
  add(entry: T): T[] | undefined {
    const size = sizeOf(entry);
    const full =
      this.entries.length >= this.limits.maxRecordsPerRequest ||
      this.bytes + size > this.limits.maxBytesPerRequest;
    const closed = full ? this.flush() : undefined;
    this.entries.push(entry);
    this.bytes += size;
    return closed;
  }

  /** Closes and returns the pending batch, if it holds anything. */
  flush(): T[] | undefined {
    if (this.entries.length === 0) return undefined;
    const batch = this.entries;
    this.entries = [];
    this.bytes = 0;
    return batch;
  }
}
