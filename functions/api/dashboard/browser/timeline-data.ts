/**
 * The timeline as chart series, and its description in words. Pure functions (no DOM), unit-tested.
 */
import type { TimelineWindow } from '../../read-model.js';
import { formatCount, formatInstant, formatWindow } from './format.js';

/** uPlot's columnar data: x in Unix seconds, then one array per series. */
export interface TimelineSeries {
  x: number[];
  commits: number[];
  suspicious: number[];
}

/** Gaps are filled with zeros (an absent window had no commits) up to this many points. */
export const MAX_FILLED_POINTS = 200_000;

/**
 * Windows (oldest first) → series with one point per window, the windows without commits between
 * them filled in as zeros so that the line drops to zero there instead of bridging the gap.
 *
 * @param windows - the API's windows, oldest first
 * @param windowSeconds - their length
 */
export function toSeries(windows: readonly TimelineWindow[], windowSeconds: number): TimelineSeries {
  const series: TimelineSeries = { x: [], commits: [], suspicious: [] };
  const first = windows[0];
  const last = windows.at(-1);
  if (!first || !last) return series;
  const start = Date.parse(first.windowStart) / 1000;
  const span = (Date.parse(last.windowStart) / 1000 - start) / windowSeconds + 1;
  const fill = Number.isFinite(span) && span <= MAX_FILLED_POINTS;
  let expected = start;
  for (const window of windows) {
    const x = Date.parse(window.windowStart) / 1000;
    if (!Number.isFinite(x)) continue;
    while (fill && expected < x) {
      series.x.push(expected);
      series.commits.push(0);
      series.suspicious.push(0);
      expected += windowSeconds;
    }
    series.x.push(x);
    series.commits.push(window.commits);
    series.suspicious.push(window.suspiciousCommits);
    expected = x + windowSeconds;
  }
  return series;
}

/**
 * The chart's text alternative: range, number of windows, the busiest window and the totals.
 */
export function describeTimeline(windows: readonly TimelineWindow[], windowSeconds: number): string {
  const first = windows[0];
  const last = windows.at(-1);
  if (!first || !last) return 'No commits yet: the timeline is empty.';
  let busiest = first;
  let commits = 0;
  let suspicious = 0;
  for (const window of windows) {
    if (window.commits > busiest.commits) busiest = window;
    commits += window.commits;
    suspicious += window.suspiciousCommits;
  }
  return (
    `${formatCount(commits)} commits and ${formatCount(suspicious)} suspicious commits in ` +
    `${formatCount(windows.length)} ${formatWindow(windowSeconds)} windows from ` +
    `${formatInstant(first.windowStart)} to ${formatInstant(last.windowStart)}; the busiest window, ` +
    `${formatInstant(busiest.windowStart)}, has ${formatCount(busiest.commits)} commits.`
  );
}
