import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CsvFault, type CsvRecord, readCsvRecords } from '../../../../functions/producer/csv-reader.js';

async function read(input: string | string[] | Readable, maxRecordChars = 100) {
  const stream = typeof input === 'string' || Array.isArray(input) ? Readable.from([input].flat()) : input;
  const out: Array<CsvRecord | CsvFault> = [];
  for await (const batch of readCsvRecords(stream, { maxRecordChars }))
    for (const record of batch) out.push(record);
  return out;
}

const fieldsOf = (records: Array<CsvRecord | CsvFault>) => records.map((r) => (r.ok ? r.fields : r.line));

describe('splitting CSV records', () => {
  it('reads plain, quoted, escaped and multi-line fields, with LF and CRLF line ends', async () => {
    const records = await read('a,b\r\n"x,1","say ""hi"""\r\n"two\nlines",z\r\n,\n');
    expect(fieldsOf(records)).toEqual([
      ['a', 'b'],
      ['x,1', 'say "hi"'],
      ['two\nlines', 'z'],
      ['', ''],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 5]);
  });

  it('is not confused by chunk boundaries inside a line, a quoted field or a multi-byte character', async () => {
    const text = 'id,name\n1,"Zoë ""Z"", jr"\n2,日本語\n';
    const bytes = Buffer.from(text, 'utf8');
    const chunks = [...bytes].map((byte) => Buffer.from([byte]));
    expect(fieldsOf(await read(Readable.from(chunks)))).toEqual([
      ['id', 'name'],
      ['1', 'Zoë "Z", jr'],
      ['2', '日本語'],
    ]);
  });

  it('drops a BOM and skips empty lines', async () => {
    expect(fieldsOf(await read('\ufeffa\n\n\r\nb\n'))).toEqual([['a'], ['b']]);
  });

  it('rejects a stray quote in an unquoted field, or text after a closing quote, as that record only', async () => {
    const records = await read('1,ab"c\n2,"x"y\n3,ok\n');
    expect(records.map((r) => r.ok)).toEqual([false, false, true]);
    expect(records[0]).toMatchObject({ line: 1, raw: '1,ab"c', detail: expect.stringContaining('unquoted') });
    expect(records[1]).toMatchObject({ line: 2, raw: '2,"x"y', detail: expect.stringContaining('closing') });
  });

  it('loses only the row of an unclosed quote, and reads every row after it', async () => {
    const rows = Array.from({ length: 600_000 }, (_, i) => `${i},person_${i % 7},ok`);
    const text = `id,author,msg\nbad,"never closed,x\n${rows.join('\n')}\n`;
    const records = await read(text, 1_000);

    expect(records).toHaveLength(600_002);
    expect(records[1]).toMatchObject({ ok: false, line: 2, raw: 'bad,"never closed,x' });
    expect(records.slice(2).every((r) => r.ok)).toBe(true);
    expect(records.at(-1)).toMatchObject({ ok: true, line: 600_002, fields: ['599999', 'person_1', 'ok'] });
  });

  it('resyncs after an unclosed quote at the very end of the input', async () => {
    const records = await read('1,ok\n2,"open\n3,after\n');
    expect(records.map((r) => (r.ok ? r.fields : `fault@${r.line}`))).toEqual([
      ['1', 'ok'],
      'fault@2',
      ['3', 'after'],
    ]);
  });

  it('rejects a line longer than the bound, keeping its start, and reads on', async () => {
    const long = `x,${'y'.repeat(5_000)}`;
    const records = await read(['1,a\n', long.slice(0, 2_000), long.slice(2_000), '\n2,b\n'], 100);
    expect(records.map((r) => r.ok)).toEqual([true, false, true]);
    expect(records[1]).toMatchObject({ line: 2, truncated: true });
    expect((records[1] as CsvFault).raw).toHaveLength(100);
    expect(records[2]).toMatchObject({ line: 3, fields: ['2', 'b'] });
  });

  it('keeps memory bounded by one record when a quote opens a field that never ends', async () => {
    // 40 MB of a single quoted field: the reader must not hold it.
    const chunk = 'z'.repeat(1 << 20);
    let sent = 0;
    const endless = new Readable({
      read() {
        if (sent === 40) return void this.push(null);
        sent += 1;
        this.push(sent === 1 ? `a,b\n1,"${chunk}` : chunk);
      },
    });
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let faults = 0;
    for await (const batch of readCsvRecords(endless, { maxRecordChars: 65_536 })) {
      faults += batch.filter((record) => !record.ok).length;
      peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    expect(faults).toBe(1);
    // Generous: a few chunks in flight, never the 40 MB (80 MB as UTF-16) of the field.
    expect(peak).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('a stray quote that a later line closes', () => {
  it('costs only the line that opened it, when the record it makes is malformed or of another width', async () => {
    const text = '1,"opened,x,y\n2,b,c\n3,"closed" late,z\n4,d,e\n5,"x,y"\n';
    const batches: Array<CsvRecord | CsvFault> = [];
    for await (const batch of readCsvRecords(Readable.from([text]), {
      maxRecordChars: 1_000,
      expectedFields: 3,
    }))
      batches.push(...batch);

    expect(batches.map((r) => (r.ok ? r.fields : `fault@${r.line}`))).toEqual([
      'fault@1',
      ['2', 'b', 'c'],
      'fault@3',
      ['4', 'd', 'e'],
      ['5', 'x,y'],
    ]);
  });
});
