import { loadavg } from 'node:os';

/** The machine's load during a measurement: the 1-minute average when it began and when it ended. */
export interface LoadAverageSpan {
  atStart: number;
  atEnd: number;
}

/**
 * Notes the 1-minute load average now; the returned function notes it again and gives both. The
 * figures of a shared machine mean little without it, and the run itself adds to it.
 *
 * @example
 * const loadSpan = startLoadAverageSpan();
 * await measure();
 * console.log(formatLoadAverage(loadSpan()));
 */
export function startLoadAverageSpan(): () => LoadAverageSpan {
  const atStart = oneMinuteLoad();
  return () => ({ atStart, atEnd: oneMinuteLoad() });
}

/** `3.1 → 5.2`: the 1-minute load average at the start and at the end. */
export function formatLoadAverage({ atStart, atEnd }: LoadAverageSpan): string {
  return `${atStart.toFixed(1)} → ${atEnd.toFixed(1)}`;
}

function oneMinuteLoad(): number {
  return loadavg()[0] ?? 0;
}
