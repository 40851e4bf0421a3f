import { describe, expect, it } from 'vitest';
import { builtInType, type PgType } from '../../../../local/data-api/pg-types.js';
import {
  DEFAULT_RESULT_SET_OPTIONS,
  decodeByteaHex,
  fieldToJson,
  parseArrayLiteral,
  timestamptzToUtc,
  toField,
} from '../../../../local/data-api/result-mapping.js';

/** OIDs of the built-in types used below. */
const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int4: 23,
  text: 25,
  float8: 701,
  timestamptz: 1184,
  numeric: 1700,
};
const ARRAY_OID = { int4: 1007, text: 1009, timestamptz: 1185 };

function column(oid: number, typeModifier = -1) {
  return { type: builtInType(oid) as PgType, typeModifier };
}

describe('toField', () => {
  it.each([
    ['int4', OID.int4, '42', { longValue: 42 }],
    ['int8', OID.int8, '-9007199254740991', { longValue: -9007199254740991 }],
    ['float8', OID.float8, '1e+21', { doubleValue: 1e21 }],
    ['float8 NaN', OID.float8, 'NaN', { stringValue: 'NaN' }],
    ['numeric', OID.numeric, '19.990', { stringValue: '19.990' }],
    ['bool', OID.bool, 'f', { booleanValue: false }],
    ['bytea', OID.bytea, '\\x00ff', { blobValue: 'AP8=' }],
    ['timestamptz', OID.timestamptz, '2021-03-10 22:41:04.12+02', { stringValue: '2021-03-10 20:41:04.12' }],
    ['text', OID.text, 'hello', { stringValue: 'hello' }],
    ['int4[]', ARRAY_OID.int4, '{1,NULL,3}', { arrayValue: { longValues: [1, null, 3] } }],
    [
      'text[]',
      ARRAY_OID.text,
      '{a,"b,c","NULL",NULL}',
      { arrayValue: { stringValues: ['a', 'b,c', 'NULL', null] } },
    ],
    [
      'timestamptz[]',
      ARRAY_OID.timestamptz,
      '{"2024-01-01 00:30:00-01"}',
      { arrayValue: { stringValues: ['2024-01-01 01:30:00'] } },
    ],
  ])('maps %s text to the Field member AWS uses', (_, oid, raw, expected) => {
    expect(toField(raw, column(oid), DEFAULT_RESULT_SET_OPTIONS)).toEqual(expected);
  });

  it('maps SQL NULL to isNull for every type', () => {
    expect(toField(null, column(OID.int4), DEFAULT_RESULT_SET_OPTIONS)).toEqual({ isNull: true });
  });

  it('returns longs as strings with longReturnType STRING', () => {
    const options = { ...DEFAULT_RESULT_SET_OPTIONS, longReturnType: 'STRING' as const };

    expect(toField('9223372036854775807', column(OID.int8), options)).toEqual({
      stringValue: '9223372036854775807',
    });
  });

  it('returns decimals as long or double by scale with decimalReturnType DOUBLE_OR_LONG', () => {
    const options = { ...DEFAULT_RESULT_SET_OPTIONS, decimalReturnType: 'DOUBLE_OR_LONG' as const };
    const numericTypmod = (precision: number, scale: number) => ((precision << 16) | scale) + 4;

    expect(toField('12', column(OID.numeric, numericTypmod(5, 0)), options)).toEqual({ longValue: 12 });
    expect(toField('1.25', column(OID.numeric, numericTypmod(5, 2)), options)).toEqual({ doubleValue: 1.25 });
    expect(toField('1.5', column(OID.numeric), options)).toEqual({ doubleValue: 1.5 });
  });
});

describe('parseArrayLiteral', () => {
  it('parses empty arrays, quoted elements with escapes and explicit bounds', () => {
    expect(parseArrayLiteral('{}')).toEqual([]);
    expect(parseArrayLiteral('{"a\\"b","c\\\\d"}')).toEqual(['a"b', 'c\\d']);
    expect(parseArrayLiteral('[0:1]={x,y}')).toEqual(['x', 'y']);
  });

  it('refuses multidimensional arrays with UnsupportedResultException', () => {
    expect(() => parseArrayLiteral('{{1,2},{3,4}}')).toThrow(
      expect.objectContaining({ code: 'UnsupportedResultException' }),
    );
  });
});

describe('timestamptzToUtc', () => {
  it.each([
    ['2024-01-02 03:04:05+00', '2024-01-02 03:04:05'],
    ['2024-01-02 03:04:05.123456+00', '2024-01-02 03:04:05.123456'],
    ['2024-01-01 01:00:00+05:30', '2023-12-31 19:30:00'],
    ['2024-02-28 23:00:00-01', '2024-02-29 00:00:00'],
    ['0099-06-01 00:00:00+00', '0099-06-01 00:00:00'],
    ['infinity', 'infinity'],
  ])('rewrites %s as %s', (input, expected) => {
    expect(timestamptzToUtc(input)).toBe(expected);
  });
});

describe('decodeByteaHex and fieldToJson', () => {
  it('decodes bytea hex output', () => {
    expect([...decodeByteaHex('\\x0a0b')]).toEqual([10, 11]);
  });

  it('gives the plain JSON value of a Field', () => {
    expect(fieldToJson({ isNull: true })).toBeNull();
    expect(fieldToJson({ longValue: 1 })).toBe(1);
    expect(fieldToJson({ arrayValue: { stringValues: ['a'] } })).toEqual(['a']);
  });
});
