import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AggregateStore } from '../../../../functions/processor/aggregate-store.js';
import { processBatch } from '../../../../functions/processor/process-batch.js';
import type { CommitRecord } from '../../../../functions/shared/commit-record.js';
import { DatabaseUnavailableError, SqlStatementError } from '../../../../functions/shared/errors.js';
import type { ObjectStore } from '../../../../functions/shared/ports.js';
import { commitRecord, kinesisEvent } from '../../../support/factories.js';

const POISON = '/poison/path/x.py';
/** Three attempts, as deployed, with waits of a millisecond. */
const quickRetry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 };

// Fault injection only: the real store and archive are exercised by the integration suite.
function fakes(
  options: { storeFails?: () => Error | undefined; archiveFails?: boolean; refusePoison?: boolean } = {},
) {
  const ingested: CommitRecord[][] = [];
  const objects = new Map<string, string[]>();
  let attempts = 0;
  const store: AggregateStore = {
    ingest: async (commits) => {
      attempts += 1;
      const failure = options.storeFails?.();
      if (failure) throw failure;
      if (options.refusePoison && commits.some((commit) => commit.filePath === POISON)) {
        throw new SqlStatementError('ERROR: new row violates check constraint; SQLState: 23514', '23514');
      }
      ingested.push([...commits]);
      return { counted: commits.length, duplicates: 0, suspicious: 0 };
    },
  };
  const archive: ObjectStore = {
    put: async (key, object) => {
      if (options.archiveFails) throw new Error('S3 unavailable');
      objects.set(
        key,
        gunzipSync(object.body as Uint8Array)
          .toString('utf8')
          .trimEnd()
          .split('\n'),
      );
    },
    delete: async (key) => {
      objects.delete(key);
    },
  };
  return { deps: { store, archive }, ingested, objects, attempts: () => attempts };
}

const linesUnder = (objects: Map<string, string[]>, prefix: string) =>
  [...objects.entries()].filter(([key]) => key.startsWith(prefix)).flatMap(([, lines]) => lines);

describe('processing a stream batch', () => {
  it('stores valid commits, quarantines invalid records, and acknowledges the whole batch', async () => {
    const { deps, ingested, objects } = fakes();
    const event = kinesisEvent([commitRecord(), 'garbage', commitRecord()]);
    const outcome = await processBatch(event.Records, deps);

    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(outcome.quarantined).toBe(1);
    expect(ingested[0]).toHaveLength(2);
    expect(linesUnder(objects, 'raw/')).toHaveLength(2);
    expect(JSON.parse(linesUnder(objects, 'quarantine/')[0] ?? '{}')).toMatchObject({
      sequenceNumber: '1001',
      reason: 'not valid JSON',
      data: 'garbage',
    });
  });

  it('asks for a retry from the first record when the database stays unavailable, and archives nothing', async () => {
    const { deps, objects, attempts } = fakes({ storeFails: () => new DatabaseUnavailableError('down') });
    const event = kinesisEvent([commitRecord(), commitRecord()], 500);
    const outcome = await processBatch(event.Records, deps, { hotPathRetry: quickRetry });

    expect(outcome.response).toEqual({ batchItemFailures: [{ itemIdentifier: '500' }] });
    expect(outcome.failure?.step).toBe('aggregate');
    expect(attempts()).toBe(3);
    expect(objects.size).toBe(0);
  });

  it('repeats the transaction after a transient failure and then stores the batch', async () => {
    let failures = 2;
    const { deps, ingested } = fakes({
      storeFails: () =>
        failures-- > 0 ? new SqlStatementError('deadlock; SQLState: 40P01', '40P01') : undefined,
    });
    const outcome = await processBatch(kinesisEvent([commitRecord()]).Records, deps, {
      hotPathRetry: quickRetry,
    });

    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(ingested).toHaveLength(1);
  });

  it('does not repeat a statement the database refuses for a reason other than the data', async () => {
    const { deps, attempts } = fakes({
      storeFails: () => new SqlStatementError('permission denied; SQLState: 42501', '42501'),
    });
    const outcome = await processBatch(kinesisEvent([commitRecord()]).Records, deps, {
      hotPathRetry: quickRetry,
    });

    expect(outcome.failure?.step).toBe('aggregate');
    expect(attempts()).toBe(1);
  });

  it('isolates a commit the database refuses for its data, stores the others in order, and quarantines it', async () => {
    const { deps, ingested, objects } = fakes({ refusePoison: true });
    const commits = Array.from({ length: 9 }, (_, i) =>
      commitRecord({ author: 'iso', time: i, filePath: i === 6 ? POISON : '/a/b/c.py' }),
    );
    const outcome = await processBatch(kinesisEvent(commits, 100).Records, deps);

    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(outcome.quarantined).toBe(1);
    expect(ingested.flat().map((commit) => commit.time)).toEqual([0, 1, 2, 3, 4, 5, 7, 8]);
    expect(linesUnder(objects, 'raw/').map((line) => JSON.parse(line).time)).toEqual([
      0, 1, 2, 3, 4, 5, 7, 8,
    ]);
    expect(JSON.parse(linesUnder(objects, 'quarantine/')[0] ?? '{}')).toMatchObject({
      sequenceNumber: '106',
      reason: expect.stringContaining('SQLState: 23514'),
    });
  });

  it('fails the batch without storing or archiving once its deadline has passed', async () => {
    const { deps, objects, attempts } = fakes();
    const outcome = await processBatch(kinesisEvent([commitRecord()], 9).Records, deps, {
      signal: AbortSignal.abort(new Error('deadline')),
    });

    expect(outcome.response).toEqual({ batchItemFailures: [{ itemIdentifier: '9' }] });
    expect(attempts()).toBe(0);
    expect(objects.size).toBe(0);
  });

  it('asks for a retry from the first record when the archive step fails', async () => {
    const { deps } = fakes({ archiveFails: true });
    const event = kinesisEvent([commitRecord(), commitRecord()], 700);
    const outcome = await processBatch(event.Records, deps);

    expect(outcome.response).toEqual({ batchItemFailures: [{ itemIdentifier: '700' }] });
    expect(outcome.failure?.step).toBe('archive');
  });

  it('acknowledges a batch of only invalid records after quarantining them', async () => {
    const { deps, ingested, objects } = fakes();
    const outcome = await processBatch(kinesisEvent(['{}', '[]']).Records, deps);
    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(ingested).toEqual([[]]);
    expect([...objects.keys()]).toHaveLength(1);
    expect([...objects.keys()][0]).toMatch(/^quarantine\//);
  });

  it('acknowledges an empty batch', async () => {
    const { deps } = fakes();
    expect((await processBatch([], deps)).response).toEqual({ batchItemFailures: [] });
  });
});
