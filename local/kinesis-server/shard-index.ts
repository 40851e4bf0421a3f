/**
 * The in-memory index of one shard's records: for each record, where its JSON text starts in the shard
 * log, when it arrived, and its size as Kinesis counts it (data plus partition key). 20 bytes a record in
 * typed arrays, whatever the record's size: ~20 MB for 1,000,000 records.
 *
 * Records are addressed by position (counted from the shard's first record ever, as in sequence
 * numbers). Live records are slots [head, length); slot i holds position `base + i`. Trimming moves
 * `head`, and the arrays are compacted once the dead prefix is the larger part.
 */

const INITIAL_CAPACITY = 1024;

export class ShardIndex {
  private offsets = new Float64Array(INITIAL_CAPACITY);
  private arrivals = new Float64Array(INITIAL_CAPACITY);
  private sizes = new Uint32Array(INITIAL_CAPACITY);
  private head = 0;
  private length = 0;
  /** Log offset after the last record's text. */
  private endOffset = 0;

  /** @param base - position of the first record pushed (0 for a new shard; more for a recovered one) */
  constructor(private base = 0) {}

  /** Position the next record will get (LATEST). */
  get nextPosition(): number {
    return this.base + this.length;
  }

  /** Position of the oldest record held (TRIM_HORIZON). */
  get trimHorizon(): number {
    return this.base + this.head;
  }

  /** Records held. */
  get size(): number {
    return this.length - this.head;
  }

  /**
   * Adds the next record.
   * @param offset - where its text starts in the log (right after the previous record's)
   * @param textBytes - length of its text
   * @param arrivalSeconds - not earlier than the previous record's
   * @param bytes - data plus partition key bytes
   */
  push(offset: number, textBytes: number, arrivalSeconds: number, bytes: number): void {
    if (this.length === this.offsets.length) this.grow();
    this.offsets[this.length] = offset;
    this.arrivals[this.length] = arrivalSeconds;
    this.sizes[this.length] = bytes;
    this.length += 1;
    this.endOffset = offset + textBytes;
  }

  /** Log offset of the text of the record at `position`; `nextPosition` gives the end of the last one. */
  offsetOf(position: number): number {
    return position >= this.nextPosition ? this.endOffset : (this.offsets[position - this.base] as number);
  }

  /** Arrival (epoch seconds) of the record at `position`, if held. */
  arrivalAt(position: number): number | undefined {
    const slot = position - this.base;
    return slot >= this.head && slot < this.length ? this.arrivals[slot] : undefined;
  }

  /** Data plus partition key bytes of the record at `position` (held). */
  sizeAt(position: number): number {
    return this.sizes[position - this.base] as number;
  }

  /** Position of the first held record that arrived at or after `seconds` (nextPosition if none). */
  positionAtTimestamp(seconds: number): number {
    let low = this.head;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.arrivals[mid] as number) < seconds) low = mid + 1;
      else high = mid;
    }
    return this.base + low;
  }

  /** Drops the records that arrived before `cutoffSeconds`. O(1) when there is nothing to drop. */
  trim(cutoffSeconds: number): void {
    if (this.head === this.length || (this.arrivals[this.head] as number) >= cutoffSeconds) return;
    this.head = this.positionAtTimestamp(cutoffSeconds) - this.base;
    // Compact once the dead prefix dominates, so trimming stays amortised O(1) per record.
    if (this.head >= INITIAL_CAPACITY && this.head * 2 >= this.length) {
      this.offsets.copyWithin(0, this.head, this.length);
      this.arrivals.copyWithin(0, this.head, this.length);
      this.sizes.copyWithin(0, this.head, this.length);
      this.base += this.head;
      this.length -= this.head;
      this.head = 0;
    }
  }

  private grow(): void {
    const capacity = this.offsets.length * 2;
    const offsets = new Float64Array(capacity);
    const arrivals = new Float64Array(capacity);
    const sizes = new Uint32Array(capacity);
    offsets.set(this.offsets);
    arrivals.set(this.arrivals);
    sizes.set(this.sizes);
    this.offsets = offsets;
    this.arrivals = arrivals;
    this.sizes = sizes;
  }
}
