import { describe, expect, it } from 'vitest';
import { assertLoopback, summariseLatencies } from '../../../bench/support/http-load-report.js';

describe('latency percentiles of a load', () => {
  it('are nearest-rank percentiles of the answers', () => {
    const latencies = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(summariseLatencies(latencies)).toEqual({ p50Ms: 100, p99Ms: 198, maxMs: 200 });
  });

  it('are zero when nothing answered', () => {
    expect(summariseLatencies([])).toEqual({ p50Ms: 0, p99Ms: 0, maxMs: 0 });
  });
});

describe('where the load generator may aim', () => {
  it('is loopback', () => {
    expect(() => assertLoopback('http://127.0.0.1:3000/stats/summary')).not.toThrow();
  });

  it('is nothing else', () => {
    expect(() => assertLoopback('http://10.0.0.5:3000/stats/summary')).toThrow(/only aims at loopback/);
  });
});
