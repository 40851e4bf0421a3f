/**
 * The CSV's records as commits: the header mapped to the schema's columns, each data record validated
 * into a typed row or rejected with a reason for every way it can fail, and a valid row made into its
 * versioned stream record. Memory stays bounded by one record whatever the file (csv-reader.ts).
 *
 * The header must name the eight schema columns (in any order); anything else is an
 * {@link InputFormatError} before any row is read. A bad row is yielded as a rejection with its line,
 * reason and raw text, and reading goes on. A row whose bytes are not valid in the encoding (UTF-8
 * unless told otherwise) is rejected as `invalid-character` with its bytes in base64: text never
 * reaches an aggregate with U+FFFD standing for bytes that could not be read.
 */
import type { Readable } from 'node:stream';
import { COMMIT_RECORD_VERSION, type CommitRecord } from '../shared/commit-record.js';
import { eventTimeOf } from '../shared/derived-fields.js';
import { InputFormatError } from '../shared/errors.js';
import { type BoundedField, boundViolation, streamMessageOf } from '../shared/record-bounds.js';
import { settings } from '../shared/settings.js';
import { CSV_ENCODINGS, type CsvEncoding, firstInvalidUtf8Byte } from './csv-encoding.js';
import { type CsvFault, type CsvRecord, readCsvRecords } from './csv-reader.js';
import type { RejectReason } from './reject-reasons.js';
import type { RejectedRow } from './reject-sinks.js';

export const CSV_COLUMNS = [
  'commit_id',
  'author',
  'time',
  'file_path',
  'lines_added',
  'lines_deleted',
  'entropy',
  'message',
] as const;

/** A row that passed validation: the stream record's fields that the CSV gives, its message as carried. */
export type CommitRow = Omit<CommitRecord, 'v' | 'eventTime' | 'ingestedAt'>;

/**
 * A row that is not sent: why, where, and what it held (its text as read, U+FFFD where bytes could not
 * be decoded; then its bytes in base64, so they can be read back).
 */
export interface RejectedSourceRow extends RejectedRow {
  ok: false;
}

/** One data row of the file, valid or not, with the line it starts at. */
export type SourceRow = { ok: true; line: number; row: CommitRow } | RejectedSourceRow;

export type RowValidation =
  | { ok: true; row: CommitRow }
  | { ok: false; reason: RejectReason; detail: string };

