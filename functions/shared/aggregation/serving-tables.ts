/**
 * The serving tables, described once: what `db/migrations` creates, in the same column order, with the
 * rule by which two rows of one key merge. The processor's upserts and the batch layer's staging writes
 * (`table-writes.ts`), the in-memory totals of both layers (`table-totals.ts`), the read queries and the
 * reconciliation's comparison derive from these descriptions; a test holds them to the migrations.
 *
 * Adding a column: a migration that adds it, one line here, and how a commit contributes to it in
 * `aggregate.ts` (the type of the rows makes the compiler ask for it).
 */
import { MAX_FILE_PATH_CHARS, MAX_KEY_CHARS, MAX_MODULE_CHARS } from '../record-bounds.js';
import { DIMENSIONS, SUSPICION_REASONS } from '../vocabulary.js';
import { column, type RowOf, servingTable } from './columns.js';

/** One row per (dimension, key): the totals of an author, a module or a language. */
export const groupStats = servingTable('group_stats', {
  dimension: column('text', 'key', { values: DIMENSIONS }),
  // The longest of the three dimensions' keys; the API cuts each dimension to its own bound.
  key: column('text', 'key', { maxChars: MAX_MODULE_CHARS }),
  commits: column('bigint', 'sum'),
  linesAdded: column('bigint', 'sum'),
  linesDeleted: column('bigint', 'sum'),
  entropySum: column('numeric', 'sum', { exact: true }),
  maxEntropy: column('numeric', 'max'),
  suspiciousCommits: column('bigint', 'sum'),
  firstEventTime: column('timestamptz', 'min'),
  lastEventTime: column('timestamptz', 'max'),
  lastIngestedAt: column('timestamptz', 'last', { source: 'written' }),
});

/** Tumbling event-time windows; the window length is part of the key, so that lengths never mix. */
export const windowStats = servingTable('window_stats', {
  windowSeconds: column('integer', 'key'),
  windowStart: column('timestamptz', 'key'),
  commits: column('bigint', 'sum'),
  linesAdded: column('bigint', 'sum'),
  linesDeleted: column('bigint', 'sum'),
  entropySum: column('numeric', 'sum', { exact: true }),
  suspiciousCommits: column('bigint', 'sum'),
});

/** Running entropy statistics per author (Welford): each write carries them forward. */
export const authorBaselines = servingTable('author_baselines', {
  author: column('text', 'key', { maxChars: MAX_KEY_CHARS }),
  count: column('bigint', 'last', { name: 'commits' }),
  mean: column('double precision', 'last', { name: 'entropy_mean' }),
  /** Sum of squared differences from the mean. */
  m2: column('double precision', 'last', { name: 'entropy_m2' }),
});

/** A suspicious commit, once per commit and reason: the first arrival is the one recorded. */
export const suspiciousCommits = servingTable('suspicious_commits', {
  commitId: column('text', 'key', { maxChars: MAX_KEY_CHARS }),
  reason: column('text', 'key', { values: SUSPICION_REASONS }),
  author: column('text', 'first', { maxChars: MAX_KEY_CHARS }),
  filePath: column('text', 'first', { maxChars: MAX_FILE_PATH_CHARS }),
  entropy: column('numeric', 'first'),
  linesAdded: column('integer', 'first'),
  linesDeleted: column('integer', 'first'),
  eventTime: column('timestamptz', 'first'),
});

/** Every serving table, in the order the writers take them (one order, so transactions lock alike). */
export const SERVING_TABLES = [groupStats, windowStats, authorBaselines, suspiciousCommits] as const;

export type ServingTableName = (typeof SERVING_TABLES)[number]['name'];

export type GroupStatsRow = RowOf<typeof groupStats>;
export type WindowStatsRow = RowOf<typeof windowStats>;
export type AuthorBaselineRow = RowOf<typeof authorBaselines>;
export type SuspiciousCommitRow = RowOf<typeof suspiciousCommits>;

/** Rows of every serving table: an aggregation's output, as the writers take it. */
export interface ServingRows {
  groups: GroupStatsRow[];
  windows: WindowStatsRow[];
  baselines: AuthorBaselineRow[];
  suspicious: SuspiciousCommitRow[];
}
