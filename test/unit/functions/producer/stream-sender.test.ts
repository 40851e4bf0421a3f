import { describe, expect, it } from 'vitest';
import { StreamReachability } from '../../../../functions/producer/stream-reachability.js';
import { putWithRetries } from '../../../../functions/producer/stream-sender.js';
import type { PutOutcome, RecordPublisher, StreamEntry } from '../../../../functions/shared/ports.js';

const policy = { attempts: 4, baseDelayMs: 50, maxDelayMs: 1_000 };
const entries: StreamEntry[] = ['a', 'b', 'c', 'd'].map((key) => ({
  partitionKey: key,
  data: Buffer.from(key),
}));

/** Fault injection: answers each put with the next scripted outcome (or throws it). */
function scriptedPublisher(script: Array<(request: readonly StreamEntry[]) => PutOutcome>) {
  const calls: string[][] = [];
  const publisher: RecordPublisher = {
    put: async (request) => {
      calls.push(request.map((entry) => entry.partitionKey));
      const next = script.shift();
      if (!next) return { failed: [] };
      return next(request);
    },
  };
  return { publisher, calls };
}

const noWait = { sleep: async () => undefined, random: () => 0.5 };

describe('putting a request with retries', () => {
  it('retries only the entries Kinesis rejected, until accepted', async () => {
    const { publisher, calls } = scriptedPublisher([
      () => ({
        failed: [
          { index: 1, errorCode: 'ProvisionedThroughputExceededException' },
          { index: 3, errorCode: 'InternalFailure' },
        ],
      }),
      () => ({ failed: [{ index: 1, errorCode: 'InternalFailure' }] }),
    ]);
    const report = await putWithRetries(publisher, entries, policy, noWait);
    expect(calls).toEqual([['a', 'b', 'c', 'd'], ['b', 'd'], ['d']]);
    expect(report).toEqual({ sent: 4, failed: [], unsent: [] });
  });

  it('counts entries still rejected after the last attempt as failed, with their error', async () => {
    const alwaysThrottled = () => ({
      failed: [{ index: 0, errorCode: 'ProvisionedThroughputExceededException' }],
    });
    const { publisher, calls } = scriptedPublisher([
      alwaysThrottled,
      alwaysThrottled,
      alwaysThrottled,
      alwaysThrottled,
    ]);
    const report = await putWithRetries(publisher, entries, policy, noWait);
    expect(calls).toHaveLength(policy.attempts);
    expect(report.sent).toBe(3);
    expect(report.failed.map((item) => [item.entry.partitionKey, item.errorCode])).toEqual([
      ['a', 'ProvisionedThroughputExceededException'],
    ]);
  });

  it('retries every entry when the whole request fails', async () => {
    const { publisher, calls } = scriptedPublisher([
      () => {
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      },
    ]);
    const report = await putWithRetries(publisher, entries, policy, noWait);
    expect(calls).toEqual([
      ['a', 'b', 'c', 'd'],
      ['a', 'b', 'c', 'd'],
    ]);
    expect(report.sent).toBe(4);
  });

  it('waits between attempts with exponential backoff and full jitter, capped', async () => {
    const throttled = () => ({ failed: [{ index: 0, errorCode: 'ProvisionedThroughputExceededException' }] });
    const waits: number[] = [];
    const { publisher } = scriptedPublisher(Array(8).fill(throttled));
    await putWithRetries(
      publisher,
      entries,
      { attempts: 7, baseDelayMs: 50, maxDelayMs: 1_000 },
      {
        sleep: async (ms) => void waits.push(ms),
        random: () => 0.999_999,
      },
    );
    expect(waits).toEqual([50, 100, 200, 400, 800, 1_000]);
  });

  it('isolates the one entry Kinesis refuses as a whole request, and sends every other one', async () => {
    const calls: string[][] = [];
    const publisher: RecordPublisher = {
      put: async (request) => {
        calls.push(request.map((entry) => entry.partitionKey));
        if (request.some((entry) => entry.partitionKey === 'c')) {
          throw Object.assign(new Error('partitionKey failed to satisfy constraint'), {
            name: 'ValidationException',
          });
        }
        return { failed: [] };
      },
    };
    const report = await putWithRetries(publisher, entries, policy, noWait);

    expect(report.sent).toBe(3);
    expect(report.failed).toEqual([
      { entry: entries[2], errorCode: 'ValidationException', refused: true, maybeStored: false },
    ]);
    // Halved in order until 'c' stood alone; 'd' was sent after it.
    expect(calls).toEqual([['a', 'b', 'c', 'd'], ['a', 'b'], ['c', 'd'], ['c'], ['d']]);
  });
});