export interface CommitRowOptions {
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
 * Reads a CSV byte stream as validated rows, yielded in chunks in file order.
 *
 * @param input - the CSV bytes (a file or S3 object stream)
 * @param options - the record bound, the encoding and the line to start from
 * @example
 * for await (const rows of readCommitRows(createReadStream('data/infected_code_sample.csv'))) { ... }
 */
export async function* readCommitRows(
  input: Readable,
  options: CommitRowOptions = {},
): AsyncGenerator<SourceRow[]> {
  const maxRecordChars = options.maxRecordChars ?? settings.producer.maxCsvRecordChars;
  const encoding = options.encoding ?? 'utf-8';
  const fromLine = options.fromLine ?? 1;
  let columnOrder: number[] | undefined;
  // Files in schema order (the usual case) are passed through without copying each row.
  let reorder = false;
  const records = readCsvRecords(input, { maxRecordChars, expectedFields: CSV_COLUMNS.length, encoding });
  for await (const chunk of records) {
    const rows: SourceRow[] = [];
    for (const record of chunk) {
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
      const validation = validateCommitRow(ordered);
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

/**
 * The stream record of a valid row: versioned, with its event time (log epoch + `time`).
 *
 * @param row - a validated row
 * @param ingestedAt - when the row was read (ISO 8601)
 */
export function toCommitRecord(row: CommitRow, ingestedAt: string): CommitRecord {
  return {
    v: COMMIT_RECORD_VERSION,
    commitId: row.commitId,
    author: row.author,
    time: row.time,
    eventTime: eventTimeOf(row.time),
    filePath: row.filePath,
    linesAdded: row.linesAdded,
    linesDeleted: row.linesDeleted,
    entropy: row.entropy,
    message: row.message,
    // Absent from the JSON when the message is whole (JSON.stringify leaves out undefined).
    messageChars: row.messageChars,
    ingestedAt,
  };
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

/**
 * The reason for a row that breaks one of the record bounds (record-bounds.ts). A message is cut to its
 * bound rather than refused (see `streamMessageOf`), so all it can break is the text rule.
 */
const BOUND_REASONS: Readonly<Record<BoundedField, RejectReason>> = {
  commitId: 'invalid-commit-id',
  author: 'invalid-author',
  filePath: 'invalid-file-path',
  message: 'invalid-character',
  linesAdded: 'invalid-lines-added',
  linesDeleted: 'invalid-lines-deleted',
  eventTime: 'invalid-time',
};

const NON_NEGATIVE_INTEGER = /^\d+$/;
/** Largest `time` whose event time (log epoch + time) is still a four-digit-year ISO timestamp. */
const MAX_TIME_SECONDS = Math.floor(
  (Date.parse('9999-12-31T23:59:59Z') - Date.parse(settings.analytics.logEpoch)) / 1000,
);
const DECIMAL_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Validates the fields of one data row, given in the order of {@link CSV_COLUMNS}.
 *
 * @param fields - the row's fields as parsed from the CSV
 * @returns the typed row, or the first reason it is invalid and a human-readable detail
 */
function validateCommitRow(fields: readonly string[]): RowValidation {
  if (fields.length !== CSV_COLUMNS.length) {
    return reject('column-count', `expected ${CSV_COLUMNS.length} columns, found ${fields.length}`);
  }
  // PostgreSQL text cannot hold NUL, so such a row could never be stored.
  for (const field of fields) {
    if (field.includes('\0')) return reject('invalid-character', 'a field contains a NUL character');
  }
  // Every field but the message is read trimmed (the count is checked above: no default is used).
  const [
    commitId = '',
    author = '',
    time = '',
    filePath = '',
    linesAdded = '',
    linesDeleted = '',
    entropy = '',
  ] = fields.map((field) => field.trim());
  const message = fields[7] ?? '';
  if (commitId === '') return reject('missing-commit-id', 'commit_id is empty');
  if (author === '') return reject('missing-author', 'author is empty');
  const timeValue = parseNonNegativeInteger(time);
  if (timeValue === undefined || timeValue > MAX_TIME_SECONDS) {
    return reject('invalid-time', `time must be an integer from 0 to ${MAX_TIME_SECONDS}, got "${time}"`);
  }
  const added = parseNonNegativeInteger(linesAdded);
  if (added === undefined) {
    return reject('invalid-lines-added', `lines_added must be an integer >= 0, got "${linesAdded}"`);
  }
  const deleted = parseNonNegativeInteger(linesDeleted);
  if (deleted === undefined) {
    return reject('invalid-lines-deleted', `lines_deleted must be an integer >= 0, got "${linesDeleted}"`);
  }
  const entropyValue = DECIMAL_NUMBER.test(entropy) ? Number(entropy) : Number.NaN;
  if (!(entropyValue >= 0 && entropyValue <= 1)) {
    return reject('invalid-entropy', `entropy must be a number in [0, 1], got "${entropy}"`);
  }

  // The message is free text: keep it as written, inner whitespace and all, up to its bound.
  const kept = streamMessageOf(message);
  const row: CommitRow = {
    commitId,
    author,
    time: timeValue,
    filePath,
    linesAdded: added,
    linesDeleted: deleted,
    entropy: entropyValue,
    message: kept.message,
    messageChars: kept.messageChars,
  };
  // What Kinesis, the indexes and the Data API can hold; a row beyond it is refused here, alone.
  const violation = boundViolation(row);
  if (violation) return reject(BOUND_REASONS[violation.field], violation.detail);
  return { ok: true, row };
}

function parseNonNegativeInteger(text: string): number | undefined {
  if (!NON_NEGATIVE_INTEGER.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

function reject(reason: RejectReason, detail: string): RowValidation {
  return { ok: false, reason, detail };
}
