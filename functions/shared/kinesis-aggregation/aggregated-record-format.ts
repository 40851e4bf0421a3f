/**
 * The Kinesis Producer Library's aggregated record format, as one Kinesis record's data:
 *
 *     F3 89 9A C2 | protobuf AggregatedRecord | MD5 of the protobuf bytes (16 bytes)
 *
 *     message AggregatedRecord { repeated string partition_key_table = 1;
 *                                repeated string explicit_hash_key_table = 2;
 *                                repeated Record records = 3; }
 *     message Record { required uint64 partition_key_index = 1;
 *                      optional uint64 explicit_hash_key_index = 2;
 *                      required bytes data = 3;
 *                      repeated Tag tags = 4; }
 *     message Tag    { required string key = 1; optional string value = 2; }
 *
 * A record without the magic prefix is a plain (non-aggregated) record. The field numbers live here, so
 * the encoder and the decoder read one definition.
 */
import { WireType } from '@bufbuild/protobuf/wire';

/** The 4 bytes every aggregated record starts with. */
export const AGGREGATE_MAGIC: Uint8Array = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
/** Length of the MD5 digest that ends every aggregated record. */
export const DIGEST_BYTES = 16;
/** Bytes an aggregate adds around its protobuf: the magic prefix and the digest. */
export const AGGREGATE_OVERHEAD_BYTES = AGGREGATE_MAGIC.length + DIGEST_BYTES;

export const AggregatedRecordField = {
  partitionKeyTable: 1,
  explicitHashKeyTable: 2,
  records: 3,
} as const;

export const RecordField = {
  partitionKeyIndex: 1,
  explicitHashKeyIndex: 2,
  data: 3,
  tags: 4,
} as const;

/** A field's tag (field number and wire type), one byte for the field numbers used here. */
function tagOf(field: number, wireType: WireType): number {
  return (field << 3) | wireType;
}

/** The tags the encoder writes, computed once (as generated protobuf code does). */
export const Tags = {
  partitionKeyTable: tagOf(AggregatedRecordField.partitionKeyTable, WireType.LengthDelimited),
  explicitHashKeyTable: tagOf(AggregatedRecordField.explicitHashKeyTable, WireType.LengthDelimited),
  records: tagOf(AggregatedRecordField.records, WireType.LengthDelimited),
  partitionKeyIndex: tagOf(RecordField.partitionKeyIndex, WireType.Varint),
  explicitHashKeyIndex: tagOf(RecordField.explicitHashKeyIndex, WireType.Varint),
  data: tagOf(RecordField.data, WireType.LengthDelimited),
} as const;

/** Whether `data` starts with the aggregate magic (it may still be corrupt). */
export function hasAggregateMagic(data: Uint8Array): boolean {
  return (
    data.length >= AGGREGATE_MAGIC.length &&
    data[0] === AGGREGATE_MAGIC[0] &&
    data[1] === AGGREGATE_MAGIC[1] &&
    data[2] === AGGREGATE_MAGIC[2] &&
    data[3] === AGGREGATE_MAGIC[3]
  );
}
