/**
 * The dashboard's calls to the API, by URLs relative to the page, so the page works wherever it is
 * served (`/`, a stage such as `/prod/`, LocalStack's `/_aws/execute-api/<id>/prod/`). The response
 * types are the read model's own (type imports only: nothing of zod reaches the browser).
 */

import type { Dimension, SuspicionReason } from '../../../shared/vocabulary.js';
import { COLLECTIONS, type GroupSort, type SortOrder } from '../../listing-vocabulary.js';
import type {
  ApiGroupPage,
  ErrorBody,
  GroupItem,
  Summary,
  SuspiciousCommitList,
  Timeline,
} from '../../read-model.js';
import { CHAOS_HEADER } from '../chaos-header.js';

/** A failed call: `status` 0 when the API could not be reached at all. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Whether an answer said the embedded runtime injects faults: only then is `_local/chaos` asked. */
let chaosAnnounced = false;
export const announcesChaos = (): boolean => chaosAnnounced;

/**
 * GETs a JSON route relative to the page.
 *
 * @throws ApiError with the API's own message for an error answer
 */
export async function getJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'the API cannot be reached');
  }
  if (response.headers.has(CHAOS_HEADER)) chaosAnnounced = true;
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const message = isErrorBody(body) ? body.message : `unexpected answer (HTTP ${response.status})`;
    throw new ApiError(response.status, message);
  }
  if (body === undefined) throw new ApiError(response.status, 'the API answered without JSON');
  return body as T;
}

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === 'object' && body !== null && typeof (body as ErrorBody).message === 'string';
}

const query = (params: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
};

export interface GroupListing {
  sort: GroupSort;
  order: SortOrder;
  limit: number;
  offset: number;
}

export interface SuspiciousFilter {
  limit: number;
  author?: string | undefined;
  reason?: SuspicionReason | undefined;
}

export const api = {
  summary: () => getJson<Summary>('stats/summary'),
  groups: (dimension: Dimension, listing: GroupListing) =>
    getJson<ApiGroupPage>(`stats/${COLLECTIONS[dimension]}${query({ ...listing })}`),
  group: (dimension: Dimension, key: string) =>
    getJson<GroupItem>(`stats/${COLLECTIONS[dimension]}/${encodeURIComponent(key)}`),
  timeline: (from?: string) => getJson<Timeline>(`stats/timeline${query({ from, limit: 1000 })}`),
  suspicious: (filter: SuspiciousFilter) =>
    getJson<SuspiciousCommitList>(`commits/suspicious${query({ ...filter })}`),
};
