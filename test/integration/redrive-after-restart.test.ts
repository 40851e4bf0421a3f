/**
 * `npm run redrive` after the runtime was stopped and started again on the same data dir: the stream
 * and its sequence numbers outlive the runtime, so the dead-letter pointers written before the restart
 * still name records the stream holds. The first runtime's processor reaches the database through a
 * proxy that fails every call (each batch exhausts its retries and is dead-lettered); the second runs
 * without the fault, does not hand those batches over again (its checkpoints are past them, as on AWS),
 * and the redrive recovers them exactly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dataApiError, type FaultProxy, startFaultProxy } from '../../local/chaos/fault-proxy.js';
import { DeadLetterFile } from '../../local/dead-letter-file.js';
import { writeRuntimeFile } from '../../local/runtime-file.js';
import { archivedLines } from '../support/archive-reader.js';
import { runCli } from '../support/cli-process.js';
import { expectScenarioAggregates, sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime | undefined;
let proxy: FaultProxy;
let dir: string;

beforeAll(async () => {
  // Every batch of the first runtime fails by design: the processor's error log of each attempt is no news.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  dir = await mkdtemp(join(tmpdir(), 'redrive-restart-'));
  proxy = await startFaultProxy('http://127.0.0.1:9');
  proxy.inject({
    name: 'the database is unavailable',
    match: () => true,
    fault: { kind: 'respond', response: dataApiError(503, 'ServiceUnavailableError') },
    times: Number.POSITIVE_INFINITY,
  });
});

afterAll(async () => {
  await runtime?.stop();
  await proxy?.close();
  await rm(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

describe('npm run redrive after a restart of the runtime', () => {
  it('recovers the batches dead-lettered before the restart: exact aggregates, each record archived once, no pointer left', async () => {
    // Prepare: every batch of a replay dead-lettered, then the runtime stopped and started again.
    const failing = await startTestRuntime({
      mapping: { batchSize: 50, maxBatchingWindowSeconds: 0.2, maxRetryAttempts: 1, retryBackoffMs: 10 },
      processorEnv: { AWS_ENDPOINT_URL_RDS_DATA: proxy.url },
    });
    runtime = failing;
    const scenario = sampleScenario('redrive-restart', ['person_7', 'person_8'], dir);
    await failing.replay(scenario.csvPath);
    const deadLetters = new DeadLetterFile(failing.deadLetterPath);
    const pointers = await deadLetters.lines();
    expect(pointers.length).toBeGreaterThan(1);

    runtime = await failing.restart();
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });
    const [author] = scenario.expected.authors.keys();
    expect((await runtime.get(`stats/authors/${encodeURIComponent(author ?? '')}`)).status).toBe(404);
    // As `npm start` does: how other commands find the runtime (this process serves it).
    await writeRuntimeFile(runtime.dataDir, { pid: process.pid, apiUrl: runtime.apiUrl, env: runtime.env });

    // Act
    const redrive = runCli('scripts/redrive.ts', ['--data-dir', runtime.dataDir]);
    const { code } = await redrive.exited;

    // Assess
    expect(redrive.output()).toMatch(
      new RegExp(
        `${pointers.length} pointers, ${pointers.length} recovered, 0 with records no longer in the stream`,
      ),
    );
    expect(redrive.output()).toMatch(
      new RegExp(`${scenario.records.length} commits stored, 0 duplicates skipped`),
    );
    expect(code).toBe(0);
    await expectScenarioAggregates(runtime, scenario);
    const archived = (await archivedLines<{ commitId: string }>(runtime.s3, runtime.bucketName, 'raw/')).map(
      (line) => line.commitId,
    );
    expect(archived.filter((id) => id.startsWith(`${scenario.name}:`)).sort()).toEqual(
      scenario.records.map((record) => record.commitId).sort(),
    );
    expect(await new DeadLetterFile(runtime.deadLetterPath).lines()).toEqual([]);
  }, 240_000);
});
