/**
 * `npm start -- --chaos`: every kind of fault on every service at once, on a slice of the sample, ends
 * with every commit counted once and each arrival archived once, says so on the console, and counts
 * what it injected; a bad spec is refused before anything starts; the rules change while it runs.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { settings } from '../../functions/shared/settings.js';
import { ruleDecider } from '../../local/chaos/chaos.js';
import { LOCAL_CHAOS_PATH } from '../../local/chaos/chaos-route.js';
import {
  type ChaosRule,
  type ChaosStatus,
  chaosGrammar,
  FAULT_KINDS,
  parseChaosSpec,
} from '../../local/chaos/chaos-spec.js';
import { replayThroughProducer } from '../../local/cli/replay-file.js';
import { type CliRun, runCli } from '../support/cli-process.js';
import { expectExactEndState } from '../support/end-state.js';
import { expectNothingLeft, freshDir, runtimeFileOf, startRuntimeCli } from '../support/runtime-cli.js';
import { sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/** ~5,800 commits; without aggregation, ~90 stream batches and thousands of Data API calls. */
const AUTHORS = Array.from({ length: 30 }, (_, i) => `person_${i + 1}`);

/**
 * Every kind on every service. `timeout` is rarer than the rest: each one holds its caller until its
 * deadline (the producer's 30 s PutRecords timeout, the processor's invocation), so a few % of them
 * would make the run last many minutes. Kinesis sees far fewer calls (a PutRecords carries up to 500
 * records), so its rates are higher.
 */
const SPEC = [
  'kinesis:lose-response=5%,kinesis:5xx=5%,kinesis:5xx-after=5%,kinesis:throttle=5%,kinesis:reset=5%',
  'kinesis:timeout=5%,kinesis:cut-body=5%',
  's3:lose-response=2%,s3:5xx=2%,s3:5xx-after=2%,s3:throttle=2%,s3:reset=2%,s3:timeout=0.5%,s3:cut-body=2%',
  'data-api:lose-response=1%,data-api:5xx=1%,data-api:5xx-after=1%,data-api:throttle=1%,data-api:reset=1%',
  'data-api:timeout=0.1%,data-api:cut-body=1%',
].join(',');
/**
 * A seed whose rules each break a call early: within the first calls the slice makes of each service
 * (at least a dozen PutRecords, hundreds of archive writes, a thousand Data API calls), so that every
 * rule fires at these rates, and each timeout at most once.
 */
const SEED = '1023372';
/** Calls of each service within which each rule of {@link SEED} fires (checked below). */
const FIRES_WITHIN = { kinesis: 8, s3: 150, 'data-api': 600 } as const;

/** The how-many-th call a rule is asked about first breaks (Infinity past `limit`). */
function firstBreak(rule: ChaosRule, limit: number): number {
  const decide = ruleDecider(Number(SEED), rule);
  for (let call = 1; call <= limit; call += 1) if (decide()) return call;
  return Number.POSITIVE_INFINITY;
}

let dir: string | undefined;
let cli: CliRun | undefined;
let runtime: TestRuntime | undefined;

