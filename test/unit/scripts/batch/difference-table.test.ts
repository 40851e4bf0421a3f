import { describe, expect, it } from 'vitest';
import { differenceTable } from '../../../../scripts/batch/difference-table.js';

describe('the difference table', () => {
  it('lines up the five columns under a header, and cuts long values', () => {
    const table = differenceTable([
      { dimension: 'author', key: 'person_7', field: 'commits', hot: '331', batch: '330' },
      { dimension: 'ledger', key: 'x'.repeat(60), field: 'counted', hot: 'yes', batch: 'no' },
    ]);
    const [header, rule, first, second] = table.split('\n');
    expect(header).toMatch(/^dimension\s+key\s+field\s+hot\s+batch$/);
    expect(rule).toMatch(/^-+( +-+){4}$/);
    expect(first).toMatch(/^author\s+person_7\s+commits\s+331\s+330$/);
    expect(second).toContain(`${'x'.repeat(47)}…`);
    expect(first?.indexOf('commits')).toBe(header?.indexOf('field'));
  });

  it('is empty without differences', () => {
    expect(differenceTable([])).toBe('');
  });
});
