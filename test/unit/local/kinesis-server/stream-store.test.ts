import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { partitionKeyJson } from '../../../../local/kinesis-server/record-json.js';
import { parseSequenceNumber } from '../../../../local/kinesis-server/sequence-numbers.js';
import { TemporaryStorage } from '../../../../local/kinesis-server/stream-storage.js';
import { type Page, type Shard, StreamStore } from '../../../../local/kinesis-server/stream-store.js';

const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 0, 1);
const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function storeWithShard(segmentBytes = 64 * 1024) {
  const directory = mkdtempSync(join(tmpdir(), 'stream-store-test-'));
  directories.push(directory);
  const storage = new TemporaryStorage(directory, segmentBytes);
  const { files } = storage;
  const store = new StreamStore({
    region: 'us-east-1',
    accountId: '000000000000',
    shardLimit: 10,
    retentionHours: 24,
    storage,
  });
  const stream = store.create('s', 1, 'PROVISIONED', t0);
  const shard = stream.shards[0];
  if (!shard) throw new Error('no shard');
  return { store, stream, shard, files, directory };
}

const base64 = (text: string) => Buffer.from(text).toString('base64');
const record = (text: string, key = 'k') => ({
  data: base64(text),
  keyJson: partitionKeyJson(key),
  bytes: Buffer.byteLength(text) + Buffer.byteLength(key),
});

interface ReadRecord {
  SequenceNumber: string;
  ApproximateArrivalTimestamp: number;
  Data: string;
  PartitionKey: string;
}

/** The records of a page, parsed from the JSON the shard hands out. */
function recordsOf(shard: Shard, page: Page): ReadRecord[] {
  return JSON.parse(`[${shard.readJson(page).toString('latin1')}]`) as ReadRecord[];
}

const texts = (records: ReadRecord[]) => records.map((r) => Buffer.from(r.Data, 'base64').toString());

