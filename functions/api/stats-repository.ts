/**
 * The port the API reads the aggregates through. Its adapter over the RDS Data API lives in
 * `data-api/`; unit tests use an in-memory fake.
 */
import type { Dimension, SuspicionReason } from '../shared/vocabulary.js';
import type {
  GroupSort,
  GroupStats,
  SortOrder,
  Summary,
  SuspiciousCommit,
  TimelineWindow,
} from './read-model.js';

export interface GroupQuery {
  sort: GroupSort;
  order: SortOrder;
  limit: number;
  offset: number;
}

/** One page of a dimension's groups as stored (keyed by `key`), with the dimension's size. */
export interface StoredGroupPage {
  items: GroupStats[];
  /** Number of groups in the dimension, regardless of paging. */
  total: number;
}

export interface TimelineQuery {
  windowSeconds: number;
  /** Inclusive lower bound on the window start (ISO 8601). */
  from?: string | undefined;
  /** Exclusive upper bound on the window start (ISO 8601). */
  to?: string | undefined;
  limit: number;
}

export interface SuspiciousQuery {
  limit: number;
  author?: string | undefined;
  reason?: SuspicionReason | undefined;
}

/** Everything the API reads. Implementations throw `DatabaseUnavailableError` when unreachable. */
export interface StatsRepository {
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  summary(): Promise<Summary>;
  /** One page of a dimension, ordered by `sort`/`order`, ties broken by key ascending. */
  listGroups(dimension: Dimension, query: GroupQuery): Promise<StoredGroupPage>;
  /** The group with exactly this key, or undefined. */
  findGroup(dimension: Dimension, key: string): Promise<GroupStats | undefined>;
  /** Windows of `windowSeconds` length in `[from, to)`, oldest first, at most `limit`. */
  timeline(query: TimelineQuery): Promise<TimelineWindow[]>;
  /** Flagged commits, latest event first (then commit id, then reason), at most `limit`. */
  suspiciousCommits(query: SuspiciousQuery): Promise<SuspiciousCommit[]>;
}
