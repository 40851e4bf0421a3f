import { describe, expect, it } from 'vitest';
import {
  type ArchiveObject,
  compareStreamOrder,
  parseArchiveKey,
} from '../../../../functions/batch/archive-objects.js';
import type { ArchiveListing, ArchiveRead, RawArchive } from '../../../../functions/batch/raw-archive.js';
import { ViewBuilder } from '../../../../functions/batch/view-builder.js';
import type { CommitRecord } from '../../../../functions/shared/commit-record.js';
import { settings } from '../../../../functions/shared/settings.js';
import { aggregated, baselinesOf } from '../../../support/aggregated.js';
import { commitRecord } from '../../../support/factories.js';
import { MemoryViewSink } from '../../../support/memory-view-sink.js';

/** An archive in memory: objects by key, each a list of records (or raw lines). */
class MemoryArchive implements RawArchive {
  readonly objects = new Map<string, { etag: string; lines: string[] }>();
  reads = 0;

  put(shard: string, firstSequence: bigint, records: Array<CommitRecord | string>, etag = '"1"'): void {
    const key = `raw/dt=2024-01-01/hour=00/${shard}/${firstSequence}.ndjson.gz`;
    const lines = records.map((record) => (typeof record === 'string' ? record : JSON.stringify(record)));
    this.objects.set(key, { etag, lines });
  }

  async list(startAfter = ''): Promise<ArchiveListing> {
    // Listed in key order, as S3 does: text order, not stream order.
    const keys = [...this.objects.keys()].filter((key) => key > startAfter).sort();
    const objects = keys.map(
      (key) => parseArchiveKey(key, this.objects.get(key)?.etag ?? '') as ArchiveObject,
    );
    return { objects: objects.sort(compareStreamOrder), unrecognised: [] };
  }

  async read(object: ArchiveObject): Promise<ArchiveRead> {
    this.reads += 1;
    const stored = this.objects.get(object.key);
    return { text: `${stored?.lines.join('\n')}\n`, etag: stored?.etag ?? '' };
  }
}

/** An author's commits with a steady entropy and one outlier late in the series. */
function authorSeries(author: string, count: number, outlierAt: number): CommitRecord[] {
  return Array.from({ length: count }, (_, index) =>
    commitRecord({
      author,
      time: index * 60,
      entropy: index === outlierAt ? 0.79 : 0.3 + (index % 5) * 0.01,
      filePath: `/core/api/file_${index % 3}.go`,
    }),
  );
}

async function build(archive: RawArchive) {
  const sink = new MemoryViewSink();
  const builder = new ViewBuilder(settings.analytics, sink, '');
  await builder.readAll(archive);
  return { sink, builder };
}

describe('the batch view', () => {
  it('equals the shared aggregation of every commit in stream order, however it is chunked', async () => {
    // Over two chunks of the builder, across objects of two shards.
    const a = authorSeries('author-a', settings.batch.chunkCommits + 700, settings.batch.chunkCommits + 100);
    const b = authorSeries('author-b', 900, 300);
    const archive = new MemoryArchive();
    archive.put('shardId-000000000000', 10n, a.slice(0, 2500));
    archive.put('shardId-000000000000', 2510n, a.slice(2500));
    archive.put('shardId-000000000001', 7n, b);
    const { sink } = await build(archive);

    const whole = aggregated([...a, ...b], settings.analytics);
    expect(sortedByKey([...sink.groups.values()])).toEqual(sortedByKey(whole.groups));
    expect([...sink.windows.values()].sort(byWindow)).toEqual([...whole.windows].sort(byWindow));
    expect(sink.suspicious).toEqual(whole.suspicious);
    expect(sink.suspicious.some((flagged) => flagged.reason === 'author-outlier')).toBe(true);
    expect(sink.baselines).toEqual(baselinesOf(whole));
  });

  it('reads a shard in sequence order, not in key order, so an author is judged in stream order', async () => {
    const series = authorSeries('author-c', 60, 40);
    const archive = new MemoryArchive();
    // As text, "100" sorts before "99"; as sequence numbers it comes after.
    archive.put('shardId-000000000000', 99n, series.slice(0, 30));
    archive.put('shardId-000000000000', 100n, series.slice(30));
    const { sink } = await build(archive);
    const inOrder = aggregated(series, settings.analytics);
    expect(sink.suspicious).toEqual(inOrder.suspicious);
    expect(sink.baselines.get('author-c')).toEqual(baselinesOf(inOrder).get('author-c'));
  });

  it('counts the first arrival of a commit id and skips every later one', async () => {
    const first = commitRecord({ author: 'author-d', linesAdded: 5 });
    const replayed = { ...first, linesAdded: 500 };
    const archive = new MemoryArchive();
    archive.put('shardId-000000000000', 1n, [first]);
    archive.put('shardId-000000000000', 2n, [replayed, replayed]);
    const { sink, builder } = await build(archive);
    expect(sink.dimension('author').get('author-d')).toMatchObject({ commits: 1, linesAdded: 5 });
    expect(sink.ledgerIds).toBe(1);
    expect(builder.stats).toMatchObject({ records: 3, repeats: 2, objects: 2 });
  });

  it('counts lines that are not commit records, without failing', async () => {
    const archive = new MemoryArchive();
    archive.put('shardId-000000000000', 1n, ['not json', commitRecord({ author: 'author-e' })]);
    const { sink, builder } = await build(archive);
    expect(builder.stats.invalid).toBe(1);
    expect(builder.stats.invalidSamples).toEqual(['not valid JSON']);
    expect(sink.dimension('author').get('author-e')?.commits).toBe(1);
  });

  it('catches up with new and rewritten objects only, without counting an arrival twice', async () => {
    const series = authorSeries('author-f', 40, 35);
    const archive = new MemoryArchive();
    archive.put('shardId-000000000000', 1n, series.slice(0, 10));
    const sink = new MemoryViewSink();
    const builder = new ViewBuilder(settings.analytics, sink, '');
    await builder.readAll(archive);
    // A retry rewrote the first batch longer; a new batch followed it.
    archive.put('shardId-000000000000', 1n, series.slice(0, 20), '"2"');
    archive.put('shardId-000000000000', 21n, series.slice(20));
    const reads = archive.reads;
    expect(await builder.catchUp(archive)).toBe(2);
    expect(archive.reads - reads).toBe(2);
    expect(await builder.catchUp(archive)).toBe(0);

    const inOrder = aggregated(series, settings.analytics);
    expect(sink.dimension('author').get('author-f')).toEqual(
      inOrder.groups.find((g) => g.key === 'author-f'),
    );
    expect(sink.suspicious).toEqual(inOrder.suspicious);
    expect(builder.stats.repeats).toBe(10);
  });
});

function sortedByKey<T extends { dimension: string; key: string }>(groups: T[]): T[] {
  return [...groups].sort((x, y) => `${x.dimension}/${x.key}`.localeCompare(`${y.dimension}/${y.key}`));
}

function byWindow(x: { windowStart: string }, y: { windowStart: string }): number {
  return x.windowStart.localeCompare(y.windowStart);
}
