/**
 * Sends packed entries to the stream in put requests (PutRecords calls): over parallel lanes that keep
 * each ordering key in order, each request retried until every entry in it is accepted, refused or out
 * of attempts. Counts what was accepted in user records, Kinesis records and PUT payload units, keeps
 * the user records of every entry that could not be sent, settles each row's line in the resume point,
 * and notices when Kinesis put an entry on another shard than the map predicted (a reshard).
 *
 * Order. Kinesis keeps a shard's records in arrival order, so two requests holding the same key (a
 * partition key, or a shard for aggregates) are never in flight at once. Every key is hashed to one
 * lane; a lane fills its own request and sends one at a time, and the lanes run in parallel. A full
 * lane whose previous request is still in flight makes `add` wait, which bounds memory and pushes back
 * on the reader.
 *
 * Retries (`putWithRetries`), with two budgets because two different things can go wrong:
 * - Kinesis answers but does not take an entry (throttling, an internal failure of one entry), or
 *   refuses the request for its state (throttled as a whole, credentials): up to `putRetry.attempts`,
 *   then the entry counts as failed.
 * - Kinesis cannot be reached (a connection refused or reset, a timeout, a 5xx for the whole request):
 *   no attempt is counted; the request is retried for as long as the shared {@link StreamReachability}
 *   waits, and once it gives up, what was not accepted is handed back as `unsent` (neither sent nor
 *   failed: the replay stops and a later one resumes at it).
 * A request Kinesis refuses as a whole because of one entry (a `ValidationException`: a partition key
 * or record beyond its limits) is not retried as it is: it is split in halves until the entry at fault
 * stands alone, so that only that entry is refused and every other one is sent.
 */

import { fnv1a } from '../shared/fnv1a.js';
import { landedElsewhere } from '../shared/kinesis-aggregation/shard-map.js';
import type { PutOutcome, RecordPublisher, StreamEntry } from '../shared/ports.js';
import { type RetryPolicy, retry } from '../shared/retry.js';
import { entrySizeOf, type PackedEntry } from './record-packer.js';
import type { RejectSink } from './reject-sinks.js';
import type { ResumePoint } from './resume-point.js';
import { type StreamReachability, unreachableCause } from './stream-reachability.js';

/** Kinesis bills PUTs in units of 25 KB of each record's payload. */
const PAYLOAD_UNIT_BYTES = 25 * 1024;

export interface SendTunables {
  maxRecordsPerRequest: number;
  maxBytesPerRequest: number;
  /** Lanes: put requests in flight at most. */
  maxInFlightRequests: number;
  putRetry: RetryPolicy;
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
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One lane: the put request it is filling, and the one it has in flight. */
interface Lane {
  entries: PackedEntry[];
  bytes: number;
  sending: Promise<void>;
}

export class StreamSender {
  readonly counts: SendCounts = { sent: 0, failed: 0, kinesisRecords: 0, payloadUnits: 0 };
  /** Set once an accepted entry landed on a shard other than its predicted one. */
  shardMapChanged = false;
  private readonly lanes: Lane[];
  private failure: { error: unknown } | undefined;

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
    this.lanes = Array.from({ length: Math.max(1, tunables.maxInFlightRequests) }, () => ({
      entries: [],
      bytes: 0,
      sending: Promise.resolve(),
    }));
  }

  /** Adds an entry to its lane's request; sends the request it fills up (each entry fits one alone). */
  async add(entry: PackedEntry): Promise<void> {
    // An aggregate's lane is its shard (its explicit hash key); a plain record's, its partition key.
    const lane = this.laneOf(entry.explicitHashKey ?? entry.partitionKey);
    const size = entrySizeOf(entry);
    const full =
      lane.entries.length >= this.tunables.maxRecordsPerRequest ||
      lane.bytes + size > this.tunables.maxBytesPerRequest;
    const request = full ? this.take(lane) : undefined;
    lane.entries.push(entry);
    lane.bytes += size;
    if (request) await this.dispatch(lane, request);
  }

  /** Sends every lane's partial request now (used while pacing, so records are not held back). */
  async flush(): Promise<void> {
    for (const lane of this.lanes) {
      const request = this.take(lane);
      if (request) await this.dispatch(lane, request);
    }
  }

  /** Sends what is left and waits for every request. */
  async drain(): Promise<void> {
    await this.flush();
    await this.settle();
  }

