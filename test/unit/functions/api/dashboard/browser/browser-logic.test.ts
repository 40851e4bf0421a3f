import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatInstant,
  formatWindow,
} from '../../../../../../functions/api/dashboard/browser/format.js';
import { FreshnessTracker } from '../../../../../../functions/api/dashboard/browser/freshness.js';
import { authorHref, authorInHash } from '../../../../../../functions/api/dashboard/browser/navigation.js';
import {
  describeTimeline,
  toSeries,
} from '../../../../../../functions/api/dashboard/browser/timeline-data.js';
import type { Summary, TimelineWindow } from '../../../../../../functions/api/read-model.js';
import { EMPTY_SUMMARY, window } from '../../../../../support/fake-stats-repository.js';

const summary = (overrides: Partial<Summary>): Summary => ({ ...EMPTY_SUMMARY, ...overrides });

describe('the timeline series', () => {
  it('has one point per window, with the windows between them filled in as zeros', () => {
    const windows: TimelineWindow[] = [
      window('2024-01-01T00:00:00.000Z', { commits: 3, suspiciousCommits: 1 }),
      window('2024-01-01T00:15:00.000Z', { commits: 5, suspiciousCommits: 0 }),
    ];

    const series = toSeries(windows, 300);

    const start = Date.parse('2024-01-01T00:00:00Z') / 1000;
    expect(series.x).toEqual([start, start + 300, start + 600, start + 900]);
    expect(series.commits).toEqual([3, 0, 0, 5]);
    expect(series.suspicious).toEqual([1, 0, 0, 0]);
  });

  it('is empty for no windows, and describes that in words', () => {
    expect(toSeries([], 300)).toEqual({ x: [], commits: [], suspicious: [] });
    expect(describeTimeline([], 300)).toMatch(/empty/);
  });

  it('is described by its totals, range and busiest window', () => {
    const text = describeTimeline(
      [
        window('2024-01-01T00:00:00.000Z', { commits: 3, suspiciousCommits: 1 }),
        window('2024-01-01T00:05:00.000Z', { commits: 1200, suspiciousCommits: 2 }),
      ],
      300,
    );

    expect(text).toBe(
      '1,203 commits and 3 suspicious commits in 2 5-minute windows from 2024-01-01 00:00:00 UTC to ' +
        '2024-01-01 00:05:00 UTC; the busiest window, 2024-01-01 00:05:00 UTC, has 1,200 commits.',
    );
  });
});

describe('the freshness of the data', () => {
  it('is changing while refreshes bring new numbers, and stopped after the quiet period without', () => {
    const tracker = new FreshnessTracker(15_000);
    const ingested = '2024-06-01T12:00:00.000Z';
    const now = Date.parse(ingested);

    expect(tracker.observe(summary({ commits: 10, lastIngestedAt: ingested }), now).state).toBe('changing');
    expect(tracker.observe(summary({ commits: 20, lastIngestedAt: ingested }), now + 5_000)).toEqual({
      state: 'changing',
      changedAtMs: now + 5_000,
    });
    expect(tracker.observe(summary({ commits: 20, lastIngestedAt: ingested }), now + 19_999).state).toBe(
      'changing',
    );
    expect(tracker.observe(summary({ commits: 20, lastIngestedAt: ingested }), now + 20_000)).toEqual({
      state: 'stopped',
      changedAtMs: now + 5_000,
    });
  });

  it('counts data last ingested long before the page opened as stopped at once', () => {
    const tracker = new FreshnessTracker(15_000);
    const ingested = '2024-06-01T12:00:00.000Z';

    const state = tracker.observe(
      summary({ commits: 5, lastIngestedAt: ingested }),
      Date.parse(ingested) + 3_600_000,
    );

    expect(state).toEqual({ state: 'stopped', changedAtMs: Date.parse(ingested) });
  });

  it('is empty before any commit', () => {
    expect(new FreshnessTracker(1).observe(EMPTY_SUMMARY, 0)).toEqual({ state: 'empty' });
  });
});

describe('formatting', () => {
  it.each([
    [0, 'just now'],
    [42_000, '42 s ago'],
    [180_000, '3 min ago'],
    [5 * 3_600_000, '5 h ago'],
    [72 * 3_600_000, '3 d ago'],
    [-5_000, 'just now'],
  ])('%i ms ago reads %s', (ms, text) => {
    expect(formatAgo(ms)).toBe(text);
  });

  it('shows instants in UTC, five-digit years included, and window lengths in their unit', () => {
    expect(formatInstant('2024-01-01T00:05:00.000Z')).toBe('2024-01-01 00:05:00 UTC');
    expect(formatInstant('10000-01-01T00:00:00.000Z')).toBe('10000-01-01 00:00:00 UTC');
    expect(formatInstant(null)).toBe('–');
    expect([300, 3600, 45].map(formatWindow)).toEqual(['5-minute', '1-hour', '45-second']);
  });
});

describe('the author view address', () => {
  it.each(['person_1', 'person 7/x', 'ünïcode', '#&=?'])('round-trips %s through the fragment', (author) => {
    expect(authorInHash(authorHref(author))).toBe(author);
  });

  it('names no author for other fragments or malformed encoding', () => {
    expect(authorInHash('')).toBeUndefined();
    expect(authorInHash('#author=')).toBeUndefined();
    expect(authorInHash('#author=%E0%A4%A')).toBeUndefined();
    expect(authorInHash('#timeline')).toBeUndefined();
  });
});
