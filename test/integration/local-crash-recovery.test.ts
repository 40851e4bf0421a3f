/**
 * `npm start` killed outright, then started again on the same data dir with `--no-replay`: the
 * interrupted work is finished exactly, from what the crash left on disk.
 *
 * The crash: SIGKILL to the whole process group of `npm start` (the runtime, the Kinesis server, the
 * S3 emulator, the Data API server and PostgreSQL all at once), after the producer has put every row
 * of the 20,000-row sample on the stream (one record per commit: ~310 processor batches) and before
 * the processor has caught up. Expected afterwards, independently of the pipeline's code:
 * - the aggregates equal the computation from the CSV (test/support/expected-aggregates.ts): every
 *   commit counted once, none lost, although the file was not replayed again;
 * - every commit of the file is in `raw/` exactly once (it arrived on the stream once);
 * - nothing rejected, nothing in the dead letters;
 * - no process of either run is left once the second one is stopped with Ctrl-C (none in its process
 *   group, none naming the data dir).
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledSamplePath } from '../../functions/producer/csv-source.js';
import { settings } from '../../functions/shared/settings.js';
import { LOCAL_BUCKET_NAME } from '../../local/local-resources.js';
import { RUNTIME_FILE, type RuntimeFile } from '../../local/runtime-file.js';
import {
  expectGroupsToMatch,
  expectSummaryToMatch,
  type GroupItem,
  groupListings,
} from '../support/aggregate-assertions.js';
import { occurrences, RawArchiveReader } from '../support/archive-reader.js';
import {
  type CliRun,
  liveProcessesInGroup,
  liveProcessesNaming,
  runCli,
  until,
} from '../support/cli-process.js';
import { expectedAggregates } from '../support/expected-aggregates.js';

const sample = bundledSamplePath();
let dataDir: string;
const runs: CliRun[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-crash-'));
  // The embedded PostgreSQL may run as another user (as root), which must reach the data dir.
  await chmod(dataDir, 0o755);
});

afterAll(async () => {
  for (const run of runs) {
    if (liveProcessesInGroup(run.child.pid ?? 0).length > 0) process.kill(-(run.child.pid ?? 0), 'SIGKILL');
  }
  await rm(dataDir, { recursive: true, force: true });
});

/** The commit ids of the CSV, read here with the oracle's own reader, not the producer's. */
function commitIdsOf(csvPath: string): string[] {
  const [header = [], ...rows] = parse(readFileSync(csvPath, 'utf8'), {
    relax_column_count: true,
  }) as string[][];
  const column = header.indexOf('commit_id');
  return rows.map((row) => row[column] ?? '');
}

async function getJson<T>(apiUrl: string, path: string): Promise<T> {
  const response = await fetch(new URL(path, apiUrl));
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

describe('npm start after a crash of the whole runtime', () => {
  it('finishes the interrupted work exactly with --no-replay: exact aggregates, each commit archived once, nothing rejected or dead-lettered, no process left', async () => {
    // Prepare: a replay killed (SIGKILL, every process of the runtime) between the producer and the processor.
    const first = runCli('local/main.ts', ['--port', '0', '--data-dir', dataDir, '--no-aggregation']);
    runs.push(first);
    await until('the producer to finish', () => /\[local\] producer: /.test(first.output()), 240_000, first);
    const interrupted = !/\[local\] processor: \d+ records stored/.test(first.output());
    process.kill(-(first.child.pid ?? 0), 'SIGKILL');
    await first.exited;
    await until(
      'every process of the first run to be gone',
      () => liveProcessesInGroup(first.child.pid ?? 0).length === 0,
      30_000,
    );
    expect(interrupted, 'the processor had not caught up when the runtime was killed').toBe(true);
    const producer = JSON.parse(/\[local\] producer: (\{.*\})/.exec(first.output())?.[1] ?? '{}') as {
      sent?: number;
      rejected?: number;
      failed?: number;
    };
    expect(producer).toMatchObject({ sent: 20_000, rejected: 0, failed: 0 });

    // Act: started again on the same data dir, without replaying the file.
    const second = runCli('local/main.ts', ['--port', '0', '--data-dir', dataDir, '--no-replay']);
    runs.push(second);
    try {
      await until(
        'the processor to catch up',
        () => /\[local\] API: /.test(second.output()),
        240_000,
        second,
      );
      expect(second.output()).toMatch(
        /event-source mapping: shardId-000000000000 (after checkpoint \d+|from TRIM_HORIZON)/,
      );
      expect(second.output()).toMatch(
        /\[local\] processor: \d+ records stored in \d+ invocations \(0 to dead letters\), caught up/,
      );
      const runtime = JSON.parse(readFileSync(join(dataDir, RUNTIME_FILE), 'utf8')) as RuntimeFile;

      // Assess: aggregates, archive, rejects and dead letters.
      const expected = expectedAggregates(sample);
      expectSummaryToMatch(await getJson(runtime.apiUrl, 'stats/summary'), expected);
      for (const { keyField, path, groups } of groupListings(expected)) {
        const { items } = await getJson<{ items: GroupItem[] }>(runtime.apiUrl, path);
        expectGroupsToMatch(items, keyField, groups);
      }
      const s3 = new S3Client({
        endpoint: runtime.env.AWS_ENDPOINT_URL_S3,
        region: runtime.env.AWS_REGION,
        forcePathStyle: true,
        credentials: {
          accessKeyId: runtime.env.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: runtime.env.AWS_SECRET_ACCESS_KEY ?? '',
        },
        requestHandler: new NodeHttpHandler(),
      });
      const { commitIds } = await new RawArchiveReader(s3, LOCAL_BUCKET_NAME).read();
      // The producer keeps its rejects under rejected/ of the bucket: none.
      const rejected = await s3.send(
        new ListObjectsV2Command({ Bucket: LOCAL_BUCKET_NAME, Prefix: settings.archive.rejectedPrefix }),
      );
      s3.destroy();
      const archivedTwice = [...occurrences(commitIds)].filter(([, count]) => count > 1);
      expect(archivedTwice).toEqual([]);
      expect(new Set(commitIds)).toEqual(new Set(commitIdsOf(sample)));
      expect(rejected.Contents ?? []).toEqual([]);
      const deadLetters = join(dataDir, 'dead-letters.ndjson');
      expect(existsSync(deadLetters) ? readFileSync(deadLetters, 'utf8').trim() : '').toBe('');
    } finally {
      // Ctrl-C: the terminal signals the whole process group.
      process.kill(-(second.child.pid ?? 0), 'SIGINT');
      await second.exited;
    }
    await until(
      'every process of the second run to be gone',
      () => liveProcessesInGroup(second.child.pid ?? 0).length === 0,
      30_000,
    );
    // PostgreSQL's server runs in a group of its own: none of its processes names the data dir either.
    expect(liveProcessesNaming(dataDir)).toEqual([]);
  }, 600_000);
});
