/**
 * The API's use cases: a matched route and its query string in, a status and JSON body out.
 * Knows nothing of Lambda events; speaks to the database only through the `StatsRepository` port.
 */
import { DatabaseUnavailableError, NotFoundError } from '../shared/errors.js';
import { settings } from '../shared/settings.js';
import type { Dimension } from '../shared/vocabulary.js';
import { withServerUrl } from './openapi.js';
import {
  parseGroupListParams,
  parseSuspiciousParams,
  parseTimelineParams,
  type QueryInput,
} from './query-params.js';
import type { GroupItem, GroupStats } from './read-model.js';
import type { StatsRepository } from './stats-repository.js';

/** The routes answered with JSON (router.ts adds the dashboard's page and files). */
export type JsonRoute =
  | { name: 'health' }
  | { name: 'openapi' }
  | { name: 'summary' }
  | { name: 'groups'; dimension: Dimension }
  | { name: 'group'; dimension: Dimension; key: string }
  | { name: 'timeline' }
  | { name: 'suspicious' };

/** What an endpoint needs to know about the request besides its route. */
export interface ApiRequest {
  query: QueryInput;
  /** Absolute base URL the API was reached at, when known (for the OpenAPI `servers`). */
  serverUrl?: string | undefined;
}

export interface EndpointResult {
  statusCode: number;
  body: unknown;
  /** An error this module answered itself (e.g. a failed health check) that should still be logged. */
  problem?: unknown;
}

const ok = (body: unknown): EndpointResult => ({ statusCode: 200, body });

/**
 * Serves one route.
 *
 * @param route - the matched route
 * @param request - the query string and base URL
 * @param repository - where the aggregates are read
 * @throws BadRequestError for invalid parameters, NotFoundError for an unknown group,
 *   DatabaseUnavailableError when the database cannot be reached
 */
export async function serve(
  route: JsonRoute,
  request: ApiRequest,
  repository: StatsRepository,
): Promise<EndpointResult> {
  const { query } = request;
  switch (route.name) {
    case 'health':
      return health(repository);
    case 'openapi':
      return ok(withServerUrl(request.serverUrl));
    case 'summary':
      return ok(await repository.summary());
    case 'groups': {
      const params = parseGroupListParams(query);
      const page = await repository.listGroups(route.dimension, params);
      const items = page.items.map((group) => toGroupItem(route.dimension, group));
      return ok({ items, total: page.total, limit: params.limit, offset: params.offset });
    }
    case 'group': {
      const group = await repository.findGroup(route.dimension, route.key);
      if (!group) throw new NotFoundError(`${route.dimension} ${JSON.stringify(route.key)} not found`);
      return ok(toGroupItem(route.dimension, group));
    }
    case 'timeline': {
      const params = parseTimelineParams(query);
      const { windowSeconds } = settings.analytics;
      // One window more than asked tells whether there is a next page, and where it starts.
      const windows = await repository.timeline({ ...params, windowSeconds, limit: params.limit + 1 });
      const nextFrom = windows[params.limit]?.windowStart ?? null;
      return ok({ windowSeconds, items: windows.slice(0, params.limit), nextFrom });
    }
    case 'suspicious':
      return ok({ items: await repository.suspiciousCommits(parseSuspiciousParams(query)) });
  }
}

/** 200 `{"status":"ok"}`, or 503 `{"status":"unavailable"}` when the database cannot be reached. */
async function health(repository: StatsRepository): Promise<EndpointResult> {
  try {
    await repository.ping();
    return ok({ status: 'ok' });
  } catch (error) {
    if (!(error instanceof DatabaseUnavailableError)) throw error;
    return { statusCode: 503, body: { status: 'unavailable' }, problem: error };
  }
}

function toGroupItem(dimension: Dimension, group: GroupStats): GroupItem {
  const { key, ...numbers } = group;
  return { [dimension]: key, ...numbers };
}
