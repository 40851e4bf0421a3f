/**
 * The in-memory state: streams, their shards and the shards' records.
 *
 * Each shard keeps its records in one array, in arrival order, as the very objects GetRecords returns
 * (`{SequenceNumber, ApproximateArrivalTimestamp, Data, PartitionKey}`, Data still the base64 text the
 * producer sent), so a read is an array slice and a JSON.stringify — O(records returned), whatever the
 * shard holds. A record's position (its index counted from the shard's first record ever) is encoded in
 * its sequence number, so an iterator or sequence number maps to an array index by subtraction.
 *
 * Retention: records older than the stream's retention period (24 h) are trimmed lazily, when the shard
 * is next written or read. Memory is the limit: a record held costs its Data as base64 text (4/3 of its
 * bytes) plus ~150 bytes (sequence number string, record object, array slot) — measured 569 bytes per
 * 300-byte record, ~0.57 GB of heap for 1,000,000 of them. Nothing is persisted; a restart starts empty.
 */
import { type HashKeyRange, HashKeyRouter, splitHashKeySpace } from './hash-ranges.js';
import { formatSequenceNumber, MAX_SHARDS_PER_STREAM, sequencePrefix } from './sequence-numbers.js';

export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';

/** A stored record, shaped as GetRecords returns it. */
export interface StoredRecord {
  SequenceNumber: string;
  /** Epoch seconds with millisecond fraction. */
  ApproximateArrivalTimestamp: number;
  /** Base64, exactly as received. */
  Data: string;
  PartitionKey: string;
}

export interface ReadResult {
  records: StoredRecord[];
  /** Position after the last record returned (the clamped start position when none was). */
  next: number;
}

export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

export class Shard {
  readonly id: string;
  readonly startingSequenceNumber: string;
  readonly startingHashKey: string;
  readonly endingHashKey: string;
  private readonly prefix: string;
  /** Live records are `records[head..]`; `records[i]` is at position `base + i`. */
  private records: StoredRecord[] = [];
  private head = 0;
  private base = 0;

  constructor(
    readonly index: number,
    streamEpoch: number,
    range: HashKeyRange,
  ) {
    this.id = shardIdOf(index);
    this.prefix = sequencePrefix(streamEpoch, index);
    this.startingSequenceNumber = formatSequenceNumber(this.prefix, 0);
    this.startingHashKey = range.start.toString();
    this.endingHashKey = range.end.toString();
  }

  /** Position the next record will get (LATEST). */
  get nextPosition(): number {
    return this.base + this.records.length;
  }

  /** Position of the oldest record still held (TRIM_HORIZON). */
  get trimHorizon(): number {
    return this.base + this.head;
  }

  get size(): number {
    return this.records.length - this.head;
  }

  append(data: string, partitionKey: string, arrivalSeconds: number): StoredRecord {
    const record: StoredRecord = {
      SequenceNumber: formatSequenceNumber(this.prefix, this.nextPosition),
      ApproximateArrivalTimestamp: arrivalSeconds,
      Data: data,
      PartitionKey: partitionKey,
    };
    this.records.push(record);
    return record;
  }

  /**
   * Up to `limit` records from `position` on (from the trim horizon if `position` is older), stopping
   * before the one that would take the response past `maxBytes` (always returning at least one).
   */
  read(position: number, limit: number, maxBytes: number): ReadResult {
    const from = Math.max(position, this.trimHorizon) - this.base;
    const to = Math.min(this.records.length, from + limit);
    let end = from;
    let bytes = 0;
    for (; end < to; end += 1) {
      const record = this.records[end] as StoredRecord;
      // Decoded size of the base64 data (padding ignored: a few bytes of slack) plus the key.
      bytes += (record.Data.length >>> 2) * 3 + record.PartitionKey.length;
      if (bytes > maxBytes && end > from) break;
    }
    // With nothing to return, `end` is the (clamped) start: the next read starts there again.
    return { records: this.records.slice(from, end), next: this.base + end };
  }

