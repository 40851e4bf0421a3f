import { describe, expect, it } from 'vitest';
import { KinesisError } from '../../../../local/kinesis-server/errors.js';
import { ITERATOR_TTL_MS, ShardIteratorCodec } from '../../../../local/kinesis-server/shard-iterators.js';
import { TokenSigner } from '../../../../local/kinesis-server/signed-tokens.js';

const position = {
  streamName: 'orders.v2-x_1',
  streamEpoch: 1_795_450_418_469,
  shardIndex: 3,
  position: 1234,
};
const issuedAt = Date.UTC(2015, 0, 22, 1, 22, 2);

function errorOf(action: () => unknown): KinesisError {
  try {
    action();
  } catch (error) {
    if (error instanceof KinesisError) return error;
    throw error;
  }
  throw new Error('expected a KinesisError');
}

describe('shard iterators', () => {
  const codec = new ShardIteratorCodec();

  it('round-trip stream, shard, position and issue time', () => {
    const iterator = codec.encode(position, issuedAt);
    expect(codec.decode(iterator, issuedAt + 1000)).toEqual({ ...position, issuedAt });
  });

  it('are base64 strings within the model length (512) for the longest stream names', () => {
    const iterator = codec.encode(
      { ...position, streamName: 'n'.repeat(128), position: 2 ** 53 - 1 },
      issuedAt,
    );
    expect(iterator).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(iterator.length).toBeLessThanOrEqual(512);
  });

  it('can be used again while valid (re-reading with the same iterator)', () => {
    const iterator = codec.encode(position, issuedAt);
    expect(codec.decode(iterator, issuedAt + 10)).toEqual(codec.decode(iterator, issuedAt + 20_000));
  });

  it('expire 5 minutes after they were issued, with AWS error and message', () => {
    const iterator = codec.encode(position, issuedAt);
    expect(codec.decode(iterator, issuedAt + ITERATOR_TTL_MS).position).toBe(1234);
    const error = errorOf(() => codec.decode(iterator, issuedAt + ITERATOR_TTL_MS + 1));
    expect(error.type).toBe('ExpiredIteratorException');
    expect(error.message).toBe(
      'Iterator expired. The iterator was created at time Thu Jan 22 01:22:02 UTC 2015 while right now it is ' +
        'Thu Jan 22 01:27:02 UTC 2015 which is further in the future than the tolerated delay of 300000 milliseconds.',
    );
  });

  it.each([
    ['garbage', 'not-an-iterator'],
    ['not base64', '!!!!'],
    ['empty payload', Buffer.alloc(8).toString('base64')],
  ])('reject %s as InvalidArgumentException', (_, iterator) => {
    const error = errorOf(() => codec.decode(iterator, issuedAt));
    expect(error.type).toBe('InvalidArgumentException');
    expect(error.message).toBe('Invalid ShardIterator.');
  });

  it('reject an edited iterator', () => {
    const bytes = Buffer.from(codec.encode(position, issuedAt), 'base64');
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 1; // flip a bit of the payload
    expect(errorOf(() => codec.decode(bytes.toString('base64'), issuedAt)).type).toBe(
      'InvalidArgumentException',
    );
  });

  it('reject iterators of another server (another key)', () => {
    const other = new ShardIteratorCodec(new TokenSigner(Buffer.alloc(32, 7)));
    expect(errorOf(() => codec.decode(other.encode(position, issuedAt), issuedAt)).type).toBe(
      'InvalidArgumentException',
    );
  });
});
