/**
 * One serving table's rows kept in memory, each commit merged into its row by the rules of the table's
 * description: the rules the `add` statements apply in SQL (`table-writes.ts`), so the processor's
 * batches added up in the database and the batch view's totals kept here agree by construction.
 * Exact sums run in fixed point (`DecimalSum`) and become decimal text only in the rows handed out.
 *
 * The merge runs four times per commit on both layers, so each table's description is turned once into
 * a list of small functions, one per column, that the merge runs in turn; the rows of one table are
 * made field by field in one order, so they share one shape.
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

/** Values a rule compares: numbers, or instants as ISO-8601 UTC text of one format (time order). */
type Comparable = number | string;

/** Merges one contribution's value of a column into the row's total. */
type ColumnMerge = (row: Values, contribution: Values) => void;

interface TableRules {
  /** The row's fields in column order: where each value comes from, and whether it is an exact sum. */
  fields: ReadonlyArray<{ field: string; fromKey: boolean; exact: boolean }>;
  /** One merge per column that changes when rows meet (keys and `first` columns never do). */
  merges: readonly ColumnMerge[];
  /** Fields held as `DecimalSum`. */
  exact: readonly string[];
}

export class TableTotals<T extends ServingTable, K> {
  private readonly rules: TableRules;
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
    this.rules = rulesByTable.get(table) ?? rulesOf(table);
    rulesByTable.set(table, this.rules);
  }

  /** Merges one commit's contribution into the row kept under `key` (a new row: the contribution). */
  add(key: K, contribution: Contribution<T>): void {
    let row = this.rows.get(key);
    if (row) {
      for (const merge of this.rules.merges) merge(row, contribution);
    } else {
      row = this.newRow(this.keyOf(key), contribution);
      this.rows.set(key, row);
    }
    this.changed.add(row);
  }

  /** The rows changed since the last call (every row, the first time), which then count as unchanged. */
  takeChanges(): RowOf<T>[] {
    const rows = [...this.changed].map((row) => {
      const copy = { ...row };
      for (const field of this.rules.exact) copy[field] = formatFixedPoint((row[field] as DecimalSum).total);
      return copy as RowOf<T>;
    });
    this.changed.clear();
    return rows;
  }

  /** A new row: the key's fields and one contribution, in column order. */
  private newRow(key: Values, contribution: Values): Values {
    const row: Values = {};
    for (const { field, fromKey, exact } of this.rules.fields) {
      const value = fromKey ? key[field] : contribution[field];
      row[field] = exact ? new DecimalSum(value as number) : value;
    }
    return row;
  }
}

/** Each rule as code over the row's total and the contribution's value, as `ADD` has it in SQL. */
const MERGES: Readonly<Record<Exclude<Merge, 'key' | 'first'>, (field: string) => ColumnMerge>> = {
  sum: (field) => (row, contribution) => {
    row[field] = (row[field] as number) + (contribution[field] as number);
  },
  max: (field) => (row, contribution) => {
    if ((contribution[field] as Comparable) > (row[field] as Comparable)) row[field] = contribution[field];
  },
  min: (field) => (row, contribution) => {
    if ((contribution[field] as Comparable) < (row[field] as Comparable)) row[field] = contribution[field];
  },
  last: (field) => (row, contribution) => {
    row[field] = contribution[field];
  },
};

const exactSum =
  (field: string): ColumnMerge =>
  (row, contribution) =>
    (row[field] as DecimalSum).add(contribution[field] as number);

/** Once per table: the same functions for every batch. */
const rulesByTable = new WeakMap<ServingTable, TableRules>();

function rulesOf(table: ServingTable): TableRules {
  const columns = columnsOf(table).filter((column) => column.source === 'row');
  return {
    fields: columns.map(({ field, merge, exact }) => ({
      field,
      fromKey: merge === 'key',
      exact: exact === true,
    })),
    merges: columns.flatMap(({ field, merge, exact }) => {
      if (exact) return [exactSum(field)];
      return merge === 'key' || merge === 'first' ? [] : [MERGES[merge](field)];
    }),
    exact: columns.filter((column) => column.exact).map((column) => column.field),
  };
}
