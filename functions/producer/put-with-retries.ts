/**
 * Puts a batch and retries what Kinesis did not accept, with exponential backoff and full jitter.
 *
 * Two budgets, because two different things can go wrong:
 * - Kinesis answers but does not take an entry (throttling, an internal failure of one entry), or
 *   refuses the request for its state (throttled as a whole, credentials): up to `maxAttempts`, then
 *   the entry counts as failed.
 * - Kinesis cannot be reached (a connection refused or reset, a timeout, a 5xx for the whole request):
 *   no attempt is counted; the request is retried for as long as the shared {@link StreamReachability}
 *   waits, and once it gives up, what was not accepted is handed back as `unsent` (neither sent nor
 *   failed: the replay stops and a later one resumes at it).
 *
 * A request Kinesis refuses as a whole because of one entry (a `ValidationException`: a partition key
 * or record beyond its limits) is not retried as it is: it is split in halves until the entry at fault
 * stands alone, so that only that entry is refused and every other one is sent.
 */
import type { RecordPublisher, StreamEntry } from '../shared/ports.js';
import { type StreamReachability, unreachableCause } from './stream-reachability.js';

export interface RetryPolicy {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
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
  /** Retry attempts made (0 when the first put was accepted whole). */
  retries: number;
}

export interface RetryDeps<T extends StreamEntry = StreamEntry> {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Told of each entry Kinesis accepted, with the shard it landed on (when the answer names it). */
  onAccepted?: (entry: T, shardId: string | undefined) => void;
  /**
   * The outage shared by the replay's lanes. Without it, an unreachable stream is retried within
   * `maxAttempts` like any other failure.
   */
  reachability?: StreamReachability;
  /** Once aborted, no request is started: what is not accepted is handed back as `unsent`. */
  stop?: AbortSignal;
}

const realDeps: RetryDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Whole-request errors caused by the request's content, not by the service's state. */
const REFUSED_REQUEST_ERRORS = new Set(['ValidationException', 'InvalidArgumentException']);

interface Pending<T> {
  entry: T;
  errorCode: string;
  maybeStored: boolean;
}

/**
 * @param publisher - the stream adapter
 * @param entries - one PutRecords-sized batch
 * @param policy - attempts and backoff bounds
 * @param deps - the wait, the jitter, the outage tracking and what to tell of accepted entries
 */
export async function putWithRetries<T extends StreamEntry>(
  publisher: RecordPublisher,
  entries: readonly T[],
  policy: RetryPolicy,
  deps: RetryDeps<T> = realDeps,
): Promise<PutReport<T>> {
  let pending: Pending<T>[] = entries.map((entry) => ({ entry, errorCode: '', maybeStored: false }));
  let retries = 0;
  let attempts = 0;
  let waits = 0;
  const report = (failed: FailedEntry<T>[], unsent: T[]): PutReport<T> => ({
    sent: entries.length - failed.length - unsent.length,
    failed,
    unsent,
    retries,
  });
  for (;;) {
    if (deps.stop?.aborted)
      return report(
        [],
        pending.map((item) => item.entry),
      );
    try {
      const outcome = await publisher.put(pending.map((item) => item.entry));
      deps.reachability?.reached();
      waits = 0;
      const failedAt = new Map(outcome.failed.map((failure) => [failure.index, failure.errorCode]));
      const next: Pending<T>[] = [];
      pending.forEach((item, index) => {
        const errorCode = failedAt.get(index);
        if (errorCode === undefined) deps.onAccepted?.(item.entry, outcome.shardIds?.[index]);
        else next.push({ ...item, errorCode });
      });
      pending = next;
      attempts += 1;
    } catch (error) {
      const errorCode = error instanceof Error ? error.name : 'UnknownError';
      if (REFUSED_REQUEST_ERRORS.has(errorCode)) {
        const isolated = await isolateRefused(publisher, pending, errorCode, policy, deps);
        return {
          ...isolated,
          sent: entries.length - pending.length + isolated.sent,
          retries: retries + isolated.retries,
        };
      }
      const outage = unreachableCause(error);
      // An error answered by Kinesis stored nothing; a lost answer may hide a stored record.
      pending = pending.map((item) => ({
        entry: item.entry,
        errorCode,
        maybeStored: item.maybeStored || (outage?.maybeStored ?? false),
      }));
      if (outage && deps.reachability) {
        // Not an attempt: the service is away, not refusing. Wait for it, or stop with the others.
        if (!deps.reachability.unreachable(outage.cause))
          return report(
            [],
            pending.map((item) => item.entry),
          );
        waits += 1;
        retries += 1;
        await deps.sleep(backoffMs(waits, policy, deps.random));
        continue;
      }
      attempts += 1;
    }
    if (pending.length === 0 || attempts >= policy.maxAttempts) break;
    retries += 1;
    await deps.sleep(backoffMs(attempts, policy, deps.random));
  }
  return report(
    pending.map((item) => ({ ...item, refused: false })),
    [],
  );
}

/** Halves a refused request until the refused entry is alone; each half gets its own attempts. */
async function isolateRefused<T extends StreamEntry>(
  publisher: RecordPublisher,
  pending: ReadonlyArray<Pending<T>>,
  errorCode: string,
  policy: RetryPolicy,
  deps: RetryDeps<T>,
): Promise<PutReport<T>> {
  const [only] = pending;
  if (pending.length === 1 && only) {
    return {
      sent: 0,
      failed: [{ entry: only.entry, errorCode, refused: true, maybeStored: false }],
      unsent: [],
      retries: 0,
    };
  }
  const half = Math.ceil(pending.length / 2);
  // In order: the first half settles before the second is sent, so each key keeps its order.
  const first = await putWithRetries(
    publisher,
    pending.slice(0, half).map((item) => item.entry),
    policy,
    deps,
  );
  const second = await putWithRetries(
    publisher,
    pending.slice(half).map((item) => item.entry),
    policy,
    deps,
  );
  return {
    sent: first.sent + second.sent,
    failed: [...first.failed, ...second.failed],
    unsent: [...first.unsent, ...second.unsent],
    retries: first.retries + second.retries,
  };
}

/**
 * Full jitter: uniform in [0, min(max, base * 2^(attempt-1))].
 *
 * @param attempt - 1 for the wait after the first failure
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}
