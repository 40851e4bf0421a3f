/**
 * Binds Data API parameters to a parsed statement with AWS's strict typing.
 *
 * Aurora's Data API sends a `stringValue` as `varchar`, so `uuid_col = :s` fails there unless the SQL
 * casts. Plain node-postgres would send it untyped and let PostgreSQL infer `uuid`, hiding that bug;
 * every placeholder therefore carries an explicit cast, except `isNull`, which AWS sends untyped.
 */
import { badRequest } from './errors.js';
import type { ParsedSql } from './named-parameters.js';
import type { NamedParameter, ParameterValue, TypeHint } from './wire-types.js';

/** A statement ready for `pg`: `$n` placeholders and their values. */
export interface BoundStatement {
  readonly text: string;
  readonly values: readonly (string | Buffer | null)[];
}

const CAST_BY_KIND = {
  string: 'varchar',
  long: 'int8',
  double: 'float8',
  boolean: 'bool',
  blob: 'bytea',
} as const;

const CAST_BY_HINT: Readonly<Record<TypeHint, string>> = {
  UUID: 'uuid',
  DECIMAL: 'numeric',
  DATE: 'date',
  TIME: 'time',
  TIMESTAMP: 'timestamp',
  JSON: 'json',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;

/** Formats AWS documents for hinted strings (Java's `UUID`, `BigDecimal`, `java.sql.*.valueOf`). */
const HINT_FORMAT: Readonly<
  Record<Exclude<TypeHint, 'JSON'>, { example: string; isValid(text: string): boolean }>
> = {
  UUID: { example: 'a UUID', isValid: (text) => UUID.test(text) },
  DECIMAL: { example: 'a decimal number', isValid: (text) => DECIMAL.test(text) },
  DATE: { example: 'YYYY-MM-DD', isValid: isDate },
  TIME: { example: 'HH:MM:SS[.FFF]', isValid: isTime },
  TIMESTAMP: {
    example: 'YYYY-MM-DD HH:MM:SS[.FFF]',
    isValid: (text) => text.charAt(10) === ' ' && isDate(text.slice(0, 10)) && isTime(text.slice(11)),
  },
};

/**
 * Replaces each `:name` with a typed `$n` placeholder and collects the values in `$n` order.
 *
 * A name used twice maps to one placeholder. Supplied parameters the SQL does not reference are
 * ignored; a referenced name without a parameter is a `BadRequestException`.
 *
 * @param parsed - output of `parseNamedParameters`
 * @param parameters - the request's validated parameters
 * @example
 * ```ts
 * bindParameters(parseNamedParameters('SELECT :id::uuid'), [{ name: 'id', value: { kind: 'string', value: '…' } }]);
 * // { text: 'SELECT ($1::varchar)::uuid', values: ['…'] }
 * ```
 */
export function bindParameters(parsed: ParsedSql, parameters: readonly NamedParameter[]): BoundStatement {
  if (parsed.hasPositionalParameters) {
    throw badRequest('Positional parameters ($1, $2, …) are not supported; use named parameters (:name).');
  }
  const byName = new Map<string, ParameterValue>();
  for (const parameter of parameters) {
    if (byName.has(parameter.name))
      throw badRequest(`Parameter "${parameter.name}" is specified more than once.`);
    byName.set(parameter.name, parameter.value);
  }

  const placeholders = new Map<string, string>();
  const values: (string | Buffer | null)[] = [];
  let text = parsed.parts[0] ?? '';
  parsed.references.forEach((name, index) => {
    let placeholder = placeholders.get(name);
    if (placeholder === undefined) {
      const value = byName.get(name);
      if (value === undefined) throw badRequest(`No value specified for parameter :${name}.`);
      values.push(toPgValue(name, value));
      placeholder = toPlaceholder(values.length, value);
      placeholders.set(name, placeholder);
    }
    text += placeholder + (parsed.parts[index + 1] ?? '');
  });
  return { text, values };
}

/**
 * The typed placeholder for parameter number `position`, e.g. `($1::varchar)`.
 *
 * Parenthesised so the cast cannot merge with what follows (`:s[1]`, `FETCH FIRST :n ROWS`).
 */
export function toPlaceholder(position: number, value: ParameterValue): string {
  if (value.kind === 'null') return `$${position}`;
  const cast =
    value.kind === 'string' && value.typeHint ? CAST_BY_HINT[value.typeHint] : CAST_BY_KIND[value.kind];
  return `($${position}::${cast})`;
}

/** The text (or bytes) `pg` sends for a parameter, after checking hinted formats. */
function toPgValue(name: string, value: ParameterValue): string | Buffer | null {
  switch (value.kind) {
    case 'null':
      return null;
    case 'string':
      if (value.typeHint && value.typeHint !== 'JSON') checkHintFormat(name, value.typeHint, value.value);
      return value.value;
    case 'long':
    case 'double':
      return String(value.value);
    case 'boolean':
      return value.value ? 'true' : 'false';
    case 'blob':
      return value.value;
  }
}

function checkHintFormat(name: string, hint: Exclude<TypeHint, 'JSON'>, text: string): void {
  const format = HINT_FORMAT[hint];
  if (!format.isValid(text)) {
    throw badRequest(`Parameter "${name}" with typeHint ${hint} must be ${format.example}, got "${text}".`);
  }
}

/** A `YYYY-MM-DD` that exists (2024-02-30 does not). */
function isDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A `HH:MM:SS[.fraction]` within a day. */
function isTime(text: string): boolean {
  if (!TIME.test(text)) return false;
  const [hours, minutes, seconds] = text.slice(0, 8).split(':').map(Number) as [number, number, number];
  return hours < 24 && minutes < 60 && seconds < 60;
}
