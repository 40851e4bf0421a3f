import { describe, expect, it } from 'vitest';
import type { CommitRow } from '../../../functions/producer/csv-row.js';
import type { SourceRow } from '../../../functions/producer/csv-source.js';
import type { RejectedRow, RejectSink } from '../../../functions/producer/reject-sinks.js';
import { replayRows } from '../../../functions/producer/replay.js';
import type { CommitRecord } from '../../../functions/shared/commit-record.js';
import type { RecordPublisher, StreamEntry } from '../../../functions/shared/ports.js';
import { settings } from '../../../functions/shared/settings.js';

function row(index: number, author: string, overrides: Partial<CommitRow> = {}): SourceRow {
  return {
    ok: true,
    line: index + 2,
    row: {
      commitId: `c_${index}`,
      author,
      time: index,
      filePath: '/core/api/x.go',
      linesAdded: 1,
      linesDeleted: 1,
      entropy: 0.5,
      message: 'm',
      ...overrides,
    },
  };
}

/** Rows in batches of 100, as the CSV reader yields them. */
async function* rowsOf(items: SourceRow[]): AsyncGenerator<SourceRow[]> {
  for (let i = 0; i < items.length; i += 100) yield items.slice(i, i + 100);
}

class MemoryRejects implements RejectSink {
  rows: RejectedRow[] = [];
  closed = false;
  async write(row: RejectedRow) {
    this.rows.push(row);
  }
  async close() {
    this.closed = true;
  }
  location() {
    return this.rows.length > 0 ? 'memory' : undefined;
  }
}

/** A stream stand-in that records what arrives, in arrival order, with a per-put delay. */
function recordingStream(delayOf: (batch: readonly StreamEntry[]) => number = () => 0) {
  const arrived: CommitRecord[] = [];
  const batchSizes: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const publisher: RecordPublisher = {
    put: async (batch) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      batchSizes.push(batch.length);
      await new Promise((resolve) => setTimeout(resolve, delayOf(batch)));
      for (const entry of batch) arrived.push(JSON.parse(Buffer.from(entry.data).toString('utf8')));
      inFlight -= 1;
      return { failed: [] };
    },
  };
  return { publisher, arrived, batchSizes, maxInFlight: () => maxInFlight };
}

describe('replaying rows onto the stream', () => {
  it('sends versioned records in PutRecords batches of at most 500 and reports the counts', async () => {
    const stream = recordingStream();
    const rejects = new MemoryRejects();
    const items = Array.from({ length: 1_201 }, (_, i) => row(i, `person_${i % 7}`));
    const result = await replayRows(rowsOf(items), { publisher: stream.publisher, rejects });

    expect(result).toMatchObject({ read: 1_201, sent: 1_201, rejected: 0, failed: 0, rejectedByReason: {} });
    expect(Math.max(...stream.batchSizes)).toBeLessThanOrEqual(settings.producer.maxRecordsPerRequest);
    expect(stream.batchSizes.reduce((a, b) => a + b, 0)).toBe(1_201);
    expect(stream.arrived.find((record) => record.commitId === 'c_0')).toMatchObject({
      v: 1,
      author: 'person_0',
      eventTime: '2024-01-01T00:00:00.000Z',
    });
    expect(rejects.closed).toBe(true);
  });

  it('closes a batch before it would exceed the request byte limit', async () => {
    const stream = recordingStream();
    const message = 'x'.repeat(10_000);
    const items = Array.from({ length: 30 }, (_, i) => row(i, 'a', { message }));
    await replayRows(
      rowsOf(items),
      { publisher: stream.publisher, rejects: new MemoryRejects() },
      {
        producer: { ...settings.producer, maxBytesPerRequest: 50_000 },
      },
    );
    expect(stream.batchSizes.every((size) => size <= 4)).toBe(true);
    expect(stream.arrived).toHaveLength(30);
  });

  it("keeps each author's records in order while other authors' batches are in flight", async () => {
    // Slow puts for person_a make later batches overtake unless ordering is enforced.
    const stream = recordingStream((batch) =>
      batch.some((entry) => entry.partitionKey === 'person_a') ? 30 : 1,
    );
    const items = [
      ...Array.from({ length: 1_200 }, (_, i) => row(i, 'person_a')),
      ...Array.from({ length: 1_200 }, (_, i) => row(1_200 + i, `person_${i % 50}`)),
    ];
    await replayRows(rowsOf(items), { publisher: stream.publisher, rejects: new MemoryRejects() });

    const timesOf = (author: string) => stream.arrived.filter((r) => r.author === author).map((r) => r.time);
    const personA = timesOf('person_a');
    expect(personA).toEqual([...personA].sort((x, y) => x - y));
    expect(personA).toHaveLength(1_200);
    expect(stream.maxInFlight()).toBeGreaterThan(1);
  });

  it('keeps rejected rows with their reason and line, and counts them by reason', async () => {
    const rejects = new MemoryRejects();
    const items: SourceRow[] = [
      row(0, 'a'),
      { ok: false, line: 3, reason: 'invalid-entropy', detail: 'entropy must be…', raw: 'c,a,1,/x,1,1,7,m' },
      { ok: false, line: 4, reason: 'invalid-entropy', detail: 'entropy must be…', raw: 'c,a,1,/x,1,1,8,m' },
      { ok: false, line: 5, reason: 'column-count', detail: 'expected 8', raw: 'c,a' },
      row(4, 'a'),
    ];
    const result = await replayRows(rowsOf(items), { publisher: recordingStream().publisher, rejects });
    expect(result).toMatchObject({
      read: 5,
      sent: 2,
      rejected: 3,
      rejectedByReason: { 'invalid-entropy': 2, 'column-count': 1 },
    });
    expect(rejects.rows.map((r) => [r.line, r.reason])).toEqual([
      [3, 'invalid-entropy'],
      [4, 'invalid-entropy'],
      [5, 'column-count'],
    ]);
  });

  it('keeps records Kinesis never accepted and counts them as failed, not sent', async () => {
    const rejects = new MemoryRejects();
    const publisher: RecordPublisher = {
      put: async (batch) => ({
        failed: batch.flatMap((entry, index) =>
          entry.partitionKey === 'b' ? [{ index, errorCode: 'InternalFailure' }] : [],
        ),
      }),
    };
    const result = await replayRows(
      rowsOf([row(0, 'a'), row(1, 'b'), row(2, 'a')]),
      { publisher, rejects },
      {
        producer: { ...settings.producer, maxAttempts: 2, backoffBaseMs: 1 },
      },
    );
    expect(result).toMatchObject({ sent: 2, failed: 1, rejected: 0 });
    expect(rejects.rows).toHaveLength(1);
    expect(rejects.rows[0]).toMatchObject({ reason: 'publish-failed' });
    expect(JSON.parse(rejects.rows[0]?.raw ?? '{}')).toMatchObject({ commitId: 'c_1' });
  });

  it('stops after --limit rows', async () => {
    const stream = recordingStream();
    const items = Array.from({ length: 100 }, (_, i) => row(i, 'a'));
    const result = await replayRows(
      rowsOf(items),
      { publisher: stream.publisher, rejects: new MemoryRejects() },
      {
        limit: 10,
      },
    );
    expect(result).toMatchObject({ read: 10, sent: 10 });
    expect(stream.arrived).toHaveLength(10);
  });
});
