/**
 * A durable store reopened on its data directory: the streams, records, sequence numbers, arrival times
 * and trim horizon come back; what a cut-short write or removal left behind is cleaned up; what this
 * server cannot have left is refused with a message naming the file. The data directory is damaged on
 * purpose, the way a SIGKILL leaves it (the integration suite kills a real server process).
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { INDEX_ENTRY_BYTES } from '../../../../local/kinesis-server/index-entries.js';
import { partitionKeyJson } from '../../../../local/kinesis-server/record-json.js';
import { parseSequenceNumber } from '../../../../local/kinesis-server/sequence-numbers.js';
import { DurableStorage } from '../../../../local/kinesis-server/stream-storage.js';
import { type Shard, StreamStore } from '../../../../local/kinesis-server/stream-store.js';

const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 0, 1);
const directories: string[] = [];
const stores: StreamStore[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function dataDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'stream-recovery-test-'));
  directories.push(directory);
  return directory;
}

/** A store on the directory, as a server started at `nowMs` opens it. */
function openStore(directory: string, { segmentBytes = 64 * 1024, nowMs = t0 } = {}): StreamStore {
  const store = new StreamStore(
    {
      region: 'us-east-1',
      accountId: '000000000000',
      shardLimit: 10,
      retentionHours: 24,
      storage: new DurableStorage(directory, segmentBytes, false),
    },
    nowMs,
  );
  stores.push(store);
  return store;
}

/** Ends a store the way a killed process does: its files stay as they are (descriptors just dropped). */
function abandon(store: StreamStore): void {
  stores.splice(stores.indexOf(store), 1);
}

const record = (text: string, key = 'k') => ({
  data: Buffer.from(text).toString('base64'),
  keyJson: partitionKeyJson(key),
  bytes: Buffer.byteLength(text) + Buffer.byteLength(key),
});

interface ReadRecord {
  SequenceNumber: string;
  ApproximateArrivalTimestamp: number;
  Data: string;
  PartitionKey: string;
}

/** Every record the shard holds, parsed from the JSON it hands out. */
function allRecords(shard: Shard): ReadRecord[] {
  const page = shard.page(0, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY);
  return JSON.parse(`[${shard.readJson(page).toString('latin1')}]`) as ReadRecord[];
}

const texts = (records: ReadRecord[]) => records.map((r) => Buffer.from(r.Data, 'base64').toString());

function shardOf(store: StreamStore, name = 's', index = 0): Shard {
  const shard = store.get(name)?.shards[index];
  if (!shard) throw new Error(`no shard ${index} of ${name}`);
  return shard;
}

/** The folder of a shard's segments. */
function shardFolder(directory: string, store: StreamStore, name = 's', index = 0): string {
  return join(directory, String(store.get(name)?.epoch), shardOf(store, name, index).id);
}

/** Puts `count` records, `perAppend` at a time, one second apart per append. */
function fill(shard: Shard, count: number, perAppend = 10, from = 0): string[] {
  const numbers: string[] = [];
  for (let i = 0; i < count; i += perAppend) {
    const batch = Array.from({ length: Math.min(perAppend, count - i) }, (_, k) =>
      record(`r${from + i + k}`),
    );
    numbers.push(...shard.append(batch, (t0 + (from + i) * 1000) / 1000));
  }
  return numbers;
}

