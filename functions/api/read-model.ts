/**
 * The read model, described once: every response shape of the API as a zod schema. The TypeScript
 * types below, the parsing of database rows (`data-api/row-reader.ts`), the OpenAPI document
 * (`openapi.ts`) and the dashboard's code (type imports only) all derive from these schemas.
 *
 * Instants are ISO 8601 text in UTC with milliseconds, as the SQL renders them; they are documented
 * as `date-time` but read as text, so that a row stored before the event-time bounds existed (a year
 * beyond 9999 renders with five digits) is still served rather than failing the whole page.
 */
import { z } from 'zod';
import { settings } from '../shared/settings.js';
import { DIMENSIONS, type Dimension, SUSPICION_REASONS } from '../shared/vocabulary.js';

import { COLLECTIONS } from './listing-vocabulary.js';

export { GROUP_SORTS, type GroupSort, SORT_ORDERS, type SortOrder } from './listing-vocabulary.js';

/** Public error codes, as `httpStatusOf` and the handler produce them. */
export const ERROR_CODES = [
  'BadRequest',
  'NotFound',
  'MethodNotAllowed',
  'InternalError',
  'ServiceUnavailable',
] as const;

const count = (description: string) => z.int().min(0).meta({ format: 'int64', description });
const entropy = (description: string) => z.number().min(0).max(1).meta({ format: 'double', description });
const instant = (description: string) =>
  z.string().meta({
    format: 'date-time',
    description: `${description} (ISO 8601, UTC, milliseconds)`,
    example: '2024-01-01T00:05:00.000Z',
  });

export const healthSchema = z.object({ status: z.enum(['ok', 'unavailable']) }).meta({ id: 'Health' });

export const errorBodySchema = z
  .object({
    error: z.enum(ERROR_CODES).meta({ description: 'Error code', example: 'BadRequest' }),
    message: z.string().meta({ description: 'What went wrong; never a stack trace' }),
  })
  .meta({ id: 'Error' });

export const summarySchema = z
  .object({
    commits: count('Distinct commits'),
    authors: count('Distinct authors'),
    linesAdded: count('Sum of lines added'),
    linesDeleted: count('Sum of lines deleted'),
    avgEntropy: entropy('Sum of entropy / commits; null when there are no commits').nullable(),
    suspiciousCommits: count('Commits flagged for at least one reason'),
    firstEventTime: instant('Earliest commit event time; null when empty').nullable(),
    lastEventTime: instant('Latest commit event time; null when empty').nullable(),
    lastIngestedAt: instant('When the aggregates last changed; null when empty').nullable(),
  })
  .meta({ id: 'Summary' });

/** The numbers of one author, module or language (everything but its key). */
const groupNumbersShape = {
  commits: count('Distinct commits'),
  linesAdded: count('Sum of lines added'),
  linesDeleted: count('Sum of lines deleted'),
  avgEntropy: entropy('Sum of entropy / commits; null only if commits is 0').nullable(),
  maxEntropy: entropy('Highest entropy of one commit'),
  suspiciousCommits: count('Commits flagged for at least one reason'),
  firstEventTime: instant('Earliest commit event time'),
  lastEventTime: instant('Latest commit event time'),
};

/** A group as the repository returns it, keyed by `key` whatever its dimension. */
export const groupStatsSchema = z.object({ key: z.string(), ...groupNumbersShape });

/** Per dimension: the collection path segment, schema names and label. */
export const GROUP_NAMES: Readonly<
  Record<Dimension, { collection: string; item: string; page: string; label: string }>
> = {
  author: { collection: COLLECTIONS.author, item: 'AuthorStats', page: 'AuthorStatsPage', label: 'Authors' },
  module: { collection: COLLECTIONS.module, item: 'ModuleStats', page: 'ModuleStatsPage', label: 'Modules' },
  language: {
    collection: COLLECTIONS.language,
    item: 'LanguageStats',
    page: 'LanguageStatsPage',
    label: 'Languages',
  },
};

export const GROUP_KEY_DESCRIPTIONS: Readonly<Record<Dimension, string>> = {
  author: 'Author name, e.g. person_1',
  module: 'First two directories of the file path, e.g. /security/auth; (none) when there are fewer',
  language: 'Lower-cased file extension, e.g. py; (none) when there is none',
};

function groupItemSchema<D extends Dimension>(dimension: D) {
  const key = { [dimension]: z.string().meta({ description: GROUP_KEY_DESCRIPTIONS[dimension] }) } as {
    [K in D]: z.ZodString;
  };
  return z.object({ ...key, ...groupNumbersShape }).meta({ id: GROUP_NAMES[dimension].item });
}

