/**
 * One arrival of a record is in the archive once, whatever the retry history of its batch: the S3
 * calls of the cold path fail (after the aggregates committed), answers are lost after S3 stored the
 * object, and the retried batch reads more, or fewer, records than the attempt that failed. A proxy
 * between the processor and the real S3 emulator breaks the calls.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProcessorHandler } from '../../functions/processor/handler.js';
import { type FaultProxy, s3Call, s3Error, startFaultProxy } from '../../local/chaos/fault-proxy.js';
import { archivedLines } from '../support/archive-reader.js';
import { deliverAll, type Processor } from '../support/deliver.js';
import {
  expectArchivedOnce,
  expectScenarioAggregates,
  rawCommitIds,
  type Scenario,
  sampleScenario,
} from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime;
let proxy: FaultProxy;
let processor: Processor;
let dir: string;
let scenarios = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faults-archive-'));
  runtime = await startTestRuntime();
  proxy = await startFaultProxy(runtime.env.AWS_ENDPOINT_URL_S3 ?? '');
  processor = createProcessorHandler({ ...runtime.env, AWS_ENDPOINT_URL_S3: proxy.url });
});

afterAll(async () => {
  await proxy?.close();
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => proxy.clear());

function nextScenario(): Scenario {
  scenarios += 1;
  return sampleScenario(`archive-${scenarios}`, ['person_12', 'person_36'], dir);
}

/** The scenario's records with records that are not commits at the given positions. */
function withGarbage(
  scenario: Scenario,
  positions: number[],
): Array<(typeof scenario.records)[number] | string> {
  const records: Array<(typeof scenario.records)[number] | string> = [...scenario.records];
  for (const position of [...positions].sort((a, b) => b - a))
    records.splice(position, 0, `garbage ${position}`);
  return records;
}

async function quarantinedData(scenario: Scenario): Promise<string[]> {
  const lines = await archivedLines<{ data: string }>(
    runtime.s3,
    runtime.bucketName,
    'quarantine/',
    `/${scenario.shardId}/`,
  );
  return lines.map((line) => line.data);
}

describe('the archive step failing after the aggregates committed', () => {
  it('archives every record once when raw/ writes keep failing for longer than the SDK retries', async () => {
    const scenario = nextScenario();
    const rule = proxy.inject({
      name: 'raw put',
      match: s3Call('PUT', 'raw/'),
      fault: { kind: 'respond', response: s3Error(503, 'SlowDown') },
      skip: 1,
      times: 4,
    });

    const report = await deliverAll(processor, scenario.records, {
      shardId: scenario.shardId,
      batchSize: 40,
    });

    expect(rule.hits()).toBe(4);
    expect(report.failures).toBeGreaterThanOrEqual(1);
    await expectScenarioAggregates(runtime, scenario);
    await expectArchivedOnce(runtime, scenario);
  });

  it('archives every record once when S3 stored an object but its answer was lost', async () => {
    const scenario = nextScenario();
    proxy.inject({
      name: 'raw put',
      match: s3Call('PUT', 'raw/'),
      fault: { kind: 'lose-response' },
      times: 6,
    });

    await deliverAll(processor, scenario.records, {
      shardId: scenario.shardId,
      batchSize: 50,
      maxAttempts: 10,
    });

    await expectScenarioAggregates(runtime, scenario);
    await expectArchivedOnce(runtime, scenario);
  });
});

describe('a retried batch that spans other records than the failed one', () => {
  it('replaces the failed attempt objects when the retry reads more records', async () => {
    const scenario = nextScenario();
    const records = withGarbage(scenario, [5, 70]);
    // The first attempt's raw object lands, its quarantine object does not: the batch fails.
    proxy.inject({
      name: 'quarantine put',
      match: s3Call('PUT', 'quarantine/'),
      fault: { kind: 'respond', response: s3Error(500, 'InternalError') },
      times: 3,
    });

    await deliverAll(processor, records, {
      shardId: scenario.shardId,
      batchSize: 30,
      retryBatchSize: () => 90,
    });

    await expectScenarioAggregates(runtime, scenario);
    await expectArchivedOnce(runtime, scenario);
    expect((await quarantinedData(scenario)).sort()).toEqual(['garbage 5', 'garbage 70']);
  });

  it('deletes what the failed attempt wrote beyond a shorter retry, so nothing is archived twice', async () => {
    const scenario = nextScenario();
    // Record 45 goes to quarantine in the first attempt (60 records); the retry reads 20.
    const records = withGarbage(scenario, [45]);
    proxy.inject({
      name: 'raw put',
      match: s3Call('PUT', 'raw/'),
      fault: { kind: 'respond', response: s3Error(500, 'InternalError') },
      times: 3,
    });

    const report = await deliverAll(processor, records, {
      shardId: scenario.shardId,
      batchSize: 60,
      retryBatchSize: () => 20,
    });

    expect(report.failures).toBe(1);
    await expectScenarioAggregates(runtime, scenario);
    await expectArchivedOnce(runtime, scenario);
    expect(await quarantinedData(scenario)).toEqual(['garbage 45']);
    expect(await rawCommitIds(runtime, scenario)).toHaveLength(scenario.records.length);
  });
});
