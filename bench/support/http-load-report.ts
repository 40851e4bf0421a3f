/** What the load generator is asked to do, and what it reports: shared by both of its processes. */

/** One fixed-rate load. */
export interface LoadSpec {
  /** A loopback URL: the bench never aims at anything else. */
  url: string;
  /** Requests per second over all connections. */
  rate: number;
  connections: number;
  /** The load stops by itself after this long, whatever happens to the bench. */
  maxSeconds: number;
}

/** What the load's process tells its parent: that it has begun, then what it measured. */
export type LoadMessage = 'started' | LoadReport;

/** Latency percentiles of the answers, in milliseconds. */
export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** What a load measured. */
export interface LoadReport extends LatencySummary {
  /** Answers received, whatever their status. */
  answered: number;
  seconds: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  non2xx: number;
}

/**
 * Throws unless the URL's host is a loopback address.
 *
 * @param url - where the load would go
 */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    throw new Error(`the load generator only aims at loopback, not ${host}`);
  }
}

/**
 * The 50th and 99th percentiles (nearest rank) and the maximum.
 *
 * @param latencies - one per answer, in milliseconds, in any order
 * @example summariseLatencies([3, 1, 2]) // { p50Ms: 2, p99Ms: 3, maxMs: 3 }
 */
export function summariseLatencies(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return { p50Ms: rank(50), p99Ms: rank(99), maxMs: sorted.at(-1) ?? 0 };
}
