import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { splitSqlStatements } from '../../../../../functions/shared/database/sql-statements.js';

describe('splitting a SQL script into statements', () => {
  it('cuts at top-level semicolons, keeps leading comments and drops comment-only parts', () => {
    expect(splitSqlStatements('-- header\nSELECT 1;\n\nSELECT 2 ; -- trailing\n')).toEqual([
      '-- header\nSELECT 1',
      'SELECT 2',
    ]);
  });

  it('ignores semicolons in strings, identifiers, comments and dollar-quoted bodies', () => {
    const script = `INSERT INTO t VALUES ('a;b', 'it''s;');
      SELECT "odd;name" FROM t /* ; */;
      CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
      DO $$ BEGIN PERFORM 1; END $$`;
    const statements = splitSqlStatements(script);
    expect(statements).toHaveLength(4);
    expect(statements[2]).toContain('$body$ SELECT 1; $body$');
    expect(statements[3]).toBe('DO $$ BEGIN PERFORM 1; END $$');
  });

  it('splits the shipped migrations into statements without semicolons', async () => {
    const sql = await readFile(
      new URL('../../../../../db/migrations/001_aggregates.sql', import.meta.url),
      'utf8',
    );
    const statements = splitSqlStatements(sql);
    expect(statements.length).toBeGreaterThan(5);
    expect(statements.every((statement) => !statement.trimEnd().endsWith(';'))).toBe(true);
  });
});
