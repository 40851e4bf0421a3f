/**
 * Turns stream records into the Kinesis records that are sent: each commit's record becomes a user
 * record (its JSON, keyed by its partition key), and user records are packed into Kinesis records.
 *
 * With aggregation (the default), records are packed into KPL aggregated records, one aggregator per
 * shard: an aggregate holds only records whose partition keys the shard map sends to that shard, and it
 * is sent with an ExplicitHashKey inside the shard's range, so it lands where each of its records would
 * have landed alone and an author's commits stay in order on their shard. A record too large for any
 * aggregate, or an aggregate that would hold a single record, is sent as a plain record (as the KPL
 * does). Without aggregation every user record is its own Kinesis record.
 *
 * Each entry carries the user records inside it: a user record counts as sent only once its entry was
 * accepted, and a failed entry's records are kept with its reason.
 */
import { type CommitRecord, partitionKeyOf } from '../shared/commit-record.js';
import { RecordAggregator } from '../shared/kinesis-aggregation/record-aggregator.js';
import type { ShardMap } from '../shared/kinesis-aggregation/shard-map.js';
import type { StreamEntry } from '../shared/ports.js';

/** One commit's user record: its stream record's JSON under its partition key, and its CSV line. */
export interface UserRecord extends StreamEntry {
  line: number;
}

/**
 * @param record - the commit's stream record
 * @param line - the CSV line its row starts at
 */
export function userRecordOf(record: CommitRecord, line: number): UserRecord {
  return { partitionKey: partitionKeyOf(record), data: Buffer.from(JSON.stringify(record), 'utf8'), line };
}

/** Bytes an entry counts against the Kinesis record and request limits (data plus partition key). */
export function entrySizeOf(entry: StreamEntry): number {
  return entry.data.byteLength + Buffer.byteLength(entry.partitionKey, 'utf8');
}

/** A Kinesis record to send, with the user records it carries (itself, for a plain record). */
export interface PackedEntry extends StreamEntry {
  userRecords: readonly UserRecord[];
  /** The shard the entry is routed to (aggregation), for checking where it landed. */
  shardId?: string | undefined;
}

export interface RecordPacker {
  /** Adds a user record; returns the entries that became ready to send, in order. */
  add(record: UserRecord): PackedEntry[];
  /** Everything held back, as entries, in order. */
  flush(): PackedEntry[];
}

/** No aggregation: every user record is sent as it is. */
export class PlainPacker implements RecordPacker {
  add(record: UserRecord): PackedEntry[] {
    return [{ partitionKey: record.partitionKey, data: record.data, userRecords: [record] }];
  }

  flush(): PackedEntry[] {
    return [];
  }
}

/** KPL aggregation, per shard of the map given. */
export class AggregatingPacker implements RecordPacker {
  private readonly aggregators = new Map<string, RecordAggregator<UserRecord>>();

  /**
   * @param shardMap - the stream's open shards (from ListShards)
   * @param maxAggregateBytes - the most bytes of one aggregated record's data
   */
  constructor(
    private readonly shardMap: ShardMap,
    private readonly maxAggregateBytes: number,
  ) {}

  add(record: UserRecord): PackedEntry[] {
    const shardId = this.shardMap.shardIdOf(record.partitionKey);
    let aggregator = this.aggregators.get(shardId);
    if (!aggregator) {
      aggregator = new RecordAggregator<UserRecord>({ maxBytes: this.maxAggregateBytes });
      this.aggregators.set(shardId, aggregator);
    }
    const outcome = aggregator.add(record);
    if (outcome === 'added') return [];
    const ready = this.entryOf(aggregator, shardId);
    if (outcome === 'full' && aggregator.add(record) === 'added') return ready;
    // Too large for any aggregate: sent alone, after what the shard held before it.
    return [...ready, this.single(record, shardId)];
  }

  flush(): PackedEntry[] {
    return [...this.aggregators].flatMap(([shardId, aggregator]) => this.entryOf(aggregator, shardId));
  }

  private entryOf(aggregator: RecordAggregator<UserRecord>, shardId: string): PackedEntry[] {
    const aggregate = aggregator.flush();
    if (!aggregate) return [];
    const [only] = aggregate.records;
    if (aggregate.records.length === 1 && only) return [this.single(only, shardId)];
    return [
      {
        partitionKey: aggregate.partitionKey,
        explicitHashKey: this.shardMap.explicitHashKeyOf(shardId),
        data: aggregate.data,
        userRecords: aggregate.records,
        shardId,
      },
    ];
  }

  /** A plain record routed to its shard like the shard's aggregates, so it keeps their order. */
  private single(record: UserRecord, shardId: string): PackedEntry {
    return {
      partitionKey: record.partitionKey,
      data: record.data,
      explicitHashKey: this.shardMap.explicitHashKeyOf(shardId),
      userRecords: [record],
      shardId,
    };
  }
}
