/**
 * An in-memory `StatsRepository` with the same ordering and filtering rules as the SQL one, for unit
 * tests of routing, validation and response shapes. (The SQL itself is covered by the integration suite.)
 */

import type {
  GroupStats,
  Summary,
  SuspiciousCommit,
  TimelineWindow,
} from '../../functions/api/read-model.js';
import type {
  GroupQuery,
  StatsRepository,
  StoredGroupPage,
  SuspiciousQuery,
  TimelineQuery,
} from '../../functions/api/stats-repository.js';
import type { Dimension } from '../../functions/shared/vocabulary.js';

export interface FakeData {
  summary: Summary;
  groups: Record<Dimension, GroupStats[]>;
  windows: TimelineWindow[];
  suspicious: SuspiciousCommit[];
}

export const EMPTY_SUMMARY: Summary = {
  commits: 0,
  authors: 0,
  linesAdded: 0,
  linesDeleted: 0,
  avgEntropy: null,
  suspiciousCommits: 0,
  firstEventTime: null,
  lastEventTime: null,
  lastIngestedAt: null,
};

/** A group with plausible values; override what a test is about. */
export function group(key: string, overrides: Partial<GroupStats> = {}): GroupStats {
  return {
    key,
    commits: 10,
    linesAdded: 100,
    linesDeleted: 50,
    avgEntropy: 0.4,
    maxEntropy: 0.9,
    suspiciousCommits: 1,
    firstEventTime: '2024-01-01T00:00:43.000Z',
    lastEventTime: '2024-01-01T11:59:13.000Z',
    ...overrides,
  };
}

export function window(windowStart: string, overrides: Partial<TimelineWindow> = {}): TimelineWindow {
  return {
    windowStart,
    commits: 3,
    linesAdded: 30,
    linesDeleted: 9,
    avgEntropy: 0.5,
    suspiciousCommits: 0,
    ...overrides,
  };
}

export function suspiciousCommit(
  commitId: string,
  overrides: Partial<SuspiciousCommit> = {},
): SuspiciousCommit {
  return {
    commitId,
    author: 'person_1',
    filePath: '/security/auth/utils/payment_60743.py',
    entropy: 0.93,
    linesAdded: 12,
    linesDeleted: 3,
    eventTime: '2024-01-01T01:00:00.000Z',
    reason: 'entropy',
    ...overrides,
  };
}

const SORT_VALUE: Record<GroupQuery['sort'], (group: GroupStats) => number> = {
  commits: (g) => g.commits,
  churn: (g) => g.linesAdded + g.linesDeleted,
  avgEntropy: (g) => g.avgEntropy ?? Number.NaN,
  suspicious: (g) => g.suspiciousCommits,
};

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class FakeStatsRepository implements StatsRepository {
  /** Every call, for tests that assess what reached the port. */
  readonly calls: { method: string; args: unknown[] }[] = [];
  /** When set, every method rejects with it. */
  failure: Error | undefined;

  constructor(
    readonly data: FakeData = {
      summary: EMPTY_SUMMARY,
      groups: { author: [], module: [], language: [] },
      windows: [],
      suspicious: [],
    },
  ) {}

  async ping(): Promise<void> {
    this.record('ping', []);
  }

  async summary(): Promise<Summary> {
    this.record('summary', []);
    return this.data.summary;
  }

  async listGroups(dimension: Dimension, query: GroupQuery): Promise<StoredGroupPage> {
    this.record('listGroups', [dimension, query]);
    const value = SORT_VALUE[query.sort];
    const direction = query.order === 'asc' ? 1 : -1;
    const sorted = [...this.data.groups[dimension]].sort(
      (a, b) => direction * (value(a) - value(b)) || byKey(a.key, b.key),
    );
    return { items: sorted.slice(query.offset, query.offset + query.limit), total: sorted.length };
  }

  async findGroup(dimension: Dimension, key: string): Promise<GroupStats | undefined> {
    this.record('findGroup', [dimension, key]);
    return this.data.groups[dimension].find((g) => g.key === key);
  }

  async timeline(query: TimelineQuery): Promise<TimelineWindow[]> {
    this.record('timeline', [query]);
    return this.data.windows
      .filter(
        (w) =>
          (query.from === undefined || w.windowStart >= query.from) &&
          (query.to === undefined || w.windowStart < query.to),
      )
      .sort((a, b) => byKey(a.windowStart, b.windowStart))
      .slice(0, query.limit);
  }

  async suspiciousCommits(query: SuspiciousQuery): Promise<SuspiciousCommit[]> {
    this.record('suspiciousCommits', [query]);
    return this.data.suspicious
      .filter(
        (c) =>
          (query.author === undefined || c.author === query.author) &&
          (query.reason === undefined || c.reason === query.reason),
      )
      .sort(
        (a, b) =>
          byKey(b.eventTime, a.eventTime) || byKey(a.commitId, b.commitId) || byKey(a.reason, b.reason),
      )
      .slice(0, query.limit);
  }

  private record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failure) throw this.failure;
  }
}
