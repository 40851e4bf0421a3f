import { describe, expect, it } from 'vitest';
import { createLambdaContext } from '../../../local/lambda-context.js';

const fn = { name: 'processor', memorySize: 128, timeoutSeconds: 10, region: 'us-east-1' };

describe('the Lambda context of a local invocation', () => {
  it('has a remaining time that runs down from the function timeout', () => {
    const remaining = createLambdaContext(fn).getRemainingTimeInMillis();
    expect(remaining).toBeGreaterThan(9_000);
    expect(remaining).toBeLessThanOrEqual(10_000);
  });

  it('names the function, its memory and a request id of its own', () => {
    const first = createLambdaContext(fn);
    expect(first.functionName).toBe('processor');
    expect(first.memoryLimitInMB).toBe('128');
    expect(first.invokedFunctionArn).toMatch(/:function:processor$/);
    expect(createLambdaContext(fn).awsRequestId).not.toBe(first.awsRequestId);
  });
});
