/**
 * The text encodings a CSV may be read in, and the decoder that turns its bytes into text chunk by
 * chunk without ever guessing: in UTF-8 (the default) a line whose bytes are not UTF-8 is reported
 * with its raw bytes, so that it is rejected instead of reaching an aggregate as U+FFFD.
 *
 * Bytes never cross a line: `\n` (0x0A) is a line end in all three encodings and is never part of a
 * UTF-8 multi-byte sequence, so a chunk's text splits into the same lines as its bytes. The fast path
 * checks a whole chunk at once (`buffer.isUtf8`) and decodes it in one call; only a chunk that is not
 * valid is split into lines to find the ones at fault.
 */
import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { InputFormatError, UsageError } from '../shared/errors.js';

/** The encodings a CSV may be read in. `latin1` is ISO-8859-1 (every byte is the code point of its value). */
export const CSV_ENCODINGS = ['utf-8', 'latin1', 'windows-1252'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

/** Other names people use for the same encodings. */
const ALIASES: Readonly<Record<string, CsvEncoding>> = {
  utf8: 'utf-8',
  'iso-8859-1': 'latin1',
  iso88591: 'latin1',
  'latin-1': 'latin1',
  cp1252: 'windows-1252',
};

/**
 * The encoding a name stands for (case-insensitive, common aliases accepted), or undefined.
 *
 * @example csvEncodingNamed('ISO-8859-1') === 'latin1'
 */
export function csvEncodingNamed(name: string): CsvEncoding | undefined {
  const lower = name.trim().toLowerCase();
  return (CSV_ENCODINGS as readonly string[]).includes(lower) ? (lower as CsvEncoding) : ALIASES[lower];
}

/** What an unknown encoding name is told. */
export function unknownEncodingMessage(name: string): string {
  return `unknown encoding "${name}": use one of ${CSV_ENCODINGS.join(', ')}`;
}

/**
 * @param name - as the user wrote it (`--encoding`)
 * @throws UsageError naming the encodings there are
 */
export function parseCsvEncoding(name: string): CsvEncoding {
  const encoding = csvEncodingNamed(name);
  if (!encoding) throw new UsageError(unknownEncodingMessage(name));
  return encoding;
}

/** The same rule for events validated with zod (the producer's Lambda event). */
export const csvEncodingSchema = z.string().transform((name, context) => {
  const encoding = csvEncodingNamed(name);
  if (!encoding) context.addIssue({ code: 'custom', message: unknownEncodingMessage(name) });
  return encoding ?? z.NEVER;
});

/** One chunk's text, and the lines in it whose bytes are not valid in the encoding. */
export interface DecodedChunk {
  text: string;
  /**
   * Raw bytes by line segment of this chunk: segment 0 is the part of the line left open by the chunks
   * before (or the first line), segment k the part after the k-th `\n` of `text`. Only the segments
   * that are not valid are listed; their text holds U+FFFD where the bad bytes were.
   */
  invalid?: ReadonlyMap<number, Buffer>;
}

export interface ChunkDecoder {
  write(chunk: Buffer): DecodedChunk;
  /** What is left at the end of the input (a UTF-8 sequence cut off by the end of the file). */
  end(): DecodedChunk;
}

/**
 * @param encoding - the input's encoding
 */
export function createChunkDecoder(encoding: CsvEncoding): ChunkDecoder {
  switch (encoding) {
    case 'utf-8':
      return new Utf8ChunkDecoder();
    case 'latin1':
      return singleByteDecoder(encoding, (chunk) => chunk.toString('latin1'));
    case 'windows-1252':
      return singleByteDecoder(encoding, decodeWindows1252);
  }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A single-byte encoding: any byte is a character, so nothing is invalid and chunks decode alone. */
function singleByteDecoder(encoding: CsvEncoding, decode: (chunk: Buffer) => string): ChunkDecoder {
  let first = true;
  return {
    write(chunk) {
      if (first && chunk.length > 0) {
        first = false;
        // Read as Latin-1 a UTF-8 BOM would become "ï»¿" glued to the first column's name.
        if (chunk.subarray(0, 3).equals(UTF8_BOM)) {
          throw new InputFormatError(
            `the file starts with a UTF-8 byte-order mark, so it is UTF-8, not ${encoding}: replay it without an encoding`,
          );
        }
      }
      return { text: decode(chunk) };
    },
    end: () => ({ text: '' }),
  };
}

/**
 * Windows-1252 is ISO-8859-1 except for 0x80–0x9F, which hold printable characters instead of C1
 * controls (the 5 bytes it leaves undefined map to the control of the same value, as in the WHATWG
 * Encoding Standard). Written out here: Node 20's `TextDecoder('windows-1252')` decodes as ISO-8859-1.
 */
const WINDOWS_1252_80_9F =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1_RANGE = /[\u0080-\u009f]/g;

function decodeWindows1252(chunk: Buffer): string {
  const text = chunk.toString('latin1');
  C1_RANGE.lastIndex = 0;
  if (!C1_RANGE.test(text)) return text;
  return text.replace(C1_RANGE, (char) => WINDOWS_1252_80_9F[char.charCodeAt(0) - 0x80] ?? char);
}

/**
 * UTF-8, strictly. A multi-byte sequence cut by the chunk's end waits for the next chunk, so that
 * every chunk is checked and decoded as whole characters.
 */
class Utf8ChunkDecoder implements ChunkDecoder {
  private carry: Buffer | undefined;

  write(chunk: Buffer): DecodedChunk {
    const bytes = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = wholeSequencesLength(bytes);
    this.carry = whole < bytes.length ? Buffer.from(bytes.subarray(whole)) : undefined;
    return decodeUtf8(bytes.subarray(0, whole));
  }

  end(): DecodedChunk {
    const rest = this.carry;
    this.carry = undefined;
    return rest ? decodeUtf8(rest) : { text: '' };
  }
}

function decodeUtf8(bytes: Buffer): DecodedChunk {
  const text = bytes.toString('utf8');
  if (isUtf8(bytes)) return { text };
  // Rare: find the lines at fault. Lossy decoding replaces bad bytes line by line, so `text` still has
  // the same line ends as `bytes`.
  const invalid = new Map<number, Buffer>();
  let segment = 0;
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    const part = bytes.subarray(start, end === -1 ? bytes.length : end);
    if (!isUtf8(part)) invalid.set(segment, Buffer.from(part));
    if (end === -1) break;
    start = end + 1;
    segment += 1;
  }
  return { text, invalid };
}

/**
 * How many bytes at the start of `bytes` end on a character boundary: all of them, unless they end
 * inside a multi-byte sequence that the next bytes may complete (at most 3 bytes are held back).
 */
function wholeSequencesLength(bytes: Buffer): number {
  let lead = bytes.length - 1;
  // Skip back over up to 3 continuation bytes (10xxxxxx) to the byte that opened the sequence.
  while (lead >= 0 && bytes.length - lead <= 3 && ((bytes[lead] as number) & 0xc0) === 0x80) lead -= 1;
  if (lead < 0) return bytes.length;
  const byte = bytes[lead] as number;
  const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
  return bytes.length - lead < length ? lead : bytes.length;
}

/**
 * Where the first byte that is not UTF-8 is, for a message that points at it.
 *
 * @returns its offset and value, or undefined when `bytes` are valid
 */
export function firstInvalidUtf8Byte(bytes: Uint8Array): { offset: number; byte: number } | undefined {
  let offset = 0;
  while (offset < bytes.length) {
    const byte = bytes[offset] as number;
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte < 0xe0 ? 2 : byte >= 0xe0 && byte < 0xf0 ? 3 : 4;
    const valid = byte < 0xf5 && isUtf8(bytes.subarray(offset, offset + length));
    if (!valid) return { offset, byte };
    offset += length;
  }
  return undefined;
}