  /** Arrival (epoch seconds) of the record at `position`, if held. */
  arrivalAt(position: number): number | undefined {
    return this.records[position - this.base]?.ApproximateArrivalTimestamp;
  }

  /** Arrival (epoch seconds) of the newest record, if any is held. */
  latestArrival(): number | undefined {
    return this.size > 0 ? this.records.at(-1)?.ApproximateArrivalTimestamp : undefined;
  }

  /** Position of the first held record that arrived at or after `seconds` (nextPosition if none). */
  positionAtTimestamp(seconds: number): number {
    let low = this.head;
    let high = this.records.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.records[mid] as StoredRecord).ApproximateArrivalTimestamp < seconds) low = mid + 1;
      else high = mid;
    }
    return this.base + low;
  }

  /** Drops records that arrived before `cutoffSeconds`. O(1) when there is nothing to drop. */
  trim(cutoffSeconds: number): void {
    const oldest = this.records[this.head];
    if (!oldest || oldest.ApproximateArrivalTimestamp >= cutoffSeconds) return;
    this.head = this.positionAtTimestamp(cutoffSeconds) - this.base;
    // Compact once the dead prefix dominates, so trimming stays amortised O(1) per record.
    if (this.head >= 1024 && this.head * 2 >= this.records.length) {
      this.records = this.records.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }
}

export class Stream {
  readonly arn: string;
  readonly shards: Shard[];
  readonly router: HashKeyRouter;
  readonly status = 'ACTIVE';

  constructor(
    readonly name: string,
    readonly epoch: number,
    shardCount: number,
    readonly mode: StreamMode,
    readonly createdAt: number,
    region: string,
    accountId: string,
    readonly retentionHours = 24,
  ) {
    this.arn = `arn:aws:kinesis:${region}:${accountId}:stream/${name}`;
    const ranges = splitHashKeySpace(shardCount);
    this.shards = ranges.map((range, index) => new Shard(index, epoch, range));
    this.router = new HashKeyRouter(ranges);
  }

  /** Trims every shard to the retention period. */
  trim(nowMs: number): void {
    const cutoff = (nowMs - this.retentionHours * 3_600_000) / 1000;
    for (const shard of this.shards) shard.trim(cutoff);
  }
}

export interface StoreOptions {
  region: string;
  accountId: string;
  /** Open shards allowed across all streams (AWS's account quota; 500 in the big regions). */
  shardLimit: number;
  retentionHours: number;
}

export class StreamStore {
  private readonly streams = new Map<string, Stream>();
  private lastEpoch = 0;
  private lastArrivalMs = 0;

  constructor(readonly options: StoreOptions) {}

  get(name: string): Stream | undefined {
    return this.streams.get(name);
  }

  has(name: string): boolean {
    return this.streams.has(name);
  }

  /** Streams sorted by name. */
  list(): Stream[] {
    return [...this.streams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  openShardCount(): number {
    let count = 0;
    for (const stream of this.streams.values()) count += stream.shards.length;
    return count;
  }

  create(name: string, shardCount: number, mode: StreamMode, nowMs: number): Stream {
    if (shardCount > MAX_SHARDS_PER_STREAM) throw new RangeError(`at most ${MAX_SHARDS_PER_STREAM} shards`);
    // Unique and increasing per incarnation, so numbers of a deleted stream never match its successor.
    this.lastEpoch = Math.max(nowMs, this.lastEpoch + 1);
    const { region, accountId, retentionHours } = this.options;
    const stream = new Stream(
      name,
      this.lastEpoch,
      shardCount,
      mode,
      nowMs,
      region,
      accountId,
      retentionHours,
    );
    this.streams.set(name, stream);
    return stream;
  }

  delete(name: string): void {
    this.streams.delete(name);
  }

  /**
   * Arrival time for records put now, in epoch seconds: never earlier than a previous one, so arrival
   * order is sequence order in every shard (binary searches by time rely on it).
   */
  arrivalSeconds(nowMs: number): number {
    this.lastArrivalMs = Math.max(nowMs, this.lastArrivalMs);
    return this.lastArrivalMs / 1000;
  }
}
