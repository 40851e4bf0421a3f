/**
 * KPL-compatible record aggregation: the encoder, the decoder and shard routing (see README.md).
 */
export {
  AGGREGATE_MAGIC,
  AGGREGATE_OVERHEAD_BYTES,
  hasAggregateMagic,
} from './aggregated-record-format.js';
export {
  type CorruptAggregateReason,
  type DeaggregatedRecord,
  type DeaggregationResult,
  deaggregate,
} from './deaggregate.js';
export { loadShardMap } from './load-shard-map.js';
export {
  type AddOutcome,
  type Aggregate,
  type AggregatorLimits,
  type PackedItem,
  packRecords,
  RecordAggregator,
  type UserRecord,
} from './record-aggregator.js';
export {
  findShardMapChange,
  MAX_HASH_KEY,
  partitionKeyHash,
  ShardMap,
  ShardMapCache,
  type ShardMapChange,
  type ShardRange,
} from './shard-map.js';
