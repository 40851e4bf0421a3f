/**
 * The vocabulary the serving tables are described in (`serving-tables.ts`): each column's SQL type,
 * where its value comes from, and how two rows of one key merge. The statements that write the tables,
 * the in-memory merge and the read expressions are derived from these descriptions, so a column is
 * added in one place, as a Django model or an SQLAlchemy `Table` is the one place of its table.
 */

/** A column's type as the migrations spell it; also its type in `jsonb_to_recordset`. */
export type SqlType = 'text' | 'bigint' | 'integer' | 'numeric' | 'double precision' | 'timestamptz';

/**
 * How a stored row and a new row of the same key combine:
 * - `key`: identifies the row;
 * - `sum`, `max`, `min`: the sum, the greater, the lesser of the two values;
 * - `last`: the new value replaces the stored one (a running statistic carried forward);
 * - `first`: the stored value stays (a fact recorded once).
 */
export type Merge = 'key' | 'sum' | 'max' | 'min' | 'last' | 'first';

/**
 * Where a column's value comes from: the row (a JSON field), a parameter of the statement that all its
 * rows share (named like the field), or the time of the write (`now()`, never in a row).
 */
export type Source = 'row' | 'parameter' | 'written';

/** One column; `T` is its value's type in a row. */
export interface Column<T = unknown, S extends Source = Source> {
  readonly sqlType: SqlType;
  readonly merge: Merge;
  readonly source: S;
  /** The SQL name, when it is not the field's name in snake_case. */
  readonly name?: string;
  /** Longest text the read side serves (the record bounds); longer stored text is cut on reading. */
  readonly maxChars?: number;
  /** An exact sum: decimal text in rows (`12.3456`), fixed point in memory, `numeric` in SQL. */
  readonly exact?: boolean;
  /** Type-level only: the value's type in a row. */
  readonly value?: T;
}

interface ColumnOptions {
  name?: string;
  maxChars?: number;
}

function rowColumn<T>(sqlType: SqlType, merge: Merge, options: ColumnOptions = {}): Column<T, 'row'> {
  return { sqlType, merge, source: 'row', ...options };
}

/** Column builders, named by SQL type so that a description reads like the table's DDL. */
export const column = {
  text: <T extends string = string>(merge: Merge, options?: ColumnOptions) =>
    rowColumn<T>('text', merge, options),
  bigint: (merge: Merge, options?: ColumnOptions) => rowColumn<number>('bigint', merge, options),
  integer: (merge: Merge, options?: ColumnOptions) => rowColumn<number>('integer', merge, options),
  numeric: (merge: Merge, options?: ColumnOptions) => rowColumn<number>('numeric', merge, options),
  /** A `numeric` summed exactly: binary floating point would make a sum depend on batch boundaries. */
  decimalSum: (options?: ColumnOptions): Column<string, 'row'> => ({
    ...rowColumn<string>('numeric', 'sum', options),
    exact: true,
  }),
  float8: (merge: Merge, options?: ColumnOptions) => rowColumn<number>('double precision', merge, options),
  timestamptz: (merge: Merge, options?: ColumnOptions) => rowColumn<string>('timestamptz', merge, options),
  /** A key column whose value the statement binds once for all its rows. */
  parameterKey: (sqlType: SqlType): Column<number, 'parameter'> => ({
    sqlType,
    merge: 'key',
    source: 'parameter',
  }),
  /** When the row was last written. */
  writtenAt: (): Column<string, 'written'> => ({ sqlType: 'timestamptz', merge: 'last', source: 'written' }),
};

/** The columns of a table by field name (the JSON and TypeScript name), in the table's column order. */
export type Columns = Readonly<Record<string, Column>>;

/** A table of schema `pipeline`, described by its columns. */
export interface ServingTable<N extends string = string, C extends Columns = Columns> {
  readonly name: N;
  readonly columns: C;
}

/**
 * @param name - the table in schema `pipeline`
 * @param columns - by field name, in the table's column order, key columns first
 */
export function servingTable<const N extends string, const C extends Columns>(
  name: N,
  columns: C,
): ServingTable<N, C> {
  return { name, columns };
}

type ValueOf<C> = C extends Column<infer T, Source> ? T : never;
type FieldsFrom<C extends Columns, S extends Source> = {
  [K in keyof C]: C[K] extends Column<unknown, S> ? K : never;
}[keyof C];

/** A row as the statements take it and the in-memory merge yields it: the fields the row carries. */
export type RowOf<T extends ServingTable> = {
  [K in FieldsFrom<T['columns'], 'row'>]: ValueOf<T['columns'][K]>;
};

/** Values of the statement parameters of a table, e.g. `{ windowSeconds: 300 }`. */
export type ParametersOf<T extends ServingTable> = {
  [K in FieldsFrom<T['columns'], 'parameter'>]: ValueOf<T['columns'][K]>;
};

/** A column with its field name and SQL name resolved. */
export interface NamedColumn extends Column {
  readonly field: string;
  readonly name: string;
}

/**
 * The SQL name of a field: the field in snake_case.
 *
 * @example sqlNameOf('linesAdded') === 'lines_added'
 */
export function sqlNameOf(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * The table's columns in order, each with its field and SQL name.
 *
 * @param table - a description
 */
export function columnsOf(table: ServingTable): NamedColumn[] {
  return Object.entries(table.columns).map(([field, described]) => ({
    ...described,
    field,
    name: described.name ?? sqlNameOf(field),
  }));
}
