/**
 * Calls the api handler the way API Gateway does and parses what comes back.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createApiHandler } from '../../functions/api/handler.js';
import type { StatsRepository } from '../../functions/api/stats-repository.js';
import { type EventOptions, restEvent } from './api-events.js';
import {
  EMPTY_SUMMARY,
  type FakeData,
  FakeStatsRepository,
  group,
  suspiciousCommit,
  window,
} from './fake-stats-repository.js';

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string | number | boolean>;
  /** The parsed JSON body; undefined when the body is empty. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields directly and assert on them
  body: any;
  rawBody: string;
}

export const silentLogger = () => new Logger({ serviceName: 'api-test', logLevel: 'SILENT' });

/**
 * Sends one request through the api handler over `repository`.
 *
 * @example await callApi(repository, '/stats/authors', { query: { limit: '5' } })
 */
export async function callApi(
  repository: StatsRepository,
  path: string,
  options: EventOptions & { logger?: Logger } = {},
): Promise<ApiResponse> {
  const handler = createApiHandler({}, { repository, logger: options.logger ?? silentLogger() });
  const result = await handler(restEvent(path, options));
  return {
    statusCode: result.statusCode,
    headers: result.headers ?? {},
    body: result.body ? JSON.parse(result.body) : undefined,
    rawBody: result.body,
  };
}

/** A small but complete data set: three of each dimension, five windows, four suspicious rows. */
export function sampleData(): FakeData {
  return {
    summary: {
      commits: 30,
      authors: 3,
      linesAdded: 537,
      linesDeleted: 315,
      avgEntropy: 0.405,
      suspiciousCommits: 4,
      firstEventTime: '2024-01-01T00:00:43.000Z',
      lastEventTime: '2024-01-01T11:59:13.000Z',
      lastIngestedAt: '2025-06-01T12:00:00.123Z',
    },
    groups: {
      author: [
        group('person_1', {
          commits: 12,
          linesAdded: 10,
          linesDeleted: 5,
          avgEntropy: 0.3,
          suspiciousCommits: 0,
        }),
        group('person 1', {
          commits: 8,
          linesAdded: 300,
          linesDeleted: 100,
          avgEntropy: 0.6,
          suspiciousCommits: 3,
        }),
        group('person_2', {
          commits: 12,
          linesAdded: 20,
          linesDeleted: 0,
          avgEntropy: 0.5,
          suspiciousCommits: 1,
        }),
      ],
      module: [
        group('/security/auth', { commits: 20 }),
        group('/core/api', { commits: 10 }),
        group('(none)'),
      ],
      language: [group('py', { commits: 20 }), group('go', { commits: 9 }), group('(none)', { commits: 1 })],
    },
    windows: [
      window('2024-01-01T00:00:00.000Z'),
      window('2024-01-01T00:05:00.000Z', { suspiciousCommits: 2 }),
      window('2024-01-01T00:10:00.000Z'),
      window('2024-01-01T00:15:00.000Z'),
      window('2024-01-01T00:20:00.000Z', { avgEntropy: null, commits: 0 }),
    ],
    suspicious: [
      suspiciousCommit('c_0000002', { eventTime: '2024-01-01T02:00:00.000Z', reason: 'entropy' }),
      suspiciousCommit('c_0000002', { eventTime: '2024-01-01T02:00:00.000Z', reason: 'author-outlier' }),
      suspiciousCommit('c_0000001', { eventTime: '2024-01-01T02:00:00.000Z', author: 'person 1' }),
      suspiciousCommit('c_0000003', { eventTime: '2024-01-01T03:00:00.000Z', author: 'person_2' }),
    ],
  };
}

export const emptyData = (): FakeData => ({
  summary: EMPTY_SUMMARY,
  groups: { author: [], module: [], language: [] },
  windows: [],
  suspicious: [],
});

export const sampleRepository = () => new FakeStatsRepository(sampleData());