describe('a durable store reopened', () => {
  it('serves the same records under the same sequence numbers and arrival times, and numbers on', () => {
    const directory = dataDirectory();
    const first = openStore(directory, { segmentBytes: 2048 });
    const stream = first.create('s', 2, 'PROVISIONED', t0);
    fill(shardOf(first), 95, 7);
    shardOf(first, 's', 1).append([record('other shard', 'x')], t0 / 1000);
    const before = allRecords(shardOf(first));
    expect(shardOf(first).segmentCount).toBeGreaterThan(3);
    abandon(first);

    const second = openStore(directory, { segmentBytes: 2048 });
    expect(second.list().map((s) => [s.name, s.epoch, s.shards.length, s.arn])).toEqual([
      ['s', stream.epoch, 2, stream.arn],
    ]);
    expect(allRecords(shardOf(second))).toEqual(before);
    expect(texts(allRecords(shardOf(second, 's', 1)))).toEqual(['other shard']);
    const [next] = shardOf(second).append([record('after')], (t0 + 200_000) / 1000);
    expect(parseSequenceNumber(next ?? '')?.position).toBe(95);
    expect(texts(allRecords(shardOf(second)).slice(-2))).toEqual(['r94', 'after']);
  });

  it('keeps arrival times from going back after a restart on a clock set back', () => {
    const directory = dataDirectory();
    const first = openStore(directory);
    first.create('s', 1, 'PROVISIONED', t0);
    shardOf(first).append([record('a')], (t0 + 60_000) / 1000);
    abandon(first);
    expect(openStore(directory).arrivalSeconds(t0)).toBe((t0 + 60_000) / 1000);
  });

  it('never reuses an epoch, not even one of a stream deleted before the restart', () => {
    const directory = dataDirectory();
    const first = openStore(directory);
    const deleted = first.create('gone', 1, 'PROVISIONED', t0 + 5_000);
    first.delete('gone');
    expect(existsSync(join(directory, String(deleted.epoch)))).toBe(false);
    abandon(first);
    expect(openStore(directory).create('gone', 1, 'PROVISIONED', t0).epoch).toBeGreaterThan(deleted.epoch);
  });

  it('trims to the retention when it opens, deleting the segment files that held only trimmed records', () => {
    const directory = dataDirectory();
    const first = openStore(directory, { segmentBytes: 1024 });
    first.create('s', 1, 'PROVISIONED', t0);
    fill(shardOf(first), 300, 5); // arrivals t0 + 0 … 299 s
    const folder = shardFolder(directory, first);
    const filesBefore = readdirSync(folder).length;
    abandon(first);

    // 24 h and 150 s later: the first 150 records are past retention.
    const second = openStore(directory, { segmentBytes: 1024, nowMs: t0 + 24 * HOUR + 150_000 });
    const shard = shardOf(second);
    expect(shard.trimHorizon).toBe(150);
    expect(texts(allRecords(shard))[0]).toBe('r150');
    const filesAfter = readdirSync(folder).length;
    expect(filesAfter).toBeLessThan(filesBefore / 2 + 2);
    abandon(second);

    // Everything past retention: the newest segment stays, and numbering goes on from it.
    const third = openStore(directory, { segmentBytes: 1024, nowMs: t0 + 48 * HOUR });
    expect(shardOf(third).size).toBe(0);
    expect(readdirSync(folder)).toHaveLength(2);
    const [next] = shardOf(third).append([record('fresh')], (t0 + 48 * HOUR) / 1000);
    expect(parseSequenceNumber(next ?? '')?.position).toBe(300);
    abandon(third);
    expect(
      texts(allRecords(shardOf(openStore(directory, { segmentBytes: 1024, nowMs: t0 + 48 * HOUR })))),
    ).toEqual(['fresh']);
  });

  it('removes the folders of a stream whose creation or deletion was cut short', () => {
    const directory = dataDirectory();
    const first = openStore(directory);
    first.create('s', 1, 'PROVISIONED', t0);
    abandon(first);
    mkdirSync(join(directory, '123456', 'shardId-000000000000'), { recursive: true });
    writeFileSync(join(directory, 'notes.txt'), 'not ours');
    openStore(directory);
    expect(existsSync(join(directory, '123456'))).toBe(false);
    expect(existsSync(join(directory, 'notes.txt'))).toBe(true);
  });

  it('refuses a catalogue it did not write, with a message naming it', () => {
    const directory = dataDirectory();
    writeFileSync(join(directory, 'streams.json'), '{"version": 1, "streams": "many"}');
    expect(() => openStore(directory)).toThrow(/streams\.json is not a stream catalogue this server wrote/);
  });
});

