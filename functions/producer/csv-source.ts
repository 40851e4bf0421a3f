/**
 * Streams an Infected Code CSV as validated rows, with bounded memory whatever the file.
 *
 * Accepts a UTF-8 BOM, CRLF or LF line ends and RFC 4180 quoting. The header must name the eight
 * schema columns (in any order); anything else is an {@link InputFormatError} before any row is read.
 * A bad row is yielded as a rejection with its line number, reason and raw text, and reading goes on;
 * a malformed one costs only itself (see csv-records.ts).
 */
import type { Readable } from 'node:stream';
import { InputFormatError } from '../shared/errors.js';
import { settings } from '../shared/settings.js';
import { readCsvRecords } from './csv-records.js';
import { type CommitRow, CSV_COLUMNS, type RejectReason, validateCsvRow } from './csv-row.js';

export type SourceRow =
  | { ok: true; line: number; row: CommitRow }
  | { ok: false; line: number; reason: RejectReason; detail: string; raw: string };

/**
 * Parses a CSV byte stream into validated rows, yielded in batches in file order.
 *
 * @param input - the CSV bytes (a file or S3 object stream)
 * @param maxRecordChars - the record-size bound (default: the shared settings)
 * @example
 * for await (const rows of readCommitCsv(createReadStream('data/infected_code_sample.csv'))) { ... }
 */
export async function* readCommitCsv(
  input: Readable,
  maxRecordChars: number = settings.producer.maxCsvRecordChars,
): AsyncGenerator<SourceRow[]> {
  let columnOrder: number[] | undefined;
  // Files in schema order (the usual case) are passed through without copying each row.
  let reorder = false;
  for await (const records of readCsvRecords(input, { maxRecordChars, expectedFields: CSV_COLUMNS.length })) {
    const rows: SourceRow[] = [];
    for (const record of records) {
      if (columnOrder === undefined) {
        if (!record.ok) throw new InputFormatError(`the CSV header is malformed: ${record.detail}`);
        columnOrder = resolveHeader(record.fields);
        reorder = columnOrder.some((position, index) => position !== index);
        continue;
      }
      if (!record.ok) {
        const detail = record.truncated
          ? `${record.detail} (raw text cut at ${maxRecordChars})`
          : record.detail;
        rows.push({ ok: false, line: record.line, reason: 'malformed-csv', detail, raw: record.raw });
        continue;
      }
      const { fields } = record;
      const order = columnOrder;
      const ordered =
        reorder && fields.length === CSV_COLUMNS.length ? order.map((i) => fields[i] ?? '') : fields;
      const validation = validateCsvRow(ordered);
      rows.push(
        validation.ok
          ? { ok: true, line: record.line, row: validation.row }
          : {
              ok: false,
              line: record.line,
              reason: validation.reason,
              detail: validation.detail,
              raw: record.raw,
            },
      );
    }
    if (rows.length > 0) yield rows;
  }
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
