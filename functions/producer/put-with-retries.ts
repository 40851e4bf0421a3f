/**
 * Puts a batch and retries the entries Kinesis did not accept (throttling, internal failure), with
 * exponential backoff and full jitter, up to a bounded number of attempts.
 *
 * A request Kinesis refuses as a whole because of one entry (a `ValidationException`: a partition key
 * or record beyond its limits) is not retried as it is: it is split in halves until the entry at fault
 * stands alone, so that only that entry is refused and every other one is sent.
 */
import type { RecordPublisher, StreamEntry } from '../shared/ports.js';

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
}

export interface PutReport<T extends StreamEntry = StreamEntry> {
  /** Entries Kinesis accepted. */
  sent: number;
  /** Entries not accepted: refused, or still failing after the last attempt. */
  failed: FailedEntry<T>[];
  /** Retry attempts made (0 when the first put was accepted whole). */
  retries: number;
}

export interface RetryDeps<T extends StreamEntry = StreamEntry> {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Told of each entry Kinesis accepted, with the shard it landed on (when the answer names it). */
  onAccepted?: (entry: T, shardId: string | undefined) => void;
}

const realDeps: RetryDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Whole-request errors caused by the request's content, not by the service's state. */
const REFUSED_REQUEST_ERRORS = new Set(['ValidationException', 'InvalidArgumentException']);

/**
 * @param publisher - the stream adapter
 * @param entries - one PutRecords-sized batch
 * @param policy - attempts and backoff bounds
 */
export async function putWithRetries<T extends StreamEntry>(
  publisher: RecordPublisher,
  entries: readonly T[],
  policy: RetryPolicy,
  deps: RetryDeps<T> = realDeps,
): Promise<PutReport<T>> {
  let pending = entries.map((entry) => ({ entry, errorCode: '' }));
  let retries = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const outcome = await publisher.put(pending.map((item) => item.entry));
      const failedAt = new Set(outcome.failed.map((failure) => failure.index));
      pending.forEach((item, index) => {
        if (!failedAt.has(index)) deps.onAccepted?.(item.entry, outcome.shardIds?.[index]);
      });
      pending = outcome.failed.flatMap(({ index, errorCode }) => {
        const item = pending[index];
        return item ? [{ entry: item.entry, errorCode }] : [];
      });
    } catch (error) {
      const errorCode = error instanceof Error ? error.name : 'UnknownError';
      if (REFUSED_REQUEST_ERRORS.has(errorCode)) {
        const isolated = await isolateRefused(publisher, pending, errorCode, policy, deps);
        const settled = entries.length - pending.length;
        return { ...isolated, sent: settled + isolated.sent, retries: retries + isolated.retries };
      }
      // The whole request failed (network, throttled as a whole): every pending entry is retried.
      pending = pending.map((item) => ({ entry: item.entry, errorCode }));
    }
    if (pending.length === 0 || attempt >= policy.maxAttempts) break;
    retries += 1;
    await deps.sleep(backoffMs(attempt, policy, deps.random));
  }
  return {
    sent: entries.length - pending.length,
    failed: pending.map((item) => ({ ...item, refused: false })),
    retries,
  };
}

/** Halves a refused request until the refused entry is alone; each half gets its own attempts. */
async function isolateRefused<T extends StreamEntry>(
  publisher: RecordPublisher,
  pending: ReadonlyArray<{ entry: T }>,
  errorCode: string,
  policy: RetryPolicy,
  deps: RetryDeps<T>,
): Promise<PutReport<T>> {
  const [only] = pending;
  if (pending.length === 1 && only)
    return { sent: 0, failed: [{ entry: only.entry, errorCode, refused: true }], retries: 0 };
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
    retries: first.retries + second.retries,
  };
}

/** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}
