/**
 * The runtime's Invoke API answers Lambda's own client as Lambda does: the result, a function error with
 * its payload, the log tail with its REPORT line, an unknown function refused.
 */
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  EmbeddedFunctionName,
  FunctionInvoker,
  InvocationOutcome,
} from '../../local/execution/invocation.js';
import { type InvokeApi, LOG_TAIL_BYTES, startInvokeApi } from '../../local/lambda-invoke-api.js';

let api: InvokeApi;
let apiInvocations = 0;
let client: LambdaClient;

/** An invocation's log as an execution environment keeps it: Lambda's lines around the function's. */
const logOf = (...lines: string[]) => [
  'START RequestId: r-1 Version: $LATEST',
  ...lines,
  'END RequestId: r-1',
  'REPORT RequestId: r-1\tDuration: 1.00 ms\tMemory Size: 128 MB',
];

/** Scripted functions behind the Invoke API: what it does with each outcome is under test here. */
const scripted: Record<EmbeddedFunctionName, (event: unknown) => InvocationOutcome> = {
  producer: () => ({ ok: true, result: 'done', logs: logOf('x'.repeat(2 * LOG_TAIL_BYTES)), durationMs: 1 }),
  processor: (event) =>
    (event as { Records?: unknown }).Records
      ? { ok: true, result: { batchItemFailures: [] }, logs: logOf(), durationMs: 1 }
      : {
          ok: false,
          error: { errorType: 'TypeError', errorMessage: 'the event has no Records', stackTrace: ['at x'] },
          logs: logOf('{"level":"ERROR","message":"Invoke Error","errorType":"TypeError"}'),
          durationMs: 1,
        },
  api: (event) => {
    apiInvocations += 1;
    return {
      ok: true,
      result: { statusCode: 200, body: '{}' },
      logs: logOf(`GET ${(event as { path: string }).path}`),
      durationMs: 1,
    };
  },
};

beforeAll(async () => {
  const invoker: FunctionInvoker = { invoke: async (name, event) => scripted[name](event) };
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
    expect(tail).toBe(`${logOf('GET /stats/summary').join('\n')}\n`);
  });

  it('answers a function error with Unhandled and the error payload, its log passed on', async () => {
    const response = await invoke('processor', {});

    expect(response.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(response.Payload))).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'the event has no Records',
      stackTrace: expect.any(Array),
    });
    expect(tailOf(response.LogResult)).toContain('"message":"Invoke Error","errorType":"TypeError"');
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
