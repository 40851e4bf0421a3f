import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type CommitRowOptions,
  readCommitRows,
  type SourceRow,
} from '../../../../functions/producer/commit-row.js';
import { InputFormatError } from '../../../../functions/shared/errors.js';

const HEADER = 'commit_id,author,time,file_path,lines_added,lines_deleted,entropy,message';

async function parse(text: string | Buffer | Buffer[], options: CommitRowOptions = {}): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const batch of readCommitRows(Readable.from([text].flat()), options)) rows.push(...batch);
  return rows;
}

/** CSV bytes: text parts as UTF-8, byte arrays as they are (e.g. a Latin-1 `é`, 0xE9). */
function bytesOf(...parts: Array<string | readonly number[] | Uint8Array>): Buffer {
  return Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))),
  );
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

  it('counts a commit whatever its message length up to the record bound, the message cut for the stream', async () => {
    const message = 'squash: '.padEnd(60_000, 'x');
    const rows = await parse(
      `${HEADER}\nc_1,person_1,1,/a/b/c.py,1,2,0.1,"${message}"\nc_2,person_1,2,/a/b/c.py,1,2,0.1,short\n`,
    );
    expect(rows.map((row) => row.ok)).toEqual([true, true]);
    const [long, short] = rows;
    expect(long?.ok && long.row.messageChars).toBe(60_000);
    expect(long?.ok && long.row.message).toBe(message.slice(0, 16_384));
    expect(short?.ok && short.row.messageChars).toBeUndefined();
  });

  it('skips the rows before fromLine, reading the quoting of those it skips', async () => {
    const text = `${HEADER}\nc_1,p,1,/a/b/c.py,1,2,0.1,"two\nlines"\nc_2,p,2,/a/b/c.py,1,2,0.1,m\nc_3,p,3,/a/b/c.py,1,2,0.1,m\n`;
    const rows = await parse(text, { fromLine: 4 });
    expect(rows.map((row) => [row.line, row.ok && row.row.commitId])).toEqual([
      [4, 'c_2'],
      [5, 'c_3'],
    ]);
  });
});

describe('bytes that are not in the encoding', () => {
  const latin1Row = bytesOf(
    'jos',
    [0xe9],
    '_0,jos',
    [0xe9],
    '_0,1,/a/b/caf',
    [0xe9],
    '.py,1,2,0.1,r',
    [0xe9],
    'sum',
    [0xe9],
  );

  it('are never counted as U+FFFD: the row is rejected as invalid-character, with its line and its bytes in base64', async () => {
    const rows = await parse(
      bytesOf(
        `${HEADER}\nc_0,person_1,1,/a/b/c.py,1,2,0.1,m\n`,
        latin1Row,
        '\nc_2,person_1,2,/a/b/c.py,1,2,0.1,m\n',
      ),
    );
    expect(rows.map((row) => row.ok)).toEqual([true, false, true]);
    const rejected = rows[1];
    expect(rejected).toMatchObject({ ok: false, line: 3, reason: 'invalid-character' });
    expect(rejected?.ok === false && Buffer.from(rejected.rawBase64 ?? '', 'base64')).toEqual(latin1Row);
    expect(rejected?.ok === false && rejected.detail).toMatch(
      /not valid utf-8 \(byte 0xe9 at offset 3\).*latin1, windows-1252/,
    );
  });

  it('are read as the characters they are when the encoding is given', async () => {
    const rows = await parse(bytesOf(`${HEADER}\n`, latin1Row, '\n'), { encoding: 'latin1' });
    expect(rows).toEqual([
      {
        ok: true,
        line: 2,
        row: expect.objectContaining({
          commitId: 'josé_0',
          author: 'josé_0',
          filePath: '/a/b/café.py',
          message: 'résumé',
        }),
      },
    ]);
  });

  it('cost only their record when a quoted field spans lines, its bytes those of every line', async () => {
    const record = bytesOf('c_1,person_1,1,/a/b/c.py,1,2,0.1,"first\nsecond ', [0xff], '"');
    const rows = await parse(bytesOf(`${HEADER}\n`, record, '\nc_2,person_1,2,/a/b/c.py,1,2,0.1,m\n'));
    expect(rows.map((row) => [row.line, row.ok ? row.row.commitId : row.reason])).toEqual([
      [2, 'invalid-character'],
      [4, 'c_2'],
    ]);
    expect(rows[0]?.ok === false && Buffer.from(rows[0].rawBase64 ?? '', 'base64')).toEqual(record);
  });

  it('keep their exact bytes when the line spans chunks, cut inside a character or not', async () => {
    const line = bytesOf('c_1,Zo', [0xc3, 0xab], ',1,/a/b/c.py,1,2,0.1,caf', [0xe9], ' ', [0xe6, 0x97, 0xa5]);
    for (let cut = 1; cut < line.length; cut += 1) {
      const rows = await parse([
        bytesOf(`${HEADER}\n`, line.subarray(0, cut)),
        bytesOf(line.subarray(cut), '\n'),
      ]);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.ok === false && Buffer.from(rows[0].rawBase64 ?? '', 'base64')).toEqual(line);
    }
  });

  it('refuse the file when they are in its header', async () => {
    await expect(parse(bytesOf('commit_id,auth', [0xe9], 'r\n'))).rejects.toThrow(
      /header is not valid utf-8/,
    );
  });
});

describe('text that is valid but unusual', () => {
  it('counts a U+FFFD written as valid UTF-8 as data', async () => {
    const rows = await parse(Buffer.from(`${HEADER}\nc_1,person_\ufffd,1,/a/b/c.py,1,2,0.1,m\n`, 'utf8'));
    expect(rows).toMatchObject([{ ok: true, row: { author: 'person_\ufffd' } }]);
  });

  it('reads Windows-1252 punctuation at 0x80–0x9F as its characters', async () => {
    const row = bytesOf(
      'c_1,',
      [0x8a],
      'imon,1,/a/b/c.py,1,2,0.1,',
      [0x93],
      'fix',
      [0x94],
      ' ',
      [0x80],
      '5 ',
      [0x99],
    );
    const rows = await parse(bytesOf(`${HEADER}\n`, row, '\n'), { encoding: 'windows-1252' });
    expect(rows).toMatchObject([{ ok: true, row: { author: 'Šimon', message: '“fix” €5 ™' } }]);
  });
});
