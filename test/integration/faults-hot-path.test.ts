/**
 * Exactly once and nothing lost when the hot path's calls fail: a fault-injecting proxy between the
 * processor and the real Data API server (PostgreSQL behind it) loses answers after the server acted,
 * answers 5xx or throttling errors, delays answers past the processor's deadline, or resets the
 * connection, each time at one chosen statement of the transaction. Every scenario ends with the
 * aggregates equal to the independent expectation from its CSV and each record in `raw/` once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProcessorHandler } from '../../functions/processor/handler.js';
import {
  authorBaselines,
  groupStats,
  suspiciousCommits,
  windowStats,
} from '../../functions/shared/aggregation/serving-tables.js';
import { writeStatement } from '../../functions/shared/aggregation/table-writes.js';
import { dataApiDatabaseFromEnv } from '../../functions/shared/database/data-api.js';
import { settings } from '../../functions/shared/settings.js';
import {
  dataApiCall,
  dataApiError,
  type Fault,
  type FaultProxy,
  startFaultProxy,
} from '../../local/chaos/fault-proxy.js';
import { deliverAll, type Processor } from '../support/deliver.js';
import { expectArchivedOnce, expectScenarioAggregates, sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime;
let proxy: FaultProxy;
let processor: Processor;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faults-hot-path-'));
  runtime = await startTestRuntime();
  proxy = await startFaultProxy(runtime.env.AWS_ENDPOINT_URL_RDS_DATA ?? '');
  processor = createProcessorHandler({ ...runtime.env, AWS_ENDPOINT_URL_RDS_DATA: proxy.url });
});

afterAll(async () => {
  await proxy?.close();
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => proxy.clear());

/** The statements of the hot path's transaction, by their SQL or a piece of it. */
const STATEMENTS = {
  'the transaction limits': "set_config('lock_timeout'",
  'the ledger claim': 'INSERT INTO pipeline.ingested_commits',
  'the baseline lock': writeStatement(authorBaselines, 'lock'),
  'the group upsert': writeStatement(groupStats, 'add'),
  'the window upsert': writeStatement(windowStats, 'add'),
  'the baseline update': writeStatement(authorBaselines, 'add'),
  'the suspicious insert': writeStatement(suspiciousCommits, 'add'),
} as const;

const FAULTS: Record<string, Fault> = {
  'its answer is lost after the server ran it': { kind: 'lose-response' },
  'a proxy answers 502 after the server ran it': {
    kind: 'respond',
    after: true,
    response: dataApiError(502, 'BadGateway'),
  },
  'the service answers 503 without running it': {
    kind: 'respond',
    response: dataApiError(503, 'ServiceUnavailableError'),
  },
  'the connection is reset before it reaches the server': { kind: 'reset' },
};

let scenarios = 0;
function nextScenario() {
  scenarios += 1;
  // Two small authors of the sample (64 and 80 commits) per scenario, under names of the scenario's own.
  return sampleScenario(`hot-${scenarios}`, ['person_1', 'person_2'], dir);
}

describe.each(Object.entries(STATEMENTS))('when %s fails', (statementName, sql) => {
  it.each(Object.entries(FAULTS))(
    'because %s, every commit is counted once and archived once',
    async (_, fault) => {
      const scenario = nextScenario();
      // The second batch's call breaks (the first runs clean), twice in a row.
      const rule = proxy.inject({
        name: statementName,
        match: dataApiCall('Execute', sql),
        fault,
        skip: 1,
        times: 2,
      });

      await deliverAll(processor, scenario.records, { shardId: scenario.shardId, batchSize: 50 });

      expect(rule.hits()).toBe(2);
      await expectScenarioAggregates(runtime, scenario);
      await expectArchivedOnce(runtime, scenario);
    },
  );
});

