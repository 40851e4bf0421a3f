/**
 * The producer's core: reads a CSV's validated rows (commit-row.ts), makes each its stream record, packs
 * them into Kinesis records (KPL aggregates per shard by default, record-packer.ts), sends them in put
 * requests at the chosen pace (stream-sender.ts), keeps every row it could not send, and reports what
 * happened.
 *
 * When the stream stays unreachable past `unreachableWaitSeconds` (or the caller asks it to stop), the
 * replay stops cleanly: it reads no further, lets the requests in flight settle, and reports the line
 * to resume from (resume-point.ts). Either way it ends by removing from the reject lists that earlier
 * runs of the same source left the rows it has read again: its own list is the verdict on them.
 */
import type { Readable } from 'node:stream';
import { ConfigurationError } from '../shared/errors.js';
import type { ShardMap, ShardMapCache } from '../shared/kinesis-aggregation/shard-map.js';
import type { RecordPublisher } from '../shared/ports.js';
import type { RetryPolicy } from '../shared/retry.js';
import { settings } from '../shared/settings.js';
import { readCommitRows, type SourceRow, toCommitRecord } from './commit-row.js';
import type { CsvEncoding } from './csv-encoding.js';
import { createPacer, type Pacing } from './pacer.js';
import {
  AggregatingPacker,
  entrySizeOf,
  type PackedEntry,
  PlainPacker,
  type RecordPacker,
  userRecordOf,
} from './record-packer.js';
import type { RejectedRow, RejectSink } from './reject-sinks.js';
import { ResumePoint } from './resume-point.js';
import { type Outage, StreamReachability } from './stream-reachability.js';
import { StreamSender } from './stream-sender.js';

export interface ReplayResult {
  /** Data rows read (header excluded), valid or not. */
  read: number;
  /** User records (commits) Kinesis accepted. */
  sent: number;
  /** Rows that failed validation. */
  rejected: number;
  /** Rejected rows by their reason (reject-reasons.ts); a reason that did not occur is absent. */
  rejectedByReason: Record<string, number>;
  /** Valid records Kinesis did not accept within the retry budget (kept with the rejections). */
  failed: number;
  /** Kinesis records accepted: aggregates and plain records (equals `sent` without aggregation). */
  kinesisRecords: number;
  /** PUT payload units (25 KB each) of the accepted Kinesis records. */
  payloadUnits: number;
  durationMs: number;
  recordsPerSecond: number;
  /**
   * Set when the replay stopped before the end of its input: why, and the line to resume from (every
   * row before it is stored or kept in the reject list; replaying from it loses nothing, and what it
   * sends again is counted once).
   */
  stopped?: ReplayStop;
  /** Rows removed from the reject lists of earlier runs of the same source, because this run read them again. */
  supersededRejects: number;
}

/** Why a replay stopped early, and where to resume it. */
export interface ReplayStop {
  reason: string;
  resumeFromLine: number;
}

export type ReplayProgress = Pick<ReplayResult, 'read' | 'sent' | 'rejected' | 'failed'> & {
  /** Set while Kinesis cannot be reached and the replay waits for it. */
  waitingForStream?: Outage;
};

/** The producer tunables of the shared settings, widened so tests can vary them. */
export interface ProducerTunables {
  maxRecordsPerRequest: number;
  maxBytesPerRequest: number;
  maxBytesPerRecord: number;
  maxInFlightRequests: number;
  putRetry: RetryPolicy;
  unreachableWaitSeconds: number;
  progressIntervalMs: number;
  aggregation: {
    enabled: boolean;
    maxAggregateBytes: number;
    maxBytesPerRequest: number;
  };
}

