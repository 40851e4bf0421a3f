import { describe, expect, it } from 'vitest';
import { KinesisError } from '../../../../local/kinesis-server/errors.js';
import {
  base64ByteLength,
  blobValue,
  InputReader,
  SHARD_ID,
  STREAM_ARN,
  STREAM_NAME,
} from '../../../../local/kinesis-server/validation.js';

function errorOf(action: () => unknown): KinesisError {
  try {
    action();
  } catch (error) {
    if (error instanceof KinesisError) return error;
    throw error;
  }
  throw new Error('expected a KinesisError');
}

describe('constraint violations', () => {
  it('word one violation as AWS does', () => {
    const input = InputReader.fromBody({ StreamName: 'bad name!' });
    input.string('StreamName', { ...STREAM_NAME, required: true });
    const error = errorOf(() => input.throwIfInvalid());
    expect(error.type).toBe('ValidationException');
    expect(error.message).toBe(
      "1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+',
    );
  });

  it('report all violations of a request together, naming members in lower camel case', () => {
    const input = InputReader.fromBody({ StreamName: 'x'.repeat(129), Limit: 0 });
    input.string('StreamName', { ...STREAM_NAME, required: true });
    input.string('ShardId', { ...SHARD_ID, required: true });
    input.integer('Limit', { min: 1, max: 10_000 });
    const { message } = errorOf(() => input.throwIfInvalid());
    expect(message).toBe(
      `3 validation errors detected: Value '${'x'.repeat(129)}' at 'streamName' failed to satisfy constraint: ` +
        'Member must have length less than or equal to 128; ' +
        "Value null at 'shardId' failed to satisfy constraint: Member must not be null; " +
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it('check enums and nested members with their path', () => {
    const input = InputReader.fromBody({ StreamModeDetails: { StreamMode: 'SOMETIMES' } });
    input
      .structure('StreamModeDetails')
      ?.string('StreamMode', { required: true, values: ['PROVISIONED', 'ON_DEMAND'] });
    expect(errorOf(() => input.throwIfInvalid()).message).toBe(
      "1 validation error detected: Value 'SOMETIMES' at 'streamModeDetails.streamMode' failed to satisfy " +
        'constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]',
    );
  });

  it('accept what the model accepts, JSON null as absent', () => {
    const input = InputReader.fromBody({
      StreamName: 'a-b_c.1',
      StreamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/a-b_c.1',
      Limit: null,
    });
    expect(input.string('StreamName', { ...STREAM_NAME, required: true })).toBe('a-b_c.1');
    expect(input.string('StreamARN', STREAM_ARN)).toBe(
      'arn:aws:kinesis:eu-west-1:123456789012:stream/a-b_c.1',
    );
    expect(input.integer('Limit', { min: 1 })).toBeUndefined();
    expect(() => input.throwIfInvalid()).not.toThrow();
  });

  it('reject a malformed ARN', () => {
    const input = InputReader.fromBody({ StreamARN: 'arn:aws:kinesis:us-east-1:123:stream/x' });
    input.string('StreamARN', STREAM_ARN);
    expect(errorOf(() => input.throwIfInvalid()).message).toContain(
      "at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
        'arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+',
    );
  });
});

describe('type errors', () => {
  it.each([
    [
      { StreamName: 5 },
      'string',
      'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String',
    ],
    [{ StreamName: true }, 'string', 'class java.lang.Boolean can not be converted to an String'],
    [{ StreamName: {} }, 'string', 'Start of structure or map found where not expected.'],
    [{ Limit: '5' }, 'integer', 'class java.lang.String can not be converted to an Integer'],
    [{ Limit: [] }, 'integer', 'Start of list found where not expected'],
  ] as const)('%j fails at once with SerializationException', (body, kind, message) => {
    const input = InputReader.fromBody(body);
    const error = errorOf(() => (kind === 'string' ? input.string('StreamName') : input.integer('Limit')));
    expect(error.type).toBe('SerializationException');
    expect(error.message).toBe(message);
  });

  it('require a JSON object body', () => {
    expect(errorOf(() => InputReader.fromBody([])).type).toBe('SerializationException');
    expect(errorOf(() => InputReader.fromBody('x')).type).toBe('SerializationException');
  });

  it('truncate numbers to integers as Coral does', () => {
    expect(InputReader.fromBody({ Limit: 2.9 }).integer('Limit')).toBe(2);
  });
});

describe('blobs', () => {
  it('measure decoded bytes from the base64 length', () => {
    for (const size of [0, 1, 2, 3, 4, 299, 300, 1_048_576]) {
      expect(base64ByteLength(Buffer.alloc(size, 0xab).toString('base64'))).toBe(size);
    }
  });

  it.each([
    [
      'a length that is not a multiple of 4',
      'abc',
      'Base64 encoded length is expected a multiple of 4 bytes but found: 3',
    ],
    ['invalid characters', 'ab-_', 'Invalid Base64 character'],
    ['padding in the middle', 'ab==abcd', 'Invalid Base64 character'],
    ['non-zero bits after the last byte', 'QR==', 'Invalid last non-pad Base64 character'],
  ])('reject %s with SerializationException', (_, value, detail) => {
    const error = errorOf(() => base64ByteLength(value));
    expect(error.type).toBe('SerializationException');
    expect(error.message).toContain(detail);
  });

  it('show blob values as AWS does', () => {
    expect(blobValue(1_048_577)).toBe('java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]');
  });
});
