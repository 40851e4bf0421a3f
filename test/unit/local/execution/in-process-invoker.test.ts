import { Console } from 'node:console';
import { describe, expect, it } from 'vitest';
import { InProcessInvoker, type LocalHandler } from '../../../../local/execution/in-process-invoker.js';
import type { EmbeddedFunctionName } from '../../../../local/execution/invocation.js';

const sizing = (name: string, timeoutSeconds = 5) => ({
  name,
  region: 'us-east-1',
  memorySize: 128,
  timeoutSeconds,
});
// A console on the process's own streams, as Powertools' logger makes one (vitest replaces the global one).
const log = new Console({ stdout: process.stdout, stderr: process.stderr });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function invokerOf(handlers: Partial<Record<EmbeddedFunctionName, LocalHandler>>, timeoutSeconds?: number) {
  const hosted = (name: EmbeddedFunctionName) => ({
    fn: sizing(name, timeoutSeconds),
    handler: () => handlers[name] ?? (async () => null),
  });
  return new InProcessInvoker({
    producer: hosted('producer'),
    processor: hosted('processor'),
    api: hosted('api'),
  });
}

describe('invoking a function in the runtime’s process', () => {
  it('returns the handler’s result, what it logged, and how long it ran', async () => {
    const invoker = invokerOf({
      api: async (event, context) => {
        log.log(`serving ${(event as { path: string }).path} for ${context.functionName}`);
        await sleep(20);
        return { statusCode: 200 };
      },
    });

    const outcome = await invoker.invoke('api', { path: '/stats/summary' });

    expect(outcome).toMatchObject({
      ok: true,
      result: { statusCode: 200 },
      logs: ['serving /stats/summary for api'],
    });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(15);
  });

  it('keeps apart the logs of invocations that overlap', async () => {
    const invoker = invokerOf({
      processor: async (event) => {
        const { id } = event as { id: string };
        for (let i = 0; i < 3; i += 1) {
          process.stderr.write(`${id} step ${i}\n`);
          await sleep(5);
        }
        return id;
      },
    });

    const [a, b] = await Promise.all([
      invoker.invoke('processor', { id: 'a' }),
      invoker.invoke('processor', { id: 'b' }),
    ]);

    expect(a?.logs).toEqual(['a step 0', 'a step 1', 'a step 2']);
    expect(b?.logs).toEqual(['b step 0', 'b step 1', 'b step 2']);
  });

  it('returns a thrown error in Lambda’s error shape', async () => {
    class RecordsMissingError extends Error {
      override name = 'RecordsMissingError';
    }
    const invoker = invokerOf({
      processor: async () => {
        throw new RecordsMissingError('the event has no Records');
      },
    });

    const outcome = await invoker.invoke('processor', {});

    expect(outcome).toMatchObject({
      ok: false,
      error: { errorType: 'RecordsMissingError', errorMessage: 'the event has no Records' },
    });
    expect(outcome.ok ? [] : outcome.error.stackTrace).toEqual(
      expect.arrayContaining([expect.stringContaining('in-process-invoker.test.ts')]),
    );
  });

  it('fails an invocation that outlives the function’s timeout', async () => {
    const invoker = invokerOf({ api: () => sleep(1_500) }, 1);

    const outcome = await invoker.invoke('api', {});

    expect(outcome).toMatchObject({
      ok: false,
      error: { errorMessage: 'Task timed out after 1.00 seconds' },
    });
  });

  it('builds a function’s handler once, on its first invocation', async () => {
    let built = 0;
    const invoker = new InProcessInvoker({
      producer: { fn: sizing('producer'), handler: () => async () => null },
      processor: { fn: sizing('processor'), handler: () => async () => null },
      api: {
        fn: sizing('api'),
        handler: () => {
          built += 1;
          return async () => built;
        },
      },
    });

    expect(built).toBe(0);
    await invoker.invoke('api', {});
    const second = await invoker.invoke('api', {});

    expect(second).toMatchObject({ ok: true, result: 1 });
  });
});
