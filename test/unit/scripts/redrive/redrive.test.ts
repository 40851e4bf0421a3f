import { describe, expect, it } from 'vitest';
import type { AggregateStore } from '../../../../functions/processor/aggregate-store.js';
import type { ProcessorDeps } from '../../../../functions/processor/process-batch.js';
import type { CommitRecord } from '../../../../functions/shared/commit-record.js';
import { DatabaseUnavailableError } from '../../../../functions/shared/errors.js';
import { type FailurePointer, parseFailurePointer } from '../../../../scripts/redrive/failure-pointer.js';
import { type PendingPointer, type PointerSource, redrive } from '../../../../scripts/redrive/redrive.js';
import type { RangeRead } from '../../../../scripts/redrive/stream-range-reader.js';
import { commitRecord, kinesisRecord } from '../../../support/factories.js';

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/infected-code-commits';
const SHARD = 'shardId-000000000000';

const pointerLine = (start: number, size: number, overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: '1.0',
    timestamp: '2026-01-01T00:00:00.000Z',
    KinesisBatchInfo: {
      shardId: SHARD,
      startSequenceNumber: String(start),
      endSequenceNumber: String(start + size - 1),
      batchSize: size,
      streamArn: STREAM_ARN,
      ...overrides,
    },
  });

/** The pointers of a fake queue or file; which ones were removed, and which were released. */
function sourceOf(lines: string[], options: { removalFails?: boolean } = {}) {
  const removed: string[] = [];
  let released: string[] | undefined;
  const source: PointerSource = {
    description: 'test pointers',
    pending: async () =>
      lines.map(
        (line, index): PendingPointer => ({
          location: `line ${index + 1}`,
          parsed: parseFailurePointer(line),
          remove: async () => {
            if (options.removalFails) throw new Error('AccessDenied');
            removed.push(`line ${index + 1}`);
          },
        }),
      ),
    release: async (kept) => {
      released = kept.map((item) => item.location);
    },
  };
  return { source, removed, released: () => released };
}

/** A stream of one shard holding records 1000…1999 (`from` on if older ones were trimmed). */
function streamHolding(from = 1000) {
  const reads: string[] = [];
  const commits = new Map<number, CommitRecord>();
  const reader = {
    read: async (pointer: FailurePointer): Promise<RangeRead> => {
      reads.push(pointer.startSequenceNumber);
      const start = Number(pointer.startSequenceNumber);
      const end = Number(pointer.endSequenceNumber);
      const records = [];
      for (let sequence = Math.max(start, from); sequence <= end; sequence += 1) {
        const commit = commits.get(sequence) ?? commitRecord();
        commits.set(sequence, commit);
        records.push(kinesisRecord(commit, String(sequence), SHARD));
      }
      return start >= from
        ? { complete: true, records }
        : { complete: false, records, missing: `records before ${from} are gone` };
    },
  };
  return { reader, reads };
}

/** Fault injection only: a processor store that counts new commit ids like the ledger, or fails. */
function processor(options: { fails?: boolean } = {}): ProcessorDeps & { stored: string[] } {
  const stored: string[] = [];
  const store: AggregateStore = {
    ingest: async (commits) => {
      if (options.fails) throw new DatabaseUnavailableError('the database is unreachable');
      const fresh = commits.filter((commit) => !stored.includes(commit.commitId));
      stored.push(...fresh.map((commit) => commit.commitId));
      return { counted: fresh.length, duplicates: commits.length - fresh.length, suspicious: 0 };
    },
  };
  return { store, archive: { put: async () => undefined, delete: async () => undefined }, stored };
}