describe('shard storage', () => {
  it('numbers records by position, starting at the shard StartingSequenceNumber', () => {
    const { shard } = storeWithShard();
    const [first, second] = shard.append([record('a'), record('b')], t0 / 1000);
    expect(first).toBe(shard.startingSequenceNumber);
    expect(parseSequenceNumber(second ?? '')?.position).toBe(1);
    expect(BigInt(second ?? 0) > BigInt(first ?? 0)).toBe(true);
    const [third] = shard.append([record('c')], t0 / 1000);
    expect(parseSequenceNumber(third ?? '')?.position).toBe(2);
  });

  it('hands back each record as GetRecords returns it', () => {
    const { shard } = storeWithShard();
    const keys = [
      'k',
      'ключ',
      '🦀 crab',
      'quote " and \\ backslash',
      'tab\tnewline\n',
      '\u0000',
      'k'.repeat(256),
    ];
    const sequenceNumbers = shard.append(
      keys.map((key, i) => record(`record ${i}`, key)),
      (t0 + 123) / 1000,
    );
    const records = recordsOf(shard, shard.page(0, 100, Number.POSITIVE_INFINITY));
    expect(records).toEqual(
      keys.map((key, i) => ({
        SequenceNumber: sequenceNumbers[i],
        ApproximateArrivalTimestamp: (t0 + 123) / 1000,
        Data: base64(`record ${i}`),
        PartitionKey: key,
      })),
    );
  });

  it('reads by position with a limit, returning the next position', () => {
    const { shard } = storeWithShard();
    shard.append(
      Array.from({ length: 10 }, (_, i) => record(String(i))),
      t0 / 1000,
    );
    const page = shard.page(3, 4, Number.POSITIVE_INFINITY);
    expect(texts(recordsOf(shard, page))).toEqual(['3', '4', '5', '6']);
    expect(page.end).toBe(7);
    const atTip = shard.page(10, 5, Number.POSITIVE_INFINITY);
    expect(atTip).toEqual({ from: 10, end: 10 });
    expect(shard.jsonLength(atTip)).toBe(0);
  });

  it('stops before the byte budget, but always returns one record', () => {
    const { shard } = storeWithShard();
    const data = 'x'.repeat(300);
    shard.append(
      Array.from({ length: 5 }, () => record(data)),
      t0 / 1000,
    );
    // 301 bytes each: data plus the one-byte key.
    expect(shard.page(0, 10, 3 * 301)).toEqual({ from: 0, end: 3 });
    expect(shard.page(0, 10, 3 * 301 - 1)).toEqual({ from: 0, end: 2 });
    expect(shard.page(0, 10, 10)).toEqual({ from: 0, end: 1 });
  });

  it('finds the first record at or after a timestamp', () => {
    const { shard } = storeWithShard();
    [0, 1000, 1000, 2000].forEach((offset, i) => {
      shard.append([record(String(i))], (t0 + offset) / 1000);
    });
    expect(shard.positionAtTimestamp(t0 / 1000)).toBe(0);
    expect(shard.positionAtTimestamp((t0 + 500) / 1000)).toBe(1);
    expect(shard.positionAtTimestamp((t0 + 1000) / 1000)).toBe(1);
    expect(shard.positionAtTimestamp((t0 + 5000) / 1000)).toBe(4);
  });

  it('trims records past retention, keeping positions and sequence numbers stable', () => {
    const { stream, shard } = storeWithShard();
    for (let i = 0; i < 3000; i += 1) shard.append([record(String(i))], (t0 + i) / 1000);
    const kept = recordsOf(shard, shard.page(2500, 1, Number.POSITIVE_INFINITY))[0];
    stream.trim(t0 + 24 * HOUR + 2000); // drops arrivals before t0 + 2000 ms
    expect(shard.trimHorizon).toBe(2000);
    expect(shard.size).toBe(1000);
    expect(shard.nextPosition).toBe(3000);
    // Reading from before the horizon starts at the horizon; positions still map to the same records.
    expect(recordsOf(shard, shard.page(0, 1, Number.POSITIVE_INFINITY))[0]?.SequenceNumber).toMatch(/2000$/);
    expect(recordsOf(shard, shard.page(2500, 1, Number.POSITIVE_INFINITY))[0]).toEqual(kept);
    expect(shard.append([record('late')], (t0 + 24 * HOUR + 2000) / 1000)[0]).toMatch(/3000$/);
    expect(texts(recordsOf(shard, shard.page(2998, 10, Number.POSITIVE_INFINITY)))).toEqual([
      '2998',
      '2999',
      'late',
    ]);
  });

  it('frees the log files of trimmed records, and reads across file boundaries', () => {
    const { stream, shard, files } = storeWithShard(4096);
    // ~150-byte records, 30 per PutRecords-like append: a new file every ~27 appends' worth of bytes.
    for (let i = 0; i < 100; i += 1) {
      shard.append(
        Array.from({ length: 30 }, (_, k) => record(`${i}-${k}`)),
        (t0 + i * 1000) / 1000,
      );
    }
    const segments = shard.segmentCount;
    expect(segments).toBeGreaterThan(50);
    expect(files.openCount).toBe(segments);
    // A page spanning many files comes back whole and in order.
    const all = recordsOf(shard, shard.page(0, 3000, Number.POSITIVE_INFINITY));
    expect(texts(all)).toEqual(Array.from({ length: 3000 }, (_, n) => `${Math.floor(n / 30)}-${n % 30}`));
    stream.trim(t0 + 24 * HOUR + 90_000); // keeps the last 10 appends
    expect(shard.size).toBe(300);
    expect(shard.segmentCount).toBeLessThan(segments / 5);
    expect(files.openCount).toBe(shard.segmentCount);
    expect(texts(recordsOf(shard, shard.page(0, 1, Number.POSITIVE_INFINITY)))).toEqual(['90-0']);
  });

  it('keeps no file in its folder, and closes every file with the stream or the store', () => {
    const { store, shard, files, directory } = storeWithShard(1024);
    for (let i = 0; i < 20; i += 1) shard.append([record('x'.repeat(200))], t0 / 1000);
    expect(files.openCount).toBeGreaterThan(1);
    // Each file is unlinked once open: the data lives on only while the process holds it.
    expect(readdirSync(directory)).toEqual([]);
    const other = store.create('other', 2, 'PROVISIONED', t0);
    other.shards[1]?.append([record('y')], t0 / 1000);
    const before = files.openCount;
    store.delete('other');
    expect(files.openCount).toBe(before - 1);
    store.close();
    expect(files.openCount).toBe(0);
    expect(store.list()).toEqual([]);
  });

  it('keeps arrival times monotonic even if the clock goes back', () => {
    const { store } = storeWithShard();
    const later = store.arrivalSeconds(t0 + 5000);
    expect(store.arrivalSeconds(t0)).toBe(later);
  });

  it('gives each incarnation of a stream name a new epoch', () => {
    const { store, stream } = storeWithShard();
    store.delete('s');
    expect(store.create('s', 1, 'PROVISIONED', t0).epoch).toBeGreaterThan(stream.epoch);
  });
});