/** A network error as the SDK's HTTP handler throws it (fault injection). */
function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:4567`), { code });
}

/** An error Kinesis answered for the whole request, with its HTTP status. */
function answeredError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

/** Fails every put with `error` for the first `times` calls, then accepts everything. */
function failingFor(times: number, error: () => Error) {
  let calls = 0;
  const publisher: RecordPublisher = {
    put: async () => {
      calls += 1;
      if (calls <= times) throw error();
      return { failed: [] };
    },
  };
  return { publisher, calls: () => calls };
}

/** A clock that the retries' waits move forward: an outage lasts as long as the waits it took. */
function waitingClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

describe('putting a request while Kinesis cannot be reached', () => {
  it.each([
    ['a refused connection', () => networkError('ECONNREFUSED')],
    ['a reset connection', () => networkError('ECONNRESET')],
    ['a 503 for the whole request', () => answeredError('ServiceUnavailable', 503)],
    ['a 502 of a proxy', () => answeredError('SyntaxError', 502)],
  ])('waits through %s without spending attempts, then sends every entry', async (_, error) => {
    const clock = waitingClock();
    const reachability = new StreamReachability(120_000, undefined, clock.now);
    const stream = failingFor(3 * policy.attempts, error);

    const report = await putWithRetries(stream.publisher, entries, policy, {
      sleep: clock.sleep,
      random: () => 1,
      reachability,
    });

    expect(report).toMatchObject({ sent: 4, failed: [], unsent: [] });
    expect(stream.calls()).toBe(3 * policy.attempts + 1);
    expect(reachability.current).toBeUndefined();
  });

  it('hands every entry back unsent, failing none, once the outage lasts past the limit', async () => {
    const clock = waitingClock();
    const reachability = new StreamReachability(10_000, undefined, clock.now);
    const stream = failingFor(Number.POSITIVE_INFINITY, () => networkError('ECONNREFUSED'));

    let waits = 0;
    const report = await putWithRetries(stream.publisher, entries, policy, {
      sleep: async (ms) => {
        waits += 1;
        await clock.sleep(ms);
      },
      random: () => 1,
      reachability,
    });

    expect(report).toMatchObject({ sent: 0, failed: [], unsent: entries });
    expect(clock.now()).toBeGreaterThanOrEqual(10_000);
    // One put after each wait and none once it gave up: the attempt budget is not spent on an outage.
    expect(stream.calls()).toBe(waits + 1);
    expect(reachability.gaveUp).toMatch(/unreachable for 10 s \(connection refused\)/);
  });

  it('starts no request once a stop is asked for', async () => {
    const stream = failingFor(0, () => new Error('unused'));
    const report = await putWithRetries(stream.publisher, entries, policy, {
      ...noWait,
      stop: AbortSignal.abort('deadline'),
    });
    expect(report).toMatchObject({ sent: 0, unsent: entries });
    expect(stream.calls()).toBe(0);
  });

  it('keeps bounded attempts for throttling of the whole request: the entries fail, known not stored', async () => {
    const reachability = new StreamReachability(120_000);
    const stream = failingFor(Number.POSITIVE_INFINITY, () =>
      answeredError('ProvisionedThroughputExceededException', 400),
    );

    const report = await putWithRetries(stream.publisher, entries, policy, { ...noWait, reachability });

    expect(stream.calls()).toBe(policy.attempts);
    expect(report.failed.map((item) => [item.errorCode, item.refused, item.maybeStored])).toEqual(
      Array(4).fill(['ProvisionedThroughputExceededException', false, false]),
    );
  });

  it('marks an entry that then ran out of attempts as maybe stored when an answer was lost on the way', async () => {
    let calls = 0;
    const publisher: RecordPublisher = {
      put: async () => {
        calls += 1;
        if (calls === 1) throw networkError('ECONNRESET');
        throw answeredError('ProvisionedThroughputExceededException', 400);
      },
    };
    const report = await putWithRetries(publisher, entries.slice(0, 1), policy, {
      ...noWait,
      reachability: new StreamReachability(120_000),
    });
    expect(report.failed).toMatchObject([{ maybeStored: true, refused: false }]);
  });
});
