/**
 * Packs user records into KPL aggregated records (see aggregated-record-format.ts) no larger than a
 * bound the caller gives.
 *
 * The size of the aggregate being built is tracked exactly as records are added — the table entries a
 * record adds when its keys are new, the varint widths of its indexes and lengths — so `add` knows
 * before encoding whether a record fits, and an aggregate never exceeds the bound (`flush` checks the
 * encoded length against the account). Partition keys and explicit hash keys are stored once per
 * aggregate, and records keep the order they were added in. The encoding is the one the reference
 * implementations produce (fields in field-number order, tables in first-use order), so identical input
 * gives identical bytes.
 */
import { createHash } from 'node:crypto';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import type { StreamEntry } from '../ports.js';
import { AGGREGATE_MAGIC, AGGREGATE_OVERHEAD_BYTES, DIGEST_BYTES, Tags } from './aggregated-record-format.js';

export interface AggregatorLimits {
  /** Most bytes of an aggregate's data (magic, protobuf and digest); at least 64. */
  maxBytes: number;
}

/**
 * One encoded aggregate and the user records it holds (each what one `PutRecords` entry would carry
 * without aggregation: a partition key, maybe an explicit hash key, the data).
 */
export interface Aggregate<T extends StreamEntry = StreamEntry> {
  /** The Kinesis record's data. */
  data: Uint8Array;
  /** The user records inside, in the order they were added. */
  records: T[];
  /**
   * The first user record's partition key: a valid PartitionKey for the Kinesis record. Send the
   * aggregate with an ExplicitHashKey of its shard (`ShardMap.explicitHashKeyOf`), which decides the shard.
   */
  partitionKey: string;
}

/**
 * What `add` did: `added`; `full` — the record does not fit beside the records held, so flush and add it
 * again; `too-large` — it would not fit even in an empty aggregate, so send it alone, not aggregated.
 */
export type AddOutcome = 'added' | 'full' | 'too-large';

const MINIMUM_MAX_BYTES = 64;
const EMPTY_DIGEST = new Uint8Array(DIGEST_BYTES);
/** Encoded keys kept across aggregates (producers reuse a small set of keys); cleared when full. */
const KEY_CACHE_LIMIT = 10_000;

export class RecordAggregator<T extends StreamEntry = StreamEntry> {
  readonly maxBytes: number;
  private records: T[] = [];
  private partitionKeyIndexes: number[] = [];
  private explicitHashKeyIndexes: number[] = [];
  private readonly partitionKeys = new KeyTable();
  private readonly explicitHashKeys = new KeyTable();
  /** Bytes of the protobuf message the held records encode to. */
  private protobufBytes = 0;
  private readonly writer = new BinaryWriter();

