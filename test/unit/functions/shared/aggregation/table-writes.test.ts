import { describe, expect, it } from 'vitest';
import { column, servingTable } from '../../../../../functions/shared/aggregation/columns.js';
import { writeStatement } from '../../../../../functions/shared/aggregation/table-writes.js';

const sample = servingTable('sample', {
  span: column('integer', 'key'),
  key: column('text', 'key'),
  total: column('bigint', 'sum'),
  highest: column('numeric', 'max'),
  earliest: column('timestamptz', 'min'),
  latest: column('double precision', 'last', { name: 'latest_value' }),
  recorded: column('text', 'first'),
  writtenAt: column('timestamptz', 'last', { source: 'written' }),
});

const recordedOnce = servingTable('recorded_once', {
  id: column('text', 'key'),
  note: column('text', 'first'),
});

describe('the statement writing a described table', () => {
  it('adds deltas by each column rule, taking its rows in key order', () => {
    const sql = writeStatement(sample, 'add');
    expect(sql).toContain(
      'INSERT INTO pipeline.sample AS t (span, key, total, highest, earliest, latest_value, recorded, written_at)',
    );
    expect(sql).toContain('SELECT d."span", d."key", d."total"');
    expect(sql).toContain('d."recorded", now()');
    expect(sql).toContain(
      'FROM jsonb_to_recordset(:rows::jsonb) AS d("span" integer, "key" text, "total" bigint,',
    );
    expect(sql).toContain('ORDER BY d."span", d."key"\nON CONFLICT (span, key) DO UPDATE SET');
    for (const update of [
      'total = t.total + EXCLUDED.total',
      'highest = GREATEST(t.highest, EXCLUDED.highest)',
      'earliest = LEAST(t.earliest, EXCLUDED.earliest)',
      'latest_value = EXCLUDED.latest_value',
      'written_at = EXCLUDED.written_at',
    ]) {
      expect(sql).toContain(update);
    }
    expect(sql).not.toContain('recorded =');
  });

  it('replaces totals, keeping what is recorded once', () => {
    const sql = writeStatement(sample, 'replace', 'pipeline.sample__stage_ab12cd');
    expect(sql).toContain('INSERT INTO pipeline.sample__stage_ab12cd AS t');
    expect(sql).toContain('total = EXCLUDED.total');
    expect(sql).toContain('highest = EXCLUDED.highest');
    expect(sql).not.toContain('recorded =');
  });

  it('does nothing on a conflict when every column is recorded once', () => {
    expect(writeStatement(recordedOnce, 'add')).toMatch(/ON CONFLICT \(id\) DO NOTHING$/);
    expect(writeStatement(recordedOnce, 'replace')).toMatch(/ON CONFLICT \(id\) DO NOTHING$/);
  });

  it('locks rows with a no-op update that returns them as stored, under their field names', () => {
    const sql = writeStatement(sample, 'lock');
    expect(sql).toContain(
      'ON CONFLICT (span, key) DO UPDATE SET span = t.span\nRETURNING t.span AS "span", t.key AS "key"',
    );
    expect(sql).toContain('t.latest_value AS "latest"');
  });
});
