import { describe, expect, it } from 'vitest';
import { parseNamedParameters } from '../../../../local/data-api/named-parameters.js';

describe('parseNamedParameters', () => {
  it('splits the SQL around each :name reference, keeping repeats', () => {
    const parsed = parseNamedParameters('SELECT * FROM t WHERE a = :a AND b = :b OR a = :a');

    expect(parsed.references).toEqual(['a', 'b', 'a']);
    expect(parsed.parts).toEqual(['SELECT * FROM t WHERE a = ', ' AND b = ', ' OR a = ', '']);
  });

  it('keeps :: casts, including a cast directly after a parameter', () => {
    const parsed = parseNamedParameters("SELECT :id::uuid, now()::date, '1'::int");

    expect(parsed.references).toEqual(['id']);
    expect(parsed.parts).toEqual(['SELECT ', "::uuid, now()::date, '1'::int"]);
  });

  it.each([
    ['single-quoted strings with doubled quotes', "SELECT 'it''s :not'"],
    ['escape strings with backslash-escaped quotes', "SELECT E'\\' :not'"],
    ['quoted identifiers', 'SELECT "a:not""b" FROM t'],
    ['empty dollar quotes', 'SELECT $$ :not $$'],
    ['tagged dollar quotes containing $$', 'SELECT $fn$ :not $$ :not $fn$'],
    ['line comments', 'SELECT 1 -- :not'],
    ['nested block comments', 'SELECT 1 /* outer /* :not */ :not */'],
    ['array slices with numeric bounds', 'SELECT a[1:2] FROM t'],
    ['named-argument notation', 'SELECT f(x := 1)'],
  ])('finds no parameter inside %s', (_, sql) => {
    const parsed = parseNamedParameters(sql);

    expect(parsed.references).toEqual([]);
    expect(parsed.parts).toEqual([sql]);
  });

  it('finds parameters right after quoted sections and comments end', () => {
    const parsed = parseNamedParameters("SELECT 'x', :a /* c */, :b -- d\n, $$y$$, :c");

    expect(parsed.references).toEqual(['a', 'b', 'c']);
  });

  it('does not open a dollar quote for a $ inside an identifier', () => {
    const parsed = parseNamedParameters('SELECT a$b$ , :p, c$');

    expect(parsed.references).toEqual(['p']);
  });

  it('flags positional $n parameters outside quotes and comments only', () => {
    expect(parseNamedParameters('SELECT $1').hasPositionalParameters).toBe(true);
    expect(parseNamedParameters("SELECT '$1', $$ $1 $$ -- $1").hasPositionalParameters).toBe(false);
  });

  it('treats an unterminated string as running to the end of the SQL', () => {
    const parsed = parseNamedParameters("SELECT ':a");

    expect(parsed.references).toEqual([]);
  });
});
