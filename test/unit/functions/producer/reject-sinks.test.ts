import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FileRejectSink,
  ObjectStoreRejectSink,
  type RejectedRow,
  type RejectSink,
} from '../../../../functions/producer/reject-sinks.js';
import type { ObjectBody, ObjectReader, ObjectStore } from '../../../../functions/shared/ports.js';

const failed = (line: number): RejectedRow => ({
  line,
  reason: 'publish-failed',
  detail: 'x',
  raw: `{"l":${line}}`,
});
const invalid = (line: number): RejectedRow => ({ line, reason: 'invalid-time', detail: 'x', raw: 'c,a,-1' });

async function writeList(sink: RejectSink, rows: RejectedRow[]): Promise<void> {
  for (const row of rows) await sink.write(row);
  await sink.close();
}

/** An archive bucket in memory (a fake of the port, no network). */
class MemoryBucket implements ObjectStore, ObjectReader {
  readonly objects = new Map<string, string>();
  async put(key: string, object: ObjectBody) {
    this.objects.set(key, String(object.body));
  }
  async delete(key: string) {
    this.objects.delete(key);
  }
  async list(prefix: string) {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
  async get(key: string) {
    return Buffer.from(this.objects.get(key) ?? '');
  }
}

const linesOf = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => (JSON.parse(line) as RejectedRow).line);

describe('reject lists in files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reject-lists-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('are named after the source, so that a later run finds the earlier ones and leaves other sources alone', async () => {
    const first = new FileRejectSink(dir, '/data/a/log.csv');
    await writeList(first, [failed(5), invalid(7), failed(9)]);
    const sameName = new FileRejectSink(dir, '/data/b/log.csv');
    await writeList(sameName, [failed(7)]);
    const rerun = new FileRejectSink(dir, '/data/a/log.csv');
    await writeList(rerun, [failed(9)]);

    const removed = await rerun.supersedeEarlier({ from: 6, to: 100 });

    expect(removed).toBe(2);
    const lines = (sink: RejectSink) => linesOf(readFileSync(sink.location() ?? '', 'utf8'));
    expect(lines(first)).toEqual([5]);
    expect(lines(sameName)).toEqual([7]);
    expect(lines(rerun)).toEqual([9]);
    expect(readdirSync(dir)).toHaveLength(3);
  });

  it('are removed once a rerun supersedes every row they held', async () => {
    await writeList(new FileRejectSink(dir, '/data/log.csv'), [failed(3), failed(4)]);
    const rerun = new FileRejectSink(dir, '/data/log.csv');
    await rerun.close();

    expect(await rerun.supersedeEarlier({ from: 1, to: 10 })).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
    expect(rerun.location()).toBeUndefined();
  });

  it('are left as they are when nothing is superseded, and a missing folder is no error', async () => {
    const sink = new FileRejectSink(join(dir, 'none-yet'), '/data/log.csv');
    expect(await sink.supersedeEarlier({ from: 1, to: 10 })).toBe(0);
    expect(existsSync(join(dir, 'none-yet'))).toBe(false);
  });
});

describe('reject lists in the archive bucket', () => {
  it('are parts under rejected/<source>/<run>/, and a rerun of the source rewrites or deletes the earlier parts', async () => {
    const bucket = new MemoryBucket();
    const first = new ObjectStoreRejectSink(bucket, 's3://archive/sources/log.csv', 'rejected/', 64);
    await writeList(first, [failed(2), failed(3), invalid(4), failed(40), failed(41), failed(42)]);
    const other = new ObjectStoreRejectSink(bucket, 's3://archive/sources/log.csv.old', 'rejected/');
    await writeList(other, [failed(3)]);
    const keys = [...bucket.objects.keys()];
    expect(keys.every((key) => key.startsWith('rejected/s3%3A%2F%2Farchive%2Fsources%2Flog.csv'))).toBe(true);
    expect(first.location()).toMatch(/^rejected\/s3%3A%2F%2Farchive%2Fsources%2Flog\.csv\/[^/]+\/$/);

    const rerun = new ObjectStoreRejectSink(bucket, 's3://archive/sources/log.csv', 'rejected/');
    await writeList(rerun, [invalid(4)]);
    const removed = await rerun.supersedeEarlier({ from: 3, to: 40 });

    expect(removed).toBe(3);
    const left = (prefix: string) =>
      [...bucket.objects]
        .filter(([key]) => key.startsWith(prefix))
        .flatMap(([, body]) => linesOf(body))
        .sort((a, b) => a - b);
    expect(left(first.location() ?? '')).toEqual([2, 41, 42]);
    expect(left(other.location() ?? '')).toEqual([3]);
    expect(left(rerun.location() ?? '')).toEqual([4]);
  });
});