  /** Waits for the requests in flight and sends nothing more (the replay is stopping). */
  async settle(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.sending));
    this.throwIfFailed();
  }

  /** The lane's request, now closed; undefined when it holds nothing. */
  private take(lane: Lane): PackedEntry[] | undefined {
    if (lane.entries.length === 0) return undefined;
    const request = lane.entries;
    lane.entries = [];
    lane.bytes = 0;
    return request;
  }

  /** Sends a request once the lane's previous one settled; a send's failure is rethrown by the next call. */
  private async dispatch(lane: Lane, request: PackedEntry[]): Promise<void> {
    await lane.sending;
    this.throwIfFailed();
    lane.sending = this.send(request).catch((error: unknown) => {
      this.failure ??= { error };
    });
  }

  private async send(request: PackedEntry[]): Promise<void> {
    const { resumePoint, rejects } = this.deps;
    const report = await putWithRetries(this.publisher, request, this.tunables.putRetry, {
      sleep: this.deps.sleep,
      reachability: this.deps.reachability,
      stop: this.deps.stop,
      onAccepted: (entry, shardId) => {
        this.counts.sent += entry.userRecords.length;
        this.counts.kinesisRecords += 1;
        this.counts.payloadUnits += Math.ceil(entrySizeOf(entry) / PAYLOAD_UNIT_BYTES);
        for (const record of entry.userRecords) resumePoint.settled(record.line);
        if (landedElsewhere(entry.shardId, shardId)) this.shardMapChanged = true;
      },
    });
    for (const { entry, errorCode, refused, maybeStored } of report.failed) {
      const detail = refused
        ? `Kinesis refused the record (${errorCode})`
        : `Kinesis did not accept the record after ${this.tunables.putRetry.attempts} attempts (${errorCode})` +
          (maybeStored ? '; an answer was lost on the way, so Kinesis may hold it after all' : '');
      for (const record of entry.userRecords) {
        this.counts.failed += 1;
        await rejects.write({
          line: record.line,
          reason: refused ? 'publish-refused' : 'publish-failed',
          detail,
          raw: Buffer.from(record.data).toString('utf8'),
        });
        resumePoint.settled(record.line);
      }
    }
  }

  private laneOf(key: string): Lane {
    return this.lanes[fnv1a(key) % this.lanes.length] as Lane;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}

export interface FailedEntry<T extends StreamEntry = StreamEntry> {
  entry: T;
  /** The last error seen for the entry, e.g. `ProvisionedThroughputExceededException`. */
  errorCode: string;
  /** True when Kinesis refused the entry itself (retrying cannot help); false when attempts ran out. */
  refused: boolean;
  /** True when an attempt's answer was lost (a reset, a timeout, a 5xx): Kinesis may hold the entry. */
  maybeStored: boolean;
}

export interface PutReport<T extends StreamEntry = StreamEntry> {
  /** Entries Kinesis accepted. */
  sent: number;
  /** Entries not accepted: refused, or still failing after the last attempt. */
  failed: FailedEntry<T>[];
  /** Entries not accepted when the retries stopped (the stream unreachable too long, or a stop asked for). */
  unsent: T[];
}

export interface PutDeps<T extends StreamEntry = StreamEntry> {
  /** @default a timer that `stop` cuts short */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The jitter's source. @default Math.random */
  random?: () => number;
  /** Told of each entry Kinesis accepted, with the shard it landed on (when the answer names it). */
  onAccepted?: (entry: T, shardId: string | undefined) => void;
  /**
   * The outage shared by the replay's lanes. Without it, an unreachable stream is retried within
   * `attempts` like any other failure.
   */
  reachability?: StreamReachability;
  /** Once aborted, no request is started: what is not accepted is handed back as `unsent`. */
  stop?: AbortSignal;
}

/** Whole-request errors caused by the request's content, not by the service's state. */
const REFUSED_REQUEST_ERRORS = new Set(['ValidationException', 'InvalidArgumentException']);

/** Thrown by an attempt that Kinesis answered without taking every entry: the others are tried again. */
class EntriesNotAccepted extends Error {}

interface Pending<T> {
  entry: T;
  errorCode: string;
  maybeStored: boolean;
}

/**
 * Puts one request and retries what Kinesis did not accept (see the module's header).
 *
 * @param publisher - the stream adapter
 * @param entries - one put request's entries
 * @param policy - attempts and backoff bounds (`settings.producer.putRetry`)
 * @param deps - the wait, the jitter, the outage tracking, the stop and what to tell of accepted entries
 */
