/**
 * Streams an Infected Code CSV as validated rows, with bounded memory whatever the file size.
 *
 * Accepts a UTF-8 BOM, CRLF or LF line ends and RFC 4180 quoting. The header must name the eight
 * schema columns (in any order); anything else is an {@link InputFormatError} before any row is read.
 * A bad row is yielded as a rejection with its line number and reason, and reading goes on.
 */
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { InputFormatError } from '../shared/errors.js';
import { type CommitRow, CSV_COLUMNS, type RejectReason, validateCsvRow } from './csv-row.js';

export type SourceRow =
  | { ok: true; line: number; row: CommitRow }
  | { ok: false; line: number; reason: RejectReason; detail: string; raw: string };

/**
 * Parses a CSV byte stream into validated rows.
 *
 * @param input - the CSV bytes (a file or S3 object stream)
 * @example
 * for await (const item of readCommitCsv(createReadStream('data/infected_code_sample.csv'))) { ... }
 */
export async function* readCommitCsv(input: Readable): AsyncGenerator<SourceRow> {
  const skipped: SourceRow[] = [];
  const parser = input.pipe(
    parse({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      raw: true,
      // A malformed quote breaks only the records it touches; they are rejected with their raw text.
      skip_records_with_error: true,
      on_skip: (error, raw = '') => {
        const rejection: SourceRow = {
          ok: false,
          line: error instanceof CsvError ? Number(error.lines) : 0,
          reason: 'malformed-csv',
          detail: error?.message ?? 'malformed CSV',
          raw: trimEol(raw),
        };
        // The parser reports a record again as it reads further into it: keep only the fullest report.
        const previous = skipped.at(-1);
        if (previous && !previous.ok && rejection.raw.startsWith(previous.raw))
          skipped[skipped.length - 1] = rejection;
        else skipped.push(rejection);
        return undefined;
      },
    }),
  );
  // A failing source (e.g. a missing file) must fail the parser's iteration, not go unhandled.
  input.once('error', (error) => parser.destroy(error));

  let columnOrder: number[] | undefined;
  // Files in schema order (the usual case) are passed through without copying each row.
  let reorder = false;
  for await (const { record, info, raw } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
    raw: string;
  }>) {
    if (skipped.length > 0) yield* skipped.splice(0);
    if (columnOrder === undefined) {
      columnOrder = resolveHeader(record);
      reorder = columnOrder.some((position, index) => position !== index);
      continue;
    }
    const fields =
      reorder && record.length === CSV_COLUMNS.length ? columnOrder.map((i) => record[i] ?? '') : record;
    const validation = validateCsvRow(fields);
    yield validation.ok
      ? { ok: true, line: info.lines, row: validation.row }
      : {
          ok: false,
          line: info.lines,
          reason: validation.reason,
          detail: validation.detail,
          raw: trimEol(raw),
        };
  }
  yield* skipped.splice(0);
  if (columnOrder === undefined) throw new InputFormatError('the CSV is empty: expected a header row');
}

/** Maps the header to the position of each schema column, or explains why it is not the schema. */
function resolveHeader(header: readonly string[]): number[] {
  const names = header.map((name) => name.trim().toLowerCase());
  const missing = CSV_COLUMNS.filter((column) => !names.includes(column));
  const unexpected = names.filter((name) => !(CSV_COLUMNS as readonly string[]).includes(name));
  if (missing.length > 0 || unexpected.length > 0 || names.length !== CSV_COLUMNS.length) {
    throw new InputFormatError(
      `the CSV header must be ${CSV_COLUMNS.join(',')}; ` +
        `missing: [${missing.join(', ')}], unexpected: [${unexpected.join(', ')}]`,
    );
  }
  return CSV_COLUMNS.map((column) => names.indexOf(column));
}

function trimEol(raw: string): string {
  return raw.replace(/\r?\n$/, '').replace(/\r$/, '');
}
