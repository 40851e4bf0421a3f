import { describe, expect, it } from 'vitest';
import type { AggregateStore } from '../../../functions/processor/aggregate-store.js';
import { processBatch } from '../../../functions/processor/process-batch.js';
import type { CommitRecord } from '../../../functions/shared/commit-record.js';
import type { ObjectStore } from '../../../functions/shared/ports.js';
import { commitRecord, kinesisEvent } from '../../support/factories.js';

// Fault injection only: the real store and archive are exercised by the integration suite.
function fakes(options: { storeFails?: boolean; archiveFails?: boolean } = {}) {
  const ingested: CommitRecord[][] = [];
  const archived: string[] = [];
  const store: AggregateStore = {
    ingest: async (commits) => {
      if (options.storeFails) throw new Error('DatabaseUnavailableError: connection refused');
      ingested.push([...commits]);
      return { counted: commits.length, duplicates: 0, suspicious: 0 };
    },
  };
  const archive: ObjectStore = {
    put: async (key) => {
      if (options.archiveFails) throw new Error('S3 unavailable');
      archived.push(key);
    },
  };
  return { deps: { store, archive }, ingested, archived };
}

describe('processing a stream batch', () => {
  it('stores valid commits, quarantines invalid records, and acknowledges the whole batch', async () => {
    const { deps, ingested, archived } = fakes();
    const event = kinesisEvent([commitRecord(), 'garbage', commitRecord()]);
    const outcome = await processBatch(event.Records, deps);

    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(outcome.quarantined).toBe(1);
    expect(ingested[0]).toHaveLength(2);
    expect(archived.some((key) => key.startsWith('raw/'))).toBe(true);
    expect(archived.some((key) => key.startsWith('quarantine/'))).toBe(true);
  });

  it('asks for a retry from the first record when the database step fails, and archives nothing', async () => {
    const { deps, archived } = fakes({ storeFails: true });
    const event = kinesisEvent([commitRecord(), commitRecord()], 500);
    const outcome = await processBatch(event.Records, deps);

    expect(outcome.response).toEqual({ batchItemFailures: [{ itemIdentifier: '500' }] });
    expect(outcome.failure?.step).toBe('aggregate');
    expect(archived).toEqual([]);
  });

  it('asks for a retry from the first record when the archive step fails', async () => {
    const { deps } = fakes({ archiveFails: true });
    const event = kinesisEvent([commitRecord(), commitRecord()], 700);
    const outcome = await processBatch(event.Records, deps);

    expect(outcome.response).toEqual({ batchItemFailures: [{ itemIdentifier: '700' }] });
    expect(outcome.failure?.step).toBe('archive');
  });

  it('acknowledges a batch of only invalid records after quarantining them', async () => {
    const { deps, ingested, archived } = fakes();
    const outcome = await processBatch(kinesisEvent(['{}', '[]']).Records, deps);
    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(ingested).toEqual([[]]);
    expect(archived).toHaveLength(1);
    expect(archived[0]).toMatch(/^quarantine\//);
  });

  it('acknowledges an empty batch', async () => {
    const { deps } = fakes();
    expect((await processBatch([], deps)).response).toEqual({ batchItemFailures: [] });
  });
});
