import { fstatSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupSync } from '../../../../local/kinesis-server/group-sync.js';

/** A flush the test completes by hand (fault injection: it can also fail). */
function manualFlush() {
  const calls: Array<{ fd: number; finish(error?: Error): void }> = [];
  const flush = (fd: number) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ fd, finish: (error) => (error ? reject(error) : resolve()) });
    });
  return { flush, calls };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Whether a promise has settled, and how. */
function track(promise: Promise<void>) {
  const state = { settled: false as boolean | 'rejected' };
  promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = 'rejected';
    },
  );
  return state;
}

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function openFile(): number {
  const directory = mkdtempSync(join(tmpdir(), 'group-sync-test-'));
  directories.push(directory);
  return openSync(join(directory, 'f'), 'w');
}

describe('group commit', () => {
  it('has nothing to wait for before a write', async () => {
    const { flush, calls } = manualFlush();
    const group = new GroupSync(flush);
    await group.flushed();
    expect(calls).toEqual([]);
  });

  it('covers the writes made during a flush by the next one, with one flush per file for all waiting', async () => {
    const { flush, calls } = manualFlush();
    const group = new GroupSync(flush);
    group.written(3);
    group.written(3);
    const first = track(group.flushed());
    expect(calls.map((call) => call.fd)).toEqual([3]);

    // While it runs: two more writers (three files), and a reader with nothing new to cover.
    group.written(4);
    const second = track(group.flushed());
    group.written(5);
    group.written(4);
    const third = track(group.flushed());
    await settle();
    expect(calls).toHaveLength(1);

    calls[0]?.finish();
    await settle();
    expect(first.settled).toBe(true);
    expect(second.settled).toBe(false);
    expect(calls.slice(1).map((call) => call.fd)).toEqual([4, 5]);
    for (const call of calls.slice(1)) call.finish();
    await settle();
    expect([second.settled, third.settled]).toEqual([true, true]);
    expect(group.pending).toBe(false);
  });

  it('lets a reader with no new write join the flush in flight', async () => {
    const { flush, calls } = manualFlush();
    const group = new GroupSync(flush);
    group.written(7);
    const writer = track(group.flushed());
    const reader = track(group.flushed());
    calls[0]?.finish();
    await settle();
    expect([writer.settled, reader.settled]).toEqual([true, true]);
    expect(calls).toHaveLength(1);
  });

  it('rejects the waiters of a failed flush, and goes on with the next', async () => {
    const { flush, calls } = manualFlush();
    const group = new GroupSync(flush);
    group.written(1);
    const failed = track(group.flushed());
    group.written(2);
    const later = track(group.flushed());
    calls[0]?.finish(new Error('EIO: i/o error, fdatasync'));
    await settle();
    expect(failed.settled).toBe('rejected');
    calls[1]?.finish();
    await settle();
    expect(later.settled).toBe(true);
  });

  it('closes a file the flush in flight holds only once that flush is done', async () => {
    const { flush, calls } = manualFlush();
    const group = new GroupSync(flush);
    const fd = openFile();
    group.written(fd);
    void group.flushed();
    group.close(fd);
    expect(() => fstatSync(fd)).not.toThrow();
    calls[0]?.finish();
    await settle();
    expect(() => fstatSync(fd)).toThrow(/EBADF/);
  });

  it('closes at once, and never flushes, a file no flush holds', async () => {
    const { flush, calls } = manualFlush();
    const group = new GroupSync(flush);
    const fd = openFile();
    group.written(fd);
    group.close(fd);
    expect(() => fstatSync(fd)).toThrow(/EBADF/);
    await group.flushed();
    expect(calls.map((call) => call.fd)).not.toContain(fd);
  });
});
