/**
 * Reads a Kinesis record's data as a KPL aggregate (see aggregated-record-format.ts).
 *
 * Three answers, never an exception, whatever the bytes: a plain record (no magic prefix — another
 * writer's single record, which consumers keep accepting), the user records of a valid aggregate, or a
 * corrupt aggregate with its reason. The MD5 digest is checked before the protobuf is parsed; a record
 * naming a key beyond its table is corrupt too (KCL would fail on it; the reference Node library would
 * hand out an undefined key). Work is linear in the input: every step consumes at least one byte and
 * nested groups, the only recursion, stop at depth 100.
 *
 * Unlike KCL, which reads an aggregate whose digest does not match as a plain record, a digest mismatch is
 * reported as corrupt: a record that starts with the magic and was not written by an aggregator is not
 * something this pipeline writes, and treating it as data would hide the damage.
 */
import { createHash } from 'node:crypto';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { messageOf } from '../errors.js';
import {
  AGGREGATE_MAGIC,
  AGGREGATE_OVERHEAD_BYTES,
  AggregatedRecordField,
  DIGEST_BYTES,
  hasAggregateMagic,
  RecordField,
} from './aggregated-record-format.js';

/** One user record read from an aggregate. */
export interface DeaggregatedRecord {
  partitionKey: string;
  explicitHashKey: string | undefined;
  /** A view into the aggregate's bytes (not a copy). */
  data: Uint8Array;
  /** Position in the aggregate, from 0 (KCL's sub-sequence number). */
  index: number;
}

export type CorruptAggregateReason =
  /** Starts with the magic but is too short to hold a digest. */
  | 'truncated'
  /** The digest is not the MD5 of the protobuf bytes. */
  | 'bad-md5'
  /** The protobuf does not parse as an AggregatedRecord (or lacks a required field). */
  | 'bad-protobuf'
  /** A record names a partition or explicit hash key beyond its table. */
  | 'index-out-of-range';

export type DeaggregationResult =
  | { kind: 'aggregate'; records: DeaggregatedRecord[] }
  | { kind: 'plain' }
  | { kind: 'corrupt'; reason: CorruptAggregateReason; message: string };

/** Thrown inside the parser only; turned into a `corrupt` result. */
class CorruptAggregate extends Error {
  constructor(
    readonly reason: CorruptAggregateReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the user records of an aggregated Kinesis record.
 * @param data - the Kinesis record's data (decoded from base64)
 * @example
 * const result = deaggregate(Buffer.from(record.kinesis.data, 'base64'));
 * if (result.kind === 'plain') handle(record);              // not aggregated
 * else if (result.kind === 'corrupt') quarantine(record, result.reason);
 * else for (const user of result.records) handle(user);
 */
export function deaggregate(data: Uint8Array): DeaggregationResult {
  if (!hasAggregateMagic(data)) return { kind: 'plain' };
  if (data.length < AGGREGATE_OVERHEAD_BYTES) {
    return corrupt(
      'truncated',
      `${data.length} bytes, fewer than magic and digest (${AGGREGATE_OVERHEAD_BYTES})`,
    );
  }
  const body = data.subarray(AGGREGATE_MAGIC.length, data.length - DIGEST_BYTES);
  const digest = createHash('md5').update(body).digest();
  if (!digest.equals(data.subarray(data.length - DIGEST_BYTES))) {
    return corrupt('bad-md5', `the digest does not match the ${body.length} protobuf bytes`);
  }
  try {
    return { kind: 'aggregate', records: parseAggregatedRecord(body) };
  } catch (error) {
    if (error instanceof CorruptAggregate) return corrupt(error.reason, error.message);
    return corrupt('bad-protobuf', messageOf(error));
  }
}

function corrupt(reason: CorruptAggregateReason, message: string): DeaggregationResult {
  return { kind: 'corrupt', reason, message };
}

interface ParsedRecord {
  partitionKeyIndex: number;
  explicitHashKeyIndex: number | undefined;
  data: Uint8Array;
}

function parseAggregatedRecord(body: Uint8Array): DeaggregatedRecord[] {
  const reader = new BinaryReader(body);
  const partitionKeys: string[] = [];
  const explicitHashKeys: string[] = [];
  const parsed: ParsedRecord[] = [];
  // Tables may follow the records on the wire: indexes are resolved once the whole message is read.
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === AggregatedRecordField.partitionKeyTable) {
      expectWireType(wireType, WireType.LengthDelimited, 'partition_key_table');
      partitionKeys.push(reader.string());
    } else if (field === AggregatedRecordField.explicitHashKeyTable) {
      expectWireType(wireType, WireType.LengthDelimited, 'explicit_hash_key_table');
      explicitHashKeys.push(reader.string());
    } else if (field === AggregatedRecordField.records) {
      expectWireType(wireType, WireType.LengthDelimited, 'records');
      parsed.push(parseRecord(reader, body, parsed.length));
    } else {
      reader.skip(wireType, field);
    }
  }
  return parsed.map((record, index) => {
    const partitionKey = partitionKeys[record.partitionKeyIndex];
    if (partitionKey === undefined) {
      throw new CorruptAggregate(
        'index-out-of-range',
        `record ${index} names partition key ${record.partitionKeyIndex} of ${partitionKeys.length}`,
      );
    }
    let explicitHashKey: string | undefined;
    if (record.explicitHashKeyIndex !== undefined) {
      explicitHashKey = explicitHashKeys[record.explicitHashKeyIndex];
      if (explicitHashKey === undefined) {
        throw new CorruptAggregate(
          'index-out-of-range',
          `record ${index} names explicit hash key ${record.explicitHashKeyIndex} of ${explicitHashKeys.length}`,
        );
      }
    }
    return { partitionKey, explicitHashKey, data: record.data, index };
  });
}

