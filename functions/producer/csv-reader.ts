/**
 * Splits a CSV byte stream into records (RFC 4180: comma separated, `"` quoting with `""` escapes,
 * quoted fields may span lines, LF or CRLF line ends, a UTF-8 BOM), with memory bounded by one
 * record whatever the input.
 *
 * A malformed record never costs more than itself. A quote that is never closed would otherwise make
 * the rest of the file one field: once an open record grows past `maxRecordChars`, or ends spanning
 * lines but malformed or of the wrong width, only its first line is rejected and the lines after it
 * are read again as records of their own. A single line longer than the bound is rejected (its first
 * `maxRecordChars` characters kept) and skipped to its end.
 *
 * Bytes are decoded in the input's encoding (csv-encoding.ts). A record holding a line whose bytes are
 * not valid in it is still split into fields (so that the lines after it are read as they should be),
 * but it carries its raw bytes, for the caller to reject it with them.
 */
import { type CsvEncoding, createChunkDecoder, type DecodedChunk } from './csv-encoding.js';

export interface CsvRecord {
  ok: true;
  /** Line number (1-based) where the record starts. */
  line: number;
  fields: string[];
  /** The record's text as read, line ends included between its lines. */
  raw: string;
  /**
   * The record's bytes, present only when some of them are not valid in the input's encoding (its
   * text then holds U+FFFD where they were).
   */
  invalidBytes?: Buffer;
}

export interface CsvFault {
  ok: false;
  line: number;
  detail: string;
  /** The record's text as read (at most `maxRecordChars` characters). */
  raw: string;
  /** True when `raw` was cut at the bound. */
  truncated: boolean;
  /** As for {@link CsvRecord}: the bytes of the line at fault, when they are not valid in the encoding. */
  invalidBytes?: Buffer;
}

export interface CsvReadOptions {
  /** Longest record (in UTF-16 code units) kept in memory; longer ones are rejected. */
  maxRecordChars: number;
  /**
   * Fields of a well-formed record. A record spanning lines that is malformed or has another number of
   * fields was opened by a stray quote: only its first line is rejected, the others are read again.
   * @default - any number
   */
  expectedFields?: number;
  /** The bytes' encoding. @default 'utf-8' */
  encoding?: CsvEncoding;
}

/** A physical line waiting to be read, with its bytes when they are not valid in the encoding. */
interface PendingLine {
  text: string;
  number: number;
  invalidBytes: Buffer | undefined;
}

const NEWLINE = Buffer.from('\n');

/** A record being read: its physical lines so far and the parser's state at the end of the last one. */
class OpenRecord {
  readonly lines: string[] = [];
  chars = 0;
  readonly fields: string[] = [];
  field = '';
  state: 'start' | 'unquoted' | 'quoted' | 'closing' = 'start';
  error: string | undefined;
  /** Bytes of the lines not valid in the encoding, by their index in `lines`. */
  invalidLines: Map<number, Buffer> | undefined;

  constructor(readonly firstLine: number) {}

  /** Feeds one physical line (without its `\n`); true when the record ends with it. */
  feed(line: string, invalidBytes?: Buffer): boolean {
    if (invalidBytes) {
      this.invalidLines ??= new Map();
      this.invalidLines.set(this.lines.length, invalidBytes);
    }
    this.lines.push(line);
    this.chars += line.length + 1;
    for (let i = 0; i < line.length; i += 1) {
      const char = line[i] as string;
      if (this.error) break;
      switch (this.state) {
        case 'start':
          if (char === '"') this.state = 'quoted';
          else if (char === ',') this.fields.push('');
          else {
            this.field = char;
            this.state = 'unquoted';
          }
          break;
        case 'unquoted':
          if (char === ',') this.endField();
          else if (char === '"')
            this.error = `a quote inside an unquoted field (column ${this.fields.length + 1})`;
          else this.field += char;
          break;
        case 'quoted':
          if (char === '"') this.state = 'closing';
          else {
            // Copy the run up to the next quote at once: quoted fields are mostly long and quote-free.
            const next = line.indexOf('"', i);
            const end = next === -1 ? line.length : next;
            this.field += line.slice(i, end);
            i = end - 1;
          }
          break;
        case 'closing':
          if (char === '"') {
            this.field += '"';
            this.state = 'quoted';
          } else if (char === ',') this.endField();
          // The CR of a CRLF line end may follow the closing quote of the last field.
          else if (!(char === '\r' && i === line.length - 1)) {
            this.error = `a character after a closing quote (column ${this.fields.length + 1})`;
          }
          break;
      }
    }
    if (this.state === 'quoted' && !this.error) {
      this.field += '\n';
      return false;
    }
    this.endField();
    return true;
  }

