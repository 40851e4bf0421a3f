/**
 * Replay pacing: as fast as possible, a fixed record rate, or the log's own `time` axis sped up.
 */
import { UsageError } from '../shared/errors.js';

export type Pacing =
  | { mode: 'max' }
  | { mode: 'rate'; recordsPerSecond: number }
  | { mode: 'speed'; factor: number };

/** Tells how long to wait before emitting the next row so the chosen pace is kept. */
export interface Pacer {
  /** @returns milliseconds to wait (0 = emit now) */
  delayBefore(timeSeconds: number): number;
}

/**
 * @param pacing - the chosen pace
 * @param now - a monotonic clock in milliseconds
 */
export function createPacer(pacing: Pacing, now: () => number = () => performance.now()): Pacer {
  const startedAt = now();
  switch (pacing.mode) {
    case 'max':
      return { delayBefore: () => 0 };
    case 'rate': {
      let emitted = 0;
      return {
        delayBefore: () => {
          const dueAt = startedAt + (emitted * 1000) / pacing.recordsPerSecond;
          emitted += 1;
          return Math.max(0, dueAt - now());
        },
      };
    }
    case 'speed': {
      let firstTime: number | undefined;
      let latestTime = 0;
      return {
        delayBefore: (timeSeconds) => {
          firstTime ??= timeSeconds;
          // Rows earlier than one already sent (e.g. the next author of a file sorted by author) go now.
          latestTime = Math.max(latestTime, timeSeconds);
          const dueAt = startedAt + ((latestTime - firstTime) * 1000) / pacing.factor;
          return Math.max(0, dueAt - now());
        },
      };
    }
  }
}

/**
 * The pacing asked for by `rate` (records per second) or `speed` (times real time); at most one.
 *
 * @throws UsageError when both are given (`--rate` with `--speed`, or an event with both fields)
 */
export function pacingOf(options: { rate?: number | undefined; speed?: number | undefined }): Pacing {
  if (options.rate !== undefined && options.speed !== undefined) {
    throw new UsageError('choose either rate or speed, not both');
  }
  if (options.rate !== undefined) return { mode: 'rate', recordsPerSecond: options.rate };
  if (options.speed !== undefined) return { mode: 'speed', factor: options.speed };
  return { mode: 'max' };
}
