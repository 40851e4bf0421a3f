/**
 * The whole pipeline on the embedded runtime: producer → Kinesis emulator → processor (through the
 * local event-source mapping) → PostgreSQL via the Data API server, and the archive on the S3
 * emulator; results compared with an independent computation from the CSV.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledSamplePath } from '../../functions/producer/csv-source.js';
import {
  expectGroupsToMatch,
  expectSummaryToMatch,
  type GroupItem,
} from '../support/aggregate-assertions.js';
import { type ExpectedAggregates, expectedAggregates } from '../support/expected-aggregates.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime;
const sample = bundledSamplePath();
let expected: ExpectedAggregates;

async function snapshot() {
  const [summary, authors, modules, languages, timeline] = await Promise.all([
    runtime.get<Record<string, unknown>>('stats/summary'),
    runtime.get<{ items: GroupItem[]; total: number }>('stats/authors?limit=1000'),
    runtime.get<{ items: GroupItem[] }>('stats/modules?limit=1000'),
    runtime.get<{ items: GroupItem[] }>('stats/languages?limit=1000'),
    runtime.get<{ items: unknown[] }>('stats/timeline'),
  ]);
  const { lastIngestedAt: _ignored, ...stable } = summary.body;
  return {
    summary: stable,
    authors: authors.body,
    modules: modules.body,
    languages: languages.body,
    timeline: timeline.body,
  };
}

async function listArchive(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await runtime.s3.send(
      new ListObjectsV2Command({ Bucket: runtime.bucketName, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

async function readArchiveLines(key: string): Promise<string[]> {
  const object = await runtime.s3.send(new GetObjectCommand({ Bucket: runtime.bucketName, Key: key }));
  const body = Buffer.from(await (object.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
  return gunzipSync(body).toString('utf8').trimEnd().split('\n');
}

beforeAll(async () => {
  expected = expectedAggregates(sample);
  runtime = await startTestRuntime();
  await runtime.replay(sample);
});

afterAll(async () => {
  await runtime?.stop();
});

describe('replaying the bundled sample', () => {
  it('gives a summary equal to an independent computation from the file', async () => {
    const { status, body } = await runtime.get<Record<string, number>>('stats/summary');
    expect(status).toBe(200);
    expectSummaryToMatch(body, expected);
    expect(expected.summary.commits).toBe(20_000);
    expect(expected.summary.suspiciousCommits).toBeGreaterThan(200);
  });

  it('gives every author, module and language the independently computed aggregates', async () => {
    const { authors, modules, languages } = await snapshot();
    expect(authors.total).toBe(104);
    expectGroupsToMatch(authors.items, 'author', expected.authors);
    expectGroupsToMatch(modules.items, 'module', expected.modules);
    expectGroupsToMatch(languages.items, 'language', expected.languages);
  });

  it('flags exactly the independently found suspicious commits, with their reasons', async () => {
    const { body } = await runtime.get<{ items: Array<{ commitId: string; reason: string }> }>(
      'commits/suspicious?limit=1000',
    );
    const pairs = (list: Array<{ commitId: string; reason: string }>) =>
      list.map((s) => `${s.commitId}/${s.reason}`).sort();
    expect(pairs(body.items)).toEqual(pairs(expected.suspicious));
    expect(expected.suspicious.some((s) => s.reason === 'author-outlier')).toBe(true);
  });

  it('archives every accepted record exactly once under raw/', async () => {
    const keys = await listArchive('raw/');
    expect(
      keys.every((key) => /^raw\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/shardId-\d+\/\d+\.ndjson\.gz$/.test(key)),
    ).toBe(true);
    const ids = (await Promise.all(keys.map(readArchiveLines)))
      .flat()
      .map((line) => JSON.parse(line).commitId as string);
    expect(ids).toHaveLength(20_000);
    expect(new Set(ids).size).toBe(20_000);
  });
});

describe('replaying again and redelivering', () => {
  it('leaves every aggregate unchanged when the same file is replayed twice', async () => {
    const before = await snapshot();
    const result = await runtime.replay(sample);
    expect(result.sent).toBe(20_000);
    expect(await snapshot()).toEqual(before);
  });

  it('quarantines records that are not commit records, without failing their batch', async () => {
    const before = await snapshot();
    const garbage = ['not json', '{"v":1,"commitId":"c_x"}', JSON.stringify({ v: 2, hello: 'world' })];
    await runtime.kinesis.send(
      new PutRecordsCommand({
        StreamName: runtime.streamName,
        Records: garbage.map((text) => ({ PartitionKey: 'garbage', Data: Buffer.from(text) })),
      }),
    );
    await runtime.waitUntilProcessed({ timeoutMs: 30_000 });

    const quarantined = (await Promise.all((await listArchive('quarantine/')).map(readArchiveLines)))
      .flat()
      .map((line) => JSON.parse(line) as { data: string; reason: string });
    expect(quarantined.map((q) => q.data).sort()).toEqual([...garbage].sort());
    expect(quarantined.every((q) => q.reason.length > 0)).toBe(true);
    expect(await snapshot()).toEqual(before);
    expect(runtime.mapping.snapshot().failed).toBe(0);
  });
});

describe('rows the producer rejects', () => {
  it('are kept in the reject file with their reason and line, while the good rows go through', async () => {
    const csv = join(runtime.dataDir, 'messy.csv');
    await writeFile(
      csv,
      '\ufeffcommit_id,author,time,file_path,lines_added,lines_deleted,entropy,message\r\n' +
        'm_1,messy_author,10,/core/api/a.go,1,2,0.5,"fix parser, add tests"\r\n' +
        'm_2,messy_author,11,/core/api/b.go,1,2,1.5,entropy out of range\r\n' +
        'm_3,,12,/core/api/c.go,1,2,0.5,no author\r\n' +
        'm_4,messy_author,13,/core/api/d.go,1,2,0.25,"multi\r\nline"\r\n',
    );
    const result = await runtime.replay(csv);
    expect(result).toMatchObject({
      read: 4,
      sent: 2,
      rejected: 2,
      rejectedByReason: { 'invalid-entropy': 1, 'missing-author': 1 },
    });
    expect(result.rejectsAt).toMatch(/^s3:\/\/.+\/rejected\//);
    const { body } = await runtime.get<{ commits: number; linesAdded: number }>('stats/authors/messy_author');
    expect(body).toMatchObject({ commits: 2, linesAdded: 2 });
  });
});
