/**
 * The runtime's Invoke API answers Lambda's own client as Lambda does: the result, a function error with
 * its payload, the log tail with its REPORT line, an unknown function refused.
 */
import { Console } from 'node:console';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessInvoker } from '../../local/execution/in-process-invoker.js';
import { type InvokeApi, LOG_TAIL_BYTES, startInvokeApi } from '../../local/lambda-invoke-api.js';

const log = new Console({ stdout: process.stdout, stderr: process.stderr });
const sizing = (name: string) => ({ name, region: 'us-east-1', memorySize: 128, timeoutSeconds: 5 });

let api: InvokeApi;
let apiInvocations = 0;
let client: LambdaClient;

beforeAll(async () => {
  const invoker = new InProcessInvoker({
    producer: {
      fn: sizing('producer'),
      handler: () => async () => {
        log.log('x'.repeat(2 * LOG_TAIL_BYTES));
        return 'done';
      },
    },
    processor: {
      fn: sizing('processor'),
      handler: () => async (event) => {
        if (!(event as { Records?: unknown }).Records) throw new TypeError('the event has no Records');
        return { batchItemFailures: [] };
      },
    },
    api: {
      fn: sizing('api'),
      handler: () => async (event) => {
        apiInvocations += 1;
        log.log(`GET ${(event as { path: string }).path}`);
        return { statusCode: 200, body: '{}' };
      },
    },
  });
  api = await startInvokeApi(invoker);
  client = new LambdaClient({
    endpoint: api.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await api.close();
});

const invoke = (FunctionName: string, event: unknown) =>
  client.send(
    new InvokeCommand({
      FunctionName,
      LogType: 'Tail',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const tailOf = (logResult: string | undefined) => Buffer.from(logResult ?? '', 'base64').toString('utf8');

describe("the embedded runtime's Invoke API", () => {
  it('answers with the result and the log tail, ending in the REPORT line', async () => {
    const response = await invoke('api', { path: '/stats/summary' });

    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBeUndefined();
    expect(JSON.parse(text(response.Payload))).toEqual({ statusCode: 200, body: '{}' });
    const tail = tailOf(response.LogResult);
    expect(tail).toMatch(/^START RequestId: \S+ Version: \$LATEST\nGET \/stats\/summary\nEND RequestId: /);
    expect(tail).toMatch(/\nREPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\n$/);
  });

  it('answers a function error with Unhandled and the error payload, logged as Lambda logs it', async () => {
    const response = await invoke('processor', {});

    expect(response.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(response.Payload))).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'the event has no Records',
      stackTrace: expect.any(Array),
    });
    expect(tailOf(response.LogResult)).toContain('ERROR\tInvoke Error \t{"errorType":"TypeError"');
  });

  it('takes the function by its ARN too', async () => {
    const response = await invoke('arn:aws:lambda:us-east-1:000000000000:function:processor', {
      Records: [],
    });
    expect(JSON.parse(text(response.Payload))).toEqual({ batchItemFailures: [] });
  });

  it('answers a DryRun with 204 without invoking, and an Event with 202, invoking in the background', async () => {
    const before = apiInvocations;
    const send = (InvocationType: 'DryRun' | 'Event') =>
      client.send(
        new InvokeCommand({
          FunctionName: 'api',
          InvocationType,
          Payload: new TextEncoder().encode('{"path":"/"}'),
        }),
      );

    expect((await send('DryRun')).StatusCode).toBe(204);
    expect(apiInvocations).toBe(before);
    expect((await send('Event')).StatusCode).toBe(202);
    await expect.poll(() => apiInvocations).toBe(before + 1);
  });

  it('keeps the last 4 KB of a longer log', async () => {
    const response = await invoke('producer', {});
    const tail = Buffer.from(response.LogResult ?? '', 'base64');

    expect(tail.length).toBe(LOG_TAIL_BYTES);
    expect(tail.toString('utf8')).toMatch(/^x+\nEND RequestId: /);
  });

  it.each([
    ['an unsigned request', {}, 'MissingAuthenticationTokenException'],
    ['a request from a web page', { origin: 'http://example.com', authorization: 'x' }, 'ForbiddenException'],
    [
      'a request signed for another service',
      {
        authorization: `AWS4-HMAC-SHA256 Credential=k/20261207/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      },
      'IncompleteSignatureException',
    ],
  ])('refuses %s with 403, invoking nothing', async (_, headers, errorType) => {
    const before = apiInvocations;
    const response = await fetch(`${api.url}/2015-03-31/functions/api/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...headers },
      body: '{"path":"/stats/summary"}',
    });

    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe(errorType);
    expect(apiInvocations).toBe(before);
  });

  it('refuses a function it does not host, naming those it does', async () => {
    const refused = invoke('batch', {});
    await expect(refused).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(refused).rejects.toThrow(
      'Function not found: batch (the embedded runtime hosts producer, processor, api)',
    );
  });
});