  private endField(): void {
    // A CRLF line end leaves its CR on the last unquoted field.
    this.fields.push(
      this.state === 'unquoted' && this.field.endsWith('\r') ? this.field.slice(0, -1) : this.field,
    );
    this.field = '';
    this.state = 'start';
  }

  raw(): string {
    return trimCr(this.lines.join('\n'));
  }

  /** The record's bytes when some line was not valid: the bad lines as read, the others re-encoded. */
  invalidBytes(): Buffer | undefined {
    const invalid = this.invalidLines;
    if (!invalid) return undefined;
    const lines = this.lines.map((line, index) => invalid.get(index) ?? Buffer.from(line, 'utf8'));
    return trimCrByte(
      Buffer.concat(lines.flatMap((line, index) => (index === 0 ? [line] : [NEWLINE, line]))),
    );
  }

  /** The pending form of each line after the first, to be read again after a resync. */
  rest(): PendingLine[] {
    return this.lines.slice(1).map((text, index) => ({
      text,
      number: this.firstLine + 1 + index,
      invalidBytes: this.invalidLines?.get(index + 1),
    }));
  }
}

/**
 * Reads records from a CSV byte stream, yielding them in chunks (one per input chunk: a generator
 * step per record would cost more than the parsing).
 *
 * @param input - the CSV's bytes (a file or an S3 object stream), or text already decoded
 * @param options - the record-size bound, the expected width and the encoding
 * @example
 * for await (const records of readCsvRecords(createReadStream(path), { maxRecordChars: 65_536 })) { … }
 */
