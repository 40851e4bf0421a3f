/**
 * Input the producer must not miscount, replayed through the embedded runtime as `npm run replay` does:
 * a Latin-1 file read as UTF-8 (every row with a byte that is not UTF-8 rejected, with its line and its
 * bytes, never counted with U+FFFD standing in) and read as Latin-1 (every row counted, names as their
 * real characters); a Windows-1252 file with its characters at 0x80–0x9F; a U+FFFD that valid UTF-8
 * really holds; commits whose messages are longer than a stream record carries. The aggregates are
 * compared with the independent expectation.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledSamplePath } from '../../functions/producer/csv-source.js';
import type { RejectedRow } from '../../functions/producer/reject-sinks.js';
import type { CommitRecord } from '../../functions/shared/commit-record.js';
import { archivedLines, rejectedRowsAt } from '../support/archive-reader.js';
import { expectedAggregates } from '../support/expected-aggregates.js';
import { expectScenarioAggregates } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

const HEADER = 'commit_id,author,time,file_path,lines_added,lines_deleted,entropy,message';

let runtime: TestRuntime;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'input-text-'));
  runtime = await startTestRuntime();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The sample's lines of one author, commit ids and author renamed with `prefix`. */
function sampleLines(prefix: string, author: string): string[] {
  return readFileSync(bundledSamplePath(), 'utf8')
    .split('\n')
    .filter((line) => line.split(',')[1] === author)
    .map((line) => `${prefix}${line.replace(`,${author},`, `,${prefix}${author},`)}`);
}

/**
 * Every fifth row by "josé_0" or "josé_1", its path under /café/: a Latin-1 file holds é as the one
 * byte 0xE9.
 */
function writeLatin1(prefix: string): string {
  const lines = sampleLines(prefix, 'person_40').map((line, index) =>
    index % 5 === 0
      ? line.replace(`,${prefix}person_40,`, `,${prefix}josé_${index % 2},`).replace(/,\/[a-z]+\//, ',/café/')
      : line,
  );
  const path = join(dir, `${prefix.replace(':', '')}-latin1.csv`);
  writeFileSync(path, Buffer.from(`${HEADER}\n${lines.join('\n')}\n`, 'latin1'));
  return path;
}

/** The file's physical lines as bytes, by line number (1-based). */
function lineBytes(path: string): Buffer[] {
  const bytes = readFileSync(path);
  const lines: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(0x0a, start);
    lines.push(bytes.subarray(start, end === -1 ? bytes.length : end));
    start = end === -1 ? bytes.length : end + 1;
  }
  return lines;
}

describe('a Latin-1 file', () => {
  it('read as UTF-8, the default: every row with a byte that is not UTF-8 is rejected with its line and bytes, the others counted', async () => {
    const path = writeLatin1('u:');
    const bytes = lineBytes(path);
    const accented = bytes.flatMap((line, index) => (line.includes(0xe9) ? [index + 1] : []));

    const result = await runtime.replay(path);

    const expected = expectedAggregates(path, undefined, { onePerLine: true });
    expect(accented.length).toBeGreaterThan(0);
    expect(expected.invalidRows).toBe(accented.length);
    expect(result).toMatchObject({ rejected: accented.length, failed: 0 });
    const rows = await rejectedRowsAt<RejectedRow>(runtime.s3, result.rejectsAt);
    expect(rows.map((row) => row.line)).toEqual(accented);
    for (const row of rows) {
      expect(row.reason).toBe('invalid-character');
      expect(Buffer.from(row.rawBase64 ?? '', 'base64')).toEqual(bytes[row.line - 1]);
    }
    await expectScenarioAggregates(runtime, { expected });
    const { body } = await runtime.get<{ items: Array<{ author: string }> }>('stats/authors?limit=1000');
    expect(body.items.filter((item) => item.author.includes('\ufffd'))).toEqual([]);
  });

  it('read as latin1, counts every row, the names and paths as their real characters', async () => {
    const path = writeLatin1('l:');

    const result = await runtime.replay(path, { encoding: 'latin1' });

    const expected = expectedAggregates(path, undefined, { onePerLine: true, encoding: 'latin1' });
    expect(result).toMatchObject({ rejected: 0, failed: 0, sent: expected.validRows });
    expect([...expected.authors.keys()].sort()).toEqual(['l:josé_0', 'l:josé_1', 'l:person_40']);
    await expectScenarioAggregates(runtime, { expected });
    const cafe = await runtime.get<{ commits: number }>(`stats/modules/${encodeURIComponent('/café/api')}`);
    expect(cafe.body.commits).toBe(expected.modules.get('/café/api')?.commits);
  });
});

