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
export interface Column<T = unknown, S extends Source = Source, M extends Merge = Merge> {
  readonly sqlType: SqlType;
  readonly merge: M;
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
  /** The SQL name, when it is not the field's name in snake_case. */
  name?: string;
  /** Longest text the read side serves. */
  maxChars?: number;
}

function rowColumn<T, M extends Merge>(sqlType: SqlType, merge: M, options: ColumnOptions = {}) {
  return { sqlType, merge, source: 'row', ...options } as Column<T, 'row', M>;
}

/** Column builders, named by SQL type so that a description reads like the table's DDL. */
export const column = {
  /** @param options - `values`: the vocabulary the column holds (its type in rows) */
  text: <M extends Merge, const V extends string = string>(
    merge: M,
    options: ColumnOptions & { values?: readonly V[] } = {},
  ) => rowColumn<V, M>('text', merge, { name: options.name, maxChars: options.maxChars }),
  bigint: <M extends Merge>(merge: M, options?: ColumnOptions) =>
    rowColumn<number, M>('bigint', merge, options),
  integer: <M extends Merge>(merge: M, options?: ColumnOptions) =>
    rowColumn<number, M>('integer', merge, options),
  numeric: <M extends Merge>(merge: M, options?: ColumnOptions) =>
    rowColumn<number, M>('numeric', merge, options),
  /** A `numeric` summed exactly: binary floating point would make a sum depend on batch boundaries. */
  decimalSum: (options?: ColumnOptions) =>
    ({ ...rowColumn<string, 'sum'>('numeric', 'sum', options), exact: true }) as const,
  float8: <M extends Merge>(merge: M, options?: ColumnOptions) =>
    rowColumn<number, M>('double precision', merge, options),
  timestamptz: <M extends Merge>(merge: M, options?: ColumnOptions) =>
    rowColumn<string, M>('timestamptz', merge, options),
  /** A key column whose value the statement binds once for all its rows. */
  parameterKey: (sqlType: SqlType): Column<number, 'parameter', 'key'> => ({
    sqlType,
    merge: 'key',
    source: 'parameter',
  }),
  /** When the row was last written. */
  writtenAt: (): Column<string, 'written', 'last'> => ({
    sqlType: 'timestamptz',
    merge: 'last',
    source: 'written',
  }),
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
type FieldsWhere<C extends Columns, Wanted> = { [K in keyof C]: C[K] extends Wanted ? K : never }[keyof C];
type RowColumns<T extends ServingTable> = T['columns'];

/** A row as the statements take it and the in-memory merge yields it: the fields the row carries. */
export type RowOf<T extends ServingTable> = {
  [K in FieldsWhere<RowColumns<T>, Column<unknown, 'row'>>]: ValueOf<RowColumns<T>[K]>;
};

/** The key fields of a row. */
export type KeyOf<T extends ServingTable> = {
  [K in FieldsWhere<RowColumns<T>, Column<unknown, 'row', 'key'>>]: ValueOf<RowColumns<T>[K]>;
};

/**
 * What one commit brings to a row: its values for every field but the keys, an exact sum's as a number
 * (the commit's own value, such as its entropy).
 */
export type Contribution<T extends ServingTable> = {
  [K in Exclude<keyof RowOf<T>, keyof KeyOf<T>>]: RowColumns<T>[K] extends { exact: true }
    ? number
    : ValueOf<RowColumns<T>[K]>;
};

/** Values of the statement parameters of a table, e.g. `{ windowSeconds: 300 }`. */
export type ParametersOf<T extends ServingTable> = {
  [K in FieldsWhere<RowColumns<T>, Column<unknown, 'parameter'>>]: ValueOf<RowColumns<T>[K]>;
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
