import { describe, expect, it } from 'vitest';
import { comparedText, readSql } from '../../../../../functions/shared/aggregation/column-sql.js';
import {
  authorBaselines,
  groupStats,
  suspiciousCommits,
} from '../../../../../functions/shared/aggregation/serving-tables.js';

const ISO = `to_char(x AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

describe('a described column in SQL', () => {
  it('reads as every Data API engine returns it alike, long text cut to its bound', () => {
    expect(readSql(groupStats.columns.commits, 'x')).toBe('x::int8');
    expect(readSql(suspiciousCommits.columns.linesAdded, 'x')).toBe('x::int8');
    expect(readSql(groupStats.columns.maxEntropy, 'x')).toBe('x::float8');
    expect(readSql(authorBaselines.columns.mean, 'x')).toBe('x::float8');
    expect(readSql(groupStats.columns.firstEventTime, 'x')).toBe(ISO);
    expect(readSql(suspiciousCommits.columns.filePath, 'x')).toBe('left(x, 4096)');
    expect(readSql(suspiciousCommits.columns.reason, 'x')).toBe('x');
  });

  it('shows as text to compare: numerics without trailing zeros, instants in ISO 8601', () => {
    expect(comparedText(groupStats.columns.entropySum, 'x')).toBe('trim_scale(x)::text');
    expect(comparedText(groupStats.columns.lastEventTime, 'x')).toBe(ISO);
    expect(comparedText(authorBaselines.columns.m2, 'x')).toBe('x::text');
  });
});
