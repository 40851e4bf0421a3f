/**
 * One serving table's rows kept in memory, each commit merged into its row by the rules of the table's
 * description: the rules the `add` statements apply in SQL (`table-writes.ts`), so the processor's
 * batches added up in the database and the batch view's totals kept here agree by construction.
 * Exact sums run in fixed point (`DecimalSum`) and become decimal text only in the rows handed out.
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

export class TableTotals<T extends ServingTable, K> {
  private readonly measures: ReturnType<typeof columnsOf>;
  private readonly exact: string[];
  private readonly rows = new Map<K, Values>();
  private changed = new Set<Values>();

  /**
   * @param table - the description whose rules merge the rows
   * @param keyOf - the key fields of the row kept under a key (called once per row)
   * @example new TableTotals(windowStats, (windowStart: string) => ({ windowStart }))
   */
  constructor(
    table: T,
    private readonly keyOf: (key: K) => KeyOf<T>,
  ) {
    this.measures = columnsOf(table).filter((column) => column.source === 'row' && column.merge !== 'key');
    this.exact = this.measures.filter((column) => column.exact).map((column) => column.field);
  }

  /** Merges one commit's contribution into the row kept under `key` (a new row: the contribution). */
  add(key: K, contribution: Contribution<T>): void {
    const values: Values = contribution;
    let row = this.rows.get(key);
    if (!row) {
      row = { ...this.keyOf(key) };
      for (const { field, exact } of this.measures) {
        row[field] = exact ? new DecimalSum(values[field] as number) : values[field];
      }
      this.rows.set(key, row);
    } else {
      for (const { field, merge, exact } of this.measures) {
        const value = values[field] as number;
        if (merge === 'sum' && exact) (row[field] as DecimalSum).add(value);
        else if (merge === 'sum') row[field] = (row[field] as number) + value;
        else if (replaces(merge, value, row[field] as number)) row[field] = value;
      }
    }
    this.changed.add(row);
  }

  /** The rows changed since the last call (every row, the first time), which then count as unchanged. */
  takeChanges(): RowOf<T>[] {
    const rows = [...this.changed].map((row) => {
      const copy = { ...row };
      for (const field of this.exact) copy[field] = formatFixedPoint((row[field] as DecimalSum).total);
      return copy as RowOf<T>;
    });
    this.changed.clear();
    return rows;
  }
}

/**
 * Whether a value replaces the total by its column's rule. Values are numbers, or instants as ISO-8601
 * UTC text of one format, which compares in time order.
 */
function replaces(merge: Merge, value: number, total: number): boolean {
  return merge === 'last' || (merge === 'max' && value > total) || (merge === 'min' && value < total);
}
