import { describe, expect, it } from 'vitest';
import { DataApiError } from '../../../../local/data-api/errors.js';
import { parseNamedParameters } from '../../../../local/data-api/named-parameters.js';
import { bindParameters } from '../../../../local/data-api/parameter-binding.js';
import type { NamedParameter, ParameterValue, TypeHint } from '../../../../local/data-api/wire-types.js';

function bind(sql: string, parameters: NamedParameter[]) {
  return bindParameters(parseNamedParameters(sql), parameters);
}

function hinted(value: string, typeHint: TypeHint): ParameterValue {
  return { kind: 'string', value, typeHint };
}

function badRequestOf(action: () => unknown): DataApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof DataApiError) return error;
    throw error;
  }
  throw new Error('expected a DataApiError');
}

describe('bindParameters', () => {
  it('casts each value to the type AWS sends, leaving null untyped', () => {
    const bound = bind('SELECT :s, :l, :d, :b, :blob, :n', [
      { name: 's', value: { kind: 'string', value: 'x' } },
      { name: 'l', value: { kind: 'long', value: 42 } },
      { name: 'd', value: { kind: 'double', value: 1.5 } },
      { name: 'b', value: { kind: 'boolean', value: false } },
      { name: 'blob', value: { kind: 'blob', value: Buffer.from([1]) } },
      { name: 'n', value: { kind: 'null' } },
    ]);

    expect(bound.text).toBe('SELECT ($1::varchar), ($2::int8), ($3::float8), ($4::bool), ($5::bytea), $6');
    expect(bound.values).toEqual(['x', '42', '1.5', 'false', Buffer.from([1]), null]);
  });

  it('maps type hints to their PostgreSQL types', () => {
    const bound = bind('SELECT :u, :dec, :d, :t, :ts, :j', [
      { name: 'u', value: hinted('6f1c2b8e-3d4a-4e5f-9a0b-1c2d3e4f5a6b', 'UUID') },
      { name: 'dec', value: hinted('-1.50', 'DECIMAL') },
      { name: 'd', value: hinted('2024-02-29', 'DATE') },
      { name: 't', value: hinted('23:59:59.999', 'TIME') },
      { name: 'ts', value: hinted('2024-01-02 03:04:05', 'TIMESTAMP') },
      { name: 'j', value: hinted('{"a":1}', 'JSON') },
    ]);

    expect(bound.text).toBe(
      'SELECT ($1::uuid), ($2::numeric), ($3::date), ($4::time), ($5::timestamp), ($6::json)',
    );
  });

  it('uses one placeholder for a name referenced several times', () => {
    const bound = bind('SELECT :a, :b, :a', [
      { name: 'a', value: { kind: 'long', value: 1 } },
      { name: 'b', value: { kind: 'long', value: 2 } },
    ]);

    expect(bound.text).toBe('SELECT ($1::int8), ($2::int8), ($1::int8)');
    expect(bound.values).toEqual(['1', '2']);
  });

  it('keeps a cast written after the parameter', () => {
    const bound = bind('SELECT :id::uuid', [{ name: 'id', value: { kind: 'string', value: 'x' } }]);

    expect(bound.text).toBe('SELECT ($1::varchar)::uuid');
  });

  it('refuses a referenced parameter that was not supplied', () => {
    const error = badRequestOf(() => bind('SELECT :missing', []));

    expect(error.code).toBe('BadRequestException');
    expect(error.message).toContain(':missing');
  });

  it('refuses a parameter name supplied twice', () => {
    const value: ParameterValue = { kind: 'long', value: 1 };

    expect(
      badRequestOf(() =>
        bind('SELECT :a', [
          { name: 'a', value },
          { name: 'a', value },
        ]),
      ).code,
    ).toBe('BadRequestException');
  });

  it('refuses positional $n parameters', () => {
    expect(badRequestOf(() => bind('SELECT $1', [])).message).toContain('Positional parameters');
  });

  it.each<[TypeHint, string]>([
    ['UUID', 'not-a-uuid'],
    ['DECIMAL', '1,5'],
    ['DATE', '2023-02-29'],
    ['DATE', '2024-1-2'],
    ['TIME', '24:00:00'],
    ['TIME', '12:00'],
    ['TIMESTAMP', '2024-01-02T03:04:05'],
    ['TIMESTAMP', '2024-01-02 03:04:05+00'],
  ])('refuses %s value %j in the wrong format', (hint, value) => {
    const error = badRequestOf(() => bind('SELECT :v', [{ name: 'v', value: hinted(value, hint) }]));

    expect(error.code).toBe('BadRequestException');
    expect(error.message).toContain(`typeHint ${hint}`);
  });
});
