/**
 * Exactly-once aggregation under redelivery, failed-and-retried batches and bisection, against the
 * real PostgreSQL (through the Data API server) and S3 emulator of the embedded runtime.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataApiAggregateStore } from '../../functions/processor/aggregate-store.js';
import { processBatch } from '../../functions/processor/process-batch.js';
import {
  createProcessorHandler,
  type ProcessorHandler,
} from '../../functions/processor/processor-handler.js';
import { createS3Client } from '../../functions/shared/adapters/aws-clients.js';
import { S3ObjectStore } from '../../functions/shared/adapters/s3-object-store.js';
import {
  type Database,
  dataApiDatabaseFromEnv,
  type SqlExecutor,
} from '../../functions/shared/database/data-api.js';
import type { ObjectStore } from '../../functions/shared/ports.js';
import { commitRecord, kinesisEvent } from '../support/factories.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime;
let processor: ProcessorHandler;
const context = { awsRequestId: 'test' } as Context;

beforeAll(async () => {
  runtime = await startTestRuntime();
  processor = createProcessorHandler(runtime.functionEnv);
});

afterAll(async () => {
  await runtime?.stop();
});

/** Fault injection: the database fails the n-th statement of the next transaction, once. */
function failingOnce(db: Database, failAtStatement: number): Database {
  let armed = true;
  return {
    query: (sql, params) => db.query(sql, params),
    transaction: (work) =>
      db.transaction((tx) => {
        let statements = 0;
        const flaky: SqlExecutor = {
          query: (sql, params) => {
            statements += 1;
            if (armed && statements === failAtStatement) {
              armed = false;
              throw Object.assign(new Error('injected: connection lost mid-transaction'), {
                name: 'DatabaseErrorException',
              });
            }
            return tx.query(sql, params);
          },
        };
        return work(flaky);
      }),
  };
}

function commitsBy(author: string, count: number) {
  return Array.from({ length: count }, (_, i) =>
    commitRecord({ author, time: i, entropy: 0.2 + (i % 5) * 0.01, linesAdded: 2 }),
  );
}

async function authorStats(author: string) {
  return runtime.get<{ commits: number; linesAdded: number }>(`stats/authors/${encodeURIComponent(author)}`);
}

describe('exactly-once aggregation', () => {
  it('counts a batch delivered twice once', async () => {
    const event = kinesisEvent(commitsBy('twice', 30), 10_000);
    expect(await processor(event, context)).toEqual({ batchItemFailures: [] });
    expect(await processor(event, context)).toEqual({ batchItemFailures: [] });
    expect((await authorStats('twice')).body).toMatchObject({ commits: 30, linesAdded: 60 });
  });

  it('counts a batch whose database step fails once and is retried once', async () => {
    const archive = new S3ObjectStore(createS3Client(), runtime.bucketName);
    // Statement 4 is the first aggregate upsert, after the ledger insert: the rollback must undo both.
    const store = new DataApiAggregateStore(failingOnce(dataApiDatabaseFromEnv(runtime.functionEnv), 4));
    const event = kinesisEvent(commitsBy('flaky_db', 25), 20_000);

    const failed = await processBatch(event.Records, { store, archive });
    expect(failed.response.batchItemFailures).toEqual([{ itemIdentifier: '20000' }]);
    expect((await authorStats('flaky_db')).status).toBe(404);

    const retried = await processBatch(event.Records, { store, archive });
    expect(retried.response.batchItemFailures).toEqual([]);
    expect((await authorStats('flaky_db')).body).toMatchObject({ commits: 25, linesAdded: 50 });
  });

  it('counts a batch whose archive step fails once after the aggregates committed once, and archives it once', async () => {
    const realArchive = new S3ObjectStore(createS3Client(), runtime.bucketName);
    let failNext = true;
    const flakyArchive: ObjectStore = {
      put: async (key, object) => {
        if (failNext) {
          failNext = false;
          throw new Error('injected: S3 unavailable');
        }
        await realArchive.put(key, object);
      },
    };
    const store = new DataApiAggregateStore(dataApiDatabaseFromEnv(runtime.functionEnv));
    const event = kinesisEvent(commitsBy('flaky_s3', 10), 30_000);

    expect((await processBatch(event.Records, { store, archive: flakyArchive })).failure?.step).toBe(
      'archive',
    );
    expect((await processBatch(event.Records, { store, archive: flakyArchive })).failure).toBeUndefined();
    expect((await authorStats('flaky_s3')).body).toMatchObject({ commits: 10 });

    const listed = await runtime.s3.send(
      new ListObjectsV2Command({ Bucket: runtime.bucketName, Prefix: 'raw/' }),
    );
    const keys = (listed.Contents ?? [])
      .map((object) => object.Key ?? '')
      .filter((key) => key.endsWith('/30000-30009.ndjson.gz'));
    expect(keys).toHaveLength(1);
  });

  it('counts a bisected batch once when its halves and then the whole batch are delivered', async () => {
    const event = kinesisEvent(commitsBy('bisected', 40), 40_000);
    const firstHalf = { Records: event.Records.slice(0, 20) };
    expect((await processor(firstHalf, context)).batchItemFailures).toEqual([]);
    expect((await processor(event, context)).batchItemFailures).toEqual([]);
    expect((await authorStats('bisected')).body).toMatchObject({ commits: 40, linesAdded: 80 });
  });

  it('keeps the author baseline as if each commit had been seen once', async () => {
    // 25 steady commits, then an outlier: redelivering the steady ones must not shift the baseline.
    const steady = Array.from({ length: 25 }, (_, i) =>
      commitRecord({ author: 'baseline', time: i, entropy: 0.3 + (i % 2) * 0.01 }),
    );
    const outlier = commitRecord({ author: 'baseline', time: 100, entropy: 0.5 });
    await processor(kinesisEvent(steady, 50_000), context);
    await processor(kinesisEvent(steady, 50_000), context);
    await processor(kinesisEvent([outlier], 50_100), context);

    const { body } = await runtime.get<{ items: Array<{ commitId: string; reason: string }> }>(
      'commits/suspicious?author=baseline',
    );
    expect(body.items).toEqual([
      expect.objectContaining({ commitId: outlier.commitId, reason: 'author-outlier' }),
    ]);
  });
});
