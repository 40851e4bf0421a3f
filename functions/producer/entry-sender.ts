/**
 * Sends packed entries to the stream: PutRecords batches over parallel lanes (one shard's aggregates,
 * or one partition key, per lane, so order holds), each batch retried until accepted or out of
 * attempts. Counts what was accepted in user records, Kinesis records and PUT payload units, keeps the
 * user records of every entry that could not be sent, and notices when Kinesis put an entry on another
 * shard than the map predicted (the stream was resharded).
 */
import type { RecordPublisher, StreamEntry } from '../shared/ports.js';
import { LaneSender } from './lane-sender.js';
import { putWithRetries, type RetryPolicy } from './put-with-retries.js';
import type { PackedEntry } from './record-packer.js';
import type { RejectSink } from './reject-sinks.js';
import { sizeOf } from './stream-entry.js';

/** Kinesis bills PUTs in units of 25 KB of each record's payload. */
const PAYLOAD_UNIT_BYTES = 25 * 1024;

export interface SendTunables extends RetryPolicy {
  maxRecordsPerRequest: number;
  maxBytesPerRequest: number;
  maxInFlightRequests: number;
}

export interface SendCounts {
  /** User records whose entry Kinesis accepted. */
  sent: number;
  /** User records whose entry was refused or ran out of attempts (kept with the rejections). */
  failed: number;
  /** Kinesis records accepted (aggregates and plain records). */
  kinesisRecords: number;
  /** PUT payload units of the accepted records. */
  payloadUnits: number;
}

export class EntrySender {
  readonly counts: SendCounts = { sent: 0, failed: 0, kinesisRecords: 0, payloadUnits: 0 };
  /** Set once an accepted entry landed on a shard other than its predicted one. */
  shardMapChanged = false;
  private readonly lanes: LaneSender<PackedEntry>;

  /**
   * @param publisher - the stream adapter
   * @param rejects - where unsendable user records are kept
   * @param tunables - request limits, lanes and the retry policy
   * @param sleep - the retries' wait
   */
  constructor(
    private readonly publisher: RecordPublisher,
    private readonly rejects: RejectSink,
    private readonly tunables: SendTunables,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    // An aggregate's lane is its shard (its explicit hash key); a plain record's, its partition key.
    this.lanes = new LaneSender(
      tunables.maxInFlightRequests,
      tunables,
      (entry) => entry.explicitHashKey ?? entry.partitionKey,
      (batch) => this.send(batch),
    );
  }

  add(entry: PackedEntry): Promise<void> {
    return this.lanes.add(entry);
  }

  /** Sends every lane's partial batch now (used while pacing, so records are not held back). */
  flush(): Promise<void> {
    return this.lanes.flush();
  }

  /** Sends what is left and waits for every request. */
  drain(): Promise<void> {
    return this.lanes.drain();
  }

  private async send(batch: PackedEntry[]): Promise<void> {
    const report = await putWithRetries(this.publisher, batch, this.tunables, {
      sleep: this.sleep,
      random: Math.random,
      onAccepted: (entry, shardId) => {
        this.counts.sent += entry.userRecords.length;
        this.counts.kinesisRecords += 1;
        this.counts.payloadUnits += Math.ceil(sizeOf(entry) / PAYLOAD_UNIT_BYTES);
        if (entry.shardId !== undefined && shardId !== undefined && shardId !== entry.shardId) {
          this.shardMapChanged = true;
        }
      },
    });
    for (const { entry, errorCode, refused } of report.failed) {
      for (const record of entry.userRecords) {
        this.counts.failed += 1;
        await this.rejects.write({
          line: 0,
          reason: refused ? 'publish-refused' : 'publish-failed',
          detail: refused
            ? `Kinesis refused the record (${errorCode})`
            : `Kinesis did not accept the record after ${this.tunables.maxAttempts} attempts (${errorCode})`,
          raw: textOf(record),
        });
      }
    }
  }
}

function textOf(record: StreamEntry): string {
  return Buffer.from(record.data).toString('utf8');
}
