/**
 * Concurrent transactions on shared rows: batches of several shards (and several lanes of one shard,
 * with a parallelization factor above 1) that touch the same new authors, modules, languages and
 * windows at once. Every author's running baseline must equal its counts, and every total the
 * independent expectation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessorHandler } from '../../functions/processor/handler.js';
import { dataApiDatabaseFromEnv } from '../../functions/shared/database/data-api.js';
import { archivedLines } from '../support/archive-reader.js';
import { lambdaContext } from '../support/deliver.js';
import { kinesisRecord } from '../support/factories.js';
import { type Scenario, sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'concurrent-'));
  runtime = await startTestRuntime({ mapping: { parallelizationFactor: 4, batchSize: 100 } });
});

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Baseline {
  author: string;
  commits: number;
  entropy_mean: number;
}

async function baselines(scenario: Scenario): Promise<Map<string, Baseline>> {
  const rows = await dataApiDatabaseFromEnv(runtime.env).query<Baseline & Record<string, string | number>>(
    `SELECT author, commits::int AS commits, entropy_mean FROM pipeline.author_baselines
     WHERE author LIKE :prefix`,
    { prefix: `${scenario.name}:%` },
  );
  return new Map(rows.map((row) => [row.author, row]));
}

/** Totals that do not depend on the order in which an author's commits were judged. */
async function expectOrderFreeTotals(scenario: Scenario): Promise<void> {
  const stored = await baselines(scenario);
  for (const [author, group] of scenario.expected.authors) {
    const { body } = await runtime.get<{
      commits: number;
      linesAdded: number;
      linesDeleted: number;
      maxEntropy: number;
      avgEntropy: number;
    }>(`stats/authors/${encodeURIComponent(author)}`);
    expect(body, author).toMatchObject({
      commits: group.commits,
      linesAdded: group.linesAdded,
      linesDeleted: group.linesDeleted,
      maxEntropy: group.maxEntropy,
    });
    // The baseline saw every commit once: its count is the author's, its mean the author's mean.
    expect(stored.get(author)?.commits, author).toBe(group.commits);
    expect(stored.get(author)?.entropy_mean).toBeCloseTo(group.entropySum / group.commits, 9);
  }
}

describe('concurrent batches on shared rows', () => {
  it('leaves a new author’s baseline equal to its counts when several transactions create it at once', async () => {
    const scenario = sampleScenario('race', ['person_100', 'person_38', 'person_62'], dir);
    const processor = createProcessorHandler(runtime.env);
    // Eight "shards" at once, each holding a slice of every author's commits.
    const slices = Array.from({ length: 8 }, (_, shard) =>
      scenario.records
        .filter((_, index) => index % 8 === shard)
        .map((record, index) => kinesisRecord(record, String(1000 + index), `shardId-race-${shard}`)),
    );
    const responses = await Promise.all(slices.map((Records) => processor({ Records }, lambdaContext())));

    expect(responses.every((response) => response.batchItemFailures.length === 0)).toBe(true);
    await expectOrderFreeTotals(scenario);
  });

  it('counts everything once when two shards and four lanes per shard ingest the same authors and modules', async () => {
    const scenario = sampleScenario('parallel', ['person_4', 'person_6', 'person_18', 'person_23'], dir);
    // Another writer's partition keys: every author's commits spread over both shards and all lanes.
    for (let start = 0; start < scenario.records.length; start += 100) {
      const chunk = scenario.records.slice(start, start + 100);
      await runtime.kinesis.send(
        new PutRecordsCommand({
          StreamName: runtime.streamName,
          Records: chunk.map((record, index) => ({
            PartitionKey: `key-${start + index}`,
            Data: Buffer.from(JSON.stringify(record)),
          })),
        }),
      );
    }
    await runtime.waitUntilProcessed({ timeoutMs: 120_000 });

    await expectOrderFreeTotals(scenario);
    const archived = (await archivedLines<{ commitId: string }>(runtime.s3, runtime.bucketName, 'raw/'))
      .map((line) => line.commitId)
      .filter((id) => id.startsWith(`${scenario.name}:`));
    expect(archived.sort()).toEqual(scenario.records.map((record) => record.commitId).sort());
  });
});
