/**
 * Smoke test of what gets deployed: synthesizes the stack, imports each bundled handler from the
 * cloud assembly (esbuild output, AWS SDK included) and calls it against the embedded servers.
 */

import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineFunction } from '../../lib/constructs/pipeline-function.js';
import { restEvent } from '../support/api-events.js';
import { commitRecord, kinesisEvent } from '../support/factories.js';
import { bundleDirectory, type SynthesizedPipeline, synthesizePipeline } from '../support/synthesize.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime;
let pipeline: SynthesizedPipeline;
const context = { awsRequestId: 'smoke', getRemainingTimeInMillis: () => 60_000 } as never;

async function bundled(fn: PipelineFunction): Promise<Handler> {
  const module = (await import(pathToFileURL(join(bundleDirectory(pipeline, fn), 'index.mjs')).href)) as {
    handler: Handler;
  };
  return module.handler;
}

beforeAll(async () => {
  // Environment first: each bundle builds its handler from it on its first invocation, as in Lambda.
  runtime = await startTestRuntime();
  Object.assign(process.env, runtime.env);
  pipeline = synthesizePipeline({ target: 'localstack' });
});

afterAll(async () => {
  await runtime?.stop();
});

describe('the bundled handlers in the cloud assembly', () => {
  it('migrator: applies the migrations bundled beside it, idempotently', async () => {
    const migrate = await bundled(pipeline.stack.migrations.migrator);
    const report = await migrate({}, context, () => undefined);
    // The runtime applied every migration at start-up, so the bundled migrator finds them all done.
    const migrations = (await readdir(fileURLToPath(new URL('../../db/migrations', import.meta.url))))
      .filter((name) => name.endsWith('.sql'))
      .sort();
    expect(migrations.length).toBeGreaterThan(0);
    expect(report).toMatchObject({ applied: [], skipped: migrations });
  });

  it('producer: replays the sample bundled beside it onto the stream', async () => {
    const produce = await bundled(pipeline.stack.producer);
    const result = await produce({ limit: 250 }, context, () => undefined);
    expect(result).toMatchObject({ read: 250, sent: 250, rejected: 0, failed: 0 });
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });
    const { body } = await runtime.get<{ commits: number }>('stats/summary');
    expect(body.commits).toBe(250);
  });

  it('producer: replays an S3 object and keeps its bad rows under rejected/', async () => {
    const csv =
      'commit_id,author,time,file_path,lines_added,lines_deleted,entropy,message\n' +
      's3_1,from_s3,5,/core/api/a.go,1,1,0.3,ok\n' +
      's3_2,from_s3,6,/core/api/b.go,1,1,7,entropy out of range\n';
    await runtime.s3.send(
      new PutObjectCommand({ Bucket: runtime.bucketName, Key: 'sources/small.csv', Body: csv }),
    );
    const produce = await bundled(pipeline.stack.producer);
    const result = await produce(
      { source: { bucket: runtime.bucketName, key: 'sources/small.csv' } },
      context,
      () => undefined,
    );
    expect(result).toMatchObject({
      read: 2,
      sent: 1,
      rejected: 1,
      rejectedByReason: { 'invalid-entropy': 1 },
    });

    const listed = await runtime.s3.send(
      new ListObjectsV2Command({ Bucket: runtime.bucketName, Prefix: 'rejected/' }),
    );
    const [key] = (listed.Contents ?? []).map((object) => object.Key ?? '');
    expect(key).toMatch(/^rejected\/.+\/part-00001\.ndjson$/);
    const object = await runtime.s3.send(new GetObjectCommand({ Bucket: runtime.bucketName, Key: key }));
    const rejected = JSON.parse((await object.Body?.transformToString()) ?? '{}');
    expect(rejected).toMatchObject({
      line: 3,
      reason: 'invalid-entropy',
      raw: 's3_2,from_s3,6,/core/api/b.go,1,1,7,entropy out of range',
    });
  });

  it('processor: stores a Kinesis batch and acknowledges it', async () => {
    const process = await bundled(pipeline.stack.processor);
    const response = await process(
      kinesisEvent([commitRecord({ author: 'bundled' }), commitRecord({ author: 'bundled' })]),
      context,
      () => undefined,
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect((await runtime.get<{ commits: number }>('stats/authors/bundled')).body.commits).toBe(2);
  });

  it('batch: reconciles the serving tables with the archive, when invoked and on its schedule', async () => {
    const reconcile = await bundled(pipeline.stack.batchLayer.function);
    const direct = await reconcile({ action: 'reconcile' }, context, () => undefined);
    expect(direct).toMatchObject({ mode: 'reconcile', differenceCount: 0, swapped: false });
    const { body } = await runtime.get<{ commits: number }>('stats/summary');
    expect(direct.view.commits).toBe(body.commits);
    const scheduled = await reconcile(
      { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
      context,
      () => undefined,
    );
    expect(scheduled).toMatchObject({ mode: 'reconcile', differenceCount: 0 });
    await expect(reconcile({ action: 'drop everything' }, context, () => undefined)).rejects.toThrow();
  });

  it('api: answers a REST proxy event from the database', async () => {
    const api = await bundled(pipeline.stack.api);
    const response = (await api(restEvent('/stats/authors/bundled'), context, () => undefined)) as {
      statusCode: number;
      body: string;
    };
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ author: 'bundled', commits: 2 });
  });

  it('api: serves the dashboard built into its bundle, and the assets the page links', async () => {
    const api = await bundled(pipeline.stack.api);
    const manifest = JSON.parse(
      readFileSync(join(bundleDirectory(pipeline, pipeline.stack.api), 'dashboard', 'manifest.json'), 'utf8'),
    ) as { script: string; stylesheet: string };
    const get = async (path: string) =>
      (await api(restEvent(path), context, () => undefined)) as { statusCode: number; body: string };

    const page = await get('/');

    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`src="${manifest.script}"`);
    expect(page.body).toContain(`href="${manifest.stylesheet}"`);
    for (const asset of [manifest.script, manifest.stylesheet]) {
      expect((await get(`/${asset}`)).statusCode, asset).toBe(200);
    }
  });
});
