/**
 * Smoke test of what gets deployed: synthesizes the stack, imports each bundled handler from the
 * cloud assembly (esbuild output, AWS SDK included) and calls it against the embedded servers.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineFunction } from '../../lib/constructs/pipeline-function.js';
import { commitRecord, kinesisEvent } from '../support/factories.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';
import { restEvent } from '../unit/api/support/events.js';
import { bundleDirectory, type SynthesizedPipeline, synthesizePipeline } from '../unit/stack/synthesize.js';

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
  // Environment first: the bundles read it at import, as in Lambda.
  runtime = await startTestRuntime();
  pipeline = synthesizePipeline({ target: 'localstack' });
});

afterAll(async () => {
  await runtime?.stop();
});

describe('the bundled handlers in the cloud assembly', () => {
  it('migrator: applies the migrations bundled beside it, idempotently', async () => {
    const migrate = await bundled(pipeline.stack.migrations.migrator);
    const report = await migrate({}, context, () => undefined);
    expect(report).toMatchObject({ applied: [], skipped: ['001_aggregates.sql'] });
  });

  it('producer: replays the sample bundled beside it onto the stream', async () => {
    const produce = await bundled(pipeline.stack.producer);
    const result = await produce({ limit: 250 }, context, () => undefined);
    expect(result).toMatchObject({ read: 250, sent: 250, rejected: 0, failed: 0 });
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });
    const { body } = await runtime.get<{ commits: number }>('stats/summary');
    expect(body.commits).toBe(250);
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

  it('api: answers a REST proxy event from the database', async () => {
    const api = await bundled(pipeline.stack.api);
    const response = (await api(restEvent('/stats/authors/bundled'), context, () => undefined)) as {
      statusCode: number;
      body: string;
    };
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ author: 'bundled', commits: 2 });
  });
});
