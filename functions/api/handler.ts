/**
 * The api Lambda: an adapter from API Gateway REST proxy events to the read endpoints and the
 * dashboard's files.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { dataApiDatabaseFromEnv } from '../shared/database/data-api.js';
import type { FunctionEnvironment } from '../shared/env.js';
import { type DashboardAssets, dashboardAssetsIn } from './dashboard/dashboard-assets.js';
import { dashboardAsset, dashboardPage } from './dashboard/dashboard-responses.js';
import { DataApiStatsRepository } from './data-api/data-api-stats-repository.js';
import { lazySqlExecutor } from './data-api/lazy-sql-executor.js';
import { serve } from './endpoints.js';
import { errorResponse, json, methodNotAllowed, preflight } from './responses.js';
import { dispatch, serverUrlOf } from './router.js';
import type { StatsRepository } from './stats-repository.js';

const defaultLogger = new Logger({ serviceName: 'api' });

export type ApiHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

export interface ApiHandlerOptions {
  /** Defaults to the module's Powertools logger. */
  logger?: Logger;
  /** Where the dashboard's built files are; defaults to beside the bundle, or the sources' build. */
  dashboard?: DashboardAssets;
}

/**
 * Builds the handler over a repository (the Data API one in Lambda, a fake in unit tests).
 *
 * @param repository - where the aggregates are read
 * @param options - logger and dashboard files
 */
export function createApiHandler(repository: StatsRepository, options: ApiHandlerOptions = {}): ApiHandler {
  const logger = options.logger ?? defaultLogger;
  const dashboard = options.dashboard ?? dashboardAssetsIn();
  return async (event, context) => {
    if (context) logger.addContext(context);
    logger.setCorrelationId(event.requestContext?.requestId);
    try {
      const target = dispatch(event.httpMethod, event.path);
      if (target.kind === 'preflight') return preflight();
      if (target.kind === 'method-not-allowed') return methodNotAllowed(target.method);
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

/**
 * The handler over the database the function's environment names (`DB_*`), created on first use so
 * that routing works without that environment.
 *
 * @param env - the function's environment
 */
export function apiHandlerFor(env: FunctionEnvironment): ApiHandler {
  return createApiHandler(new DataApiStatsRepository(lazySqlExecutor(() => dataApiDatabaseFromEnv(env))));
}

/** The Lambda entry point. */
export const handler = apiHandlerFor(process.env);