/**
 * Reads one length-delimited Record message in place (no reader of its own: one per record would cost a
 * DataView each), checking that its fields end exactly where its length says.
 */
function parseRecord(reader: BinaryReader, body: Uint8Array, index: number): ParsedRecord {
  const length = reader.uint32();
  const end = reader.pos + length;
  if (end > reader.len) throw new CorruptAggregate('bad-protobuf', `record ${index} runs past the end`);
  let partitionKeyIndex: number | undefined;
  let explicitHashKeyIndex: number | undefined;
  let data: Uint8Array | undefined;
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (field === RecordField.partitionKeyIndex) {
      expectWireType(wireType, WireType.Varint, 'partition_key_index');
      partitionKeyIndex = readIndex(reader, body);
    } else if (field === RecordField.explicitHashKeyIndex) {
      expectWireType(wireType, WireType.Varint, 'explicit_hash_key_index');
      explicitHashKeyIndex = readIndex(reader, body);
    } else if (field === RecordField.data) {
      expectWireType(wireType, WireType.LengthDelimited, 'data');
      data = reader.bytes();
    } else {
      // Tags (field 4) carry nothing this reader hands out; unknown fields are skipped, as protobuf does.
      reader.skip(wireType, field);
    }
  }
  if (reader.pos !== end) throw new CorruptAggregate('bad-protobuf', `record ${index} overruns its length`);
  if (partitionKeyIndex === undefined) {
    throw new CorruptAggregate('bad-protobuf', `record ${index} has no partition_key_index`);
  }
  if (data === undefined) throw new CorruptAggregate('bad-protobuf', `record ${index} has no data`);
  return { partitionKeyIndex, explicitHashKeyIndex, data };
}

/** A uint64 index as a number; values past 2^53 cannot index a table and stay out of range. */
function readIndex(reader: BinaryReader, body: Uint8Array): number {
  // One-byte varints (indexes below 128, the common case) without a BigInt.
  const first = body[reader.pos] as number;
  if (first < 0x80) {
    reader.pos += 1;
    return first;
  }
  const value = BigInt(reader.uint64());
  return value <= MAX_SAFE_INDEX ? Number(value) : Number.MAX_SAFE_INTEGER;
}

const MAX_SAFE_INDEX = BigInt(Number.MAX_SAFE_INTEGER);

function expectWireType(actual: WireType, expected: WireType, name: string): void {
  if (actual !== expected) {
    throw new CorruptAggregate('bad-protobuf', `${name} has wire type ${actual}, expected ${expected}`);
  }
}