describe('a durable store reopened after a write was cut short', () => {
  /** A shard with 40 acknowledged records in one segment, abandoned; returns its segment files. */
  function killedWithRecords() {
    const directory = dataDirectory();
    const store = openStore(directory);
    store.create('s', 1, 'PROVISIONED', t0);
    const numbers = fill(shardOf(store), 40, 10);
    const folder = shardFolder(directory, store);
    abandon(store);
    const [log, index] = readdirSync(folder).sort().reverse() as [string, string];
    return { directory, folder, numbers, log: join(folder, log), index: join(folder, index) };
  }

  const warnings = () => vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);

  it('drops the text of records whose index entries were never written, and numbers on from the last whole one', () => {
    const { directory, log, numbers } = killedWithRecords();
    appendFileSync(log, '{"SequenceNumber":"4000","ApproximateArrivalTimestamp":1,"Data":"cGFy');
    const warned = warnings();
    const shard = shardOf(openStore(directory));
    expect(allRecords(shard).map((r) => r.SequenceNumber)).toEqual(numbers);
    expect(warned).toHaveBeenCalledWith(expect.stringMatching(/dropped \d+ bytes of a write cut short/));
    expect(parseSequenceNumber(shard.append([record('next')], t0 / 1000)[0] ?? '')?.position).toBe(40);
    expect(texts(allRecords(shard)).at(-1)).toBe('next');
    warned.mockRestore();
  });

  it('drops a partial index entry, and entries whose text is incomplete', () => {
    const { directory, log, index, numbers } = killedWithRecords();
    // The last record's text cut short while its entry is whole, and half an entry more.
    truncateSync(log, statSync(log).size - 100);
    appendFileSync(index, Buffer.alloc(INDEX_ENTRY_BYTES / 2, 7));
    const warned = warnings();
    const shard = shardOf(openStore(directory));
    // The last record's text lost its end: it was never acknowledged.
    expect(allRecords(shard).map((r) => r.SequenceNumber)).toEqual(numbers.slice(0, 39));
    expect(shard.nextPosition).toBe(39);
    warned.mockRestore();
  });

  it('checks that the last record really is the one its position names', () => {
    const { directory, log, numbers } = killedWithRecords();
    // Same length, other bytes (a page of zeros after a machine crash looks like this).
    const text = readFileSync(log, 'latin1');
    writeFileSync(log, `${text.slice(0, -40)}${'\0'.repeat(40)}`, 'latin1');
    const warned = warnings();
    expect(allRecords(shardOf(openStore(directory))).map((r) => r.SequenceNumber)).toEqual(
      numbers.slice(0, 39),
    );
    warned.mockRestore();
  });

  it('completes a segment whose creation was cut short, keeping the next position it names', () => {
    const directory = dataDirectory();
    const store = openStore(directory, { segmentBytes: 512 });
    store.create('s', 1, 'PROVISIONED', t0);
    fill(shardOf(store), 30, 3);
    const folder = shardFolder(directory, store);
    abandon(store);
    // A kill between the new segment's two files; everything older was trimmed meanwhile.
    for (const name of readdirSync(folder)) rmSync(join(folder, name));
    writeFileSync(join(folder, `${String(30).padStart(20, '0')}.log`), '');
    const shard = shardOf(openStore(directory, { segmentBytes: 512 }));
    expect(shard.size).toBe(0);
    expect(parseSequenceNumber(shard.append([record('x')], t0 / 1000)[0] ?? '')?.position).toBe(30);
  });

  it('finishes removing a segment that retention was removing', () => {
    const directory = dataDirectory();
    const store = openStore(directory, { segmentBytes: 512 });
    store.create('s', 1, 'PROVISIONED', t0);
    fill(shardOf(store), 30, 3);
    const folder = shardFolder(directory, store);
    abandon(store);
    const [oldestIndex] = readdirSync(folder)
      .filter((name) => name.endsWith('.idx'))
      .sort();
    rmSync(join(folder, oldestIndex ?? ''));
    const shard = shardOf(openStore(directory, { segmentBytes: 512 }));
    expect(shard.trimHorizon).toBeGreaterThan(0);
    expect(texts(allRecords(shard)).at(-1)).toBe('r29');
    expect(readdirSync(folder).filter((name) => name.startsWith(oldestIndex?.slice(0, 20) ?? ''))).toEqual(
      [],
    );
  });

  it('refuses a shard with records missing between segments, naming the place', () => {
    const directory = dataDirectory();
    const store = openStore(directory, { segmentBytes: 512 });
    store.create('s', 1, 'PROVISIONED', t0);
    fill(shardOf(store), 30, 3);
    const folder = shardFolder(directory, store);
    abandon(store);
    const segments = readdirSync(folder)
      .filter((name) => name.endsWith('.log'))
      .sort();
    expect(segments.length).toBeGreaterThan(2);
    for (const kind of ['log', 'idx']) rmSync(join(folder, (segments[1] ?? '').replace('.log', `.${kind}`)));
    expect(() => openStore(directory, { segmentBytes: 512 })).toThrow(
      /cannot recover the shard in .*shardId-000000000000: records \d+ to \d+ are missing before \d{20}\.log/,
    );
  });
});

describe('recovery of a large log', () => {
  it('brings back 200,000 records across many segments, each readable by its number', () => {
    const directory = dataDirectory();
    const first = openStore(directory, { segmentBytes: 1024 * 1024 });
    first.create('s', 1, 'PROVISIONED', t0);
    const numbers: string[] = [];
    for (let i = 0; i < 200_000; i += 500) {
      numbers.push(
        ...shardOf(first).append(
          Array.from({ length: 500 }, (_, k) =>
            record(`commit ${i + k} ${'x'.repeat(200)}`, `person_${k % 104}`),
          ),
          (t0 + i) / 1000,
        ),
      );
    }
    abandon(first);

    const shard = shardOf(openStore(directory, { segmentBytes: 1024 * 1024 }));
    expect(shard.size).toBe(200_000);
    expect(shard.segmentCount).toBeGreaterThan(50);
    for (const position of [0, 1, 499, 500, 77_777, 123_456, 199_999]) {
      const page = shard.page(position, 1, Number.POSITIVE_INFINITY);
      const [read] = JSON.parse(`[${shard.readJson(page).toString('latin1')}]`) as ReadRecord[];
      expect(read?.SequenceNumber).toBe(numbers[position]);
      expect(Buffer.from(read?.Data ?? '', 'base64').toString()).toBe(
        `commit ${position} ${'x'.repeat(200)}`,
      );
      expect(read?.PartitionKey).toBe(`person_${(position % 500) % 104}`);
      expect(read?.ApproximateArrivalTimestamp).toBe((t0 + position - (position % 500)) / 1000);
    }
    // Positions by time come back too (AT_TIMESTAMP iterators).
    expect(shard.positionAtTimestamp((t0 + 100_000) / 1000)).toBe(100_000);
  });
});
