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
 */
import { StringDecoder } from 'node:string_decoder';

export interface CsvRecord {
  ok: true;
  /** Line number (1-based) where the record starts. */
  line: number;
  fields: string[];
  /** The record's text as read, line ends included between its lines. */
  raw: string;
}

export interface CsvFault {
  ok: false;
  line: number;
  detail: string;
  /** The record's text as read (at most `maxRecordChars` characters). */
  raw: string;
  /** True when `raw` was cut at the bound. */
  truncated: boolean;
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
}

/** A record being read: its physical lines so far and the parser's state at the end of the last one. */
class OpenRecord {
  readonly lines: string[] = [];
  chars = 0;
  readonly fields: string[] = [];
  field = '';
  state: 'start' | 'unquoted' | 'quoted' | 'closing' = 'start';
  error: string | undefined;

  constructor(readonly firstLine: number) {}

  /** Feeds one physical line (without its `\n`); true when the record ends with it. */
  feed(line: string): boolean {
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
}

/**
 * Reads records from a CSV byte stream, yielding them in batches (one per input chunk: a generator
 * step per record would cost more than the parsing).
 *
 * @param input - UTF-8 bytes (a file or an S3 object stream)
 * @param options - the record-size bound
 * @example
 * for await (const batch of readCsvRecords(createReadStream(path), { maxRecordChars: 65_536 })) { … }
 */
export async function* readCsvRecords(
  input: AsyncIterable<Buffer | string>,
  options: CsvReadOptions,
): AsyncGenerator<Array<CsvRecord | CsvFault>> {
  const max = options.maxRecordChars;
  const expected = options.expectedFields;
  const decoder = new StringDecoder('utf8');
  let lineNumber = 0;
  let partial = '';
  let skippingLongLine = false;
  let first = true;
  let open: OpenRecord | undefined;
  /** Lines waiting to be read (more than one only after a resync). */
  const queue: Array<{ text: string; number: number }> = [];
  let out: Array<CsvRecord | CsvFault> = [];

  const readLine = (text: string, number: number) => {
    if (!open && (text === '' || text === '\r')) return;
    if (!open && !text.includes('"')) {
      out.push({ ok: true, line: number, fields: splitPlain(text), raw: trimCr(text) });
      return;
    }
    open ??= new OpenRecord(number);
    if (open.feed(text)) {
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
    while (queue.length > 0) {
      const { text, number } = queue.shift() as { text: string; number: number };
      readLine(text, number);
    }
  };

  /** The open record went wrong: reject its first line, read the others again. */
  const resync = (why: string) => {
    if (!open) return;
    const [head = '', ...rest] = open.lines;
    out.push({
      ok: false,
      line: open.firstLine,
      detail: `a quoted field opened on this line ${why}`,
      raw: trimCr(head).slice(0, max),
      truncated: head.length > max,
    });
    const from = open.firstLine + 1;
    open = undefined;
    queue.unshift(...rest.map((text, index) => ({ text, number: from + index })));
  };

  for await (const chunk of input) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const piece = text.slice(start, newline);
      start = newline + 1;
      lineNumber += 1;
      if (skippingLongLine) {
        skippingLongLine = false;
        continue;
      }
      readLine(partial + piece, lineNumber);
      partial = '';
      drain();
    }
    if (!skippingLongLine) {
      partial += text.slice(start);
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
          skippingLongLine = true;
        }
        drain();
      }
    }
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  const rest = partial + decoder.end();
  if (rest !== '' && !skippingLongLine) readLine(rest, lineNumber + 1);
  drain();
  // End of input inside a quoted field: the same resync, until nothing is left open.
  while (open) {
    resync('is not closed before the end of the input');
    drain();
  }
  if (out.length > 0) yield out;
}

function finish(record: OpenRecord): CsvRecord | CsvFault {
  const raw = record.raw();
  if (record.error) return { ok: false, line: record.firstLine, detail: record.error, raw, truncated: false };
  return { ok: true, line: record.firstLine, fields: record.fields, raw };
}

/** A line without quotes: split at commas, the CR of a CRLF line end dropped. */
function splitPlain(line: string): string[] {
  return trimCr(line).split(',');
}

function trimCr(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
