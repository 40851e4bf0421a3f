/**
 * Puts a batch and retries the entries Kinesis did not accept (throttling, internal failure), with
 * exponential backoff and full jitter, up to a bounded number of attempts.
 */
import type { RecordPublisher, StreamEntry } from '../shared/ports.js';

export interface RetryPolicy {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface PutReport {
  /** Entries Kinesis accepted. */
  sent: number;
  /** Entries still not accepted after the last attempt, with the last error seen for each. */
  failed: Array<{ entry: StreamEntry; errorCode: string }>;
  /** Retry attempts made (0 when the first put was accepted whole). */
  retries: number;
}

export interface RetryDeps {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

const realDeps: RetryDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * @param publisher - the stream adapter
 * @param entries - one PutRecords-sized batch
 * @param policy - attempts and backoff bounds
 */
export async function putWithRetries(
  publisher: RecordPublisher,
  entries: readonly StreamEntry[],
  policy: RetryPolicy,
  deps: RetryDeps = realDeps,
): Promise<PutReport> {
  let pending = entries.map((entry) => ({ entry, errorCode: '' }));
  let retries = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const outcome = await publisher.put(pending.map((item) => item.entry));
      pending = outcome.failed.flatMap(({ index, errorCode }) => {
        const item = pending[index];
        return item ? [{ entry: item.entry, errorCode }] : [];
      });
    } catch (error) {
      // The whole request failed (network, throttled as a whole): every pending entry is retried.
      const errorCode = error instanceof Error ? error.name : 'UnknownError';
      pending = pending.map((item) => ({ entry: item.entry, errorCode }));
    }
    if (pending.length === 0 || attempt >= policy.maxAttempts) break;
    retries += 1;
    await deps.sleep(backoffMs(attempt, policy, deps.random));
  }
  return { sent: entries.length - pending.length, failed: pending, retries };
}

/** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}