function groupPageSchema<D extends Dimension>(dimension: D, item: ReturnType<typeof groupItemSchema<D>>) {
  return z
    .object({
      items: z.array(item),
      total: count(`Number of ${GROUP_NAMES[dimension].collection}, regardless of paging`),
      limit: z.int().min(1).max(settings.api.maxPageSize).meta({ description: 'The page size used' }),
      offset: z.int().min(0).meta({ description: 'The offset used' }),
    })
    .meta({ id: GROUP_NAMES[dimension].page });
}

const authorStatsSchema = groupItemSchema('author');
const moduleStatsSchema = groupItemSchema('module');
const languageStatsSchema = groupItemSchema('language');

/** The item schema of each dimension: its key under the dimension's name. */
export const groupItemSchemas = {
  author: authorStatsSchema,
  module: moduleStatsSchema,
  language: languageStatsSchema,
} as const;

export const groupPageSchemas = {
  author: groupPageSchema('author', authorStatsSchema),
  module: groupPageSchema('module', moduleStatsSchema),
  language: groupPageSchema('language', languageStatsSchema),
} as const;

export const timelineWindowSchema = z
  .object({
    windowStart: instant('Start of the window (inclusive)'),
    commits: count('Commits whose event time falls in the window'),
    linesAdded: count('Sum of lines added'),
    linesDeleted: count('Sum of lines deleted'),
    avgEntropy: entropy('Sum of entropy / commits; null only if commits is 0').nullable(),
    suspiciousCommits: count('Commits flagged for at least one reason'),
  })
  .meta({ id: 'TimelineWindow' });

export const timelineSchema = z
  .object({
    windowSeconds: z.int().min(1).meta({
      description: 'Length of every window in seconds',
      example: settings.analytics.windowSeconds,
    }),
    items: z.array(timelineWindowSchema),
    nextFrom: instant(
      'Pass as `from` (with the same `to`) to get the next page; null when this page is the last',
    ).nullable(),
  })
  .meta({ id: 'Timeline' });

export const suspiciousCommitSchema = z
  .object({
    commitId: z.string().meta({ example: 'c_0009000' }),
    author: z.string().meta({ example: 'person_48' }),
    filePath: z.string().meta({ example: '/frontend/admin/service/train_107152.js' }),
    entropy: entropy('Entropy of the commit'),
    linesAdded: count('Lines added'),
    linesDeleted: count('Lines deleted'),
    eventTime: instant('Event time of the commit'),
    reason: z.enum(SUSPICION_REASONS).meta({
      description: `\`entropy\`: at or above ${settings.analytics.entropyThreshold}; \`author-outlier\`: ${settings.analytics.outlierStdDevs} standard deviations above the author's running mean`,
    }),
  })
  .meta({ id: 'SuspiciousCommit' });

export const suspiciousCommitListSchema = z
  .object({ items: z.array(suspiciousCommitSchema) })
  .meta({ id: 'SuspiciousCommitList' });

/** Every schema the OpenAPI document lists under `components.schemas`, by name. */
export const namedSchemas = [
  healthSchema,
  errorBodySchema,
  summarySchema,
  timelineWindowSchema,
  timelineSchema,
  suspiciousCommitSchema,
  suspiciousCommitListSchema,
  ...DIMENSIONS.flatMap((dimension) => [groupItemSchemas[dimension], groupPageSchemas[dimension]]),
] as const;

export type Health = z.infer<typeof healthSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;
export type Summary = z.infer<typeof summarySchema>;
export type GroupStats = z.infer<typeof groupStatsSchema>;
export type AuthorStats = z.infer<typeof authorStatsSchema>;
export type ModuleStats = z.infer<typeof moduleStatsSchema>;
export type LanguageStats = z.infer<typeof languageStatsSchema>;
export type GroupPageOf<D extends Dimension> = z.infer<(typeof groupPageSchemas)[D]>;
/** An item of any dimension, for code that handles all three alike. */
export type GroupItem = { [D in Dimension]?: string } & Omit<GroupStats, 'key'>;
/** A page of any dimension as the API answers it, for code that handles all three alike. */
export type ApiGroupPage = Omit<GroupPageOf<'author'>, 'items'> & { items: GroupItem[] };
export type TimelineWindow = z.infer<typeof timelineWindowSchema>;
export type Timeline = z.infer<typeof timelineSchema>;
export type SuspiciousCommit = z.infer<typeof suspiciousCommitSchema>;
export type SuspiciousCommitList = z.infer<typeof suspiciousCommitListSchema>;
