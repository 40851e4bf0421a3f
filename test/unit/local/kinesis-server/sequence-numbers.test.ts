import { describe, expect, it } from 'vitest';
import {
  compareSequenceNumbers,
  formatSequenceNumber,
  parseSequenceNumber,
  SEQUENCE_NUMBER_DIGITS,
  sequencePrefix,
} from '../../../../local/kinesis-server/sequence-numbers.js';

const epoch = 1_795_450_418_469;

describe('sequence numbers', () => {
  it('are 56-digit decimal strings like AWS', () => {
    const number = formatSequenceNumber(sequencePrefix(epoch, 1), 42);
    expect(number).toMatch(/^[1-9]\d{55}$/);
    expect(number).toHaveLength(SEQUENCE_NUMBER_DIGITS);
    // AWS's pattern for sequence numbers
    expect(number).toMatch(/^(0|([1-9]\d{0,128}))$/);
  });

  it('strictly increase within a shard, as big integers and as strings', () => {
    const prefix = sequencePrefix(epoch, 3);
    const numbers = [0, 1, 2, 9, 10, 99, 100, 12_345, 999_999_999, 1_000_000_000, 2 ** 53 - 1].map(
      (position) => formatSequenceNumber(prefix, position),
    );
    for (let i = 1; i < numbers.length; i += 1) {
      const [before, after] = [numbers[i - 1] as string, numbers[i] as string];
      expect(compareSequenceNumbers(before, after)).toBe(-1);
      expect(BigInt(before) < BigInt(after)).toBe(true);
      expect(before < after).toBe(true);
    }
  });

  it('differ between shards and between incarnations of a stream', () => {
    const a = formatSequenceNumber(sequencePrefix(epoch, 0), 5);
    expect(a).not.toBe(formatSequenceNumber(sequencePrefix(epoch, 1), 5));
    expect(a).not.toBe(formatSequenceNumber(sequencePrefix(epoch + 1, 0), 5));
  });

  it('decode back to stream epoch, shard and position', () => {
    const number = formatSequenceNumber(sequencePrefix(epoch, 12), 123_456_789);
    expect(parseSequenceNumber(number)).toEqual({
      streamEpoch: epoch,
      shardIndex: 12,
      position: 123_456_789,
    });
  });

  it('reject numbers this server did not issue', () => {
    expect(parseSequenceNumber('0')).toBeUndefined();
    expect(parseSequenceNumber('49546986683135544286507457936321625675700192471156785154')).toBeUndefined();
    expect(parseSequenceNumber(`4${'9'.repeat(55)}`)).toBeUndefined(); // position beyond 2^53
    expect(parseSequenceNumber(formatSequenceNumber(sequencePrefix(epoch, 0), 1).slice(1))).toBeUndefined();
  });

  it('compare numerically whatever their lengths', () => {
    expect(compareSequenceNumbers('9', '10')).toBe(-1);
    expect(compareSequenceNumbers('10', '10')).toBe(0);
    expect(compareSequenceNumbers('100000000000000000000000000000000000000001', '99')).toBe(1);
  });
});
