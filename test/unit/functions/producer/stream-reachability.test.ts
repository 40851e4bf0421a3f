import { describe, expect, it } from 'vitest';
import { StreamReachability, unreachableCause } from '../../../../functions/producer/stream-reachability.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });
const withStatus = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('telling an unreachable stream from an answer', () => {
  it.each([
    [withCode('ECONNREFUSED'), { cause: 'connection refused', maybeStored: false }],
    [withCode('ENOTFOUND'), { cause: 'host not found', maybeStored: false }],
    [withCode('ECONNRESET'), { cause: 'connection reset', maybeStored: true }],
    [withCode('ETIMEDOUT'), { cause: 'timed out', maybeStored: true }],
    [Object.assign(new Error('slow'), { name: 'TimeoutError' }), { cause: 'timed out', maybeStored: true }],
    [withStatus('InternalFailure', 500), { cause: 'HTTP 500 InternalFailure', maybeStored: true }],
    [withStatus('ServiceUnavailable', 503), { cause: 'HTTP 503 ServiceUnavailable', maybeStored: true }],
  ])('%s is the stream unreachable', (error, expected) => {
    expect(unreachableCause(error)).toEqual(expected);
  });

  it.each([
    withStatus('ProvisionedThroughputExceededException', 400),
    withStatus('AccessDeniedException', 400),
    withStatus('ResourceNotFoundException', 400),
    new Error('anything else'),
    'not an error',
  ])('%s is an answer', (error) => {
    expect(unreachableCause(error)).toBeUndefined();
  });
});

describe('an outage shared by the lanes', () => {
  it('lasts from the first failure to the next answer, and is told each time it changes', () => {
    let now = 1_000;
    let changes = 0;
    const reachability = new StreamReachability(
      60_000,
      () => {
        changes += 1;
      },
      () => now,
    );

    expect(reachability.unreachable('connection refused')).toBe(true);
    now += 5_000;
    expect(reachability.unreachable('connection reset')).toBe(true);
    expect(reachability.current).toEqual({ cause: 'connection reset', forMs: 5_000, limitMs: 60_000 });
    reachability.reached();
    expect(reachability.current).toBeUndefined();
    expect(changes).toBe(3);
  });

  it('gives up for every lane once one outage reaches the limit, and stays given up', () => {
    let now = 0;
    const reachability = new StreamReachability(60_000, undefined, () => now);
    reachability.unreachable('connection refused');
    now = 59_999;
    expect(reachability.unreachable('connection refused')).toBe(true);
    now = 60_000;
    expect(reachability.unreachable('connection refused')).toBe(false);
    reachability.reached();
    expect(reachability.unreachable('connection refused')).toBe(false);
    expect(reachability.gaveUp).toBe('Kinesis was unreachable for 60 s (connection refused)');
  });
});
