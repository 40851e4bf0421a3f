/**
 * The one way the pipeline tries something again: a bounded number of attempts, waits that grow
 * exponentially with full jitter (uniform in [0, min(maxDelayMs, baseDelayMs × 2^(n−1))], so callers
 * that failed together do not come back together), an abort signal that cuts a wait short, a
 * predicate for what is worth another attempt, and a hook told before each wait.
 *
 * Each loop keeps its own bounds, in `settings.ts` beside what they bound.
 */

/** How often, and how patiently, to try. */
export interface RetryPolicy {
  /** Attempts, the first included; `Infinity` leaves the end to the predicate or the signal. */
  readonly attempts: number;
  /** Ceiling of the wait after the first failure; it doubles after each further one. */
  readonly baseDelayMs: number;
  /** The largest ceiling. */
  readonly maxDelayMs: number;
}

/** What `onRetry` is told before a wait. */
export interface RetryEvent {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** How long the wait before the next one is. */
  delayMs: number;
  error: unknown;
}

export interface RetryOptions {
  /** Aborted: no attempt starts any more and a wait ends at once; the signal's reason is thrown. */
  signal?: AbortSignal | undefined;
  /** Whether the failure of `attempt` is worth another one. @default every failure is */
  retryable?: (error: unknown, attempt: number) => boolean;
  /** Told before each wait (a log line, a progress note, a count). */
  onRetry?: (event: RetryEvent) => void;
  /** The jitter's source, in [0, 1). @default Math.random */
  random?: () => number;
  /** The wait. @default a timer the signal cuts short */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs `work` until it succeeds, its failure is not retryable, the attempts are spent or the signal
 * is aborted.
 *
 * @param work - one attempt; told its number (1 for the first)
 * @param policy - attempts and the bounds of the waits
 * @param options - signal, predicate, hook, and the jitter and wait (injected by tests)
 * @returns what the successful attempt returned
 * @throws the last attempt's error, or the signal's reason once it is aborted between attempts
 * @example
 * const report = await retry(() => applyMigrations(db, migrations), settings.database.migrationRetry, {
 *   retryable: (error) => error instanceof DatabaseUnavailableError,
 *   onRetry: ({ attempt, error }) => logger.warn('database unavailable; retrying', { attempt, error }),
 * });
 */
export async function retry<T>(
  work: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  options: RetryOptions = {},
): Promise<T> {
  const { signal, retryable = () => true, random = Math.random, sleep = pause } = options;
  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || signal?.aborted || !retryable(error, attempt)) throw error;
      const delayMs = backoffDelayMs(attempt, policy, random);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, signal);
    }
  }
}

/**
 * The wait after the `attempt`-th failure: full jitter, uniform in [0, min(max, base × 2^(attempt−1))].
 *
 * @param attempt - 1 for the wait after the first failure
 */
function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/** A timer that an abort ends early (resolving: the caller's next step sees the signal). */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
