/**
 * Formats commit rows as RFC 4180 CSV: comma separated, `\n` line ends, a field quoted only when it holds
 * a comma, a double quote or a line break, with its double quotes doubled.
 */
import { type CommitRow, CSV_COLUMNS } from '../../functions/producer/commit-row.js';

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\n`;

const NEEDS_QUOTING = /[",\r\n]/;

/**
 * One CSV field, quoted when RFC 4180 requires it.
 *
 * @param value - the raw field text
 * @example csvField('fix parser, add tests') === '"fix parser, add tests"'
 */
export function csvField(value: string): string {
  return NEEDS_QUOTING.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * An entropy as the published data writes it: at most 4 decimals, no trailing zeros, and a whole number
 * with one decimal (`1.0`).
 *
 * @param entropy - a value already rounded to 4 decimals
 */
export function formatEntropy(entropy: number): string {
  const text = String(entropy);
  return Number.isInteger(entropy) ? `${text}.0` : text;
}

/** One row, with its trailing `\n`. */
export function formatCsvRow(row: CommitRow): string {
  return `${csvField(row.commitId)},${csvField(row.author)},${row.time},${csvField(row.filePath)},${row.linesAdded},${row.linesDeleted},${formatEntropy(row.entropy)},${csvField(row.message)}\n`;
}

/** Options of {@link csvChunks}. */
export interface CsvChunkOptions {
  /** Approximate size of each chunk in characters. @default 65536 */
  chunkSize?: number;
  /** Called after each chunk with the number of rows formatted so far. */
  onRows?: (rows: number) => void;
}

/**
 * The CSV text (header first) in chunks of about `chunkSize` characters, so a writer can stream a file
 * of any size while holding one chunk at a time.
 *
 * @param rows - the rows, in output order
 * @param options - chunk size and progress callback
 * @example await pipeline(Readable.from(csvChunks(generateCommits(options))), createWriteStream(path));
 */
export function* csvChunks(
  rows: Iterable<CommitRow>,
  options: CsvChunkOptions = {},
): Generator<string, void, undefined> {
  const chunkSize = options.chunkSize ?? 65_536;
  let chunk = CSV_HEADER;
  let count = 0;
  for (const row of rows) {
    chunk += formatCsvRow(row);
    count += 1;
    if (chunk.length >= chunkSize) {
      yield chunk;
      options.onRows?.(count);
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
  options.onRows?.(count);
}
