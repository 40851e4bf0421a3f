import { describe, expect, it } from 'vitest';
import { type RetryEvent, retry } from '../../../../functions/shared/retry.js';

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

/** Fails the first `times` attempts with `error`, then answers the attempt's number. */
function failingFor(times: number, error: () => unknown = () => new Error('not yet')) {
  const attempts: number[] = [];
  return {
    attempts,
    work: async (attempt: number) => {
      attempts.push(attempt);
      if (attempts.length <= times) throw error();
      return attempt;
    },
  };
}

/** Waits that only record their length. */
function recordedWaits() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe('retry', () => {
  it('tries again after each failure until an attempt succeeds, and returns its result', async () => {
    const { attempts, work } = failingFor(2);
    const { waits, sleep } = recordedWaits();

    await expect(retry(work, policy, { sleep, random: () => 0.5 })).resolves.toBe(3);
    expect(attempts).toEqual([1, 2, 3]);
    expect(waits).toHaveLength(2);
  });

  it('makes at most `attempts` attempts, then throws the last error', async () => {
    let failures = 0;
    const work = async () => {
      failures += 1;
      throw new Error(`failure ${failures}`);
    };

    await expect(retry(work, policy, recordedWaits())).rejects.toThrow('failure 4');
    expect(failures).toBe(policy.attempts);
  });

  it('waits a full jitter of the doubling ceiling: 0 with the lowest random value, the ceiling with the highest', async () => {
    for (const [random, expected] of [
      [() => 0, [0, 0, 0]],
      [() => 0.999_999, [100, 200, 400]],
      [() => 0.5, [50, 100, 200]],
    ] as const) {
      const { waits, sleep } = recordedWaits();
      await retry(failingFor(3).work, policy, { sleep, random });
      expect(waits).toEqual(expected);
    }
  });

  it('never waits longer than maxDelayMs however many attempts failed', async () => {
    const { waits, sleep } = recordedWaits();
    await retry(failingFor(9).work, { ...policy, attempts: 10 }, { sleep, random: () => 0.999_999 });
    expect(waits).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000, 1_000]);
  });

  it('throws at once a failure the predicate says is not worth another attempt', async () => {
    const permanent = new TypeError('refused');
    const { attempts, work } = failingFor(5, () => permanent);
    const seen: Array<[unknown, number]> = [];

    await expect(
      retry(work, policy, {
        ...recordedWaits(),
        retryable: (error, attempt) => {
          seen.push([error, attempt]);
          return !(error instanceof TypeError);
        },
      }),
    ).rejects.toBe(permanent);
    expect(attempts).toEqual([1]);
    expect(seen).toEqual([[permanent, 1]]);
  });

  it('tells onRetry of each failure and the wait before the next attempt', async () => {
    const events: RetryEvent[] = [];
    const error = new Error('busy');
    await retry(failingFor(2, () => error).work, policy, {
      ...recordedWaits(),
      random: () => 0.5,
      onRetry: (event) => events.push(event),
    });
    expect(events).toEqual([
      { attempt: 1, delayMs: 50, error },
      { attempt: 2, delayMs: 100, error },
    ]);
  });

  it('starts no attempt once the signal is aborted, and throws its reason', async () => {
    const { attempts, work } = failingFor(0);
    await expect(retry(work, policy, { signal: AbortSignal.abort('deadline') })).rejects.toBe('deadline');
    expect(attempts).toEqual([]);
  });

  it('ends a wait as soon as the signal is aborted, without another attempt', async () => {
    const controller = new AbortController();
    const { attempts, work } = failingFor(Number.POSITIVE_INFINITY);
    const retrying = retry(
      work,
      { attempts: 10, baseDelayMs: 600_000, maxDelayMs: 600_000 },
      {
        signal: controller.signal,
        random: () => 0.999,
        onRetry: () => controller.abort('stopping'),
      },
    );

    await expect(retrying).rejects.toBe('stopping');
    // The real wait (ten minutes, past the test's timeout) was cut short: no second attempt started.
    expect(attempts).toEqual([1]);
  });

  it('keeps trying with Infinity attempts until the predicate stops it', async () => {
    const { attempts, work } = failingFor(Number.POSITIVE_INFINITY);
    await expect(
      retry(
        work,
        { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 1, maxDelayMs: 1 },
        {
          ...recordedWaits(),
          retryable: (_, attempt) => attempt < 25,
        },
      ),
    ).rejects.toThrow('not yet');
    expect(attempts).toHaveLength(25);
  });
});
