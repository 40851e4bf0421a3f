import { createHash } from 'node:crypto';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { AGGREGATE_MAGIC } from '../../../../../functions/shared/kinesis-aggregation/aggregated-record-format.js';
import { deaggregate } from '../../../../../functions/shared/kinesis-aggregation/deaggregate.js';
import { RecordAggregator } from '../../../../../functions/shared/kinesis-aggregation/record-aggregator.js';
import { aggregatesOf } from '../../../../support/kpl-aggregates.js';
import { randomRecords, seededRandom } from '../../../../support/random-records.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Magic + body + MD5(body): a well-formed envelope around any protobuf bytes. */
function envelope(body: Uint8Array): Uint8Array {
  return Uint8Array.from(Buffer.concat([AGGREGATE_MAGIC, body, createHash('md5').update(body).digest()]));
}

/** A protobuf body written field by field, so tests can write what no encoder would. */
function body(write: (writer: BinaryWriter) => void): Uint8Array {
  const writer = new BinaryWriter();
  write(writer);
  return writer.finish();
}

function recordMessage(write: (writer: BinaryWriter) => void): Uint8Array {
  return body(write);
}

const LEN = WireType.LengthDelimited;
const VARINT = WireType.Varint;

function validAggregate(): Uint8Array {
  const aggregator = new RecordAggregator({ maxBytes: 10_000 });
  aggregator.add({ partitionKey: 'person_1', data: bytes('{"a":1}') });
  aggregator.add({ partitionKey: 'person_2', explicitHashKey: '99', data: bytes('{"a":2}') });
  return aggregator.flush()?.data ?? new Uint8Array();
}

