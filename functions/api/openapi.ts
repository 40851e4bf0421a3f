/**
 * The OpenAPI 3.0 document of the read API. Response schemas are generated from the read model
 * (`read-model.ts`) and parameter schemas from the query parameters' own zod schemas
 * (`query-params.ts`), with `z.toJSONSchema`; this module only adds the paths, so documented shapes,
 * limits and enumerations cannot drift from what is served and enforced.
 */
import { z } from 'zod';
import { settings } from '../shared/settings.js';
import { DIMENSIONS } from '../shared/vocabulary.js';
import { QUERY_PARAMETERS, type QueryParameterName, TIMELINE_PAGE_SIZE } from './query-params.js';
import { GROUP_KEY_DESCRIPTIONS, GROUP_NAMES, namedSchemas } from './read-model.js';

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
  /** Anything else JSON Schema allows (the generator may emit more keywords). */
  [keyword: string]: unknown;
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

const { windowSeconds } = settings.analytics;

const ref = (kind: 'schemas' | 'parameters' | 'responses', name: string): ReferenceObject => ({
  $ref: `#/components/${kind}/${name}`,
});

const json = (schema: SchemaObject | ReferenceObject) => ({ 'application/json': { schema } });

/** OpenAPI 3.0 has no `$id`, and `date-time` says what the generated pattern says. */
function toOpenApiSchema(schema: Record<string, unknown>): SchemaObject {
  const { $id: _id, ...rest } = schema;
  return rest as SchemaObject;
}

/** The read model's named schemas, as `components.schemas`, with references between them. */
function componentSchemas(): Record<string, SchemaObject> {
  const registry = z.registry<{ id: string }>();
  for (const schema of namedSchemas) {
    const id = z.globalRegistry.get(schema)?.id;
    if (id === undefined) throw new Error('every named schema of the read model needs an id');
    registry.add(schema, { id });
  }
  const generated = z.toJSONSchema(registry, {
    target: 'openapi-3.0',
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas;
  const schemas: Record<string, SchemaObject> = Object.fromEntries(
    Object.entries(generated).map(([id, schema]) => [id, toOpenApiSchema(schema as Record<string, unknown>)]),
  );
  schemas.OpenApiDocument = { type: 'object', description: 'This document' };
  return schemas;
}

function queryParameter(name: QueryParameterName): ParameterObject {
  const { value, description } = QUERY_PARAMETERS[name];
  const schema = toOpenApiSchema(z.toJSONSchema(value, { target: 'openapi-3.0', io: 'input' }));
  // The wire name of the timeline's page size is `limit` too; only its bounds differ.
  return { name: name === 'timelineLimit' ? 'limit' : name, in: 'query', description, schema };
}

const schemas = componentSchemas();

const parameters = Object.fromEntries(
  (Object.keys(QUERY_PARAMETERS) as QueryParameterName[]).map((name) => [name, queryParameter(name)]),
) as Record<QueryParameterName, ParameterObject>;

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
  const { collection, item, page, label } = GROUP_NAMES[dimension];
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
          description: `${GROUP_KEY_DESCRIPTIONS[dimension]}. Percent-encode it (a \`/\` as %2F); malformed encoding is a 400.`,
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
