/**
 * Tells whether the data is still changing: while a replay runs, every refresh brings new commits;
 * once a few refreshes in a row bring nothing new, the data has stopped changing. Pure (no DOM).
 */
import type { Summary } from '../../read-model.js';

export type Freshness =
  | { state: 'empty' }
  | { state: 'changing'; changedAtMs: number }
  | { state: 'stopped'; changedAtMs: number };

export class FreshnessTracker {
  private lastKey: string | undefined;
  private changedAtMs = 0;

  /**
   * @param quietMs - how long without a change before the data counts as stopped
   */
  constructor(private readonly quietMs: number) {}

  /**
   * Records one refresh's summary.
   *
   * @param summary - what `/stats/summary` answered
   * @param nowMs - this browser's clock at the answer
   */
  observe(summary: Summary, nowMs: number): Freshness {
    const key = `${summary.commits}|${summary.suspiciousCommits}|${summary.lastIngestedAt}`;
    if (key !== this.lastKey) {
      // The first answer counts as a change only if it shows data ingested within the quiet period.
      const ingestedMs = summary.lastIngestedAt === null ? Number.NaN : Date.parse(summary.lastIngestedAt);
      this.changedAtMs =
        this.lastKey === undefined && Number.isFinite(ingestedMs) ? Math.min(nowMs, ingestedMs) : nowMs;
      this.lastKey = key;
    }
    if (summary.commits === 0) return { state: 'empty' };
    const state = nowMs - this.changedAtMs >= this.quietMs ? 'stopped' : 'changing';
    return { state, changedAtMs: this.changedAtMs };
  }
}
