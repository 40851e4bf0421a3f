/**
 * The OpenAPI 3.0 document of the read API, built as a typed object from the same settings and
 * enumerations the validation uses, so that documented limits cannot drift from enforced ones.
 */
import { settings } from '../shared/settings.js';
import { DIMENSIONS, type Dimension, SUSPICION_REASONS } from '../shared/vocabulary.js';
import { TIMELINE_PAGE_SIZE } from './query-params.js';
import { GROUP_SORTS, SORT_ORDERS } from './stats-repository.js';

// The subset of OpenAPI 3.0 this document uses.

export interface ReferenceObject {
  $ref: string;
}

export interface SchemaObject {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  nullable?: boolean;
  enum?: readonly string[];
  properties?: Record<string, SchemaObject | ReferenceObject>;
  required?: readonly string[];
  additionalProperties?: boolean;
  items?: SchemaObject | ReferenceObject;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  default?: string | number;
  description?: string;
  example?: unknown;
}

export interface ParameterObject {
  name: string;
  in: 'query' | 'path';
  required?: boolean;
  description?: string;
  schema: SchemaObject;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, { description?: string; schema: SchemaObject }>;
  content?: Record<string, { schema: SchemaObject | ReferenceObject }>;
}

export interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  parameters?: (ParameterObject | ReferenceObject)[];
  responses: Record<string, ResponseObject | ReferenceObject>;
}

export interface PathItemObject {
  get: OperationObject;
}

export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description: string };
  servers?: { url: string; description?: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItemObject>;
  components: {
    schemas: Record<string, SchemaObject>;
    parameters: Record<string, ParameterObject>;
    responses: Record<string, ResponseObject>;
  };
}

const { defaultPageSize, maxPageSize } = settings.api;
const { windowSeconds } = settings.analytics;

const ref = (kind: 'schemas' | 'parameters' | 'responses', name: string): ReferenceObject => ({
  $ref: `#/components/${kind}/${name}`,
});

const count = (description: string): SchemaObject => ({
  type: 'integer',
  format: 'int64',
  minimum: 0,
  description,
});
const entropy = (description: string, nullable = false): SchemaObject => ({
  type: 'number',
  format: 'double',
  minimum: 0,
  maximum: 1,
  ...(nullable ? { nullable } : {}),
  description,
});
const instant = (description: string, nullable = false): SchemaObject => ({
  type: 'string',
  format: 'date-time',
  ...(nullable ? { nullable } : {}),
  description: `${description} (ISO 8601, UTC, milliseconds)`,
  example: '2024-01-01T00:05:00.000Z',
});
const object = (properties: Record<string, SchemaObject | ReferenceObject>): SchemaObject => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});
const arrayOf = (item: string): SchemaObject => ({ type: 'array', items: ref('schemas', item) });

const json = (schema: SchemaObject | ReferenceObject) => ({ 'application/json': { schema } });

/** Per dimension: collection path segment, schema names, tag. */
const GROUPS: Readonly<Record<Dimension, { collection: string; item: string; page: string; label: string }>> =
  {
    author: { collection: 'authors', item: 'AuthorStats', page: 'AuthorStatsPage', label: 'Authors' },
    module: { collection: 'modules', item: 'ModuleStats', page: 'ModuleStatsPage', label: 'Modules' },
    language: {
      collection: 'languages',
      item: 'LanguageStats',
      page: 'LanguageStatsPage',
      label: 'Languages',
    },
  };

const KEY_DESCRIPTIONS: Readonly<Record<Dimension, string>> = {
  author: 'Author name, e.g. person_1',
  module: 'First two directories of the file path, e.g. /security/auth; (none) when there are fewer',
  language: 'Lower-cased file extension, e.g. py; (none) when there is none',
};

function groupStatsSchema(dimension: Dimension): SchemaObject {
  return object({
    [dimension]: { type: 'string', description: KEY_DESCRIPTIONS[dimension] },
    commits: count('Distinct commits'),
    linesAdded: count('Sum of lines added'),
    linesDeleted: count('Sum of lines deleted'),
    avgEntropy: entropy('Sum of entropy / commits; null only if commits is 0', true),
    maxEntropy: entropy('Highest entropy of one commit'),
    suspiciousCommits: count('Commits flagged for at least one reason'),
    firstEventTime: instant('Earliest commit event time'),
    lastEventTime: instant('Latest commit event time'),
  });
}

function groupPageSchema(dimension: Dimension): SchemaObject {
  return object({
    items: arrayOf(GROUPS[dimension].item),
    total: count(`Number of ${GROUPS[dimension].collection}, regardless of paging`),
    limit: { type: 'integer', minimum: 1, maximum: maxPageSize, description: 'The page size used' },
    offset: { type: 'integer', minimum: 0, description: 'The offset used' },
  });
}

