/**
 * A hostile commit-log CSV: rows of the bundled sample interleaved with every kind of bad input a
 * user's file can hold — malformed quoting (an unclosed quote, a stray one), NUL and control
 * characters, fields beyond what Kinesis, the indexes or the columns hold, numbers out of range,
 * wrong widths, a line of 100,000 characters, duplicates, SQL-looking text — one record per line, so
 * that the independent expectation can read it line by line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { bundledSamplePath } from '../../functions/producer/csv-source.js';

const HEADER = 'commit_id,author,time,file_path,lines_added,lines_deleted,entropy,message';

/** One hostile line per kind, each an edge a user's file may really hold. */
export function hostileLines(prefix: string): string[] {
  const row = (
    id: string,
    fields: Partial<
      Record<'author' | 'time' | 'path' | 'added' | 'deleted' | 'entropy' | 'message', string>
    > = {},
  ) =>
    [
      `${prefix}${id}`,
      fields.author ?? `${prefix}hostile_author`,
      fields.time ?? '100',
      fields.path ?? '/core/api/x.go',
      fields.added ?? '1',
      fields.deleted ?? '1',
      fields.entropy ?? '0.5',
      fields.message ?? 'ok',
    ].join(',');
  return [
    `${prefix}q1,${prefix}hostile_author,1,/a/b/c.py,1,1,0.5,"an unclosed quote, to the end of the file`,
    `${prefix}q2,${prefix}hostile_author,1,/a/b/c.py,1,1,0.5,a stray " quote`,
    `${prefix}q3,${prefix}hostile_author,1,/a/b/c.py,1,1,0.5,"closed" then text`,
    row('nul', { message: 'nul\u0000inside' }),
    row('long-author', { author: 'a'.repeat(300) }),
    row(`${'x'.repeat(3_000)}`),
    row('long-module', { path: `/${'m'.repeat(2_400)}/sub/file.py` }),
    row('long-extension', { path: `/a/b/file.${'e'.repeat(100)}` }),
    row('long-path', { path: `/a/b/${'p'.repeat(70_000)}.py` }),
    row('int4', { added: '3000000000', entropy: '0.95' }),
    row('huge', { deleted: '99999999999999999999' }),
    row('time-far', { time: '900000000000' }),
    row('time-negative', { time: '-1' }),
    row('time-fraction', { time: '1.5' }),
    row('entropy-nan', { entropy: 'NaN' }),
    row('entropy-high', { entropy: '1.5' }),
    row('entropy-hex', { entropy: '0x1' }),
    row('empty-author', { author: '' }),
    `${prefix}short,${prefix}hostile_author,1`,
    `${row('wide')},extra,columns`,
    `,${prefix}hostile_author,1,/a/b/c.py,1,1,0.5,no id`,
    `${prefix}${'z'.repeat(100_000)}`,
    // Valid, if strange: must be counted like any other row.
    row('sql', { message: "'); DROP TABLE pipeline.group_stats; --" }),
    // A squash-merge message: longer than a stream record carries, cut there, the commit counted.
    row('long-message', { message: 'y'.repeat(20_000) }),
    row('unicode', { author: `${prefix}Zoë 日本 🙂`, message: 'ünïcödé' }),
    row('controls', { message: 'tab\there\u0007bell' }),
    row('quoted-ok', { message: '"quoted, with comma and ""quotes"""' }),
    row('no-module', { path: 'file_at_root.py' }),
    row('no-extension', { path: '/a/b/Makefile' }),
    row('sql', { message: 'a duplicate commit id: counted once' }),
    row('crlf', { message: 'crlf line end\r' }),
    row('spaces', { author: `  ${prefix}hostile_author  ` }),
  ];
}

/**
 * Writes the hostile file: a BOM, the header, `sampleRows` rows of the sample (renamed with `prefix`),
 * and the hostile lines spread among them, with empty lines too.
 *
 * @returns how many lines the file has besides the header and empty lines
 */
export function writeHostileCsv(path: string, prefix: string, sampleRows = 2_000): number {
  const sample = readFileSync(bundledSamplePath(), 'utf8')
    .split('\n')
    .slice(1, 1 + sampleRows);
  const lines = sample.map((line) => `${prefix}${line}`.replace(/,person_/, `,${prefix}person_`));
  const hostile = hostileLines(prefix);
  for (const [index, line] of hostile.entries()) {
    lines.splice(Math.floor(((index + 1) * lines.length) / (hostile.length + 1)), 0, line);
  }
  lines.splice(10, 0, '', '\r');
  writeFileSync(path, `\ufeff${HEADER}\r\n${lines.join('\n')}\n`);
  return sample.length + hostile.length;
}
