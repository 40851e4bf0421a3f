/**
 * The functions run in execution environments of their own, as on Lambda: the api's cannot see the
 * processor's variables, two shards' batches are processed at the same time, and an invocation that
 * times out ends its environment while the mapping retries the batch exactly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/shared/env.js';
import type { InvocationRecord } from '../../local/execution/execution-environments.js';
import { ENVIRONMENT_PATH, ScratchFunctions } from '../support/hot-reload.js';
import { expectScenarioAggregates, sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/** Above the processor's deadline margin (5 s), so that a batch that does not hang is stored in time. */
const PROCESSOR_TIMEOUT_SECONDS = 8;

let dir: string;
let runtime: TestRuntime;
let hangFile: string;
const invocations: InvocationRecord[] = [];
const ended: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'execution-environments-'));
  const scratch = new ScratchFunctions(join(dir, 'scratch'));
  scratch.saveApiHandlerReportingEnvironment();
  hangFile = join(dir, 'hang-once');
  scratch.saveProcessorHandlerHangingOnce(hangFile);
  runtime = await startTestRuntime({
    functionsDir: scratch.functionsDir,
    processorTimeoutSeconds: PROCESSOR_TIMEOUT_SECONDS,
    mapping: { batchSize: 50, maxBatchingWindowSeconds: 0, retryBackoffMs: 100 },
    onEnvironment: (event) => {
      if (event.kind === 'ended') ended.push(`${event.environmentId} ${event.reason}`);
    },
  });
  runtime.environments.observe((record) => invocations.push(record));
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('execution environments', () => {
  it('give the api only its own variables: the reader secret, never the owner secret', async () => {
    const { status, body } = await runtime.get<{ threadId: number; env: Record<string, string> }>(
      ENVIRONMENT_PATH.slice(1),
    );

    expect(status).toBe(200);
    expect(body.threadId).not.toBe(threadId);
    expect(body.env[ENV.dbSecretArn]).toMatch(/reader/i);
    expect(body.env[ENV.dbSecretArn]).not.toBe(runtime.env[ENV.dbSecretArn]);
    expect(Object.values(body.env)).not.toContain(runtime.env[ENV.dbSecretArn]);
    expect(body.env.AWS_LAMBDA_FUNCTION_NAME).toBe('api');
    // Exactly what the stack gives the api: no stream, no bucket.
    expect(body.env[ENV.streamName]).toBeUndefined();
    expect(body.env[ENV.bucketName]).toBeUndefined();
    expect(body.env.PATH).toBeUndefined();
  });

  it('time out a hanging invocation, discard its environment, and the retried batch is stored exactly once', async () => {
    const scenario = sampleScenario('environments', ['person_1', 'person_2', 'person_3', 'person_4'], dir);

    await runtime.replay(scenario.csvPath);

    // The hanging invocation times out; on a loaded machine another may too, and each must be handled alike.
    const timedOut = invocations.filter((record) => record.timedOut);
    expect(timedOut.length).toBeGreaterThanOrEqual(1);
    for (const hung of timedOut) {
      expect(hung.outcome.ok).toBe(false);
      expect(hung.outcome.ok === false && hung.outcome.error.errorMessage).toBe(
        `Task timed out after ${PROCESSOR_TIMEOUT_SECONDS}.00 seconds`,
      );
      expect(ended).toContain(`${hung.environmentId} timed out`);
      // Its batch again, from the same first record, in another environment.
      const retry = invocations.find(
        (record) =>
          record.startedAt >= hung.endedAt &&
          firstSequenceOf(record) === firstSequenceOf(hung) &&
          record.outcome.ok,
      );
      expect(retry?.environmentId).toBeDefined();
      expect(retry?.environmentId).not.toBe(hung.environmentId);
      expect(invocations.filter((record) => record.environmentId === hung.environmentId)).toHaveLength(1);
    }
    await expectScenarioAggregates(runtime, scenario);
  }, 180_000);

  it("run two shards' batches at the same time, each in its own environment", () => {
    const byShard = new Map<string, InvocationRecord[]>();
    for (const record of invocations.filter((candidate) => candidate.name === 'processor')) {
      const shard = shardOf(record);
      if (shard) byShard.set(shard, [...(byShard.get(shard) ?? []), record]);
    }
    const [first = [], second = []] = [...byShard.values()];
    expect(byShard.size).toBe(2);

    const overlapping = first.some((a) =>
      second.some(
        (b) => a.startedAt < b.endedAt && b.startedAt < a.endedAt && a.environmentId !== b.environmentId,
      ),
    );
    expect(overlapping).toBe(true);
  });

  it('run the producer function by name, on its bundled sample', async () => {
    const outcome = await runtime.environments.invoke('producer', { limit: 40 });

    expect(outcome.ok && outcome.result).toMatchObject({ read: 40, sent: 40 });
    expect(outcome.logs.at(-1)).toMatch(/^REPORT RequestId: .*Memory Size: 1024 MB/);
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });
  }, 120_000);
});

function eventOf(record: InvocationRecord | undefined): KinesisStreamEvent | undefined {
  return record?.event as KinesisStreamEvent | undefined;
}

function firstSequenceOf(record: InvocationRecord | undefined): string | undefined {
  return eventOf(record)?.Records[0]?.kinesis.sequenceNumber;
}

function shardOf(record: InvocationRecord): string | undefined {
  return eventOf(record)?.Records[0]?.eventID.split(':')[0];
}
