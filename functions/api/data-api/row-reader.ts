/**
 * Reads database rows into the read model: a row's columns are the schema's fields in snake_case
 * (`linesAdded` ← `lines_added`), checked by the same zod schema the API documents.
 *
 * Numbers sent as text are read as numbers (node-postgres returns int8 as text); anything else that
 * departs from the schema fails loudly with a `RowShapeError` naming the column: a wrong type is a
 * bug in the SQL, not something to paper over.
 */
import type { z } from 'zod';
import { sqlNameOf } from '../../shared/aggregation/columns.js';
import type { Row, SqlValue } from '../../shared/database/data-api.js';

/** A row that does not have the shape its query promises. */
export class RowShapeError extends TypeError {
  override readonly name = 'RowShapeError';
}

interface FieldReader {
  field: string;
  column: string;
  numeric: boolean;
}

export type RowReader<T> = (row: Row) => T;

/**
 * Builds the reader of one row shape.
 *
 * @param schema - an object schema of the read model; its fields name the columns
 * @example const readSummary = rowReader(summarySchema); readSummary({ commits: '3', … })
 */
export function rowReader<S extends z.ZodObject>(schema: S): RowReader<z.output<S>> {
  const fields: FieldReader[] = Object.entries(schema.shape).map(([field, fieldSchema]) => ({
    field,
    column: sqlNameOf(field),
    // A field that accepts a number is numeric; text such as '62' is then read as 62.
    numeric: (fieldSchema as z.ZodType).safeParse(0).success,
  }));
  return (row) => {
    const input: Record<string, unknown> = {};
    for (const { field, column, numeric } of fields) {
      const value = row[column];
      if (value === undefined) throw new RowShapeError(`column ${column} is missing from the result`);
      input[field] = numeric ? asNumber(value) : value;
    }
    const result = schema.safeParse(input);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    throw new RowShapeError(`column ${sqlNameOf(field)}: ${issue?.message ?? 'unexpected value'}`);
  };
}

function asNumber(value: SqlValue): SqlValue {
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
    ? Number(value)
    : value;
}
