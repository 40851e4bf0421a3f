/**
 * Streams an Infected Code CSV as validated rows, with bounded memory whatever the file.
 *
 * Accepts a UTF-8 BOM, CRLF or LF line ends and RFC 4180 quoting. The header must name the eight
 * schema columns (in any order); anything else is an {@link InputFormatError} before any row is read.
 * A bad row is yielded as a rejection with its line number, reason and raw text, and reading goes on;
 * a malformed one costs only itself (see csv-records.ts). A row whose bytes are not valid in the
 * encoding (UTF-8 unless told otherwise) is rejected as `invalid-character` with its bytes in base64:
 * text never reaches an aggregate with U+FFFD standing for bytes that could not be read.
 */
import type { Readable } from 'node:stream';
import { InputFormatError } from '../shared/errors.js';
import { settings } from '../shared/settings.js';
import { CSV_ENCODINGS, type CsvEncoding, firstInvalidUtf8Byte } from './csv-encoding.js';
import { type CsvFault, type CsvRecord, readCsvRecords } from './csv-records.js';
import { type CommitRow, CSV_COLUMNS, type RejectReason, validateCsvRow } from './csv-row.js';

/** A row that is not sent: why, where, and what it held. */
export interface RejectedSourceRow {
  ok: false;
  line: number;
  reason: RejectReason;
  detail: string;
  /** The row's text as read (U+FFFD where bytes could not be decoded). */
  raw: string;
  /** The row's bytes in base64, when they are not valid in the encoding (so they can be read back). */
  rawBase64?: string;
}

export type SourceRow = { ok: true; line: number; row: CommitRow } | RejectedSourceRow;

export interface CommitCsvOptions {
  /** The record-size bound. @default settings.producer.maxCsvRecordChars */
  maxRecordChars?: number;
  /** @default 'utf-8' */
  encoding?: CsvEncoding | undefined;
  /**
   * Rows that start before this line are skipped (read, so that quoting stays in step, but neither
   * validated nor yielded): a replay resumed where an earlier one stopped. @default 1
   */
  fromLine?: number | undefined;
}

/**
 * Parses a CSV byte stream into validated rows, yielded in batches in file order.
 *
 * @param input - the CSV bytes (a file or S3 object stream)
 * @param options - the record bound, the encoding and the line to start from
 * @example
 * for await (const rows of readCommitCsv(createReadStream('data/infected_code_sample.csv'))) { ... }
 */
export async function* readCommitCsv(
  input: Readable,
  options: CommitCsvOptions = {},
): AsyncGenerator<SourceRow[]> {
  const maxRecordChars = options.maxRecordChars ?? settings.producer.maxCsvRecordChars;
  const encoding = options.encoding ?? 'utf-8';
  const fromLine = options.fromLine ?? 1;
  let columnOrder: number[] | undefined;
  // Files in schema order (the usual case) are passed through without copying each row.
  let reorder = false;
  const records = readCsvRecords(input, { maxRecordChars, expectedFields: CSV_COLUMNS.length, encoding });
  for await (const batch of records) {
    const rows: SourceRow[] = [];
    for (const record of batch) {
      if (columnOrder === undefined) {
        if (!record.ok) throw new InputFormatError(`the CSV header is malformed: ${record.detail}`);
        if (record.invalidBytes) {
          throw new InputFormatError(`the CSV header ${notValidIn(encoding, record.invalidBytes)}`);
        }
        columnOrder = resolveHeader(record.fields);
        reorder = columnOrder.some((position, index) => position !== index);
        continue;
      }
      if (record.line < fromLine) continue;
      if (record.invalidBytes) {
        rows.push(undecodable(record, encoding));
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

/** A row with bytes the encoding has no character for: rejected, its bytes kept to be read back. */
function undecodable(record: CsvRecord | CsvFault, encoding: CsvEncoding): RejectedSourceRow {
  const bytes = record.invalidBytes ?? Buffer.alloc(0);
  return {
    ok: false,
    line: record.line,
    reason: 'invalid-character',
    detail: `the row ${notValidIn(encoding, bytes)}`,
    raw: record.raw,
    rawBase64: bytes.toString('base64'),
  };
}

function notValidIn(encoding: CsvEncoding, bytes: Buffer): string {
  const at = firstInvalidUtf8Byte(bytes);
  const where = at ? ` (byte 0x${at.byte.toString(16).padStart(2, '0')} at offset ${at.offset})` : '';
  const others = CSV_ENCODINGS.filter((name) => name !== encoding).join(', ');
  return `is not valid ${encoding}${where}; if the file is in another encoding, replay it with that encoding (${others})`;
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