export async function putWithRetries<T extends StreamEntry>(
  publisher: RecordPublisher,
  entries: readonly T[],
  policy: RetryPolicy,
  deps: PutDeps<T> = {},
): Promise<PutReport<T>> {
  let pending: Pending<T>[] = entries.map((entry) => ({ entry, errorCode: '', maybeStored: false }));
  let attemptsSpent = false;
  const { sleep, random, stop: signal } = deps;
  // With an outage tracked, an unreachable stream is never an attempt: here, its wait is over.
  const waitedOut = (error: unknown) =>
    deps.reachability !== undefined && unreachableCause(error) !== undefined;
  try {
    await retry(
      async (attempt) => {
        attemptsSpent = attempt >= policy.attempts;
        const outcome = await putReachingStream(publisher, pending, policy, deps);
        pending = acceptedRemoved(pending, outcome, deps.onAccepted);
        if (pending.length > 0) throw new EntriesNotAccepted();
      },
      policy,
      {
        signal,
        sleep,
        random,
        retryable: (error) => !REFUSED_REQUEST_ERRORS.has(errorCodeOf(error)) && !waitedOut(error),
      },
    );
    return { sent: entries.length, failed: [], unsent: [] };
  } catch (error) {
    const sent = entries.length - pending.length;
    const errorCode = errorCodeOf(error);
    if (REFUSED_REQUEST_ERRORS.has(errorCode)) {
      const isolated = await isolateRefused(publisher, pending, errorCode, policy, deps);
      return { ...isolated, sent: sent + isolated.sent };
    }
    // Stopped before the attempts ran out, or the outage waited out: not sent, not failed either.
    if (waitedOut(error) || (signal?.aborted && !attemptsSpent)) {
      return { sent, failed: [], unsent: pending.map((item) => item.entry) };
    }
    return { sent, failed: pending.map((item) => ({ ...item, refused: false })), unsent: [] };
  }
}

/**
 * One put that got an answer. While the stream cannot be reached no attempt is counted: the service is
 * away, not refusing; the put is waited for as long as the shared outage allows.
 */
function putReachingStream<T extends StreamEntry>(
  publisher: RecordPublisher,
  pending: ReadonlyArray<Pending<T>>,
  policy: RetryPolicy,
  deps: PutDeps<T>,
): Promise<PutOutcome> {
  const { reachability, sleep, random, stop: signal } = deps;
  return retry(
    async () => {
      try {
        const outcome = await publisher.put(pending.map((item) => item.entry));
        reachability?.reached();
        return outcome;
      } catch (error) {
        // An error answered by Kinesis stored nothing; a lost answer may hide a stored record.
        const lost = unreachableCause(error)?.maybeStored ?? false;
        for (const item of pending) {
          item.errorCode = errorCodeOf(error);
          item.maybeStored ||= lost;
        }
        throw error;
      }
    },
    { ...policy, attempts: Number.POSITIVE_INFINITY },
    {
      signal,
      sleep,
      random,
      retryable: (error) => {
        const outage = unreachableCause(error);
        return outage !== undefined && (reachability?.unreachable(outage.cause) ?? false);
      },
    },
  );
}

/** The entries of `pending` Kinesis did not take, with their error; the accepted ones are told of. */
function acceptedRemoved<T extends StreamEntry>(
  pending: ReadonlyArray<Pending<T>>,
  outcome: PutOutcome,
  onAccepted: PutDeps<T>['onAccepted'],
): Pending<T>[] {
  const failedAt = new Map(outcome.failed.map((failure) => [failure.index, failure.errorCode]));
  const next: Pending<T>[] = [];
  pending.forEach((item, index) => {
    const errorCode = failedAt.get(index);
    if (errorCode === undefined) onAccepted?.(item.entry, outcome.shardIds?.[index]);
    else next.push({ ...item, errorCode });
  });
  return next;
}

/** Halves a refused request until the refused entry is alone; each half gets its own attempts. */
async function isolateRefused<T extends StreamEntry>(
  publisher: RecordPublisher,
  pending: ReadonlyArray<Pending<T>>,
  errorCode: string,
  policy: RetryPolicy,
  deps: PutDeps<T>,
): Promise<PutReport<T>> {
  const [only] = pending;
  if (pending.length === 1 && only) {
    return {
      sent: 0,
      failed: [{ entry: only.entry, errorCode, refused: true, maybeStored: false }],
      unsent: [],
    };
  }
  const half = Math.ceil(pending.length / 2);
  const entries = pending.map((item) => item.entry);
  // In order: the first half settles before the second is sent, so each key keeps its order.
  const first = await putWithRetries(publisher, entries.slice(0, half), policy, deps);
  const second = await putWithRetries(publisher, entries.slice(half), policy, deps);
  return {
    sent: first.sent + second.sent,
    failed: [...first.failed, ...second.failed],
    unsent: [...first.unsent, ...second.unsent],
  };
}

function errorCodeOf(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}
