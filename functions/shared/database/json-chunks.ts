/**
 * Rows for a set-based statement travel as one JSON parameter (`jsonb_to_recordset(:rows::jsonb)`),
 * kept under `settings.database.maxJsonParameterBytes` so that a request stays far under the Data API's
 * limit: large batches, or rows with long keys, are split into several statements.
 */
import { settings } from '../settings.js';

const { maxJsonParameterBytes } = settings.database;

/**
 * The rows as JSON arrays of at most `maxBytes` each, in order (a single row larger than that is a
 * chunk of its own). One array, without per-row work, when everything fits.
 *
 * @param rows - the rows of one statement
 * @param maxBytes - the bound of each array's UTF-8 length
 */
export function jsonChunks(rows: readonly unknown[], maxBytes = maxJsonParameterBytes): string[] {
  const whole = JSON.stringify(rows);
  if (Buffer.byteLength(whole, 'utf8') <= maxBytes) return [whole];
  const chunks: string[] = [];
  let current: string[] = [];
  let bytes = 2;
  for (const row of rows) {
    const text = JSON.stringify(row);
    const size = Buffer.byteLength(text, 'utf8') + 1;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(`[${current.join(',')}]`);
      current = [];
      bytes = 2;
    }
    current.push(text);
    bytes += size;
  }
  if (current.length > 0) chunks.push(`[${current.join(',')}]`);
  return chunks;
}
