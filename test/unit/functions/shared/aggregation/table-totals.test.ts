import { describe, expect, it } from 'vitest';
import { column, servingTable } from '../../../../../functions/shared/aggregation/columns.js';
import { TableTotals } from '../../../../../functions/shared/aggregation/table-totals.js';

/** A table with a column of every rule. */
const sample = servingTable('sample', {
  key: column('text', 'key'),
  total: column('bigint', 'sum'),
  exact: column('numeric', 'sum', { exact: true }),
  highest: column('numeric', 'max'),
  earliest: column('timestamptz', 'min'),
  latest: column('double precision', 'last'),
  recorded: column('text', 'first'),
  writtenAt: column('timestamptz', 'last', { source: 'written' }),
});

const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second)).toISOString();

function contribution(second: number, value: number) {
  return {
    total: 1,
    exact: value,
    highest: value,
    earliest: at(second),
    latest: value,
    recorded: `r${second}`,
  };
}

describe('the totals of a table in memory', () => {
  it('merge each column by its rule: sum, exact sum, max, min, last, first', () => {
    const totals = new TableTotals(sample, (key: string) => ({ key }));
    totals.add('a', contribution(30, 0.1));
    totals.add('a', contribution(10, 0.2));
    totals.add('a', contribution(20, 0.05));
    totals.add('b', contribution(5, 0.7));

    expect(totals.takeChanges()).toEqual([
      { key: 'a', total: 3, exact: '0.35', highest: 0.2, earliest: at(10), latest: 0.05, recorded: 'r30' },
      { key: 'b', total: 1, exact: '0.7', highest: 0.7, earliest: at(5), latest: 0.7, recorded: 'r5' },
    ]);
  });

  it('hand out a row again only after it changed, with its totals so far', () => {
    const totals = new TableTotals(sample, (key: string) => ({ key }));
    totals.add('a', contribution(1, 0.1));
    totals.add('b', contribution(2, 0.2));
    totals.takeChanges();
    expect(totals.takeChanges()).toEqual([]);

    totals.add('b', contribution(3, 0.2));
    expect(totals.takeChanges()).toEqual([expect.objectContaining({ key: 'b', total: 2, exact: '0.4' })]);
  });
});
