import { describe, expect, it } from 'vitest';
import {
  HASH_KEY_SPACE,
  HashKeyRouter,
  MAX_HASH_KEY,
  partitionKeyHash,
  rangeIndexOf,
  splitHashKeySpace,
} from '../../../../local/kinesis-server/hash-ranges.js';

const asStrings = (ranges: ReturnType<typeof splitHashKeySpace>) =>
  ranges.map(({ start, end }) => [start.toString(), end.toString()]);

describe('splitHashKeySpace', () => {
  it('splits 2 shards at 2^127, as AWS reports them', () => {
    expect(asStrings(splitHashKeySpace(2))).toEqual([
      ['0', '170141183460469231731687303715884105727'],
      ['170141183460469231731687303715884105728', '340282366920938463463374607431768211455'],
    ]);
  });

  it('splits 4 shards into quarters, as AWS reports them', () => {
    expect(asStrings(splitHashKeySpace(4))).toEqual([
      ['0', '85070591730234615865843651857942052863'],
      ['85070591730234615865843651857942052864', '170141183460469231731687303715884105727'],
      ['170141183460469231731687303715884105728', '255211775190703847597530955573826158591'],
      ['255211775190703847597530955573826158592', '340282366920938463463374607431768211455'],
    ]);
  });

  it('gives every shard floor(2^128 / N) keys and the last one the remainder', () => {
    const ranges = splitHashKeySpace(3);
    expect(asStrings(ranges)).toEqual([
      ['0', '113427455640312821154458202477256070484'],
      ['113427455640312821154458202477256070485', '226854911280625642308916404954512140969'],
      ['226854911280625642308916404954512140970', '340282366920938463463374607431768211455'],
    ]);
  });

  it.each([1, 2, 3, 5, 7, 16, 100])('covers [0, 2^128) with %i contiguous ranges', (count) => {
    const ranges = splitHashKeySpace(count);
    expect(ranges).toHaveLength(count);
    expect(ranges[0]?.start).toBe(0n);
    expect(ranges.at(-1)?.end).toBe(MAX_HASH_KEY);
    for (let i = 1; i < count; i += 1) expect(ranges[i]?.start).toBe((ranges[i - 1]?.end ?? -2n) + 1n);
    const width = HASH_KEY_SPACE / BigInt(count);
    for (const range of ranges.slice(0, -1)) expect(range.end - range.start + 1n).toBe(width);
  });

  it('rejects shard counts below 1', () => {
    expect(() => splitHashKeySpace(0)).toThrow(RangeError);
  });
});

describe('partitionKeyHash', () => {
  it('is the MD5 of the UTF-8 key read as a big-endian 128-bit integer', () => {
    // md5("") = d41d8cd98f00b204e9800998ecf8427e
    expect(partitionKeyHash('')).toBe(0xd41d8cd98f00b204e9800998ecf8427en);
    // md5("person_1") = fa1242b3b056fccca9c368171dfff0fe
    expect(partitionKeyHash('person_1')).toBe(332401813165132049347595523620257919230n);
    expect(partitionKeyHash('person_2')).toBe(162105088764155710157847749494152251248n);
  });

  it('hashes non-ASCII keys as UTF-8', () => {
    // md5 of the UTF-8 bytes c3 a9 ("é")
    expect(partitionKeyHash('é')).toBe(partitionKeyHash(Buffer.from([0xc3, 0xa9]).toString('utf8')));
    expect(partitionKeyHash('é')).not.toBe(partitionKeyHash('e'));
  });
});

describe('routing', () => {
  const starts = splitHashKeySpace(2).map((range) => range.start);

  it('puts a hash key in the range that holds it, boundaries included', () => {
    expect(rangeIndexOf(starts, 0n)).toBe(0);
    expect(rangeIndexOf(starts, (1n << 127n) - 1n)).toBe(0);
    expect(rangeIndexOf(starts, 1n << 127n)).toBe(1);
    expect(rangeIndexOf(starts, MAX_HASH_KEY)).toBe(1);
  });

  it('routes partition keys by MD5: person_1 (>= 2^127) to shard 1, person_2 to shard 0', () => {
    const router = new HashKeyRouter(splitHashKeySpace(2));
    expect(router.route('person_1').shardIndex).toBe(1);
    expect(router.route('person_2').shardIndex).toBe(0);
    expect(router.routeHashKey(1n << 127n)).toBe(1);
  });

  it('agrees with a direct computation for many keys and shard counts', () => {
    for (const count of [1, 2, 3, 4, 10]) {
      const ranges = splitHashKeySpace(count);
      const router = new HashKeyRouter(ranges, 16);
      for (let i = 0; i < 200; i += 1) {
        const hash = partitionKeyHash(`key-${i}`);
        const expected = ranges.findIndex((range) => range.start <= hash && hash <= range.end);
        expect(router.route(`key-${i}`).shardIndex).toBe(expected);
      }
    }
  });

  it('hands back one shared copy of a repeated key', () => {
    const router = new HashKeyRouter(splitHashKeySpace(2));
    const first = router.route(['person', '7'].join('_')).key;
    expect(router.route(['person', '7'].join('_')).key).toBe(first);
  });
});
