import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCommitCsv, type SourceRow } from '../../../functions/producer/csv-source.js';
import { InputFormatError } from '../../../functions/shared/errors.js';

const HEADER = 'commit_id,author,time,file_path,lines_added,lines_deleted,entropy,message';

async function parse(text: string | Buffer): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const batch of readCommitCsv(Readable.from([text]))) rows.push(...batch);
  return rows;
}

describe('reading an Infected Code CSV', () => {
  it('parses a plain row into typed fields', async () => {
    const [row] = await parse(`${HEADER}\nc_1,person_1,543,/a/b/c.py,21,14,0.5674,refactor client\n`);
    expect(row).toEqual({
      ok: true,
      line: 2,
      row: {
        commitId: 'c_1',
        author: 'person_1',
        time: 543,
        filePath: '/a/b/c.py',
        linesAdded: 21,
        linesDeleted: 14,
        entropy: 0.5674,
        message: 'refactor client',
      },
    });
  });

  it('accepts a UTF-8 BOM and CRLF line ends', async () => {
    const text = `\ufeff${HEADER}\r\nc_1,person_1,1,/a/b/c.py,1,2,0.1,m\r\nc_2,person_1,2,/a/b/c.py,1,2,1.0,m\r\n`;
    const rows = await parse(Buffer.from(text, 'utf8'));
    expect(rows.map((row) => row.ok && row.row.commitId)).toEqual(['c_1', 'c_2']);
    expect(rows.every((row) => row.ok && row.row.message === 'm')).toBe(true);
  });

  it('keeps commas, doubled quotes and newlines inside quoted fields', async () => {
    const text = `${HEADER}\nc_1,person_1,1,/a/b/c.py,1,2,0.1,"fix parser, add tests"\nc_2,person_1,2,/a/b/c.py,1,2,0.2,"revert ""x""\nsecond line"\n`;
    const rows = await parse(text);
    expect(rows.map((row) => row.ok && row.row.message)).toEqual([
      'fix parser, add tests',
      'revert "x"\nsecond line',
    ]);
  });

  it('maps columns by header name, in any order', async () => {
    const [row] = await parse(
      'author,commit_id,time,file_path,lines_added,lines_deleted,entropy,message\nperson_9,c_9,5,/x/y/z.go,3,4,0.3,m\n',
    );
    expect(row).toMatchObject({ ok: true, row: { commitId: 'c_9', author: 'person_9', time: 5 } });
  });

  it.each([
    ['column-count', 'c_1,person_1,1,/a/b/c.py,1,2,0.1'],
    ['missing-commit-id', ',person_1,1,/a/b/c.py,1,2,0.1,m'],
    ['missing-author', 'c_1, ,1,/a/b/c.py,1,2,0.1,m'],
    ['invalid-time', 'c_1,person_1,-5,/a/b/c.py,1,2,0.1,m'],
    ['invalid-time', 'c_1,person_1,1.5,/a/b/c.py,1,2,0.1,m'],
    ['invalid-time', 'c_1,person_1,9000000000000,/a/b/c.py,1,2,0.1,m'],
    ['invalid-character', 'c_1,person_1,1,/a/b/c.py,1,2,0.1,nul\u0000inside'],
    ['invalid-lines-added', 'c_1,person_1,1,/a/b/c.py,x,2,0.1,m'],
    ['invalid-lines-deleted', 'c_1,person_1,1,/a/b/c.py,1,-2,0.1,m'],
    ['invalid-entropy', 'c_1,person_1,1,/a/b/c.py,1,2,1.01,m'],
    ['invalid-entropy', 'c_1,person_1,1,/a/b/c.py,1,2,abc,m'],
    ['invalid-entropy', 'c_1,person_1,1,/a/b/c.py,1,2,,m'],
  ])('rejects a row with reason %s and goes on', async (reason, line) => {
    const rows = await parse(
      `${HEADER}\nc_0,person_1,1,/a/b/c.py,1,2,0.1,m\n${line}\nc_2,person_1,2,/a/b/c.py,1,2,0.1,m\n`,
    );
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ ok: false, line: 3, reason, raw: line });
    expect(rows[0]?.ok && rows[2]?.ok).toBe(true);
  });

  it('rejects a malformed quote as malformed-csv, keeping its raw text', async () => {
    const rows = await parse(`${HEADER}\nc_1,person_1,1,/a/b/c.py,1,2,0.1,"bad"quote\n`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ok: false, reason: 'malformed-csv' });
    expect(rows[0]?.ok === false && rows[0].raw).toContain('"bad"quote');
  });

  it('refuses a file whose header is not the schema, before reading any row', async () => {
    await expect(parse('id,author\n1,x\n')).rejects.toThrow(InputFormatError);
    await expect(parse('id,author\n1,x\n')).rejects.toThrow(/missing: \[commit_id/);
  });

  it('refuses an empty file', async () => {
    await expect(parse('')).rejects.toThrow(/empty/);
  });
});