describe('a redrive', () => {
  it('stores every record of each pointer once, in stream order, and removes the pointers', async () => {
    const { source, removed, released } = sourceOf([pointerLine(1500, 10), pointerLine(1000, 20)]);
    const { reader, reads } = streamHolding();
    const deps = processor();

    const report = await redrive({ source, reader, processor: deps, streamArn: STREAM_ARN });

    expect(reads).toEqual(['1000', '1500']);
    expect(deps.stored).toHaveLength(30);
    expect(removed.sort()).toEqual(['line 1', 'line 2']);
    expect(released()).toEqual([]);
    expect(report.allRecovered).toBe(true);
    expect(report.pointers.map((p) => p.outcome)).toEqual([
      {
        kind: 'recovered',
        stored: { records: 20, commitsStored: 20, duplicatesSkipped: 0, recordsQuarantined: 0 },
      },
      {
        kind: 'recovered',
        stored: { records: 10, commitsStored: 10, duplicatesSkipped: 0, recordsQuarantined: 0 },
      },
    ]);
  });

  it('leaves hostile pointers untouched: nothing read, nothing stored, nothing removed, each reported', async () => {
    const hostile = [
      'not json at all',
      '{"KinesisBatchInfo":{"shardId":"shardId-000000000000","startSequenceNumber":"1; DROP TABLE x"}}',
      pointerLine(1000, 5, { shardId: '../../etc' }),
      pointerLine(1000, 5, { streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/someone-elses' }),
    ];
    const { source, removed, released } = sourceOf(hostile);
    const { reader, reads } = streamHolding();
    const deps = processor();

    const report = await redrive({ source, reader, processor: deps, streamArn: STREAM_ARN });

    expect(reads).toEqual([]);
    expect(deps.stored).toEqual([]);
    expect(removed).toEqual([]);
    expect(released()).toHaveLength(4);
    expect(report.allRecovered).toBe(false);
    expect(report.pointers.map((p) => p.outcome.kind)).toEqual(['invalid', 'invalid', 'invalid', 'invalid']);
    const byLocation = [...report.pointers].sort((a, b) => a.location.localeCompare(b.location));
    expect(byLocation.map((p) => (p.outcome as { reason: string }).reason)).toEqual([
      'not JSON',
      expect.stringMatching(/KinesisBatchInfo\.startSequenceNumber: not a sequence number/),
      expect.stringMatching(/KinesisBatchInfo\.shardId: not a shard id/),
      expect.stringMatching(/names the stream .*someone-elses, not this pipeline's/),
    ]);
  });

  it('keeps a pointer whose batch the processor still cannot store, and says which step failed', async () => {
    const { source, removed, released } = sourceOf([pointerLine(1000, 5)]);
    const report = await redrive({
      source,
      reader: streamHolding().reader,
      processor: processor({ fails: true }),
      streamArn: STREAM_ARN,
    });

    expect(removed).toEqual([]);
    expect(released()).toEqual(['line 1']);
    expect(report.allRecovered).toBe(false);
    expect(report.pointers[0]?.outcome).toEqual({
      kind: 'failed',
      reason: expect.stringMatching(/^the aggregate step failed: DatabaseUnavailableError/),
    });
  });

  it('stores what is left of a pointer whose first records expired, and keeps it unless told to discard it', async () => {
    const expired = pointerLine(990, 20); // 990…1009, the stream holds 1000 on
    const kept = sourceOf([expired]);
    const deps = processor();
    const first = await redrive({
      source: kept.source,
      reader: streamHolding().reader,
      processor: deps,
      streamArn: STREAM_ARN,
    });

    expect(deps.stored).toHaveLength(10);
    expect(kept.removed).toEqual([]);
    expect(first.allRecovered).toBe(false);
    expect(first.pointers[0]?.outcome).toMatchObject({
      kind: 'expired',
      missing: 'records before 1000 are gone',
      discarded: false,
      stored: { records: 10, commitsStored: 10 },
    });

    const discarded = sourceOf([expired]);
    const second = await redrive(
      { source: discarded.source, reader: streamHolding().reader, processor: deps, streamArn: STREAM_ARN },
      { discardExpired: true },
    );
    expect(discarded.removed).toEqual(['line 1']);
    expect(second.allRecovered).toBe(false);
    expect(second.pointers[0]?.outcome).toMatchObject({ kind: 'expired', discarded: true });
  });

  it('reports a pointer it stored but could not remove', async () => {
    const { source } = sourceOf([pointerLine(1000, 3)], { removalFails: true });
    const report = await redrive({
      source,
      reader: streamHolding().reader,
      processor: processor(),
      streamArn: STREAM_ARN,
    });
    expect(report.allRecovered).toBe(false);
    expect(report.pointers[0]?.outcome).toMatchObject({
      kind: 'failed',
      reason: 'stored, but the pointer could not be removed: Error: AccessDenied',
      stored: { commitsStored: 3 },
    });
  });

  it('has recovered everything when there was nothing to redrive', async () => {
    const report = await redrive({
      source: sourceOf([]).source,
      reader: streamHolding().reader,
      processor: processor(),
      streamArn: STREAM_ARN,
    });
    expect(report).toEqual({ source: 'test pointers', pointers: [], allRecovered: true });
  });
});
