/**
 * Validation of one CSV row of the Infected Code schema, with a reason code for every way it can fail.
 */
import { type BoundedField, boundViolation, streamMessageOf } from '../shared/record-bounds.js';
import { settings } from '../shared/settings.js';

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

export type RejectReason =
  | 'malformed-csv'
  | 'invalid-character'
  | 'column-count'
  | 'missing-commit-id'
  | 'missing-author'
  | 'invalid-commit-id'
  | 'invalid-author'
  | 'invalid-file-path'
  | 'invalid-time'
  | 'invalid-lines-added'
  | 'invalid-lines-deleted'
  | 'invalid-entropy';

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

/** A row that passed validation, typed, its message as the stream record carries it. */
export interface CommitRow {
  commitId: string;
  author: string;
  time: number;
  filePath: string;
  linesAdded: number;
  linesDeleted: number;
  entropy: number;
  /** The message, cut to `MAX_MESSAGE_CHARS` when longer. */
  message: string;
  /** The message's length before it was cut; undefined when it is whole. */
  messageChars?: number | undefined;
}

export type RowValidation =
  | { ok: true; row: CommitRow }
  | { ok: false; reason: RejectReason; detail: string };

const NON_NEGATIVE_INTEGER = /^\d+$/;
/** Largest `time` whose event time (log epoch + time) is still a four-digit-year ISO timestamp. */
export const MAX_TIME_SECONDS = Math.floor(
  (Date.parse('9999-12-31T23:59:59Z') - Date.parse(settings.analytics.logEpoch)) / 1000,
);
const DECIMAL_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Validates the fields of one data row, given in the order of {@link CSV_COLUMNS}.
 *
 * @param fields - the row's fields as parsed from the CSV
 * @returns the typed row, or the first reason it is invalid and a human-readable detail
 */
export function validateCsvRow(fields: readonly string[]): RowValidation {
  if (fields.length !== CSV_COLUMNS.length) {
    return reject('column-count', `expected ${CSV_COLUMNS.length} columns, found ${fields.length}`);
  }
  const [commitId, author, time, filePath, linesAdded, linesDeleted, entropy, message] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];

  // PostgreSQL text cannot hold NUL, so such a row could never be stored.
  for (const field of fields) {
    if (field.includes('\0')) return reject('invalid-character', 'a field contains a NUL character');
  }
  return validateFields(
    commitId.trim(),
    author.trim(),
    time.trim(),
    filePath.trim(),
    linesAdded.trim(),
    linesDeleted.trim(),
    entropy.trim(),
    message,
  );
}

function validateFields(
  commitId: string,
  author: string,
  time: string,
  filePath: string,
  linesAdded: string,
  linesDeleted: string,
  entropy: string,
  message: string,
): RowValidation {
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
