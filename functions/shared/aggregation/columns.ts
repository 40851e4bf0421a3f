/**
 * The vocabulary the serving tables are described in (`serving-tables.ts`): each column's SQL type,
 * where its value comes from, and how two rows of one key merge. The statements that write the tables,
 * the in-memory merge and the read expressions are derived from these descriptions, so a column is
 * added in one place, as a Django model or an SQLAlchemy `Table` is the one place of its table.
 */

/** A column's type as the migrations spell it; also its type in `jsonb_to_recordset`. */
export type SqlType = 'text' | 'bigint' | 'integer' | 'numeric' | 'double precision' | 'timestamptz';

/**
 * How a stored row and a new row of the same key combine: `key` identifies the row; `sum`, `max`, `min`
 * take the sum, the greater, the lesser of the two values; `last` takes the new value (a running
 * statistic carried forward); `first` keeps the stored one (a fact recorded once).
 */
export type Merge = 'key' | 'sum' | 'max' | 'min' | 'last' | 'first';

/** Where a column's value comes from: the row (a JSON field), or the time of the write (`now()`). */
export type Source = 'row' | 'written';

interface ColumnOptions {
  /** The SQL name, when it is not the field's name in snake_case. */
  readonly name?: string;
  /** @default 'row' */
  readonly source?: Source;
  /** Longest text the read side serves (the record bounds); longer stored text is cut on reading. */
  readonly maxChars?: number;
  /** A text column's vocabulary: its type in rows. */
  readonly values?: readonly string[];
  /** A `numeric` sum kept exact: decimal text in rows, fixed point in memory. */
  readonly exact?: boolean;
}

/** One column; `T` is its value's type in a row. */
export interface Column<T = unknown, S extends Source = Source, M extends Merge = Merge>
  extends Omit<ColumnOptions, 'source'> {
  readonly sqlType: SqlType;
  readonly merge: M;
  readonly source?: S;
  /** Type-level only: the value's type in a row. */
  readonly value?: T;
}

type SourceOf<O> = O extends { source: infer S extends Source } ? S : 'row';
/** A column of `O`, with `exact: true` kept in its type (an exact sum's contribution is a number). */
type Described<T, O, M extends Merge> = Column<T, SourceOf<O>, M> &
  (O extends { exact: true } ? { readonly exact: true } : unknown);
type ValueFor<Sql, O> = O extends { exact: true }
  ? string
  : Sql extends 'text'
    ? O extends { values: readonly (infer V extends string)[] }
      ? V
      : string
    : Sql extends 'timestamptz'
      ? string
      : number;

/**
 * A column of a description.
 *
 * @example column('text', 'key', { values: DIMENSIONS }); column('numeric', 'sum', { exact: true })
 */
export function column<
  const Sql extends SqlType,
  const M extends Merge,
  const O extends ColumnOptions = Record<never, never>,
>(sqlType: Sql, merge: M, options?: O): Described<ValueFor<Sql, O>, O, M> {
  return { sqlType, merge, ...options } as Described<ValueFor<Sql, O>, O, M>;
}

/** The columns of a table by field name (the JSON and TypeScript name), in the table's column order. */
export type Columns = Readonly<Record<string, Column>>;

/** A table of schema `pipeline`, described by its columns (by field name, in order, keys first). */
export interface ServingTable<N extends string = string, C extends Columns = Columns> {
  readonly name: N;
  readonly columns: C;
}

/** @returns the description, typed to its literal name and columns */
export function servingTable<const N extends string, const C extends Columns>(name: N, columns: C) {
  return { name, columns } as ServingTable<N, C>;
}

type ValueOf<C> = C extends Column<infer T> ? T : never;
type Fields<T extends ServingTable, Wanted> = {
  [K in keyof T['columns']]: T['columns'][K] extends Wanted ? K : never;
}[keyof T['columns']];
type Values<T extends ServingTable, K extends keyof T['columns']> = { [F in K]: ValueOf<T['columns'][F]> };

/** A row as the statements take it and the in-memory merge yields it: the fields the row carries. */
export type RowOf<T extends ServingTable> = Values<T, Fields<T, Column<unknown, 'row'>>>;
/** The key fields of a row. */
export type KeyOf<T extends ServingTable> = Values<T, Fields<T, Column<unknown, 'row', 'key'>>>;

/** What one commit brings to a row: every field but the keys, an exact sum's as a number (its own value). */
export type Contribution<T extends ServingTable> = {
  [K in Exclude<keyof RowOf<T>, keyof KeyOf<T>>]: T['columns'][K] extends { exact: true }
    ? number
    : RowOf<T>[K];
};

/** A column with its field name, SQL name and source resolved. */
export type NamedColumn = Column & { readonly field: string; readonly name: string; readonly source: Source };

/**
 * The SQL name of a field: the field in snake_case.
 *
 * @example sqlNameOf('linesAdded') === 'lines_added'
 */
export function sqlNameOf(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * The table's columns in order, each with its field and SQL name, and where its value comes from.
 *
 * @param table - a description
 */
export function columnsOf(table: ServingTable): NamedColumn[] {
  return Object.entries(table.columns).map(([field, described]) => ({
    source: 'row',
    ...described,
    field,
    name: described.name ?? sqlNameOf(field),
  }));
}
