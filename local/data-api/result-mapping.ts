/**
 * Turns PostgreSQL's text output into Data API `Field`s, one member per Field.
 *
 * The pools hand over raw text (see `database-pools.ts`) so that nothing is reinterpreted in the
 * local time zone or rounded through JS numbers before the mapping below decides.
 */
import { DataApiError } from './errors.js';
import type { PgType, ValueKind } from './pg-types.js';
import type { ArrayValue, Field, ResultSetOptions } from './wire-types.js';

/** Defaults of `resultSetOptions`. */
export const DEFAULT_RESULT_SET_OPTIONS: ResultSetOptions = {
  decimalReturnType: 'STRING',
  longReturnType: 'LONG',
};

/** A result column: its resolved type and `pg`'s type modifier (numeric scale, varchar length). */
export interface ResultColumn {
  readonly type: PgType;
  readonly typeModifier: number;
}

/**
 * Maps one raw value to its `Field`.
 *
 * @param raw - PostgreSQL's text output, or `null` for SQL NULL
 * @param column - the column's type
 * @param options - the request's `resultSetOptions`
 */
export function toField(raw: string | null, column: ResultColumn, options: ResultSetOptions): Field {
  if (raw === null) return { isNull: true };
  const { type } = column;
  switch (type.kind) {
    case 'long':
      return options.longReturnType === 'STRING' ? { stringValue: raw } : { longValue: Number(raw) };
    case 'double':
      // NaN and ±Infinity have no JSON number; their text keeps the information.
      return isJsonNumber(raw) ? { doubleValue: Number(raw) } : { stringValue: raw };
    case 'decimal':
      return decimalField(raw, column.typeModifier, options);
    case 'boolean':
      return { booleanValue: raw === 't' };
    case 'bytea':
      return { blobValue: decodeByteaHex(raw).toString('base64') };
    case 'timestamptz':
      return { stringValue: timestamptzToUtc(raw) };
    case 'array':
      return { arrayValue: toArrayValue(raw, type, options) };
    default:
      return { stringValue: raw };
  }
}

/** `DOUBLE_OR_LONG` gives a long when the scale is 0, else a double; `STRING` keeps the exact text. */
function decimalField(raw: string, typeModifier: number, options: ResultSetOptions): Field {
  if (options.decimalReturnType === 'STRING' || !isJsonNumber(raw)) return { stringValue: raw };
  // Unconstrained numeric has no declared scale; the value itself decides.
  const scale = typeModifier >= 4 ? (typeModifier - 4) & 0xffff : raw.includes('.') ? 1 : 0;
  if (scale > 0) return { doubleValue: Number(raw) };
  return options.longReturnType === 'STRING' ? { stringValue: raw } : { longValue: Number(raw) };
}

function isJsonNumber(raw: string): boolean {
  return Number.isFinite(Number(raw));
}

/**
 * Converts a one-dimensional PostgreSQL array literal to an `ArrayValue`.
 * Multidimensional arrays are refused with `UnsupportedResultException`, as on AWS.
 */
function toArrayValue(raw: string, type: PgType, options: ResultSetOptions): ArrayValue {
  const element = type.element;
  const elements = parseArrayLiteral(raw);
  const kind: ValueKind = element?.kind ?? 'string';
  if (kind === 'long' && options.longReturnType !== 'STRING') {
    return { longValues: elements.map((e) => (e === null ? null : Number(e))) };
  }
  if (kind === 'double' && elements.every((e) => e === null || isJsonNumber(e))) {
    return { doubleValues: elements.map((e) => (e === null ? null : Number(e))) };
  }
  if (kind === 'boolean') return { booleanValues: elements.map((e) => (e === null ? null : e === 't')) };
  if (kind === 'timestamptz')
    return { stringValues: elements.map((e) => (e === null ? null : timestamptzToUtc(e))) };
  return { stringValues: elements };
}

/**
 * Parses PostgreSQL's text output of a one-dimensional array, e.g. `{1,NULL,"a \"b\""}`.
 *
 * @param literal - array text output (optionally with a `[lo:hi]=` bounds decoration)
 * @returns the elements, `null` for unquoted `NULL`
 * @throws DataApiError `UnsupportedResultException` for nested (multidimensional) arrays
 */
export function parseArrayLiteral(literal: string): (string | null)[] {
  const body = literal.startsWith('[') ? literal.slice(literal.indexOf('=') + 1) : literal;
  if (!body.startsWith('{') || !body.endsWith('}')) {
    throw new DataApiError('UnsupportedResultException', `Unsupported array value: ${literal.slice(0, 100)}`);
  }
  const elements: (string | null)[] = [];
  let i = 1;
  const end = body.length - 1;
  if (i === end) return elements;
  while (i <= end) {
    const char = body.charAt(i);
    if (char === '{') {
      throw new DataApiError('UnsupportedResultException', 'Multidimensional arrays are not supported.');
    }
    let value = '';
    if (char === '"') {
      i += 1;
      while (i < end && body.charAt(i) !== '"') {
        if (body.charAt(i) === '\\') i += 1;
        value += body.charAt(i);
        i += 1;
      }
      i += 1;
      elements.push(value);
    } else {
      while (i < end && body.charAt(i) !== ',') {
        value += body.charAt(i);
        i += 1;
      }
      const trimmed = value.trim();
      elements.push(trimmed.toUpperCase() === 'NULL' ? null : trimmed);
    }
    i += 1; // the delimiter, or the closing brace
  }
  return elements;
}

/**
 * Decodes `bytea` hex output (`\x0102…`).
 *
 * @param text - bytea text output; the pools set `bytea_output = hex`
 */
export function decodeByteaHex(text: string): Buffer {
  return Buffer.from(text.startsWith('\\x') ? text.slice(2) : text, 'hex');
}

const TIMESTAMPTZ =
  /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)?([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?$/;

/**
 * Rewrites a `timestamptz` text value in UTC without offset, as Aurora's Data API returns it:
 * `2021-03-10 22:41:04.12+02` becomes `2021-03-10 20:41:04.12`.
 *
 * @param text - timestamptz output in ISO DateStyle; `infinity` and BC dates pass through unchanged
 */
export function timestamptzToUtc(text: string): string {
  const match = TIMESTAMPTZ.exec(text);
  if (!match) return text;
  const [
    ,
    year,
    month,
    day,
    hour,
    minute,
    second,
    fraction = '',
    sign,
    offsetH,
    offsetM = '0',
    offsetS = '0',
  ] = match as unknown as string[];
  const offsetSeconds =
    (sign === '-' ? -1 : 1) * (Number(offsetH) * 3600 + Number(offsetM) * 60 + Number(offsetS));
  const local = new Date(0);
  local.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  local.setUTCHours(Number(hour), Number(minute), Number(second) - offsetSeconds, 0);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}`
  );
}

/**
 * The plain JSON value of a `Field`, for `formatRecordsAs: JSON`.
 *
 * @param field - a mapped result value
 */
export function fieldToJson(field: Field): unknown {
  if ('isNull' in field) return null;
  if ('arrayValue' in field) return Object.values(field.arrayValue)[0] ?? [];
  return Object.values(field)[0];
}