describe('a transaction whose end is in doubt', () => {
  it('counts each commit once when the commit succeeded but its answer was lost', async () => {
    const scenario = nextScenario();
    const rule = proxy.inject({
      name: 'commit',
      match: dataApiCall('CommitTransaction'),
      fault: { kind: 'lose-response' },
      times: 3,
    });

    const report = await deliverAll(processor, scenario.records, {
      shardId: scenario.shardId,
      batchSize: 40,
    });

    expect(rule.hits()).toBe(3);
    expect(report.failures).toBeGreaterThanOrEqual(0);
    await expectScenarioAggregates(runtime, scenario);
    await expectArchivedOnce(runtime, scenario);
  });

  it('loses nothing when BeginTransaction answers are lost', async () => {
    const scenario = nextScenario();
    proxy.inject({
      name: 'begin',
      match: dataApiCall('BeginTransaction'),
      fault: { kind: 'lose-response' },
      times: 2,
    });

    await deliverAll(processor, scenario.records, { shardId: scenario.shardId, batchSize: 60 });

    await expectScenarioAggregates(runtime, scenario);
    await expectArchivedOnce(runtime, scenario);
  });

  it('rolls back when a statement is delayed past the deadline, and the retry stores the batch once', async () => {
    const scenario = nextScenario();
    // Deadline: 8 s remaining minus the 5 s margin; the group upsert's answer comes after 4 s.
    const rule = proxy.inject({
      name: 'slow group upsert',
      match: dataApiCall('Execute', STATEMENTS['the group upsert']),
      fault: { kind: 'delay', ms: 4_000 },
    });

    const report = await deliverAll(processor, scenario.records, {
      shardId: scenario.shardId,
      batchSize: 200,
      remainingMs: 8_000,
    });

    expect(rule.hits()).toBe(1);
    expect(report.failures).toBe(1);
    await expectScenarioAggregates(runtime, scenario);
    await expectArchivedOnce(runtime, scenario);
  });

  it('does not let an abandoned transaction hold its locks until the Data API expires it (3 minutes)', async () => {
    const scenario = nextScenario();
    // The upsert ran (its ledger and group rows are locked), its answer is lost, and so is the
    // rollback: the transaction stays open on the server, as when a function dies between two calls.
    proxy.inject({
      name: 'upsert',
      match: dataApiCall('Execute', STATEMENTS['the group upsert']),
      fault: { kind: 'lose-response' },
    });
    proxy.inject({
      name: 'rollback',
      match: dataApiCall('RollbackTransaction'),
      fault: { kind: 'reset' },
    });

    const started = Date.now();
    await deliverAll(processor, scenario.records, {
      shardId: scenario.shardId,
      batchSize: 200,
      maxAttempts: 20,
    });
    const waitedMs = Date.now() - started;

    await expectScenarioAggregates(runtime, scenario);
    await expectArchivedOnce(runtime, scenario);
    // The retries waited on its locks only until PostgreSQL's idle-in-transaction timeout (seconds)
    // ended it, well before the Data API's 3-minute expiry.
    expect(waitedMs).toBeLessThan(90_000);
    expect(await msUntilNoTransactionIsLeftOpen()).toBeLessThan(
      2 * settings.processor.transactionTimeouts.idleTimeoutMs,
    );
  }, 180_000);
});

/**
 * Milliseconds until no session idles inside a transaction holding locks on the pipeline's tables.
 * (An abandoned transaction that ran nothing, e.g. after a lost BeginTransaction answer, holds none
 * and may wait for the Data API's expiry.)
 */
async function msUntilNoTransactionIsLeftOpen(): Promise<number> {
  const db = dataApiDatabaseFromEnv(runtime.env);
  const started = Date.now();
  for (;;) {
    const [row] = await db.query<{ open: number }>(
      `SELECT count(DISTINCT a.pid)::int AS open
       FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
       JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE a.state = 'idle in transaction' AND a.datname = current_database() AND n.nspname = 'pipeline'`,
    );
    const waited = Date.now() - started;
    if (row?.open === 0 || waited > 180_000) return waited;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
