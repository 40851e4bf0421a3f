import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiHandler } from '../../../../functions/api/handler.js';
import { ENV } from '../../../../functions/shared/env.js';
import { restEvent } from '../../../support/api-events.js';

describe('the Lambda entry point', () => {
  let handler: ApiHandler;

  beforeAll(async () => {
    // Prepare: no DB_* variables in this process, and a quiet logger (built with the handler).
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv(ENV.dbClusterArn, undefined);
    ({ handler } = await import('../../../../functions/api/handler.js'));
  });

  it('serves /openapi.json and 404s without any database environment', async () => {
    const doc = await handler(restEvent('/openapi.json'));
    const missing = await handler(restEvent('/missing'));

    expect(doc.statusCode).toBe(200);
    expect(JSON.parse(doc.body).openapi).toMatch(/^3\./);
    expect(missing.statusCode).toBe(404);
  });

  it('answers a database route with a generic 500 when the database environment is missing', async () => {
    const response = await handler(restEvent('/stats/summary'));

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ error: 'InternalError', message: 'internal error' });
  });
});
