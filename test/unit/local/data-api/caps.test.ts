import { describe, expect, it } from 'vitest';
import { capsFromEnv, checkCaps, DEFAULT_CAPS } from '../../../../local/data-api/limits.js';

describe('capsFromEnv', () => {
  it("defaults to AWS's 3-minute idle timeout and caps that leave each pool free connections", () => {
    const caps = capsFromEnv({});

    expect(caps).toEqual(DEFAULT_CAPS);
    expect(caps.transactionIdleTimeoutMs).toBe(180_000);
    expect(caps.maxOpenTransactionsPerPool).toBeLessThan(caps.maxConnectionsPerPool);
  });

  it('reads each cap from its DATA_API_* variable', () => {
    const caps = capsFromEnv({
      DATA_API_TRANSACTION_IDLE_TIMEOUT_MS: '5000',
      DATA_API_MAX_CONNECTIONS_PER_POOL: '8',
      DATA_API_MAX_OPEN_TRANSACTIONS_PER_POOL: '6',
      DATA_API_MAX_OPEN_TRANSACTIONS: '10',
    });

    expect(caps).toEqual({
      transactionIdleTimeoutMs: 5000,
      maxConnectionsPerPool: 8,
      maxOpenTransactionsPerPool: 6,
      maxOpenTransactions: 10,
    });
  });

  it.each(['0', '-1', '2.5', 'many'])('refuses %s as a cap', (value) => {
    expect(() => capsFromEnv({ DATA_API_MAX_OPEN_TRANSACTIONS: value })).toThrow(
      /DATA_API_MAX_OPEN_TRANSACTIONS must be a positive integer/,
    );
  });
});

describe('checkCaps', () => {
  it('refuses as many open transactions per pool as the pool has connections', () => {
    expect(() =>
      checkCaps({ ...DEFAULT_CAPS, maxConnectionsPerPool: 4, maxOpenTransactionsPerPool: 4 }),
    ).toThrow(/must be below/);
  });
});
