/**
 * The collections and sorts of the group listings. Free of zod, so that the dashboard's browser code
 * can import the same values the router and the validation use.
 */
import type { Dimension } from '../shared/vocabulary.js';

/** Dimension → its collection's path segment under `/stats/`. */
export const COLLECTIONS: Readonly<Record<Dimension, string>> = {
  author: 'authors',
  module: 'modules',
  language: 'languages',
};

/** Orders a group listing can be sorted by. */
export const GROUP_SORTS = ['commits', 'churn', 'avgEntropy', 'suspicious'] as const;
export type GroupSort = (typeof GROUP_SORTS)[number];

export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];
