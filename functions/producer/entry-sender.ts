/**
 * Sends packed entries to the stream: PutRecords batches over parallel lanes (one shard's aggregates,
 * or one partition key, per lane, so order holds), each batch retried until accepted or out of
 * attempts. Counts what was accepted in user records, Kinesis records and PUT payload units, keeps the
 * user records of every entry that could not be sent, settles each row's line in the resume point, and
 * notices when Kinesis put an entry on another shard than the map predicted (the stream was resharded).
 *
 * While the stream is unreachable every lane waits (see put-with-retries.ts); once it has been so for
 * too long, or a stop is asked for, the sender stops: what was not accepted stays unsettled, and the
 * replay resumes there later.
 */

import type { RecordPublisher } from '../shared/ports.js';
import { LaneSender } from './lane-sender.js';
import { putWithRetries, type RetryPolicy } from './put-with-retries.js';
import type { PackedEntry } from './record-packer.js';
import type { RejectSink } from './reject-sinks.js';
import type { ResumePoint } from './resume-point.js';
import { sizeOf, type UserRecord } from './stream-entry.js';
import type { StreamReachability } from './stream-reachability.js';

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

/** What the sender works with besides the stream. */
export interface SendDeps {
  /** Where unsendable user records are kept. */
  rejects: RejectSink;
  /** Told of every row that is stored or finally rejected. */
  resumePoint: ResumePoint;
  /** The outage shared by the lanes. */
  reachability: StreamReachability;
  /** Aborted when the replay must stop (the stream given up on, or a deadline). */
  stop: AbortSignal;
  /** The retries' wait. */
  sleep: (ms: number) => Promise<void>;
}

export class EntrySender {
  readonly counts: SendCounts = { sent: 0, failed: 0, kinesisRecords: 0, payloadUnits: 0 };
  /** Set once an accepted entry landed on a shard other than its predicted one. */
  shardMapChanged = false;
  private readonly lanes: LaneSender<PackedEntry>;

  /**
   * @param publisher - the stream adapter
   * @param tunables - request limits, lanes and the retry policy
   * @param deps - rejects, resume point, outage, stop and wait
   */
  constructor(
    private readonly publisher: RecordPublisher,
    private readonly tunables: SendTunables,
    private readonly deps: SendDeps,
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

  /** Waits for the requests in flight and sends nothing more (the replay is stopping). */
  settle(): Promise<void> {
    return this.lanes.settle();
  }

  private async send(batch: PackedEntry[]): Promise<void> {
    const { resumePoint, rejects } = this.deps;
    const report = await putWithRetries(this.publisher, batch, this.tunables, {
      sleep: this.deps.sleep,
      random: Math.random,
      reachability: this.deps.reachability,
      stop: this.deps.stop,
      onAccepted: (entry, shardId) => {
        this.counts.sent += entry.userRecords.length;
        this.counts.kinesisRecords += 1;
        this.counts.payloadUnits += Math.ceil(sizeOf(entry) / PAYLOAD_UNIT_BYTES);
        for (const record of entry.userRecords) resumePoint.settled(record.line);
        if (entry.shardId !== undefined && shardId !== undefined && shardId !== entry.shardId) {
          this.shardMapChanged = true;
        }
      },
    });
    for (const { entry, errorCode, refused, maybeStored } of report.failed) {
      const detail = refused
        ? `Kinesis refused the record (${errorCode})`
        : `Kinesis did not accept the record after ${this.tunables.maxAttempts} attempts (${errorCode})` +
          (maybeStored ? '; an answer was lost on the way, so Kinesis may hold it after all' : '');
      for (const record of entry.userRecords) {
        this.counts.failed += 1;
        await rejects.write({
          line: record.line,
          reason: refused ? 'publish-refused' : 'publish-failed',
          detail,
          raw: textOf(record),
        });
        resumePoint.settled(record.line);
      }
    }
  }
}

function textOf(record: UserRecord): string {
  return Buffer.from(record.data).toString('utf8');
}
