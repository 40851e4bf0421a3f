/**
 * The api function: an adapter from API Gateway REST proxy events to the read endpoints and the
 * dashboard's files, under a read-only database identity.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { dataApiDatabaseFromEnv } from '../shared/database/data-api.js';
import type { FunctionEnvironment } from '../shared/env.js';
import { lambdaEntry } from '../shared/lambda-entry.js';
import { type DashboardAssets, dashboardAssetsIn } from './dashboard/dashboard-assets.js';
import { dashboardAsset, dashboardPage } from './dashboard/dashboard-responses.js';
import { DataApiStatsRepository } from './data-api/data-api-stats-repository.js';
import { lazySqlExecutor } from './data-api/lazy-sql-executor.js';
import { serve } from './endpoints.js';
import { errorResponse, json, methodNotAllowed, preflight } from './responses.js';
import { dispatch, serverUrlOf } from './router.js';
import type { StatsRepository } from './stats-repository.js';

export type ApiHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

export interface ApiOverrides {
  /**
   * Where the aggregates are read (an in-memory fake in unit tests).
   * @default - the Data API database the environment names, reached on first use, so that routes that
   *   never touch the database work without that environment
   */
  repository?: StatsRepository;
  /** @default - a Powertools logger of the `api` service */
  logger?: Logger;
  /** Where the dashboard's built files are. @default - beside the bundle, or the sources' build */
  dashboard?: DashboardAssets;
}

/**
 * Builds the handler and its collaborators once per cold start.
 *
 * @param env - the function's environment: the reader's `DB_*` variables
 * @param overrides - another repository, logger or dashboard folder
 */
export function createApiHandler(env: FunctionEnvironment, overrides: ApiOverrides = {}): ApiHandler {
  const repository =
    overrides.repository ?? new DataApiStatsRepository(lazySqlExecutor(() => dataApiDatabaseFromEnv(env)));
  const logger = overrides.logger ?? new Logger({ serviceName: 'api' });
  const dashboard = overrides.dashboard ?? dashboardAssetsIn();
  return async (event, context) => {
    if (context) logger.addContext(context);
    logger.setCorrelationId(event.requestContext?.requestId);
    try {
      const target = dispatch(event.httpMethod, event.path);
      if (target.kind === 'preflight') return preflight(target.allow);
      if (target.kind === 'method-not-allowed') return methodNotAllowed(target.method, target.allow);
      if (target.route.name === 'dashboard') return await dashboardPage(event, dashboard);
      if (target.route.name === 'asset') return await dashboardAsset(target.route.file, dashboard);
      const result = await serve(target.route, { query: event, serverUrl: serverUrlOf(event) }, repository);
      if (result.problem)
        logger.error('request degraded', { statusCode: result.statusCode, error: result.problem });
      return json(result.statusCode, result.body);
    } catch (error) {
      const response = errorResponse(error);
      if (response.statusCode >= 500)
        logger.error('request failed', { statusCode: response.statusCode, error });
      else logger.info('request rejected', { statusCode: response.statusCode, body: response.body });
      return response;
    }
  };
}

/** The Lambda entry point. */
export const handler = lambdaEntry(() => createApiHandler(process.env));