/** Windows-1252's bytes for the characters it puts at 0x80–0x9F, the others as in Latin-1. */
function windows1252(text: string): Buffer {
  const high: Record<string, number> = {
    '€': 0x80,
    Š: 0x8a,
    Œ: 0x8c,
    '“': 0x93,
    '”': 0x94,
    '™': 0x99,
    š: 0x9a,
  };
  return Buffer.from([...text].map((char) => high[char] ?? char.charCodeAt(0)));
}

describe('a Windows-1252 file', () => {
  it('read as windows-1252, counts its characters at 0x80–0x9F as what they are', async () => {
    const lines = sampleLines('w:', 'person_42').map((line, index) =>
      index % 3 === 0 ? line.replace(',w:person_42,', `,w:${index % 2 ? 'Šimon' : 'Œdipe'},`) : line,
    );
    lines.push('w:c_quote,w:Šimon,5,/core/api/x.py,1,1,0.5,“quoted” fix for €5 ™ š');
    const path = join(dir, 'cp1252.csv');
    writeFileSync(path, windows1252(`${HEADER}\n${lines.join('\n')}\n`));

    const result = await runtime.replay(path, { encoding: 'windows-1252' });

    const expected = expectedAggregates(path, undefined, { onePerLine: true, encoding: 'windows-1252' });
    expect(result).toMatchObject({ rejected: 0, failed: 0, sent: lines.length });
    expect([...expected.authors.keys()].sort()).toEqual(['w:person_42', 'w:Œdipe', 'w:Šimon']);
    await expectScenarioAggregates(runtime, { expected });
    const message = (await archivedLines<CommitRecord>(runtime.s3, runtime.bucketName, 'raw/')).find(
      (record) => record.commitId === 'w:c_quote',
    )?.message;
    expect(message).toBe('“quoted” fix for €5 ™ š');
  });
});

describe('valid UTF-8', () => {
  it('counts a U+FFFD the file really holds, and commits with messages of 17,000 to 60,000 characters, carried cut with their length', async () => {
    const lengths = [17_000, 20_000, 40_000, 60_000];
    const lines = sampleLines('x:', 'person_43').map((line, index) => {
      if (index === 0) return line.replace(',x:person_43,', ',x:replacement\ufffdchar,');
      const length = lengths[index - 1];
      return length ? line.replace(/,[^,]*$/, `,squash ${'m'.repeat(length - 7)}`) : line;
    });
    const path = join(dir, 'valid-utf8.csv');
    writeFileSync(path, `${HEADER}\n${lines.join('\n')}\n`);

    const result = await runtime.replay(path);

    const expected = expectedAggregates(path);
    expect(result).toMatchObject({ rejected: 0, failed: 0, sent: lines.length });
    expect(expected.authors.has('x:replacement\ufffdchar')).toBe(true);
    await expectScenarioAggregates(runtime, { expected });
    const archived = (await archivedLines<CommitRecord>(runtime.s3, runtime.bucketName, 'raw/')).filter(
      (record) => record.commitId.startsWith('x:'),
    );
    expect(archived).toHaveLength(lines.length);
    const long = archived.filter((record) => record.messageChars !== undefined);
    expect(long.map((record) => record.messageChars).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(lengths);
    expect(
      long.every((record) => record.message.length === 16_384 && record.message.startsWith('squash m')),
    ).toBe(true);
  });
});
