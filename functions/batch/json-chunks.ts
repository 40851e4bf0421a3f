/**
 * Rows cut into JSON arrays of bounded size, for set-based writes through the Data API (one
 * `jsonb_to_recordset(:rows::jsonb)` statement per array, each request far under its 4 MiB limit).
 */

/**
 * @param rows - the rows, in the order to write them
 * @param maxBytes - the largest JSON text of one chunk (a single larger row still forms a chunk alone)
 * @returns the JSON text of each chunk
 */
export function jsonChunks(rows: readonly unknown[], maxBytes: number): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const row of rows) {
    const text = JSON.stringify(row);
    const size = Buffer.byteLength(text) + 1;
    if (parts.length > 0 && bytes + size > maxBytes) {
      chunks.push(`[${parts.join(',')}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(text);
    bytes += size;
  }
  if (parts.length > 0) chunks.push(`[${parts.join(',')}]`);
  return chunks;
}
