/**
 * One serving table's rows kept in memory, each commit merged into its row by the rules of the table's
 * description: the rules the `add` statements apply in SQL (`table-statements.ts`), so the processor's
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

interface Measure {
  field: string;
  merge: Merge;
  exact: boolean;
}

type Values = Record<string, unknown>;

interface Entry {
  key: Values;
  totals: Values;
  changed: boolean;
}

export class TableTotals<T extends ServingTable, K> {
  private readonly measures: Measure[];
  private readonly entries = new Map<K, Entry>();
  private changed: Entry[] = [];

  /**
   * @param table - the description whose rules merge the rows
   * @param keyOf - the key fields of the row kept under a key (called once per row)
   * @example new TableTotals(windowStats, (windowStart: string) => ({ windowStart }))
   */
  constructor(
    table: T,
    private readonly keyOf: (key: K) => KeyOf<T>,
  ) {
    this.measures = columnsOf(table)
      .filter((column) => column.source === 'row' && column.merge !== 'key')
      .map(({ field, merge, exact }) => ({ field, merge, exact: exact === true }));
  }

  /** Merges one commit's contribution into the row kept under `key` (a new row: the contribution). */
  add(key: K, contribution: Contribution<T>): void {
    const values: Values = contribution;
    let entry = this.entries.get(key);
    if (entry) {
      mergeInto(entry.totals, values, this.measures);
    } else {
      const totals: Values = {};
      for (const { field, exact } of this.measures) {
        totals[field] = exact ? DecimalSum.of(values[field] as number) : values[field];
      }
      entry = { key: this.keyOf(key), totals, changed: false };
      this.entries.set(key, entry);
    }
    if (!entry.changed) {
      entry.changed = true;
      this.changed.push(entry);
    }
  }

  /** The rows changed since the last call (every row, the first time), which then count as unchanged. */
  takeChanges(): RowOf<T>[] {
    const rows = this.changed.map((entry) => {
      entry.changed = false;
      const row: Values = { ...entry.key };
      for (const { field, exact } of this.measures) {
        row[field] = exact
          ? formatFixedPoint((entry.totals[field] as DecimalSum).total)
          : entry.totals[field];
      }
      return row as RowOf<T>;
    });
    this.changed = [];
    return rows;
  }
}

/**
 * The rules of `columns.ts` in memory. Values compared are numbers, or instants as ISO-8601 UTC text of
 * one format, which compares in time order.
 */
function mergeInto(totals: Values, values: Values, measures: readonly Measure[]): void {
  for (const { field, merge, exact } of measures) {
    const value = values[field] as number;
    const total = totals[field] as number;
    if (merge === 'sum') {
      if (exact) (totals[field] as DecimalSum).add(value);
      else totals[field] = total + value;
    } else if ((merge === 'max' && value > total) || (merge === 'min' && value < total) || merge === 'last') {
      totals[field] = value;
    }
  }
}
