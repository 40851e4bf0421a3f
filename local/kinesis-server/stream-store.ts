/**
 * The server's state: streams, their shards and the shards' records.
 *
 * A shard's records live in its log on disk (shard-log.ts), each as the JSON text GetRecords returns for
 * it (record-json.ts), written when the record is put; memory holds only a 20-byte index entry per record
 * (shard-index.ts). A read is one contiguous range of the log copied into the response, O(bytes returned)
 * whatever the shard holds, and the heap does not grow with the data: 1,000,000 records of 300 bytes take
 * ~20 MB of index instead of ~570 MB of record objects. A record's position (counted from the shard's
 * first record ever) is encoded in its sequence number, so an iterator or sequence number maps to an index
 * slot by subtraction, and records stay readable by sequence number for the stream's retention period.
 *
 * Retention: records older than the stream's retention period are trimmed lazily, when the shard is next
 * written or read (and when a durable store opens); the log segments they filled are then discarded and
 * their disk space freed.
 *
 * Where the records are kept is the storage's business (stream-storage.ts): in temporary files that no
 * exit leaves behind, or in a data directory from which the next store recovers every stream with its
 * records, sequence numbers, arrival times and trim horizon.
 */
import { type HashKeyRange, HashKeyRouter, splitHashKeySpace } from './hash-ranges.js';
import { encodeEntries, forEachEntry } from './index-entries.js';
import { recordJson } from './record-json.js';
import { formatSequenceNumber, MAX_SHARDS_PER_STREAM, sequencePrefix } from './sequence-numbers.js';
import { ShardIndex } from './shard-index.js';
import { ShardLog } from './shard-log.js';
import type { StreamDefinition, StreamStorage } from './stream-storage.js';

export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';

/** A record to store, once its request has been validated. */
export interface RecordToStore {
  /** Canonical base64, exactly as received. */
  data: string;
  /** The partition key as an ASCII JSON string literal (`partitionKeyJson`). */
  keyJson: string;
  /** Data plus partition key bytes, as Kinesis counts them. */
  bytes: number;
}

/** A range of positions [from, end) of one shard, as one GetRecords call returns it. */
export interface Page {
  from: number;
  end: number;
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
  /** Where each record's text is, when it arrived, its size. */
  private readonly records: ShardIndex;
  private readonly log: ShardLog;
  private readonly durable: boolean;

  /**
   * Opens the shard, with the records its storage kept from an earlier run.
   * @param storage - where its segments live
   */
  constructor(
    readonly index: number,
    streamEpoch: number,
    range: HashKeyRange,
    storage: StreamStorage,
  ) {
    this.id = shardIdOf(index);
    this.prefix = sequencePrefix(streamEpoch, index);
    this.startingSequenceNumber = formatSequenceNumber(this.prefix, 0);
    this.startingHashKey = range.start.toString();
    this.endingHashKey = range.end.toString();
    const { files, recovered } = storage.openShard(streamEpoch, this.id, this.prefix);
    if (recovered && recovered.droppedBytes > 0) {
      process.emitWarning(
        `kinesis-server: ${this.id} of stream epoch ${streamEpoch}: dropped ${recovered.droppedBytes} bytes ` +
          'of a write cut short by a crash (never acknowledged)',
      );
    }
    this.durable = files.durable;
    this.records = new ShardIndex(recovered?.firstPosition ?? 0);
    this.log = new ShardLog(files, recovered?.segments);
    let offset = 0;
    for (const entries of recovered?.entries ?? []) {
      forEachEntry(entries, (arrivalSeconds, textBytes, bytes) => {
        this.records.push(offset, textBytes, arrivalSeconds, bytes);
        offset += textBytes;
      });
    }
  }

  /** Arrival (epoch seconds) of the newest record, if the shard holds any. */
  get lastArrival(): number | undefined {
    return this.records.arrivalAt(this.nextPosition - 1);
  }

  /** Position the next record will get (LATEST). */
  get nextPosition(): number {
    return this.records.nextPosition;
  }

