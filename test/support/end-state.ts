/**
 * What must be true once `npm start` has replayed a scenario, however it was disturbed: checked from
 * the API, the archive and the stream, against the independent expectation.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { DEAD_LETTER_FILE_NAME } from '../../local/dead-letter-file.js';
import { expectGroupsToMatch, expectSummaryToMatch, type GroupItem } from './aggregate-assertions.js';
import { occurrences, RawArchiveReader, rejectedRowsAt } from './archive-reader.js';
import { runtimeFileOf } from './runtime-cli.js';
import { type Scenario, scenarioWithout } from './scenario.js';
import { streamArrivals } from './stream-arrivals.js';

/** Reads a JSON API path of the runtime. */
async function api<T>(apiUrl: string, path: string): Promise<T> {
  const response = await fetch(new URL(path, apiUrl));
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

/** The commit ids of the rows the producer kept as rejected (unsendable), if any: under rejected/ of the bucket. */
async function rejectedCommitIds(s3: S3Client, output: string): Promise<Set<string>> {
  const location = /rejected rows kept in (s3:\/\/\S+)/.exec(output)?.[1];
  const rows = await rejectedRowsAt<{ raw: string }>(s3, location);
  return new Set(rows.map((row) => row.raw.split(',')[0] ?? ''));
}

/**
 * The end state of an `npm start` run on a scenario: counted once, archived once, nothing counted that was rejected or dead-lettered: the scenario's
 * expectation over the commits the producer accepted.
 *
 * @param dir - where a smaller scenario (without the rejected commits) is written
 */
export async function expectExactEndState(
  dataDir: string,
  scenario: Scenario,
  output: string,
  dir: string,
): Promise<void> {
  const runtime = runtimeFileOf(dataDir);
  const s3 = new S3Client({
    endpoint: runtime.env.AWS_ENDPOINT_URL_S3,
    region: runtime.env.AWS_REGION,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
  });
  const rejected = await rejectedCommitIds(s3, output);
  const accepted = rejected.size > 0 ? scenarioWithout(scenario, rejected, dir) : scenario;
  const { expected } = accepted;

  expectSummaryToMatch(await api(runtime.apiUrl, 'stats/summary'), expected);
  for (const [keyField, path, groups] of [
    ['author', 'stats/authors?limit=1000', expected.authors],
    ['module', 'stats/modules?limit=1000', expected.modules],
    ['language', 'stats/languages?limit=1000', expected.languages],
  ] as const) {
    expectGroupsToMatch((await api<{ items: GroupItem[] }>(runtime.apiUrl, path)).items, keyField, groups);
  }
  const { items } = await api<{ items: Array<{ commitId: string; reason: string }> }>(
    runtime.apiUrl,
    'commits/suspicious?limit=1000',
  );
  expect(items.map((s) => `${s.commitId} ${s.reason}`).sort()).toEqual(
    expected.suspicious.map((s) => `${s.commitId} ${s.reason}`).sort(),
  );

  // No batch spent its retries on a part that was coming back.
  expect(existsSync(join(dataDir, DEAD_LETTER_FILE_NAME)), 'dead letters').toBe(false);

  const archived = (await new RawArchiveReader(s3, runtime.env.ARCHIVE_BUCKET ?? '').read()).commitIds;
  s3.destroy();
  // Each arrival on the stream once: a request resent after its answer was lost arrived twice.
  const arrivals = await streamArrivals(
    runtime.env.AWS_ENDPOINT_URL_KINESIS ?? '',
    runtime.env.STREAM_NAME ?? '',
    runtime.env.AWS_REGION ?? '',
  );
  expect(occurrences(archived)).toEqual(occurrences(arrivals));
  expect([...new Set(archived)].sort()).toEqual(accepted.records.map((record) => record.commitId).sort());
}