export async function* readCsvRecords(
  input: AsyncIterable<Buffer | string>,
  options: CsvReadOptions,
): AsyncGenerator<Array<CsvRecord | CsvFault>> {
  const max = options.maxRecordChars;
  const expected = options.expectedFields;
  const decoder = createChunkDecoder(options.encoding ?? 'utf-8');
  let lineNumber = 0;
  let partial = '';
  /** The bytes of `partial`, kept only once some of them are known not to be valid. */
  let partialBytes: Buffer | undefined;
  let skippingLongLine = false;
  let first = true;
  let open: OpenRecord | undefined;
  /** Lines waiting to be read (more than one only after a resync). */
  const queue: PendingLine[] = [];
  let out: Array<CsvRecord | CsvFault> = [];

  const readLine = (text: string, number: number, invalidBytes: Buffer | undefined) => {
    if (!open && (text === '' || text === '\r')) return;
    if (!open && !text.includes('"')) {
      // A line without quotes: split at commas, the CR of a CRLF line end dropped.
      const raw = trimCr(text);
      const record: CsvRecord = { ok: true, line: number, fields: raw.split(','), raw };
      if (invalidBytes) record.invalidBytes = trimCrByte(invalidBytes);
      out.push(record);
      return;
    }
    open ??= new OpenRecord(number);
    if (open.feed(text, invalidBytes)) {
      const record = finish(open);
      const misshapen = !record.ok || (expected !== undefined && record.fields.length !== expected);
      if (open.lines.length > 1 && misshapen) resync('does not close into a record');
      else {
        out.push(record);
        open = undefined;
      }
    } else if (open.chars > max) {
      resync(`is not closed within ${max} characters`);
    }
  };

  const drain = () => {
    for (let line = queue.shift(); line; line = queue.shift())
      readLine(line.text, line.number, line.invalidBytes);
  };

  /** The open record went wrong: reject its first line, read the others again. */
  const resync = (why: string) => {
    if (!open) return;
    const head = open.lines[0] ?? '';
    const fault: CsvFault = {
      ok: false,
      line: open.firstLine,
      detail: `a quoted field opened on this line ${why}`,
      raw: trimCr(head).slice(0, max),
      truncated: head.length > max,
    };
    const headBytes = open.invalidLines?.get(0);
    if (headBytes) fault.invalidBytes = trimCrByte(headBytes);
    out.push(fault);
    const rest = open.rest();
    open = undefined;
    queue.unshift(...rest);
  };

  /** Splits one decoded chunk into lines; `invalid` names its segments whose bytes are not valid. */
  const readText = (decoded: DecodedChunk) => {
    let { text } = decoded;
    const { invalid } = decoded;
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    let segment = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const piece = text.slice(start, newline);
      start = newline + 1;
      lineNumber += 1;
      const bad = invalid?.get(segment);
      segment += 1;
      if (skippingLongLine) {
        skippingLongLine = false;
        continue;
      }
      const bytes = partialBytes || bad ? appendBytes(partialBytes, partial, bad, piece) : undefined;
      readLine(partial + piece, lineNumber, bytes);
      partial = '';
      partialBytes = undefined;
      drain();
    }
    if (!skippingLongLine) {
      const tail = text.slice(start);
      const bad = invalid?.get(segment);
      if (partialBytes || bad) partialBytes = appendBytes(partialBytes, partial, bad, tail);
      partial += tail;
      if (partial.length + (open?.chars ?? 0) > max) {
        if (open) resync(`is not closed within ${max} characters`);
        else {
          // One line longer than any record may be: keep its start, drop the rest up to its end.
          out.push({
            ok: false,
            line: lineNumber + 1,
            detail: `the line is longer than ${max} characters`,
            raw: partial.slice(0, max),
            truncated: true,
          });
          partial = '';
          partialBytes = undefined;
          skippingLongLine = true;
        }
        drain();
      }
    }
  };

  for await (const chunk of input) {
    readText(typeof chunk === 'string' ? { text: chunk } : decoder.write(chunk));
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  readText(decoder.end());
  if (partial !== '' && !skippingLongLine) readLine(partial, lineNumber + 1, partialBytes);
  drain();
  // End of input inside a quoted field: the same resync, until nothing is left open.
  while (open) {
    resync('is not closed before the end of the input');
    drain();
  }
  if (out.length > 0) yield out;
}

/** A line's bytes so far plus one more segment: the bad segment as read, a valid one re-encoded. */
function appendBytes(
  sofar: Buffer | undefined,
  sofarText: string,
  bad: Buffer | undefined,
  segmentText: string,
): Buffer {
  return Buffer.concat([sofar ?? Buffer.from(sofarText, 'utf8'), bad ?? Buffer.from(segmentText, 'utf8')]);
}

function finish(record: OpenRecord): CsvRecord | CsvFault {
  const raw = record.raw();
  const result: CsvRecord | CsvFault = record.error
    ? { ok: false, line: record.firstLine, detail: record.error, raw, truncated: false }
    : { ok: true, line: record.firstLine, fields: record.fields, raw };
  const invalidBytes = record.invalidBytes();
  if (invalidBytes) result.invalidBytes = invalidBytes;
  return result;
}

function trimCr(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

function trimCrByte(bytes: Buffer): Buffer {
  return bytes.at(-1) === 0x0d ? bytes.subarray(0, -1) : bytes;
}
