/**
 * Saved queries over the archive table, in the SQL both engines speak (Athena's Trino and DuckDB): the
 * stack saves them as Athena named queries, and the tests run them in DuckDB.
 */
import { settings } from '../shared/settings.js';
import { ARCHIVE_TABLE } from './archive-table.js';

export interface ArchiveQuery {
  /** Its name in the Athena workgroup. */
  name: string;
  description: string;
  sql: string;
}

export const ARCHIVE_QUERIES: readonly ArchiveQuery[] = [
  {
    name: 'top-authors',
    description: 'The 20 authors with the most distinct commits in the archive, with their churn',
    sql: `SELECT author, count(DISTINCT commit_id) AS commits, sum(lines_added + lines_deleted) AS churn_of_arrivals,
  count(*) AS arrivals
FROM ${ARCHIVE_TABLE}
GROUP BY author
ORDER BY commits DESC, author
LIMIT 20`,
  },
  {
    name: 'suspicious-commits-by-hour',
    description: `Distinct commits with entropy at or above ${settings.analytics.entropyThreshold}, by event hour (UTC)`,
    sql: `SELECT substr(event_time, 1, 13) AS event_hour, count(DISTINCT commit_id) AS suspicious_commits
FROM ${ARCHIVE_TABLE}
WHERE entropy >= ${settings.analytics.entropyThreshold}
GROUP BY substr(event_time, 1, 13)
ORDER BY event_hour`,
  },
  {
    name: 'arrivals-by-partition',
    description: 'Records and distinct commits per arrival partition (dt, hour): replays show as repeats',
    sql: `SELECT dt, hour, count(*) AS records, count(DISTINCT commit_id) AS commits
FROM ${ARCHIVE_TABLE}
GROUP BY dt, hour
ORDER BY dt, hour`,
  },
];
