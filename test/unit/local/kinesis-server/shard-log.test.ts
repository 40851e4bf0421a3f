import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TemporarySegmentFiles } from '../../../../local/kinesis-server/segment-files.js';
import { ShardLog } from '../../../../local/kinesis-server/shard-log.js';

/** Fault injection: the real node:fs, with writes, reads and unlinks that can be made to misbehave. */
const faults = vi.hoisted(() => ({
  maxWrite: Number.POSITIVE_INFINITY,
  maxRead: Number.POSITIVE_INFINITY,
  refuseUnlink: false,
}));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) =>
      real.writeSync(fd, buffer, offset, Math.min(length, faults.maxWrite), position),
    readSync: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) =>
      real.readSync(fd, buffer, offset, Math.min(length, faults.maxRead), position),
    unlinkSync: (path: string) => {
      if (faults.refuseUnlink)
        throw Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' });
      real.unlinkSync(path);
    },
  };
});

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'shard-log-test-'));
});

afterEach(() => {
  Object.assign(faults, {
    maxWrite: Number.POSITIVE_INFINITY,
    maxRead: Number.POSITIVE_INFINITY,
    refuseUnlink: false,
  });
  rmSync(directory, { recursive: true, force: true });
});

const text = (value: string) => Buffer.from(value, 'latin1');

function read(log: ShardLog, start: number, end: number): string {
  const target = Buffer.alloc(end - start);
  log.read(start, end, target, 0);
  return target.toString('latin1');
}

describe('shard log', () => {
  it('addresses appends by one growing offset, across segment files', () => {
    const files = new TemporarySegmentFiles(directory, 10);
    const log = new ShardLog(files);
    expect(log.append(text('aaaa'), 0)).toBe(0);
    expect(log.append(text('bbbb'), 0)).toBe(4);
    expect(log.append(text('cccc'), 0)).toBe(8); // would pass 10 bytes: a new segment
    expect(log.segmentCount).toBe(2);
    expect(log.append(text('a record larger than a segment'), 0)).toBe(12);
    expect(log.segmentCount).toBe(3);
    expect(log.end).toBe(42);
    expect(read(log, 2, 14)).toBe('aabbbbcccca ');
    expect(read(log, 0, 42)).toBe('aaaabbbbcccca record larger than a segment');
  });

  it('writes and reads everything even when the system moves fewer bytes per call', () => {
    faults.maxWrite = 3;
    faults.maxRead = 2;
    const log = new ShardLog(new TemporarySegmentFiles(directory, 1024));
    log.append(text('0123456789'), 0);
    log.append(text('abcdefghij'), 0);
    expect(read(log, 5, 17)).toBe('56789abcdefg');
  });

  it('refuses to read bytes it does not hold', () => {
    const log = new ShardLog(new TemporarySegmentFiles(directory, 8));
    log.append(text('abcdefgh'), 0);
    log.append(text('ijklmnop'), 0);
    log.dropBefore(8);
    expect(() => read(log, 0, 10)).toThrow(/holds no bytes/);
    expect(read(log, 8, 16)).toBe('ijklmnop');
  });

  it('closes the segments wholly before an offset, and keeps the newest for appends', () => {
    const files = new TemporarySegmentFiles(directory, 8);
    const log = new ShardLog(files);
    for (const chunk of ['aaaaaaaa', 'bbbbbbbb', 'cccccccc']) log.append(text(chunk), 0);
    log.dropBefore(12); // the first segment only: the second still holds bytes at 12..15
    expect(log.segmentCount).toBe(2);
    expect(read(log, 8, 24)).toBe('bbbbbbbbcccccccc');
    log.dropBefore(Number.POSITIVE_INFINITY);
    expect(log.segmentCount).toBe(1);
    expect(files.openCount).toBe(1);
    expect(log.append(text('dddd'), 0)).toBe(24);
    expect(read(log, 16, 28)).toBe('ccccccccdddd');
  });

  it('unlinks each file once open, so none is left however the process ends', () => {
    const files = new TemporarySegmentFiles(directory, 4);
    const log = new ShardLog(files);
    for (let i = 0; i < 5; i += 1) log.append(text('data'), 0);
    expect(files.openCount).toBe(5);
    expect(readdirSync(directory)).toEqual([]);
    log.close();
    expect(files.openCount).toBe(0);
  });

  it('removes a file it could not unlink while open when it closes it', () => {
    faults.refuseUnlink = true;
    const files = new TemporarySegmentFiles(directory, 4);
    const log = new ShardLog(files);
    log.append(text('data'), 0);
    log.append(text('more'), 0);
    expect(readdirSync(directory)).toHaveLength(2);
    faults.refuseUnlink = false;
    log.dropBefore(4);
    expect(readdirSync(directory)).toHaveLength(1);
    log.close();
    expect(readdirSync(directory)).toEqual([]);
    expect(fs.existsSync(directory)).toBe(true);
  });
});
