import { describe, expect, it } from 'vitest';
import type { CommitRow, SourceRow } from '../../../../functions/producer/commit-row.js';
import type { LineRange, RejectedRow, RejectSink } from '../../../../functions/producer/reject-sinks.js';
import { replayRows } from '../../../../functions/producer/replay.js';
import type { CommitRecord } from '../../../../functions/shared/commit-record.js';
import { deaggregate } from '../../../../functions/shared/kinesis-aggregation/deaggregate.js';
import { MAX_HASH_KEY, ShardMap } from '../../../../functions/shared/kinesis-aggregation/shard-map.js';
import type { RecordPublisher, StreamEntry } from '../../../../functions/shared/ports.js';
import { settings } from '../../../../functions/shared/settings.js';

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

/** Rows in chunks of 100, as the CSV reader yields them. */
async function* rowsOf(items: SourceRow[]): AsyncGenerator<SourceRow[]> {
  for (let i = 0; i < items.length; i += 100) yield items.slice(i, i + 100);
}

class MemoryRejects implements RejectSink {
  rows: RejectedRow[] = [];
  closed = false;
  superseded: LineRange[] = [];
  async write(row: RejectedRow) {
    this.rows.push(row);
  }
  async close() {
    this.closed = true;
  }
  location() {
    return this.rows.length > 0 ? 'memory' : undefined;
  }
  async supersedeEarlier(lines: LineRange) {
    this.superseded.push(lines);
    return 0;
  }
}

/** Two shards splitting the hash key space in halves, as a stream of 2 shards does. */
const HALF = MAX_HASH_KEY / 2n;
const shardMap = new ShardMap([
  { shardId: 'shardId-000000000000', startingHashKey: 0n, endingHashKey: HALF },
  { shardId: 'shardId-000000000001', startingHashKey: HALF + 1n, endingHashKey: MAX_HASH_KEY },
]);
const shardMaps = { get: async () => shardMap, invalidate: () => undefined };

/** The user records an entry carries: an aggregate's, or the plain record itself. */
function commitsIn(entry: StreamEntry): CommitRecord[] {
  const unpacked = deaggregate(entry.data);
  if (unpacked.kind === 'corrupt') throw new Error(`corrupt aggregate: ${unpacked.message}`);
  const texts =
    unpacked.kind === 'plain'
      ? [Buffer.from(entry.data).toString('utf8')]
      : unpacked.records.map((record) => Buffer.from(record.data).toString('utf8'));
  return texts.map((text) => JSON.parse(text) as CommitRecord);
}

/** A stream stand-in that records what arrives, in arrival order, with a per-put delay. */
function recordingStream(delayOf: (request: readonly StreamEntry[]) => number = () => 0) {
  const arrived: CommitRecord[] = [];
  const entries: StreamEntry[] = [];
  const requestSizes: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const publisher: RecordPublisher = {
    put: async (request) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      requestSizes.push(request.length);
      await new Promise((resolve) => setTimeout(resolve, delayOf(request)));
      for (const entry of request) {
        entries.push(entry);
        arrived.push(...commitsIn(entry));
      }
      inFlight -= 1;
      return {
        failed: [],
        shardIds: request.map((entry) =>
          entry.explicitHashKey
            ? shardMap.shardIdOfHashKey(BigInt(entry.explicitHashKey))
            : shardMap.shardIdOf(entry.partitionKey),
        ),
      };
    },
  };
  return { publisher, arrived, entries, requestSizes, maxInFlight: () => maxInFlight };
}

/** Authors whose commits go to different shards. */
const [onShard0, onShard1] = ['person_0', 'person_1', 'person_2', 'person_3', 'person_4', 'person_5'].reduce<
  [string[], string[]]
>(
  (split, author) => {
    split[shardMap.shardIdOf(author) === 'shardId-000000000000' ? 0 : 1].push(author);
    return split;
  },
  [[], []],
);

