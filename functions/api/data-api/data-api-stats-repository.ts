/**
 * `StatsRepository` over the RDS Data API (or anything else that runs SQL with named parameters).
 *
 * Listings are read in as many calls as their byte budget needs: each call returns the rows that fit
 * (see `stats-queries.ts`), and the next one continues at the offset where it stopped, until `limit`
 * rows are read or the listing ends. A page of long rows thus costs a few calls instead of a 500.
 */
import type { Row, SqlExecutor, SqlParams } from '../../shared/database/data-api.js';
import { settings } from '../../shared/settings.js';
import type { Dimension } from '../../shared/vocabulary.js';
import {
  type GroupStats,
  groupStatsSchema,
  type Summary,
  type SuspiciousCommit,
  summarySchema,
  suspiciousCommitSchema,
  type TimelineWindow,
  timelineWindowSchema,
} from '../read-model.js';
import type {
  GroupQuery,
  StatsRepository,
  StoredGroupPage,
  SuspiciousQuery,
  TimelineQuery,
} from '../stats-repository.js';
import { RowShapeError, rowReader } from './row-reader.js';
import { KEY_CHARS, SQL } from './stats-queries.js';

const readSummary = rowReader(summarySchema);
const readGroup = rowReader(groupStatsSchema);
const readWindow = rowReader(timelineWindowSchema);
const readSuspicious = rowReader(suspiciousCommitSchema);
const readTotal = (row: Row | undefined): number => (row ? readCount(row) : 0);

export interface DataApiStatsRepositoryOptions {
  /** Estimated bytes one call may return (default `settings.api.dataApiResponseBudgetBytes`). */
  budgetBytes?: number;
}

export class DataApiStatsRepository implements StatsRepository {
  private readonly budgetBytes: number;

  constructor(
    private readonly sql: SqlExecutor,
    options: DataApiStatsRepositoryOptions = {},
  ) {
    this.budgetBytes = options.budgetBytes ?? settings.api.dataApiResponseBudgetBytes;
  }

  async ping(): Promise<void> {
    await this.sql.query(SQL.ping);
  }

  async summary(): Promise<Summary> {
    const [row] = await this.sql.query(SQL.summary);
    if (!row) throw new RowShapeError('summary query returned no row');
    return readSummary(row);
  }

  async listGroups(dimension: Dimension, query: GroupQuery): Promise<StoredGroupPage> {
    const [rows, counts] = await Promise.all([
      this.readBudgeted(SQL.groupPage(query.sort, query.order), query, {
        dimension,
        keyChars: KEY_CHARS[dimension],
      }),
      this.sql.query(SQL.groupCount, { dimension }),
    ]);
    return { items: rows.map(readGroup), total: readTotal(counts[0]) };
  }

  async findGroup(dimension: Dimension, key: string): Promise<GroupStats | undefined> {
    const [row] = await this.sql.query(SQL.groupByKey, { dimension, key, keyChars: KEY_CHARS[dimension] });
    return row ? readGroup(row) : undefined;
  }

  async timeline(query: TimelineQuery): Promise<TimelineWindow[]> {
    const rows = await this.sql.query(SQL.timeline, {
      windowSeconds: query.windowSeconds,
      from: query.from ?? null,
      to: query.to ?? null,
      limit: query.limit,
    });
    return rows.map(readWindow);
  }

  async suspiciousCommits(query: SuspiciousQuery): Promise<SuspiciousCommit[]> {
    const sql = SQL.suspicious({ author: query.author !== undefined, reason: query.reason !== undefined });
    const rows = await this.readBudgeted(sql, query, {
      ...(query.author !== undefined ? { author: query.author } : {}),
      ...(query.reason !== undefined ? { reason: query.reason } : {}),
    });
    return rows.map(readSuspicious);
  }

  /**
   * Reads `limit` rows from `offset` of a budgeted listing, in as many calls as the budget needs.
   *
   * @param sql - a statement built with `withinBudget` (it takes limit, offset and budgetBytes)
   */
  private async readBudgeted(
    sql: string,
    page: { limit: number; offset?: number },
    params: SqlParams,
  ): Promise<Row[]> {
    const rows: Row[] = [];
    const start = page.offset ?? 0;
    while (rows.length < page.limit) {
      const asked = page.limit - rows.length;
      const batch = await this.sql.query(sql, {
        ...params,
        limit: asked,
        offset: start + rows.length,
        budgetBytes: this.budgetBytes,
      });
      rows.push(...batch);
      const pageRows = batch[0] ? readCount(batch[0], 'page_rows') : 0;
      // Not cut by the budget: either every row asked for is here, or the listing ended.
      if (batch.length === 0 || batch.length === pageRows) break;
    }
    return rows;
  }
}

function readCount(row: Row, column = 'total'): number {
  const value = row[column];
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw new RowShapeError(`column ${column} is not a count`);
  }
  return number;
}