const schemas: Record<string, SchemaObject> = {
  Health: object({ status: { type: 'string', enum: ['ok', 'unavailable'] } }),
  Error: object({
    error: {
      type: 'string',
      description: 'Error code',
      example: 'BadRequest',
      enum: ['BadRequest', 'NotFound', 'MethodNotAllowed', 'InternalError', 'ServiceUnavailable'],
    },
    message: { type: 'string', description: 'What went wrong; never a stack trace' },
  }),
  Summary: object({
    commits: count('Distinct commits'),
    authors: count('Distinct authors'),
    linesAdded: count('Sum of lines added'),
    linesDeleted: count('Sum of lines deleted'),
    avgEntropy: entropy('Sum of entropy / commits; null when there are no commits', true),
    suspiciousCommits: count('Commits flagged for at least one reason'),
    firstEventTime: instant('Earliest commit event time; null when empty', true),
    lastEventTime: instant('Latest commit event time; null when empty', true),
    lastIngestedAt: instant('When the aggregates last changed; null when empty', true),
  }),
  TimelineWindow: object({
    windowStart: instant('Start of the window (inclusive)'),
    commits: count('Commits whose event time falls in the window'),
    linesAdded: count('Sum of lines added'),
    linesDeleted: count('Sum of lines deleted'),
    avgEntropy: entropy('Sum of entropy / commits; null only if commits is 0', true),
    suspiciousCommits: count('Commits flagged for at least one reason'),
  }),
  Timeline: object({
    windowSeconds: {
      type: 'integer',
      minimum: 1,
      description: 'Length of every window in seconds',
      example: windowSeconds,
    },
    items: arrayOf('TimelineWindow'),
    nextFrom: instant(
      'Pass as `from` (with the same `to`) to get the next page; null when this page is the last',
      true,
    ),
  }),
  SuspiciousCommit: object({
    commitId: { type: 'string', example: 'c_0009000' },
    author: { type: 'string', example: 'person_48' },
    filePath: { type: 'string', example: '/frontend/admin/service/train_107152.js' },
    entropy: entropy('Entropy of the commit'),
    linesAdded: count('Lines added'),
    linesDeleted: count('Lines deleted'),
    eventTime: instant('Event time of the commit'),
    reason: {
      type: 'string',
      enum: SUSPICION_REASONS,
      description: `\`entropy\`: at or above ${settings.analytics.entropyThreshold}; \`author-outlier\`: ${settings.analytics.outlierStdDevs} standard deviations above the author's running mean`,
    },
  }),
  SuspiciousCommitList: object({ items: arrayOf('SuspiciousCommit') }),
  OpenApiDocument: { type: 'object', description: 'This document' },
};
for (const dimension of DIMENSIONS) {
  schemas[GROUPS[dimension].item] = groupStatsSchema(dimension);
  schemas[GROUPS[dimension].page] = groupPageSchema(dimension);
}

const parameters: Record<string, ParameterObject> = {
  limit: {
    name: 'limit',
    in: 'query',
    description: 'Page size',
    schema: { type: 'integer', minimum: 1, maximum: maxPageSize, default: defaultPageSize },
  },
  offset: {
    name: 'offset',
    in: 'query',
    description: 'Items to skip',
    schema: { type: 'integer', minimum: 0, default: 0 },
  },
  sort: {
    name: 'sort',
    in: 'query',
    description:
      'Sort key: `commits`, `churn` (lines added + deleted), `avgEntropy` or `suspicious` (suspicious commits). Ties are broken by key ascending (byte order).',
    schema: { type: 'string', enum: GROUP_SORTS, default: 'commits' },
  },
  order: {
    name: 'order',
    in: 'query',
    description: 'Sort direction',
    schema: { type: 'string', enum: SORT_ORDERS, default: 'desc' },
  },
  from: {
    name: 'from',
    in: 'query',
    description:
      'Inclusive lower bound on `windowStart`: ISO 8601 date-time with `Z` or an offset, or a date (midnight UTC)',
    schema: { type: 'string', format: 'date-time', example: '2024-01-01T00:00:00Z' },
  },
  to: {
    name: 'to',
    in: 'query',
    description: 'Exclusive upper bound on `windowStart`; same format as `from`, and not before it',
    schema: { type: 'string', format: 'date-time', example: '2024-01-02T00:00:00Z' },
  },
  timelineLimit: {
    name: 'limit',
    in: 'query',
    description: `Windows per response (at most ${TIMELINE_PAGE_SIZE}); follow \`nextFrom\` for more`,
    schema: { type: 'integer', minimum: 1, maximum: TIMELINE_PAGE_SIZE, default: TIMELINE_PAGE_SIZE },
  },
  author: {
    name: 'author',
    in: 'query',
    description: 'Only commits of this author (exact match)',
    schema: { type: 'string', minLength: 1 },
  },
  reason: {
    name: 'reason',
    in: 'query',
    description: 'Only commits flagged for this reason. Without it, a commit flagged for both appears twice.',
    schema: { type: 'string', enum: SUSPICION_REASONS },
  },
};

const errorResponse = (description: string): ResponseObject => ({
  description,
  content: json(ref('schemas', 'Error')),
});

const responses: Record<string, ResponseObject> = {
  BadRequest: errorResponse('A parameter is invalid; the message names it'),
  NotFound: errorResponse('No such route or item'),
  InternalError: errorResponse('Unexpected failure; the message is generic'),
  ServiceUnavailable: errorResponse('The database cannot be reached'),
};

