/**
 * The small interfaces the domain speaks to. Kinesis, S3 and the RDS Data API are adapters behind them.
 */

/**
 * One record for the stream: the partition key decides the shard, and so the order, unless an
 * explicit hash key (decimal, 128-bit) names the shard instead (aggregates do).
 */
export interface StreamEntry {
  partitionKey: string;
  explicitHashKey?: string | undefined;
  data: Uint8Array;
}

/** Per-entry failures of one put; entries not listed were accepted. */
export interface PutOutcome {
  failed: Array<{ index: number; errorCode: string; errorMessage?: string }>;
  /** The shard each entry landed on, by index (undefined for a failed entry). */
  shardIds?: ReadonlyArray<string | undefined>;
}

/** Writes records to a stream in one request (Kinesis PutRecords). */
export interface RecordPublisher {
  put(entries: readonly StreamEntry[]): Promise<PutOutcome>;
}

export interface ObjectBody {
  body: Uint8Array | string;
  contentType: string;
  contentEncoding?: string;
}

export interface ObjectCallOptions {
  /** Aborts the call (a caller's deadline). */
  signal?: AbortSignal | undefined;
}

/** Lists and reads objects by key (S3). */
export interface ObjectReader {
  /** Every key under the prefix, in key order. */
  list(prefix: string): Promise<string[]>;
  /** The object's bytes. */
  get(key: string): Promise<Uint8Array>;
}

/** Stores objects by key (S3). Writing the same key again replaces the object. */
export interface ObjectStore {
  put(key: string, object: ObjectBody, options?: ObjectCallOptions): Promise<void>;
  /** Removes the object; removing a missing key succeeds. */
  delete(key: string, options?: ObjectCallOptions): Promise<void>;
}
