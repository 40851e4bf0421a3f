/**
 * Comparison of the API's group items with the independent computation from the CSV, shared by the
 * integration suite (embedded runtime) and the end-to-end suite (LocalStack).
 */
import { expect } from 'vitest';
import type { ExpectedAggregates, ExpectedGroup } from './expected-aggregates.js';

export interface GroupItem {
  commits: number;
  linesAdded: number;
  linesDeleted: number;
  avgEntropy: number;
  maxEntropy: number;
  suspiciousCommits: number;
  firstEventTime: string;
  lastEventTime: string;
  [key: string]: unknown;
}

/**
 * Every item equals its independently computed group, and no group is missing or extra.
 *
 * @param items - the API's items (limit=1000: all of them)
 * @param keyField - `author`, `module` or `language`
 * @param groups - from `expectedAggregates`
 */
export function expectGroupsToMatch(
  items: GroupItem[],
  keyField: string,
  groups: Map<string, ExpectedGroup>,
): void {
  expect(items.map((item) => item[keyField]).sort()).toEqual([...groups.keys()].sort());
  for (const item of items) {
    const group = groups.get(String(item[keyField]));
    if (!group) throw new Error(`unexpected ${keyField} ${String(item[keyField])}`);
    expect(item, `${keyField} ${String(item[keyField])}`).toMatchObject({
      commits: group.commits,
      linesAdded: group.linesAdded,
      linesDeleted: group.linesDeleted,
      maxEntropy: group.maxEntropy,
      suspiciousCommits: group.suspiciousCommits,
      firstEventTime: group.firstEventTime,
      lastEventTime: group.lastEventTime,
    });
    expect(item.avgEntropy).toBeCloseTo(group.entropySum / group.commits, 9);
  }
}

/** The summary's counts equal the independent computation (average entropy to 9 digits). */
export function expectSummaryToMatch(summary: Record<string, unknown>, expected: ExpectedAggregates): void {
  expect(summary).toMatchObject({
    commits: expected.summary.commits,
    authors: expected.summary.authors,
    linesAdded: expected.summary.linesAdded,
    linesDeleted: expected.summary.linesDeleted,
    suspiciousCommits: expected.summary.suspiciousCommits,
  });
  expect(summary.avgEntropy).toBeCloseTo(expected.summary.avgEntropy, 9);
}

/** Each group dimension with its API listing (every item at limit=1000) and its expected groups. */
export function groupListings(
  expected: ExpectedAggregates,
): Array<{ keyField: 'author' | 'module' | 'language'; path: string; groups: Map<string, ExpectedGroup> }> {
  return [
    { keyField: 'author', path: 'stats/authors?limit=1000', groups: expected.authors },
    { keyField: 'module', path: 'stats/modules?limit=1000', groups: expected.modules },
    { keyField: 'language', path: 'stats/languages?limit=1000', groups: expected.languages },
  ];
}
