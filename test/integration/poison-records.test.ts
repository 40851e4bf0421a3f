/**
 * One poison record never sinks its batch: records that pass the stream schema but that PostgreSQL
 * could not store (a 3 KB commit id or module over the btree row limit, lines beyond `integer`, a year
 * 0000 event time) are quarantined by the shared bounds, and a record the database still refuses for
 * its data (here a CHECK constraint the test adds) is isolated by halving the batch. Every good record
 * behind them is counted once and archived once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessorHandler } from '../../functions/processor/handler.js';
import type { CommitRecord } from '../../functions/shared/commit-record.js';
import { dataApiDatabaseFromEnv } from '../../functions/shared/database/data-api.js';
import { archivedLines } from '../support/archive-reader.js';
import { deliverAll, type Processor } from '../support/deliver.js';
import { expectArchivedOnce, expectScenarioAggregates, sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime;
let processor: Processor;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'poison-'));
  runtime = await startTestRuntime();
  processor = createProcessorHandler(runtime.env);
});

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

const REFUSED_PATH = '/refused/by/check.py';

function poison(base: CommitRecord, overrides: Partial<CommitRecord>, author: string): CommitRecord {
  return { ...base, commitId: `${author}:poison:${Object.keys(overrides).join('+')}`, author, ...overrides };
}

describe('a batch with poison records', () => {
  it('quarantines each poison record with its reason and stores every other record once', async () => {
    const scenario = sampleScenario('poison', ['person_46', 'person_78'], dir);
    const db = dataApiDatabaseFromEnv(runtime.env);
    await db.query(
      `ALTER TABLE pipeline.suspicious_commits ADD CONSTRAINT refuse_for_test CHECK (file_path <> '${REFUSED_PATH}')`,
    );
    const [first] = scenario.records as [CommitRecord];
    const author = 'poison:outsider';
    const poisons: CommitRecord[] = [
      poison(first, { commitId: 'x'.repeat(3_000) }, author),
      poison(first, { filePath: `/${'m'.repeat(2_400)}/sub/file.py` }, author),
      poison(first, { linesAdded: 3_000_000_000, entropy: 0.95 }, author),
      poison(first, { eventTime: '0000-06-01T00:00:00Z' }, author),
      poison(first, { author: 'a'.repeat(300) }, author),
      // Inside every bound, but refused by the database: found by halving the batch.
      poison(first, { filePath: REFUSED_PATH, entropy: 0.99 }, author),
    ];
    // Spread through the stream, in the first and the later batches.
    const records: CommitRecord[] = [...scenario.records];
    for (const [index, record] of poisons.entries()) records.splice(3 + index * 23, 0, record);

    const report = await deliverAll(processor, records, { shardId: scenario.shardId, batchSize: 50 });

    expect(report.failures).toBe(0);
    await expectScenarioAggregates(runtime, scenario);
    await expectArchivedOnce(runtime, scenario);
    expect((await runtime.get(`stats/authors/${encodeURIComponent(author)}`)).status).toBe(404);
    const quarantined = await archivedLines<{ reason: string; data: string }>(
      runtime.s3,
      runtime.bucketName,
      'quarantine/',
      `/${scenario.shardId}/`,
    );
    expect(quarantined.map((line) => JSON.parse(line.data).commitId).sort()).toEqual(
      poisons.map((record) => record.commitId).sort(),
    );
    const reasons = quarantined.map((line) => line.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^commitId: .*at most 256/),
        expect.stringMatching(/^filePath: its module has 2405 characters; at most 512/),
        expect.stringMatching(/^linesAdded: .*at most 2147483647/),
        expect.stringMatching(/^eventTime: .*outside years 1 to 9999/),
        expect.stringMatching(/^author: .*at most 256/),
        expect.stringMatching(/refuse_for_test[\s\S]*SQLState: 23514$/),
      ]),
    );
    await db.query('ALTER TABLE pipeline.suspicious_commits DROP CONSTRAINT refuse_for_test');
  });
});