describe.each([
  ['one Kinesis record per commit', false],
  ['KPL-aggregated records', true],
])('replaying rows onto the stream as %s', (_, aggregate) => {
  const deps = (publisher: RecordPublisher, rejects: RejectSink = new MemoryRejects()) => ({
    publisher,
    rejects,
    shardMaps,
  });

  it('sends versioned records and reports the counts', async () => {
    const stream = recordingStream();
    const rejects = new MemoryRejects();
    const items = Array.from({ length: 1_201 }, (_, i) => row(i, `person_${i % 7}`));
    const result = await replayRows(rowsOf(items), deps(stream.publisher, rejects), { aggregate });

    expect(result).toMatchObject({ read: 1_201, sent: 1_201, rejected: 0, failed: 0, rejectedByReason: {} });
    expect(result.kinesisRecords).toBe(stream.entries.length);
    expect(stream.arrived).toHaveLength(1_201);
    expect(stream.arrived.find((record) => record.commitId === 'c_0')).toMatchObject({
      v: 1,
      author: 'person_0',
      eventTime: '2024-01-01T00:00:00.000Z',
    });
    expect(rejects.closed).toBe(true);
  });

  it("keeps each author's records in order while other put requests are in flight", async () => {
    const slowAuthor = onShard0[0] ?? '';
    // Slow puts for one author make later requests overtake unless ordering is enforced.
    const stream = recordingStream((request) =>
      request.some((entry) => commitsIn(entry).some((commit) => commit.author === slowAuthor)) ? 30 : 1,
    );
    const items = [
      ...Array.from({ length: 1_200 }, (_, i) => row(i, slowAuthor, { message: 'x'.repeat(200) })),
      ...Array.from({ length: 1_200 }, (_, i) =>
        row(1_200 + i, `other_${i % 50}`, { message: 'x'.repeat(200) }),
      ),
    ];
    await replayRows(rowsOf(items), deps(stream.publisher), { aggregate });

    const times = stream.arrived.filter((r) => r.author === slowAuthor).map((r) => r.time);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(times).toHaveLength(1_200);
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
    const result = await replayRows(rowsOf(items), deps(recordingStream().publisher, rejects), { aggregate });
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

  it('counts a commit as sent only when its Kinesis record was accepted, and keeps the others', async () => {
    const rejects = new MemoryRejects();
    const failing = onShard1[0] ?? '';
    // Every record holding the failing author's commits is refused each time: on its own shard.
    const publisher: RecordPublisher = {
      put: async (request) => ({
        failed: request.flatMap((entry, index) =>
          commitsIn(entry).some((commit) => commit.author === failing)
            ? [{ index, errorCode: 'InternalFailure' }]
            : [],
        ),
      }),
    };
    const items = [
      ...Array.from({ length: 40 }, (_, i) => row(i, onShard0[0] ?? '')),
      ...Array.from({ length: 30 }, (_, i) => row(40 + i, failing)),
    ];
    const result = await replayRows(rowsOf(items), deps(publisher, rejects), {
      aggregate,
      producer: {
        ...settings.producer,
        putRetry: { ...settings.producer.putRetry, attempts: 2, baseDelayMs: 1 },
      },
    });

    expect(result).toMatchObject({ sent: 40, failed: 30, rejected: 0 });
    expect(rejects.rows).toHaveLength(30);
    expect(rejects.rows.every((r) => r.reason === 'publish-failed')).toBe(true);
    expect(rejects.rows.map((r) => JSON.parse(r.raw).author)).toEqual(Array(30).fill(failing));
  });

  it('stops after --limit rows', async () => {
    const stream = recordingStream();
    const items = Array.from({ length: 100 }, (_, i) => row(i, 'a'));
    const result = await replayRows(rowsOf(items), deps(stream.publisher), { aggregate, limit: 10 });
    expect(result).toMatchObject({ read: 10, sent: 10 });
    expect(stream.arrived).toHaveLength(10);
  });
});

describe('one Kinesis record per commit', () => {
  it('sends put requests of at most 500 records', async () => {
    const stream = recordingStream();
    const items = Array.from({ length: 1_201 }, (_, i) => row(i, `person_${i % 7}`));
    await replayRows(
      rowsOf(items),
      { publisher: stream.publisher, rejects: new MemoryRejects() },
      { aggregate: false },
    );
    expect(Math.max(...stream.requestSizes)).toBeLessThanOrEqual(settings.producer.maxRecordsPerRequest);
    expect(stream.requestSizes.reduce((a, b) => a + b, 0)).toBe(1_201);
  });

  it('closes a put request before it would exceed the request byte limit', async () => {
    const stream = recordingStream();
    const message = 'x'.repeat(10_000);
    const items = Array.from({ length: 30 }, (_, i) => row(i, 'a', { message }));
    await replayRows(
      rowsOf(items),
      { publisher: stream.publisher, rejects: new MemoryRejects() },
      { aggregate: false, producer: { ...settings.producer, maxBytesPerRequest: 50_000 } },
    );
    expect(stream.requestSizes.every((size) => size <= 4)).toBe(true);
    expect(stream.arrived).toHaveLength(30);
  });
});

describe('KPL-aggregated records', () => {
  it('packs many commits per Kinesis record, each record holding one shard’s commits, sent to that shard', async () => {
    const stream = recordingStream();
    const items = Array.from({ length: 3_000 }, (_, i) => row(i, `person_${i % 6}`));
    const result = await replayRows(rowsOf(items), {
      publisher: stream.publisher,
      rejects: new MemoryRejects(),
      shardMaps,
    });

    expect(result.sent).toBe(3_000);
    expect(result.kinesisRecords).toBeLessThan(3_000 / 50);
    for (const entry of stream.entries) {
      expect(entry.data.byteLength).toBeLessThanOrEqual(settings.producer.aggregation.maxAggregateBytes);
      const shard = shardMap.shardIdOfHashKey(BigInt(entry.explicitHashKey ?? '-1'));
      expect(commitsIn(entry).every((commit) => shardMap.shardIdOf(commit.author) === shard)).toBe(true);
    }
    expect(result.payloadUnits).toBeLessThan(result.sent / 20);
  });

  it('sends a commit too large for an aggregate as a plain record, in its place', async () => {
    const stream = recordingStream();
    const author = onShard0[0] ?? '';
    const items = [row(0, author), row(1, author, { message: 'y'.repeat(16_000) }), row(2, author)];
    const result = await replayRows(
      rowsOf(items),
      { publisher: stream.publisher, rejects: new MemoryRejects(), shardMaps },
      {
        producer: {
          ...settings.producer,
          aggregation: { ...settings.producer.aggregation, maxAggregateBytes: 8_192 },
        },
      },
    );

    expect(result.sent).toBe(3);
    expect(stream.arrived.map((commit) => commit.time)).toEqual([0, 1, 2]);
    expect(stream.entries.map((entry) => deaggregate(entry.data).kind)).toEqual(['plain', 'plain', 'plain']);
  });

  it('reloads the shard map when Kinesis puts a record on another shard than predicted', async () => {
    let loads = 0;
    const reloading = {
      get: async () => {
        loads += 1;
        return shardMap;
      },
      invalidate: () => undefined,
    };
    // The stream answers as if resharded: every accepted record lands on a shard the map does not know.
    const publisher: RecordPublisher = {
      put: async (request) => ({ failed: [], shardIds: request.map(() => 'shardId-000000000002') }),
    };
    const items = Array.from({ length: 2_000 }, (_, i) =>
      row(i, `person_${i % 6}`, { message: 'z'.repeat(300) }),
    );
    const result = await replayRows(
      rowsOf(items),
      { publisher, rejects: new MemoryRejects(), shardMaps: reloading },
      // Small requests, so that answers come back while rows are still being read.
      {
        producer: {
          ...settings.producer,
          aggregation: { ...settings.producer.aggregation, maxBytesPerRequest: 100_000 },
        },
      },
    );

    expect(result.sent).toBe(2_000);
    expect(loads).toBeGreaterThan(1);
  });
});

describe.each([
  ['plain records', false],
  ['aggregated records', true],
])('a stream that cannot be reached, sending %s', (_, aggregate) => {
  /** A stream that refuses the connection on the calls `down` picks (fault injection), and records the rest. */
  function refusingStream(down: (call: number) => boolean) {
    const stream = recordingStream();
    let calls = 0;
    const publisher: RecordPublisher = {
      put: async (request) => {
        calls += 1;
        if (down(calls)) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        return stream.publisher.put(request);
      },
    };
    return { publisher, arrived: stream.arrived };
  }

  const authors = ['person_0', 'person_1', 'person_2', 'person_3', 'person_4', 'person_5', 'person_6'];
  const manyRows = (count: number) => Array.from({ length: count }, (_, i) => row(i, authors[i % 7] ?? ''));
  const noWait = async () => undefined;

  it('is waited for: every row is sent once it answers again, none failed or listed, and the wait is reported', async () => {
    const stream = refusingStream((call) => call <= 30);
    const rejects = new MemoryRejects();
    const waits: string[] = [];
    const items = manyRows(3_000);

    const result = await replayRows(
      rowsOf(items),
      { publisher: stream.publisher, rejects, shardMaps },
      {
        aggregate,
        sleep: noWait,
        onProgress: (progress) => {
          if (progress.waitingForStream) waits.push(progress.waitingForStream.cause);
        },
      },
    );

    expect(result).toMatchObject({ read: 3_000, sent: 3_000, failed: 0, rejected: 0 });
    expect(result.stopped).toBeUndefined();
    expect(rejects.rows).toEqual([]);
    expect(new Set(stream.arrived.map((commit) => commit.commitId)).size).toBe(3_000);
    expect(waits).toContain('connection refused');
    expect(rejects.superseded).toEqual([{ from: 1, to: 3_001 }]);
  });

  it('past its wait, stops reading and names the first line not stored: every row before it is stored, none listed as failed', async () => {
    const stream = refusingStream((call) => call > 4);
    const rejects = new MemoryRejects();
    const items: SourceRow[] = manyRows(60_000);
    items.splice(10, 0, { ok: false, line: 12, reason: 'invalid-entropy', detail: 'bad', raw: 'x' });

    const result = await replayRows(
      rowsOf(items),
      { publisher: stream.publisher, rejects, shardMaps },
      {
        aggregate,
        sleep: noWait,
        producer: { ...settings.producer, unreachableWaitSeconds: 0 },
      },
    );

    const resume = result.stopped?.resumeFromLine ?? 0;
    expect(result.stopped?.reason).toBe('Kinesis was unreachable for 0 s (connection refused)');
    expect(result.read).toBeLessThan(items.length);
    expect(result.failed).toBe(0);
    expect(rejects.rows.every((rejected) => rejected.reason === 'invalid-entropy')).toBe(true);
    const stored = new Set(stream.arrived.map((commit) => commit.commitId));
    const before = items.filter((item) => item.ok && item.line < resume);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((item) => item.ok && stored.has(item.row.commitId))).toBe(true);
    const first = items.find((item) => item.line === resume);
    expect(first?.ok && stored.has(first.row.commitId)).toBe(false);
    expect(result.sent).toBe(stream.arrived.length);
    expect(rejects.superseded).toEqual([{ from: 1, to: resume - 1 }]);
  });

  it('stops the same way when the caller asks it to (a deadline)', async () => {
    const deadline = new AbortController();
    const stream = recordingStream();
    const publisher: RecordPublisher = {
      put: async (request) => {
        if (stream.entries.length > 0) deadline.abort('the function is about to time out');
        return stream.publisher.put(request);
      },
    };
    const items = manyRows(60_000);

    const result = await replayRows(
      rowsOf(items),
      { publisher, rejects: new MemoryRejects(), shardMaps },
      {
        aggregate,
        signal: deadline.signal,
      },
    );

    const resume = result.stopped?.resumeFromLine ?? 0;
    expect(result.stopped?.reason).toBe('the function is about to time out');
    const stored = new Set(stream.arrived.map((commit) => commit.commitId));
    expect(
      items.filter((item) => item.line < resume).every((item) => item.ok && stored.has(item.row.commitId)),
    ).toBe(true);
    expect(resume).toBeLessThan(items.length + 2);
  });

  it('started at a line, supersedes earlier lists from that line to the last one it read', async () => {
    const rejects = new MemoryRejects();
    const items = manyRows(100).filter((item) => item.line >= 50);

    const result = await replayRows(rowsOf(items), deps(recordingStream().publisher, rejects), {
      aggregate,
      fromLine: 50,
    });

    expect(result).toMatchObject({ read: 52, sent: 52 });
    expect(rejects.superseded).toEqual([{ from: 50, to: 101 }]);
  });

  const deps = (publisher: RecordPublisher, rejects: RejectSink) => ({ publisher, rejects, shardMaps });
});

describe('a commit with a message longer than the stream record carries', () => {
  it('is sent with its message cut and its length in messageChars', async () => {
    const stream = recordingStream();
    const long = row(0, 'person_0', { message: 'm'.repeat(16_384), messageChars: 40_000 });
    const result = await replayRows(rowsOf([long, row(1, 'person_0')]), {
      publisher: stream.publisher,
      rejects: new MemoryRejects(),
      shardMaps,
    });

    expect(result.sent).toBe(2);
    const [first, second] = stream.arrived;
    expect(first).toMatchObject({ commitId: 'c_0', messageChars: 40_000 });
    expect(first?.message).toHaveLength(16_384);
    expect(second && 'messageChars' in second).toBe(false);
  });
});