afterEach(async () => {
  cli?.killAll();
  cli = undefined;
  await runtime?.stop();
  runtime = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function chaosStatus(apiUrl: string): Promise<ChaosStatus> {
  const response = await fetch(new URL(LOCAL_CHAOS_PATH, apiUrl));
  expect(response.status).toBe(200);
  return (await response.json()) as ChaosStatus;
}

async function putSpec(
  apiUrl: string,
  body: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL(LOCAL_CHAOS_PATH, apiUrl), { method: 'PUT', body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('npm start -- --chaos with every kind of fault on every service', () => {
  it('uses a seed with which every rule breaks a call early', () => {
    for (const rule of parseChaosSpec(SPEC)) {
      const within = FIRES_WITHIN[rule.service];
      expect(firstBreak(rule, within), `${rule.service}:${rule.kind}`).toBeLessThanOrEqual(within);
    }
  });

  it('counts every commit once, archives each arrival once, injects every rule, and says exactly once', async () => {
    dir = await freshDir('chaos-');
    const dataDir = join(dir, 'data');
    const scenario = sampleScenario('chaos', AUTHORS, dir);
    cli = startRuntimeCli(dataDir, [
      '--csv',
      scenario.csvPath,
      '--no-aggregation',
      '--chaos',
      SPEC,
      '--chaos-seed',
      SEED,
    ]);
    await cli.waitFor(new RegExp(`chaos: .* seed ${SEED} \\(--chaos-seed ${SEED} repeats it\\)`));
    const [line] = await cli.waitFor(/\[local\] (NOT )?exactly once.*/, 900_000);
    expect(line).toContain(
      `exactly once: every commit counted once — ${scenario.records.length} valid commits`,
    );

    await expectExactEndState(dataDir, scenario, cli.output(), dir);
    const status = await chaosStatus(runtimeFileOf(dataDir).apiUrl);
    if (!status.enabled) throw new Error('chaos is off');
    expect(status.seed).toBe(Number(SEED));
    expect(status.rules).toHaveLength(3 * Object.keys(FAULT_KINDS).length);
    for (const rule of status.rules) {
      expect(status.injected[rule.service][rule.kind], `${rule.service}:${rule.kind}`).toBeGreaterThan(0);
    }

    cli.signalGroup('SIGINT');
    expect((await cli.exited).code).toBe(0);
    await expectNothingLeft(cli, dataDir);
  }, 1_000_000);
});

describe('a chaos spec that does not parse', () => {
  it('is refused before anything starts: exit 2 and the grammar', async () => {
    dir = await freshDir('chaos-bad-');
    const dataDir = join(dir, 'data');
    cli = startRuntimeCli(dataDir, ['--chaos', 's3:5xx=5%,s3:melt=1%']);
    const { code } = await cli.exited;
    expect(code).toBe(2);
    expect(cli.output()).toContain('unknown kind "melt"');
    expect(cli.output()).toContain(chaosGrammar());
    expect(existsSync(dataDir)).toBe(false);
  });

  it('--chaos-seed without --chaos is refused too', async () => {
    dir = await freshDir('chaos-seed-');
    cli = runCli('local/main.ts', ['--data-dir', join(dir, 'data'), '--chaos-seed', '3']);
    expect((await cli.exited).code).toBe(2);
    expect(cli.output()).toContain('--chaos-seed: only with --chaos <spec>');
  });
});

describe('/_local/chaos', () => {
  it('changes the rules while the runtime runs, keeping the counts of the rules it replaced', async () => {
    const putDir = await freshDir('chaos-put-');
    dir = putDir;
    const scenario = sampleScenario('chaos-put', ['person_1'], putDir);
    runtime = await startTestRuntime({
      chaos: { rules: [{ service: 'kinesis', kind: 'throttle', rate: 0 }], seed: 5 },
    });
    // The producer as npm start runs it: an invocation, through its endpoints, the chaos proxies.
    const { environments } = runtime;
    const send = () => replayThroughProducer(environments, scenario.csvPath, { aggregate: false, limit: 20 });

    const throttled = await putSpec(runtime.apiUrl, 'kinesis:throttle=100%');
    expect(throttled.status).toBe(200);
    expect((await send()).failed).toBe(20);
    let status = await chaosStatus(runtime.apiUrl);
    if (!status.enabled) throw new Error('chaos is off');
    const throttles = status.injected.kinesis.throttle ?? 0;
    // The 20 records go in one PutRecords, tried putRetry.attempts times, throttled every time.
    expect(throttles).toBe(settings.producer.putRetry.attempts);

    expect((await putSpec(runtime.apiUrl, JSON.stringify({ spec: 'kinesis:throttle=0%' }))).status).toBe(200);
    const result = await send();
    expect(result.sent).toBe(20);
    expect(result.failed).toBe(0);
    status = await chaosStatus(runtime.apiUrl);
    if (!status.enabled) throw new Error('chaos is off');
    expect(status.rules).toEqual([{ service: 'kinesis', kind: 'throttle', ratePercent: 0 }]);
    expect(status.injected.kinesis.throttle).toBe(throttles);
  }, 180_000);

  it('answers 400 with the grammar for a bad spec, and changes nothing', async () => {
    dir = await freshDir('chaos-put-bad-');
    runtime = await startTestRuntime({
      chaos: { rules: [{ service: 's3', kind: 'reset', rate: 0.01 }], seed: 5 },
    });
    const refused = await putSpec(runtime.apiUrl, 's3:reset=200%');
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('from 0% to 100%');
    expect(refused.body.grammar).toBe(chaosGrammar());
    const status = await chaosStatus(runtime.apiUrl);
    expect(status.enabled && status.rules).toEqual([{ service: 's3', kind: 'reset', ratePercent: 1 }]);
  }, 120_000);

  it('without --chaos: GET says it is off, PUT is refused with 409', async () => {
    dir = await freshDir('chaos-off-');
    runtime = await startTestRuntime();
    expect(await chaosStatus(runtime.apiUrl)).toEqual({ enabled: false });
    const refused = await putSpec(runtime.apiUrl, 's3:reset=1%');
    expect(refused.status).toBe(409);
    expect(String(refused.body.message)).toContain('--chaos');
  }, 120_000);
});