describe('deaggregating', () => {
  it('reads the user records of an aggregate with their keys and positions', () => {
    expect(deaggregate(validAggregate())).toEqual({
      kind: 'aggregate',
      records: [
        { partitionKey: 'person_1', explicitHashKey: undefined, data: bytes('{"a":1}'), index: 0 },
        { partitionKey: 'person_2', explicitHashKey: '99', data: bytes('{"a":2}'), index: 1 },
      ],
    });
  });

  it('answers plain for a record without the magic prefix', () => {
    expect(deaggregate(bytes('{"commitId":"c1"}'))).toEqual({ kind: 'plain' });
    expect(deaggregate(new Uint8Array())).toEqual({ kind: 'plain' });
    expect(deaggregate(AGGREGATE_MAGIC.subarray(0, 3))).toEqual({ kind: 'plain' });
    expect(deaggregate(Uint8Array.of(0xf3, 0x89, 0x9a, 0xc3, 1, 2, 3))).toEqual({ kind: 'plain' });
  });

  it('reports an aggregate too short for its digest as truncated', () => {
    expect(deaggregate(Buffer.concat([AGGREGATE_MAGIC, new Uint8Array(15)]))).toMatchObject({
      kind: 'corrupt',
      reason: 'truncated',
    });
    // Magic and an MD5 of nothing: an empty but valid aggregate, as KCL reads it.
    expect(deaggregate(envelope(new Uint8Array()))).toEqual({ kind: 'aggregate', records: [] });
  });

  it('reports a changed byte anywhere in the protobuf or the digest as a bad MD5', () => {
    const aggregate = validAggregate();
    for (let position = 4; position < aggregate.length; position += 1) {
      const damaged = Uint8Array.from(aggregate);
      damaged[position] = (damaged[position] as number) ^ 0x01;
      expect(deaggregate(damaged)).toMatchObject({ kind: 'corrupt', reason: 'bad-md5' });
    }
    expect(deaggregate(aggregate.subarray(0, aggregate.length - 1))).toMatchObject({
      kind: 'corrupt',
      reason: 'bad-md5',
    });
  });

  it('reports protobuf that does not parse, behind a valid digest, as bad protobuf', () => {
    const cases: Record<string, Uint8Array> = {
      'a length past the end': body((w) => w.tag(1, LEN).uint32(50).raw(bytes('short'))),
      'a varint cut short': body((w) => w.tag(3, LEN).uint32(2).tag(1, VARINT).raw(Uint8Array.of(0x80))),
      'a table entry with the wrong wire type': body((w) => w.tag(1, VARINT).uint32(3)),
      'records with the wrong wire type': body((w) => w.tag(3, VARINT).uint32(3)),
      'an index with the wrong wire type': body((w) =>
        w
          .tag(1, LEN)
          .string('k')
          .tag(3, LEN)
          .bytes(recordMessage((r) => r.tag(1, LEN).string('0').tag(3, LEN).bytes(bytes('x')))),
      ),
      'a record without partition_key_index': body((w) =>
        w
          .tag(1, LEN)
          .string('k')
          .tag(3, LEN)
          .bytes(recordMessage((r) => r.tag(3, LEN).bytes(bytes('x')))),
      ),
      'a record without data': body((w) =>
        w
          .tag(1, LEN)
          .string('k')
          .tag(3, LEN)
          .bytes(recordMessage((r) => r.tag(1, VARINT).uint32(0))),
      ),
      'a record field running past the record': body((w) =>
        w
          .tag(1, LEN)
          .string('k')
          .tag(3, LEN)
          .uint32(3)
          .raw(Uint8Array.of(0x08, 0x00, 0x1a, 0x05))
          .raw(bytes('hello')),
      ),
      'field number 0': Uint8Array.of(0x02, 0x00),
      'an end-group tag at the top level': Uint8Array.of(0x0c),
      'a wire type that does not exist': Uint8Array.of(0x0f),
    };
    for (const [name, protobuf] of Object.entries(cases)) {
      const result = deaggregate(envelope(protobuf));
      expect({
        name,
        kind: result.kind,
        reason: result.kind === 'corrupt' ? result.reason : undefined,
      }).toEqual({
        name,
        kind: 'corrupt',
        reason: 'bad-protobuf',
      });
    }
  });

  it('reports a key index beyond its table', () => {
    const record = (write: (r: BinaryWriter) => void) =>
      envelope(
        body((w) =>
          w.tag(1, LEN).string('k').tag(2, LEN).string('5').tag(3, LEN).bytes(recordMessage(write)),
        ),
      );
    const partition = deaggregate(record((r) => r.tag(1, VARINT).uint32(1).tag(3, LEN).bytes(bytes('x'))));
    expect(partition).toEqual({
      kind: 'corrupt',
      reason: 'index-out-of-range',
      message: 'record 0 names partition key 1 of 1',
    });
    const hash = deaggregate(
      record((r) => r.tag(1, VARINT).uint32(0).tag(2, VARINT).uint32(1).tag(3, LEN).bytes(bytes('x'))),
    );
    expect(hash).toMatchObject({ kind: 'corrupt', reason: 'index-out-of-range' });
    const huge = deaggregate(
      record((r) =>
        r
          .tag(1, VARINT)
          .uint64(2n ** 64n - 1n)
          .tag(3, LEN)
          .bytes(bytes('x')),
      ),
    );
    expect(huge).toMatchObject({ kind: 'corrupt', reason: 'index-out-of-range' });
  });

  it('reads what other valid writers may write: tables after records, tags, unknown fields', () => {
    const aggregate = envelope(
      body((w) =>
        w
          .tag(3, LEN)
          .bytes(
            recordMessage((r) =>
              r
                .tag(3, LEN)
                .bytes(bytes('late fields'))
                .tag(4, LEN)
                .bytes(body((t) => t.tag(1, LEN).string('tag').tag(2, LEN).string('value')))
                .tag(9, VARINT)
                .uint32(1)
                .tag(1, VARINT)
                .uint32(0),
            ),
          )
          .tag(7, LEN)
          .string('an unknown field')
          .tag(1, LEN)
          .string('key'),
      ),
    );
    expect(deaggregate(aggregate)).toEqual({
      kind: 'aggregate',
      records: [{ partitionKey: 'key', explicitHashKey: undefined, data: bytes('late fields'), index: 0 }],
    });
  });

  it('stops at nested groups 100 deep instead of recursing without bound', () => {
    const depth = 100_000;
    const nested = new Uint8Array(depth * 2);
    nested.fill(0x4b, 0, depth); // field 9, start group
    nested.fill(0x4c, depth); // field 9, end group
    expect(deaggregate(envelope(nested))).toMatchObject({ kind: 'corrupt', reason: 'bad-protobuf' });
  });

  it('never throws on random bytes or damaged aggregates behind a valid digest', () => {
    const random = seededRandom(5);
    const int = (below: number) => Math.floor(random() * below);
    // The records that fit an aggregate of 4,000 bytes (the generator mixes in some of 16 KB).
    const fitting = randomRecords(random, 200, { maxDataBytes: 200 }).filter(
      (record) => record.data.length <= 3_000,
    );
    const valid = aggregatesOf(fitting, 4_000).map((aggregate) => aggregate.data);
    const kinds = new Set<string>();
    for (let round = 0; round < 3_000; round += 1) {
      let protobuf: Uint8Array;
      if (round % 2 === 0) {
        protobuf = Uint8Array.from({ length: int(200) }, () => int(256));
      } else {
        const source = valid[round % valid.length] as Uint8Array;
        protobuf = Uint8Array.from(source.subarray(4, source.length - 16));
        for (let flips = 1 + int(4); flips > 0; flips -= 1) protobuf[int(protobuf.length)] = int(256);
        if (int(4) === 0) protobuf = protobuf.subarray(0, int(protobuf.length));
      }
      const result = deaggregate(envelope(protobuf));
      kinds.add(result.kind === 'corrupt' ? result.reason : result.kind);
    }
    // Both outcomes occur: the generator does reach the parser's failure paths and its success path.
    expect(kinds).toContain('bad-protobuf');
    expect(kinds).toContain('aggregate');
  });
});
