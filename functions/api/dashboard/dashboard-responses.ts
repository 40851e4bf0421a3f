/**
 * HTTP answers for the dashboard's routes: the page with a strict Content-Security-Policy, and its
 * hashed assets, cacheable for ever. Every URL in the page is relative, so the same answers work at
 * `/` of the local front, under a stage (`/prod/`) and under LocalStack's `/_aws/execute-api/<id>/prod/`.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { json } from '../responses.js';
import type { DashboardAssets, StaticFile } from './dashboard-assets.js';

/** Scripts, styles and API calls from the page's own origin only; no inline code, no frames, no forms. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The page. A stage root reached without its trailing slash (`…/prod`) is redirected to `prod/`, so
 * that the page's relative URLs resolve under the stage rather than beside it.
 *
 * @param event - the request (its `requestContext.path` tells how the client spelled the path)
 */
export async function dashboardPage(
  event: Pick<APIGatewayProxyEvent, 'requestContext'>,
  assets: DashboardAssets,
): Promise<APIGatewayProxyResult> {
  const fullPath: string | undefined = event.requestContext?.path;
  if (fullPath && fullPath !== '/' && !fullPath.endsWith('/')) {
    const lastSegment = fullPath.slice(fullPath.lastIndexOf('/') + 1);
    return {
      statusCode: 302,
      headers: { location: `${lastSegment}/`, 'cache-control': 'no-store' },
      body: '',
    };
  }
  const page = await assets.page();
  if (!page) {
    return json(503, {
      error: 'ServiceUnavailable',
      message: 'the dashboard is not built: run npm run build:dashboard (npm start builds it)',
    });
  }
  return staticResponse(page, {
    'cache-control': 'no-cache',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });
}

/** One hashed asset, or 404 in the API's error shape. */
export async function dashboardAsset(file: string, assets: DashboardAssets): Promise<APIGatewayProxyResult> {
  const asset = await assets.asset(file);
  if (!asset) return json(404, { error: 'NotFound', message: `no asset ${file}` });
  return staticResponse(asset, { 'cache-control': IMMUTABLE });
}

function staticResponse(file: StaticFile, headers: Record<string, string>): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: { 'content-type': file.contentType, 'x-content-type-options': 'nosniff', ...headers },
    body: file.body,
  };
}
