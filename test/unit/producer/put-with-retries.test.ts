import { describe, expect, it } from 'vitest';
import { backoffMs, putWithRetries } from '../../../functions/producer/put-with-retries.js';
import type { PutOutcome, RecordPublisher, StreamEntry } from '../../../functions/shared/ports.js';

const policy = { maxAttempts: 4, backoffBaseMs: 50, backoffMaxMs: 1_000 };
const entries: StreamEntry[] = ['a', 'b', 'c', 'd'].map((key) => ({
  partitionKey: key,
  data: Buffer.from(key),
}));

/** Fault injection: answers each put with the next scripted outcome (or throws it). */
function scriptedPublisher(script: Array<(batch: readonly StreamEntry[]) => PutOutcome>) {
  const calls: string[][] = [];
  const publisher: RecordPublisher = {
    put: async (batch) => {
      calls.push(batch.map((entry) => entry.partitionKey));
      const next = script.shift();
      if (!next) return { failed: [] };
      return next(batch);
    },
  };
  return { publisher, calls };
}

const noWait = { sleep: async () => undefined, random: () => 0.5 };

describe('putting a batch with retries', () => {
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
    expect(report).toEqual({ sent: 4, failed: [], retries: 2 });
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
    expect(calls).toHaveLength(policy.maxAttempts);
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

  it('waits with exponential backoff and full jitter, capped', () => {
    expect(backoffMs(1, policy, () => 1)).toBe(50);
    expect(backoffMs(3, policy, () => 1)).toBe(200);
    expect(backoffMs(10, policy, () => 1)).toBe(1_000);
    expect(backoffMs(3, policy, () => 0)).toBe(0);
  });

  it('isolates the one entry Kinesis refuses as a whole request, and sends every other one', async () => {
    const calls: string[][] = [];
    const publisher: RecordPublisher = {
      put: async (batch) => {
        calls.push(batch.map((entry) => entry.partitionKey));
        if (batch.some((entry) => entry.partitionKey === 'c')) {
          throw Object.assign(new Error('partitionKey failed to satisfy constraint'), {
            name: 'ValidationException',
          });
        }
        return { failed: [] };
      },
    };
    const report = await putWithRetries(publisher, entries, policy, noWait);

    expect(report.sent).toBe(3);
    expect(report.failed).toEqual([{ entry: entries[2], errorCode: 'ValidationException', refused: true }]);
    // Halved in order until 'c' stood alone; 'd' was sent after it.
    expect(calls).toEqual([['a', 'b', 'c', 'd'], ['a', 'b'], ['c', 'd'], ['c'], ['d']]);
  });
});
