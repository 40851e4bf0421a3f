/**
 * A durable segment's index file: one 16-byte entry per record, in record order, written right after
 * the records' text, so that recovery rebuilds a shard's in-memory index (shard-index.ts) by reading
 * ~16 MB per million records instead of parsing the records themselves:
 *
 *     arrival, epoch seconds (float64 LE) | length of the record's text (uint32 LE) | data + key bytes (uint32 LE)
 *
 * The text's offsets follow from the lengths (each record's text starts where the previous one ends).
 */

export const INDEX_ENTRY_BYTES = 16;

/**
 * The entries of records stored together (one append: one arrival time).
 * @param textLengths - each record's text length
 * @param sizes - each record's data plus partition key bytes
 */
export function encodeEntries(
  arrivalSeconds: number,
  textLengths: readonly number[],
  sizes: readonly number[],
): Buffer {
  const buffer = Buffer.allocUnsafe(textLengths.length * INDEX_ENTRY_BYTES);
  for (let i = 0; i < textLengths.length; i += 1) {
    const at = i * INDEX_ENTRY_BYTES;
    buffer.writeDoubleLE(arrivalSeconds, at);
    buffer.writeUInt32LE(textLengths[i] as number, at + 8);
    buffer.writeUInt32LE(sizes[i] as number, at + 12);
  }
  return buffer;
}

/** The text length of entry `index` of an index file's bytes. */
export function textBytesAt(buffer: Buffer, index: number): number {
  return buffer.readUInt32LE(index * INDEX_ENTRY_BYTES + 8);
}

/**
 * Visits the entries of an index file's bytes in order, without an object per entry (recovery reads a
 * million of them).
 */
export function forEachEntry(
  buffer: Buffer,
  visit: (arrivalSeconds: number, textBytes: number, bytes: number) => void,
): void {
  for (let at = 0; at + INDEX_ENTRY_BYTES <= buffer.length; at += INDEX_ENTRY_BYTES) {
    visit(buffer.readDoubleLE(at), buffer.readUInt32LE(at + 8), buffer.readUInt32LE(at + 12));
  }
}
