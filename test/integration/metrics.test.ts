/**
 * The metrics the functions publish, against the embedded runtime: the producer function's run as EMF
 * lines (what CloudWatch reads on AWS), and the processor's batches as the runtime keeps and serves
 * them locally, for a CSV with rows of its own to reject and then for a replay of it.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createProducerHandler } from '../../functions/producer/handler.js';
import { METRICS_NAMESPACE, PROCESSOR_METRICS, PRODUCER_METRICS } from '../../functions/shared/metrics.js';
import { settings } from '../../functions/shared/settings.js';
import type { MetricsWindow } from '../../local/local-metrics.js';
import { LOCAL_METRICS_PATH } from '../../local/runtime.js';
import { lambdaContext } from '../support/deliver.js';
import { captureEmf } from '../support/emf.js';
import { type Scenario, sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime;
let dir: string;
let scenario: Scenario;
const key = `${settings.archive.sourcePrefix}metrics.csv`;
/** Rows of the file that are not valid, by the reason the producer gives. */
const BAD_ROWS = {
  'invalid-time': [
    'metrics:bad_1,metrics:person_x,-5,/a/b.py,1,1,0.5,msg',
    'metrics:bad_2,metrics:person_x,soon,/a/b.py,1,1,0.5,msg',
  ],
  'column-count': ['metrics:bad_3,metrics:person_x,5'],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metrics-'));
  runtime = await startTestRuntime({ mapping: { batchSize: 40, maxBatchingWindowSeconds: 0.2 } });
  scenario = sampleScenario('metrics', ['person_1', 'person_2'], dir);
  appendFileSync(scenario.csvPath, `${Object.values(BAD_ROWS).flat().join('\n')}\n`);
  await runtime.s3.send(
    new PutObjectCommand({ Bucket: runtime.bucketName, Key: key, Body: readFileSync(scenario.csvPath) }),
  );
});

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => vi.restoreAllMocks());

async function replayWithTheProducerFunction() {
  const emf = captureEmf();
  const producer = createProducerHandler(runtime.env);
  const result = await producer({ source: { bucket: runtime.bucketName, key } }, lambdaContext(900_000));
  vi.restoreAllMocks();
  await runtime.waitUntilProcessed({ timeoutMs: 60_000 });
  return { result, emf: emf() };
}

async function localMetrics(): Promise<MetricsWindow> {
  const { status, body } = await runtime.get<{ processor: MetricsWindow }>(LOCAL_METRICS_PATH.slice(1));
  expect(status).toBe(200);
  return body.processor;
}

const sumOf = (window: MetricsWindow, name: string) =>
  window.metrics.filter((s) => s.name === name).reduce((sum, s) => sum + s.sum, 0);

describe('metrics of a replay', () => {
  const valid = () => scenario.records.length;
  const badRows = Object.values(BAD_ROWS).flat().length;

  it('the producer function prints its run as EMF: rows read, sent, failed, and rejected by reason', async () => {
    const { result, emf } = await replayWithTheProducerFunction();
    expect(result.sent).toBe(valid());

    const p = PRODUCER_METRICS;
    expect(emf[0]).toEqual({
      namespace: METRICS_NAMESPACE,
      dimensions: { service: 'producer' },
      values: {
        [p.rowsRead.name]: [valid() + badRows, 'Count'],
        [p.rowsSent.name]: [valid(), 'Count'],
        [p.rowsFailed.name]: [0, 'Count'],
      },
    });
    expect(emf.slice(1)).toEqual(
      Object.entries(BAD_ROWS).map(([reason, rows]) => ({
        namespace: METRICS_NAMESPACE,
        dimensions: { service: 'producer', reason },
        values: { [p.rowsRejected.name]: [rows.length, 'Count'] },
      })),
    );
  });

  it('the runtime serves the processor metrics of those batches: every commit stored once, a lag for each batch', async () => {
    const window = await localMetrics();
    const m = PROCESSOR_METRICS;
    expect(sumOf(window, m.commitsStored.name)).toBe(valid());
    expect(sumOf(window, m.duplicatesSkipped.name)).toBe(0);
    expect(sumOf(window, m.recordsQuarantined.name)).toBe(0);
    expect(window.metrics.filter((s) => s.name === m.batchFailures.name)).toEqual([]);
    const lag = window.metrics.find((s) => s.name === m.ingestLag.name);
    expect(lag?.sampleCount).toBe(window.batches);
    expect(lag?.minimum).toBeGreaterThan(0);
    expect(lag?.p50).toBeGreaterThanOrEqual(lag?.minimum ?? 0);
    expect(lag?.maximum).toBeGreaterThanOrEqual(lag?.p99 ?? 0);
  });

  it('a replay of the same file counts every commit as a duplicate and stores none again', async () => {
    runtime.processorMetrics.takeRun();
    await replayWithTheProducerFunction();

    const run = runtime.processorMetrics.takeRun();
    expect(run).toBeDefined();
    expect(sumOf(run as MetricsWindow, PROCESSOR_METRICS.commitsStored.name)).toBe(0);
    expect(sumOf(run as MetricsWindow, PROCESSOR_METRICS.duplicatesSkipped.name)).toBe(valid());
    const totals = await localMetrics();
    expect(sumOf(totals, PROCESSOR_METRICS.commitsStored.name)).toBe(valid());
  });
});
