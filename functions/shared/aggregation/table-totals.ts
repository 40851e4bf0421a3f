/**
 * One serving table's rows kept in memory, each commit merged into its row by the rules of the table's
 * description: the rules the `add` statements apply in SQL (`table-writes.ts`), so the processor's
 * batches added up in the database and the batch view's totals kept here agree by construction.
 * Exact sums run in fixed point (`DecimalSum`) and become decimal text only in the rows handed out.
 *
 * The merge runs four times per commit on both layers, so the making of a row and the merge are
 * compiled from the description, once per table, into the code one would write by hand: rows of one
 * shape, fields named as constants. Reading and writing fields by computed name was four times slower.
 */
import {
  type Contribution,
  columnsOf,
  type KeyOf,
  type Merge,
  type RowOf,
  type ServingTable,
} from './columns.js';
import { DecimalSum, formatFixedPoint } from './decimal-sum.js';

/** A row in memory: its key fields and totals, an exact sum as a `DecimalSum`. */
type Values = Record<string, unknown>;

interface Compiled {
  /** A new row: the key's fields and one contribution. */
  start: (key: Values, contribution: Values) => Values;
  merge: (row: Values, contribution: Values) => void;
  /** Fields held as `DecimalSum`. */
  exact: string[];
}

export class TableTotals<T extends ServingTable, K> {
  private readonly compiled: Compiled;
  private readonly rows = new Map<K, Values>();
  private readonly changed = new Set<Values>();

  /**
   * @param table - the description whose rules merge the rows
   * @param keyOf - the key fields of the row kept under a key (called once per row)
   * @example new TableTotals(windowStats, (windowStart: string) => ({ windowStart }))
   */
  constructor(
    table: T,
    private readonly keyOf: (key: K) => KeyOf<T>,
  ) {
    this.compiled = compiledTables.get(table) ?? compile(table);
    compiledTables.set(table, this.compiled);
  }

  /** Merges one commit's contribution into the row kept under `key` (a new row: the contribution). */
  add(key: K, contribution: Contribution<T>): void {
    let row = this.rows.get(key);
    if (row) {
      this.compiled.merge(row, contribution);
    } else {
      row = this.compiled.start(this.keyOf(key), contribution);
      this.rows.set(key, row);
    }
    this.changed.add(row);
  }

  /** The rows changed since the last call (every row, the first time), which then count as unchanged. */
  takeChanges(): RowOf<T>[] {
    const rows = [...this.changed].map((row) => {
      const copy = { ...row };
      for (const field of this.compiled.exact)
        copy[field] = formatFixedPoint((row[field] as DecimalSum).total);
      return copy as RowOf<T>;
    });
    this.changed.clear();
    return rows;
  }
}

/**
 * Each rule as a statement over the row's total `r` and the contribution's value `c`, as `ADD` has it in
 * SQL. Values compared are numbers, or instants as ISO-8601 UTC text of one format (time order).
 */
const MERGE_JS: Readonly<Record<Exclude<Merge, 'key' | 'first'>, (r: string, c: string) => string>> = {
  sum: (r, c) => `${r} += ${c};`,
  max: (r, c) => `if (${c} > ${r}) ${r} = ${c};`,
  min: (r, c) => `if (${c} < ${r}) ${r} = ${c};`,
  last: (r, c) => `${r} = ${c};`,
};

/** Once per table: fresh functions would start without type feedback in every batch. */
const compiledTables = new WeakMap<ServingTable, Compiled>();

/** The functions of one table; field names enter the code as JSON strings only. */
function compile(table: ServingTable): Compiled {
  const columns = columnsOf(table).filter((column) => column.source === 'row');
  const name = (field: string) => JSON.stringify(field);
  const fields = columns.map(({ field, merge, exact }) => {
    const value = `${merge === 'key' ? 'key' : 'contribution'}[${name(field)}]`;
    return `${name(field)}: ${exact ? `new DecimalSum(${value})` : value}`;
  });
  const merges = columns.flatMap(({ field, merge, exact }) => {
    const [r, c] = [`row[${name(field)}]`, `contribution[${name(field)}]`];
    if (exact) return [`${r}.add(${c});`];
    return merge === 'key' || merge === 'first' ? [] : [MERGE_JS[merge](r, c)];
  });
  const start = new Function('DecimalSum', `return (key, contribution) => ({ ${fields.join(', ')} });`);
  return {
    start: start(DecimalSum) as Compiled['start'],
    merge: new Function('row', 'contribution', merges.join('\n')) as Compiled['merge'],
    exact: columns.filter((column) => column.exact).map((column) => column.field),
  };
}