  /** @param limits - the bound of each aggregate */
  constructor(limits: AggregatorLimits) {
    const { maxBytes } = limits;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < MINIMUM_MAX_BYTES) {
      throw new RangeError(`maxBytes must be an integer of at least ${MINIMUM_MAX_BYTES}, got ${maxBytes}`);
    }
    this.maxBytes = maxBytes;
  }

  /** Exact length of the aggregate `flush` would return now (0 when empty). */
  get sizeBytes(): number {
    return this.records.length === 0 ? 0 : AGGREGATE_OVERHEAD_BYTES + this.protobufBytes;
  }

  /** Exact length of the aggregate if `record` were added to the records held. */
  sizeWith(record: StreamEntry): number {
    return AGGREGATE_OVERHEAD_BYTES + this.protobufBytes + this.costOf(record, false);
  }

  /**
   * Adds a user record if it fits.
   * @param record - kept by reference and handed back in the aggregate's `records`
   */
  add(record: T): AddOutcome {
    const size = this.sizeWith(record);
    if (size > this.maxBytes) {
      const alone = AGGREGATE_OVERHEAD_BYTES + this.costOf(record, true);
      return alone > this.maxBytes ? 'too-large' : 'full';
    }
    this.partitionKeyIndexes.push(this.partitionKeys.indexOf(record.partitionKey));
    this.explicitHashKeyIndexes.push(
      record.explicitHashKey === undefined ? -1 : this.explicitHashKeys.indexOf(record.explicitHashKey),
    );
    this.records.push(record);
    this.protobufBytes = size - AGGREGATE_OVERHEAD_BYTES;
    return 'added';
  }

  /** Encodes the records held into one aggregate and starts a new one; undefined when empty. */
  flush(): Aggregate<T> | undefined {
    const records = this.records;
    const first = records[0];
    if (!first) return undefined;
    const writer = this.writer;
    writer.raw(AGGREGATE_MAGIC);
    for (const key of this.partitionKeys.encoded) writer.uint32(Tags.partitionKeyTable).bytes(key);
    for (const key of this.explicitHashKeys.encoded) writer.uint32(Tags.explicitHashKeyTable).bytes(key);
    for (let i = 0; i < records.length; i += 1) {
      const data = (records[i] as T).data;
      const partitionKeyIndex = this.partitionKeyIndexes[i] as number;
      const explicitHashKeyIndex = this.explicitHashKeyIndexes[i] as number;
      writer
        .uint32(Tags.records)
        .uint32(recordMessageSize(partitionKeyIndex, explicitHashKeyIndex, data.byteLength))
        .uint32(Tags.partitionKeyIndex)
        .uint32(partitionKeyIndex);
      if (explicitHashKeyIndex >= 0) writer.uint32(Tags.explicitHashKeyIndex).uint32(explicitHashKeyIndex);
      writer.uint32(Tags.data).bytes(data);
    }
    // Room for the digest, filled in below: the writer's copy is then the aggregate itself.
    const aggregate = writer.raw(EMPTY_DIGEST).finish();
    if (aggregate.length !== AGGREGATE_OVERHEAD_BYTES + this.protobufBytes) {
      throw new Error(`aggregate encoded to ${aggregate.length} bytes, accounted ${this.sizeBytes}`);
    }
    const protobuf = aggregate.subarray(AGGREGATE_MAGIC.length, aggregate.length - DIGEST_BYTES);
    aggregate.set(createHash('md5').update(protobuf).digest(), aggregate.length - DIGEST_BYTES);
    this.reset();
    return { data: aggregate, records, partitionKey: first.partitionKey };
  }

  /**
   * Protobuf bytes `record` adds: its table entries when its keys are new, and its Record message.
   * @param alone - as if the aggregate were empty
   */
  private costOf(record: StreamEntry, alone: boolean): number {
    const { partitionKey, explicitHashKey } = record;
    let bytes = 0;
    let partitionKeyIndex = alone ? undefined : this.partitionKeys.find(partitionKey);
    if (partitionKeyIndex === undefined) {
      bytes += lengthDelimitedFieldSize(encodedKey(partitionKey).length);
      partitionKeyIndex = alone ? 0 : this.partitionKeys.size;
    }
    let explicitHashKeyIndex = -1;
    if (explicitHashKey !== undefined) {
      const known = alone ? undefined : this.explicitHashKeys.find(explicitHashKey);
      if (known === undefined) bytes += lengthDelimitedFieldSize(encodedKey(explicitHashKey).length);
      explicitHashKeyIndex = known ?? (alone ? 0 : this.explicitHashKeys.size);
    }
    return (
      bytes +
      lengthDelimitedFieldSize(
        recordMessageSize(partitionKeyIndex, explicitHashKeyIndex, record.data.byteLength),
      )
    );
  }

  private reset(): void {
    this.records = [];
    this.partitionKeyIndexes = [];
    this.explicitHashKeyIndexes = [];
    this.partitionKeys.clear();
    this.explicitHashKeys.clear();
    this.protobufBytes = 0;
  }
}

/** Bytes of a varint holding `value` (a non-negative integer below 2^53). */
function varintSize(value: number): number {
  let size = 1;
  // Division rather than `>>>`: values may exceed 32 bits.
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) size += 1;
  return size;
}

/** Bytes of a length-delimited field: a one-byte tag (field numbers here are below 16), length, payload. */
function lengthDelimitedFieldSize(payloadBytes: number): number {
  return 1 + varintSize(payloadBytes) + payloadBytes;
}

/** Bytes of one Record message's fields (without its own tag and length). */
function recordMessageSize(
  partitionKeyIndex: number,
  explicitHashKeyIndex: number,
  dataBytes: number,
): number {
  return (
    1 +
    varintSize(partitionKeyIndex) +
    (explicitHashKeyIndex >= 0 ? 1 + varintSize(explicitHashKeyIndex) : 0) +
    lengthDelimitedFieldSize(dataBytes)
  );
}

/** A key table of one aggregate: each distinct key once, in first-use order, with its UTF-8 bytes. */
class KeyTable {
  private readonly indexes = new Map<string, number>();
  readonly encoded: Uint8Array[] = [];

  get size(): number {
    return this.encoded.length;
  }

  find(key: string): number | undefined {
    return this.indexes.get(key);
  }

  /** Index of `key`, adding it when new. */
  indexOf(key: string): number {
    const known = this.indexes.get(key);
    if (known !== undefined) return known;
    const index = this.encoded.length;
    this.indexes.set(key, index);
    this.encoded.push(encodedKey(key));
    return index;
  }

  clear(): void {
    this.indexes.clear();
    this.encoded.length = 0;
  }
}

const utf8 = new TextEncoder();
const encodedKeys = new Map<string, Uint8Array>();

/** UTF-8 bytes of a key, memoised: the same bytes are measured and written. */
function encodedKey(key: string): Uint8Array {
  let bytes = encodedKeys.get(key);
  if (bytes === undefined) {
    if (encodedKeys.size >= KEY_CACHE_LIMIT) encodedKeys.clear();
    bytes = utf8.encode(key);
    encodedKeys.set(key, bytes);
  }
  return bytes;
}
