import { describe, expect, it } from 'vitest';
import { invokeWithTimeout } from '../../../local/lambda-context.js';

const fn = { name: 'processor', memorySize: 128, timeoutSeconds: 0.2, region: 'us-east-1' };

describe('invoking a local function with its timeout', () => {
  it('returns the result of a handler that finishes in time', async () => {
    await expect(invokeWithTimeout(fn, async () => 'done')).resolves.toBe('done');
  });

  it('reports a timeout only once the late handler has settled, so a retry never runs beside it', async () => {
    const events: string[] = [];
    const invocation = invokeWithTimeout(fn, async (context) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      events.push(`late write, ${context.getRemainingTimeInMillis()} ms left`);
    });

    await expect(invocation).rejects.toThrow('Task timed out after 0.2.00 seconds');
    events.push('retry');
    expect(events).toEqual(['late write, 0 ms left', 'retry']);
  });

  it('gives the handler a context whose remaining time runs down to the timeout', async () => {
    const remaining = await invokeWithTimeout({ ...fn, timeoutSeconds: 10 }, async (context) =>
      context.getRemainingTimeInMillis(),
    );
    expect(remaining).toBeGreaterThan(9_000);
    expect(remaining).toBeLessThanOrEqual(10_000);
  });
});