  /** Position of the oldest record still held (TRIM_HORIZON). */
  get trimHorizon(): number {
    return this.records.trimHorizon;
  }

  get size(): number {
    return this.records.size;
  }

  /** Log segments open for this shard. */
  get segmentCount(): number {
    return this.log.segmentCount;
  }

  /**
   * Stores records, in order, with one write to the log; returns their sequence numbers.
   * @param arrivalSeconds - not earlier than any record's already stored
   */
  append(batch: readonly RecordToStore[], arrivalSeconds: number): string[] {
    const sequenceNumbers = new Array<string>(batch.length);
    const lengths = new Array<number>(batch.length);
    let text = '';
    for (let i = 0; i < batch.length; i += 1) {
      const record = batch[i] as RecordToStore;
      const sequenceNumber = formatSequenceNumber(this.prefix, this.records.nextPosition + i);
      const json = recordJson(sequenceNumber, arrivalSeconds, record.data, record.keyJson);
      sequenceNumbers[i] = sequenceNumber;
      lengths[i] = json.length;
      text += json;
    }
    // ASCII text: one byte per character (record-json.ts). A durable log also gets the index entries.
    const entries = this.durable
      ? encodeEntries(
          arrivalSeconds,
          lengths,
          batch.map((record) => record.bytes),
        )
      : undefined;
    let offset = this.log.append(Buffer.from(text, 'latin1'), this.records.nextPosition, entries);
    for (let i = 0; i < batch.length; i += 1) {
      const length = lengths[i] as number;
      this.records.push(offset, length, arrivalSeconds, (batch[i] as RecordToStore).bytes);
      offset += length;
    }
    return sequenceNumbers;
  }

  /**
   * The records a read from `position` returns: up to `limit` from there on (from the trim horizon if
   * `position` is older), stopping before the one that would take the data past `maxBytes` (always at
   * least one). An empty page starts and ends at the clamped position, where the next read starts again.
   */
  page(position: number, limit: number, maxBytes: number): Page {
    const from = Math.min(Math.max(position, this.trimHorizon), this.nextPosition);
    const to = Math.min(this.nextPosition, from + limit);
    let end = from;
    let bytes = 0;
    for (; end < to; end += 1) {
      bytes += this.records.sizeAt(end);
      if (bytes > maxBytes && end > from) break;
    }
    return { from, end };
  }

  /** Bytes of a page's records as the contents of a JSON array (no trailing comma). */
  jsonLength(page: Page): number {
    return page.end === page.from
      ? 0
      : this.records.offsetOf(page.end) - this.records.offsetOf(page.from) - 1;
  }

  /** Copies a page's records, as the contents of a JSON array, into `target` at `offset`. */
  writeJson(page: Page, target: Uint8Array, offset: number): void {
    if (page.end === page.from) return;
    const start = this.records.offsetOf(page.from);
    this.log.read(start, start + this.jsonLength(page), target, offset);
  }

  /** A page's records as a JSON array's contents, in a buffer of their own. */
  readJson(page: Page): Buffer {
    const buffer = Buffer.allocUnsafe(this.jsonLength(page));
    this.writeJson(page, buffer, 0);
    return buffer;
  }

  /** Arrival (epoch seconds) of the record at `position`, if held. */
  arrivalAt(position: number): number | undefined {
    return this.records.arrivalAt(position);
  }

  /** Position of the first held record that arrived at or after `seconds` (nextPosition if none). */
  positionAtTimestamp(seconds: number): number {
    return this.records.positionAtTimestamp(seconds);
  }

  /** Drops records that arrived before `cutoffSeconds`, and the log segments only they used. */
  trim(cutoffSeconds: number): void {
    const horizon = this.trimHorizon;
    this.records.trim(cutoffSeconds);
    if (this.trimHorizon !== horizon) this.log.dropBefore(this.records.offsetOf(this.trimHorizon));
  }

  /** Closes the shard's log (the stream was deleted, or the server is closing); durable logs stay on disk. */
  close(): void {
    this.log.close();
  }
}

