/**
 * Why a row is not counted: every reason the producer gives, in one union. The reject lists, the
 * replay's result and the `RowsRejected` metric's `reason` dimension carry these codes.
 */
export type RejectReason =
  // The CSV itself (commit-row.ts): the record could not be read, or a field breaks the schema.
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
  | 'invalid-entropy'
  // The replay (replay.ts): the stream record is larger than Kinesis takes one.
  | 'record-too-large'
  // The stream (stream-sender.ts): Kinesis refused the entry itself, or did not take it in its attempts.
  | 'publish-refused'
  | 'publish-failed';