/** Responses every database-backed operation can give besides its own. */
const failures = { '500': ref('responses', 'InternalError'), '503': ref('responses', 'ServiceUnavailable') };

function operation(
  operationId: string,
  tag: string,
  summary: string,
  success: ReferenceObject,
  extra: Partial<Pick<OperationObject, 'description' | 'parameters'>> & { notFound?: boolean } = {},
): PathItemObject {
  const { notFound, ...rest } = extra;
  return {
    get: {
      operationId,
      summary,
      tags: [tag],
      ...rest,
      responses: {
        '200': { description: 'OK', content: json(success) },
        ...(rest.parameters?.length ? { '400': ref('responses', 'BadRequest') } : {}),
        ...(notFound ? { '404': ref('responses', 'NotFound') } : {}),
        ...failures,
      },
    },
  };
}

const paths: Record<string, PathItemObject> = {
  '/health': {
    get: {
      operationId: 'getHealth',
      summary: 'Liveness of the API and its database',
      tags: ['Service'],
      responses: {
        '200': { description: 'The database answers', content: json(ref('schemas', 'Health')) },
        '500': ref('responses', 'InternalError'),
        '503': {
          description: 'The database cannot be reached; body `{"status":"unavailable"}`',
          content: json(ref('schemas', 'Health')),
        },
      },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This OpenAPI document',
      tags: ['Service'],
      responses: { '200': { description: 'OK', content: json(ref('schemas', 'OpenApiDocument')) } },
    },
  },
  '/stats/summary': operation('getSummary', 'Stats', 'Totals over all commits', ref('schemas', 'Summary'), {
    description: 'Zeros and nulls (not an error) on an empty database.',
  }),
  '/stats/timeline': operation(
    'getTimeline',
    'Stats',
    `Aggregates per ${windowSeconds}-second event-time window`,
    ref('schemas', 'Timeline'),
    {
      description: `Windows of \`settings.analytics.windowSeconds\` (${windowSeconds} s) with \`from\` ≤ windowStart < \`to\`, oldest first. At most \`limit\` (≤ ${TIMELINE_PAGE_SIZE}) windows per response; when more match, \`nextFrom\` is where the next page starts. Windows without commits are absent.`,
      parameters: [ref('parameters', 'from'), ref('parameters', 'to'), ref('parameters', 'timelineLimit')],
    },
  ),
  '/commits/suspicious': operation(
    'listSuspiciousCommits',
    'Commits',
    'Suspicious commits, latest event first',
    ref('schemas', 'SuspiciousCommitList'),
    {
      description:
        'Ordered by event time descending, then commit id and reason ascending. One item per commit and reason.',
      parameters: [ref('parameters', 'limit'), ref('parameters', 'author'), ref('parameters', 'reason')],
    },
  ),
};
for (const dimension of DIMENSIONS) {
  const { collection, item, page, label } = GROUPS[dimension];
  paths[`/stats/${collection}`] = operation(
    `list${label}`,
    'Stats',
    `${label} with their aggregates, one page`,
    ref('schemas', page),
    {
      parameters: ['limit', 'offset', 'sort', 'order'].map((name) => ref('parameters', name)),
    },
  );
  paths[`/stats/${collection}/{${dimension}}`] = operation(
    `get${item}`,
    'Stats',
    `One ${dimension} with its aggregates`,
    ref('schemas', item),
    {
      notFound: true,
      parameters: [
        {
          name: dimension,
          in: 'path',
          required: true,
          description: `${KEY_DESCRIPTIONS[dimension]}. Percent-encode it (a \`/\` as %2F); malformed encoding is a 400.`,
          schema: { type: 'string', minLength: 1 },
        },
      ],
    },
  );
}

/** The document served at `/openapi.json` (without `servers`: see `withServerUrl`). */
export const openApiDocument: OpenApiDocument = {
  openapi: '3.0.3',
  info: {
    title: 'Infected Code statistics API',
    version: '1.0.0',
    description: [
      'Read-only aggregates of the Infected Code commit log. All responses are JSON (camelCase).',
      'Errors are `{"error": "<Code>", "message": "..."}`; unknown routes give 404, methods other than GET',
      '405 (OPTIONS preflights 204). Unknown query parameters are ignored; a known one given twice or empty is a 400.',
    ].join(' '),
  },
  tags: [
    { name: 'Stats', description: 'Aggregates by author, module, language and time window' },
    { name: 'Commits', description: 'Individual flagged commits' },
    { name: 'Service', description: 'Health and description of the API' },
  ],
  paths,
  components: { schemas, parameters, responses },
};

/**
 * The document with `servers` set to where the API was reached, so that tools calling "try it out"
 * keep the stage or base path.
 *
 * @param serverUrl - absolute base URL of the API, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod`
 */
export function withServerUrl(serverUrl: string | undefined): OpenApiDocument {
  return serverUrl === undefined ? openApiDocument : { ...openApiDocument, servers: [{ url: serverUrl }] };
}