export interface ReplayOptions {
  pacing?: Pacing;
  /** Stop after this many data rows. */
  limit?: number;
  /**
   * The first line the rows come from (they are read from it on, see `readCommitRows`): where the
   * resume point starts, and the first line this run supersedes in earlier reject lists. @default 1
   */
  fromLine?: number;
  /** Aborted to stop the replay early (e.g. before a Lambda timeout); its reason is reported. */
  signal?: AbortSignal;
  producer?: ProducerTunables;
  /** Override of `producer.aggregation.enabled` (e.g. for consumers that cannot de-aggregate). */
  aggregate?: boolean;
  onProgress?: (progress: ReplayProgress) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface ReplayDeps {
  publisher: RecordPublisher;
  rejects: RejectSink;
  /** The stream's shard map, needed to aggregate (records are packed per shard). */
  shardMaps?: Pick<ShardMapCache, 'get' | 'invalidate'>;
}

/** How to read and replay one CSV. */
export interface ReplayCsvOptions extends ReplayOptions {
  /** @default 'utf-8' */
  encoding?: CsvEncoding | undefined;
}

/**
 * Replays one CSV onto the stream: its rows from `fromLine` on, read in its encoding.
 *
 * @param input - the CSV bytes (a file or an S3 object stream)
 * @param deps - the stream publisher, where unsendable rows go, and the shard map
 * @param options - encoding and the options of {@link replayRows}
 */
export function replayCsv(
  input: Readable,
  deps: ReplayDeps,
  options: ReplayCsvOptions = {},
): Promise<ReplayResult> {
  const rows = readCommitRows(input, { encoding: options.encoding, fromLine: options.fromLine });
  return replayRows(rows, deps, options);
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Replays rows onto the stream.
 *
 * @param rows - chunks of validated rows in file order, e.g. from `readCommitRows`
 * @param deps - the stream publisher, where unsendable rows go, and the shard map
 * @param options - pacing, row limit, aggregation, tunables (default: the shared settings) and a
 *   progress callback
 */
export async function replayRows(
  rows: AsyncIterable<readonly SourceRow[]>,
  deps: ReplayDeps,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const tunables: ProducerTunables = options.producer ?? settings.producer;
  const aggregation = (options.aggregate ?? tunables.aggregation.enabled) ? tunables.aggregation : undefined;
  if (aggregation && !deps.shardMaps)
    throw new ConfigurationError("aggregation needs the stream's shard map");
  const sleep = options.sleep ?? sleepMs;
  const pacer = createPacer(options.pacing ?? { mode: 'max' });
  const started = performance.now();
  const read = { rows: 0, rejected: 0, rejectedByReason: {} as Record<string, number> };
  const fromLine = options.fromLine ?? 1;
  const resumePoint = new ResumePoint(fromLine);
  const stop = new AbortController();
  const stopAsked = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) stopAsked();
  options.signal?.addEventListener('abort', stopAsked, { once: true });
  const reachability = new StreamReachability(tunables.unreachableWaitSeconds * 1000, () => {
    if (reachability.gaveUp && !stop.signal.aborted) stop.abort(reachability.gaveUp);
    reportProgress(true);
  });
  const sender = new StreamSender(
    deps.publisher,
    // One shard takes 1 MiB/s on AWS: an aggregated request is kept near that, not at the 5 MiB limit.
    aggregation ? { ...tunables, maxBytesPerRequest: aggregation.maxBytesPerRequest } : tunables,
    { rejects: deps.rejects, resumePoint, reachability, stop: stop.signal, sleep },
  );

  let shardMap: ShardMap | undefined;
  const newPacker = async (): Promise<RecordPacker> => {
    if (!aggregation || !deps.shardMaps) return new PlainPacker();
    shardMap = await deps.shardMaps.get();
    return new AggregatingPacker(shardMap, aggregation.maxAggregateBytes);
  };
  let packer = await newPacker();
  const send = async (entries: PackedEntry[]) => {
    for (const entry of entries) await sender.add(entry);
  };

  const reject = async (row: RejectedRow) => {
    read.rejected += 1;
    read.rejectedByReason[row.reason] = (read.rejectedByReason[row.reason] ?? 0) + 1;
    await deps.rejects.write(row);
  };

  const progress = (): ReplayProgress => ({
    read: read.rows,
    sent: sender.counts.sent,
    rejected: read.rejected,
    failed: sender.counts.failed,
    waitingForStream: reachability.current,
  });
  let lastProgressAt = 0;
  function reportProgress(force = false) {
    const now = performance.now();
    if (!options.onProgress || (!force && now - lastProgressAt < tunables.progressIntervalMs)) return;
    lastProgressAt = now;
    options.onProgress(progress());
  }

  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let cutShort = false;
  try {
    reading: for await (const chunk of rows) {
      // One reading time per chunk of rows: they were read together.
      const ingestedAt = new Date().toISOString();
      for (const item of chunk) {
        if (read.rows >= limit) break reading;
        if (stop.signal.aborted) {
          cutShort = true;
          break reading;
        }
        read.rows += 1;
        reportProgress();
        if (!item.ok) {
          const { line, reason, detail, raw, rawBase64 } = item;
          await reject({ line, reason, detail, raw, rawBase64 });
          resumePoint.passed(item.line);
          continue;
        }
        const entry = userRecordOf(toCommitRecord(item.row, ingestedAt), item.line);
        if (entrySizeOf(entry) > tunables.maxBytesPerRecord) {
          const detail = `record exceeds ${tunables.maxBytesPerRecord} bytes`;
          await reject({ line: item.line, reason: 'record-too-large', detail, raw: '' });
          resumePoint.passed(item.line);
          continue;
        }
        resumePoint.pending(item.line);
        if (sender.shardMapChanged && shardMap) {
          // Resharded: what is packed goes as it is, then records are routed by the new map.
          await send(packer.flush());
          deps.shardMaps?.invalidate(shardMap);
          sender.shardMapChanged = false;
          packer = await newPacker();
        }
        const wait = pacer.delayBefore(item.row.time);
        if (wait > 0) {
          // Do not hold records back in half-full aggregates or put requests while pacing.
          await send(packer.flush());
          await sender.flush();
          await sleep(wait);
        }
        const ready = packer.add(entry);
        if (ready.length > 0) await send(ready);
      }
    }
    if (stop.signal.aborted) await sender.settle();
    else {
      await send(packer.flush());
      await sender.drain();
    }
  } finally {
    options.signal?.removeEventListener('abort', stopAsked);
    await deps.rejects.close();
  }
  const stopped: ReplayStop | undefined =
    stop.signal.aborted && (cutShort || !resumePoint.allSettled)
      ? { reason: String(stop.signal.reason ?? 'stopped'), resumeFromLine: resumePoint.line }
      : undefined;
  // This run's list is the verdict on every line it settled: earlier lists give those lines up.
  const lastJudged = stopped ? stopped.resumeFromLine - 1 : resumePoint.lastLineRead;
  const supersededRejects =
    lastJudged >= fromLine ? await deps.rejects.supersedeEarlier({ from: fromLine, to: lastJudged }) : 0;
  reportProgress(true);

  const durationMs = Math.round(performance.now() - started);
  const { sent, failed, kinesisRecords, payloadUnits } = sender.counts;
  return {
    read: read.rows,
    sent,
    rejected: read.rejected,
    rejectedByReason: read.rejectedByReason,
    failed,
    kinesisRecords,
    payloadUnits,
    durationMs,
    recordsPerSecond: durationMs > 0 ? Math.round((sent * 1000) / durationMs) : sent,
    ...(stopped && { stopped }),
    supersededRejects,
  };
}
