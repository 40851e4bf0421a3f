/**
 * The producer's CSV read from S3 survives a download that breaks off: the S3 emulator behind a
 * fault-injecting proxy cuts GET responses mid-body, and the read resumes where it stopped, so the
 * replay reads every row once. An object replaced during the read, or a range that keeps breaking,
 * fails the read with a message that says so.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProducerHandler } from '../../functions/producer/handler.js';
import { type RangedReadOptions, readS3Object } from '../../functions/producer/s3-object-reader.js';
import { createS3Client } from '../../functions/shared/adapters/aws-clients.js';
import { InputFormatError } from '../../functions/shared/errors.js';
import { settings } from '../../functions/shared/settings.js';
import { type FaultProxy, type ProxiedCall, startFaultProxy } from '../../local/chaos/fault-proxy.js';
import { lambdaContext } from '../support/deliver.js';
import { expectScenarioAggregates, sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime;
let proxy: FaultProxy;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faults-source-read-'));
  runtime = await startTestRuntime();
  proxy = await startFaultProxy(runtime.env.AWS_ENDPOINT_URL_S3 ?? '');
});

afterAll(async () => {
  await proxy?.close();
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => proxy.clear());

const quick: RangedReadOptions = {
  rangeBytes: 64 * 1024,
  retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
};

async function putObject(key: string, body: Buffer): Promise<void> {
  await runtime.s3.send(new PutObjectCommand({ Bucket: runtime.bucketName, Key: key, Body: body }));
}

function getOf(key: string) {
  return (call: ProxiedCall) =>
    call.method === 'GET' && call.path.startsWith(`/${runtime.bucketName}/${key}`);
}

function readThroughProxy(key: string, options = quick) {
  return readS3Object(
    createS3Client({ ...runtime.env, AWS_ENDPOINT_URL_S3: proxy.url }),
    runtime.bucketName,
    key,
    options,
  );
}

describe('a download that breaks off mid-body', () => {
  it('is resumed at the byte it reached: the bytes read equal the object', async () => {
    const object = randomBytes(300 * 1024);
    await putObject('cut.bin', object);
    // The first range breaks twice, the third range once.
    const first = proxy.inject({
      name: 'cut-first',
      match: getOf('cut.bin'),
      fault: { kind: 'break-body', afterBytes: 1000 },
      times: 2,
    });
    const third = proxy.inject({
      name: 'cut-third',
      match: (call) => getOf('cut.bin')(call) && call.headers.range === `bytes=${2 * 65536}-${3 * 65536 - 1}`,
      fault: { kind: 'break-body', afterBytes: 40_000 },
    });

    const read = await buffer(readThroughProxy('cut.bin'));

    expect(first.hits()).toBe(2);
    expect(third.hits()).toBe(1);
    expect(read.equals(object)).toBe(true);
    // The resumed GETs start at the byte the broken ones reached.
    const ranges = proxy.calls.filter(getOf('cut.bin')).map((call) => call.headers.range);
    expect(ranges.slice(0, 4)).toEqual([
      'bytes=0-65535',
      'bytes=1000-65535',
      'bytes=2000-65535',
      'bytes=65536-131071',
    ]);
    expect(ranges).toContain(`bytes=${2 * 65536 + 40_000}-${3 * 65536 - 1}`);
  });

  it('keeps resuming while each attempt brings bytes: a download cut every 20,000 bytes completes', async () => {
    const object = randomBytes(100 * 1024);
    await putObject('often-cut.bin', object);
    const cut = proxy.inject({
      name: 'cut-often',
      match: getOf('often-cut.bin'),
      fault: { kind: 'break-body', afterBytes: 20_000 },
      times: 100,
    });

    const read = await buffer(readThroughProxy('often-cut.bin'));

    // More breaks than `attempts`: only attempts that bring nothing count against it.
    expect(cut.hits()).toBeGreaterThan(quick.retry.attempts);
    expect(read.equals(object)).toBe(true);
  });

  it('fails with the position it reached when a range keeps breaking without a byte', async () => {
    await putObject('always-cut.bin', randomBytes(100 * 1024));
    proxy.inject({
      name: 'cut-second-range',
      match: (call) => getOf('always-cut.bin')(call) && !call.headers.range?.startsWith('bytes=0-'),
      fault: { kind: 'break-body', afterBytes: 0 },
      times: 100,
    });

    await expect(buffer(readThroughProxy('always-cut.bin'))).rejects.toThrow(
      /always-cut\.bin: the read broke off at byte 65536 of 102400 3 times in a row without progress/,
    );
  });

  it('fails as an input error when the object is replaced during the read', async () => {
    await putObject('replaced.bin', randomBytes(200 * 1024));
    const stream = readThroughProxy('replaced.bin');
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await putObject('replaced.bin', randomBytes(200 * 1024));

    const rest = (async () => {
      for (;;) if ((await iterator.next()).done) return;
    })();
    await expect(rest).rejects.toThrow(InputFormatError);
    await expect(rest).rejects.toThrow(/replaced\.bin changed while it was read/);
  });
});

describe('the producer function on an S3 source whose download breaks off', () => {
  it('reads every row once: the aggregates equal the independent expectation', async () => {
    const scenario = sampleScenario('cut-source', ['person_8', 'person_9', 'person_10'], dir);
    const key = 'sources/cut-source.csv';
    const csv = readFileSync(scenario.csvPath);
    expect(csv.length).toBeLessThan(settings.producer.sourceRead.rangeBytes);
    await putObject(key, csv);
    const cut = proxy.inject({
      name: 'cut-source',
      match: getOf(key),
      fault: { kind: 'break-body', afterBytes: Math.floor(csv.length / 3) },
      times: 2,
    });

    const producer = createProducerHandler({ ...runtime.env, AWS_ENDPOINT_URL_S3: proxy.url });
    const result = await producer({ source: { bucket: runtime.bucketName, key } }, lambdaContext(900_000));
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });

    expect(cut.hits()).toBe(2);
    expect(result).toMatchObject({
      read: scenario.records.length,
      sent: scenario.records.length,
      rejected: 0,
      failed: 0,
    });
    await expectScenarioAggregates(runtime, scenario);
  });
});