export class Stream {
  readonly arn: string;
  readonly shards: Shard[];
  readonly router: HashKeyRouter;
  readonly status = 'ACTIVE';
  readonly name: string;
  readonly epoch: number;
  readonly mode: StreamMode;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly retentionHours: number;

  /**
   * Opens the stream's shards, with what the storage kept of them.
   * @param definition - name, epoch, shard count, mode, creation time and retention
   */
  constructor(
    readonly definition: StreamDefinition,
    region: string,
    accountId: string,
    storage: StreamStorage,
  ) {
    this.name = definition.name;
    this.epoch = definition.epoch;
    this.mode = definition.mode;
    this.createdAt = definition.createdAt;
    this.retentionHours = definition.retentionHours;
    this.arn = `arn:aws:kinesis:${region}:${accountId}:stream/${this.name}`;
    const ranges = splitHashKeySpace(definition.shardCount);
    this.shards = [];
    try {
      for (const [index, range] of ranges.entries())
        this.shards.push(new Shard(index, this.epoch, range, storage));
    } catch (error) {
      this.close();
      throw error;
    }
    this.router = new HashKeyRouter(ranges);
  }

  /** Trims every shard to the retention period. */
  trim(nowMs: number): void {
    const cutoff = (nowMs - this.retentionHours * 3_600_000) / 1000;
    for (const shard of this.shards) shard.trim(cutoff);
  }

  close(): void {
    for (const shard of this.shards) shard.close();
  }
}

export interface StoreOptions {
  region: string;
  accountId: string;
  /** Open shards allowed across all streams (AWS's account quota; 500 in the big regions). */
  shardLimit: number;
  retentionHours: number;
  /** Where the streams are kept (temporary files, or a data directory). */
  storage: StreamStorage;
}

export class StreamStore {
  private readonly streams = new Map<string, Stream>();
  private lastEpoch = 0;
  private lastArrivalMs = 0;

  /**
   * Opens the store with the streams its storage kept, trimmed to their retention as of `nowMs`.
   * @param nowMs - the current time, epoch ms
   */
  constructor(
    readonly options: StoreOptions,
    nowMs = Date.now(),
  ) {
    const { lastEpoch, streams } = options.storage.load();
    this.lastEpoch = lastEpoch;
    try {
      for (const definition of streams) {
        const stream = new Stream(definition, options.region, options.accountId, options.storage);
        this.streams.set(stream.name, stream);
        for (const shard of stream.shards) {
          // Arrival times never go back, not even across a restart on a clock set back.
          this.lastArrivalMs = Math.max(this.lastArrivalMs, Math.round((shard.lastArrival ?? 0) * 1000));
        }
        stream.trim(nowMs);
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

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
    const epoch = Math.max(nowMs, this.lastEpoch + 1);
    const { region, accountId, retentionHours, storage } = this.options;
    const definition: StreamDefinition = { name, epoch, shardCount, mode, createdAt: nowMs, retentionHours };
    storage.prepare(
      definition,
      Array.from({ length: shardCount }, (_, index) => shardIdOf(index)),
    );
    const stream = new Stream(definition, region, accountId, storage);
    this.lastEpoch = epoch;
    this.streams.set(name, stream);
    try {
      this.saveCatalog();
    } catch (error) {
      this.streams.delete(name);
      stream.close();
      storage.remove(definition);
      throw error;
    }
    return stream;
  }

  delete(name: string): void {
    const stream = this.streams.get(name);
    if (!stream) return;
    this.streams.delete(name);
    // Unlisted first: a crash from here on leaves folders that the next start removes.
    this.saveCatalog();
    stream.close();
    this.options.storage.remove(stream.definition);
  }

  /** Closes every stream's logs (temporary ones free their space); the store is empty afterwards. */
  close(): void {
    for (const stream of this.streams.values()) stream.close();
    this.streams.clear();
  }

  private saveCatalog(): void {
    this.options.storage.save({
      lastEpoch: this.lastEpoch,
      streams: [...this.streams.values()].map((stream) => stream.definition),
    });
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
