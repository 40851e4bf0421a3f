/**
 * Which requests the server serves at all, decided from the headers before the body is read.
 *
 * Only a request shaped like the AWS SDK's is served: no browser `Origin`, a JSON content type and a
 * SigV4 `Authorization` header for the `rds-data` service (local/sdk-caller.ts says why).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { browserRefusal, signatureRefusal } from '../sdk-caller.js';
import { DataApiError } from './errors.js';

/** Media types the SDK sends: `application/json` (restJson1) and the awsJson 1.1 type. */
const SERVED_MEDIA_TYPES = new Set(['application/json', 'application/x-amz-json-1.1']);

/**
 * Refuses a request that is not an SDK call: one from a browser, with another content type, or
 * without a SigV4 `Authorization` header for `rds-data`.
 *
 * @param headers - the request's headers, as Node parsed them (lower-case names)
 * @throws DataApiError `ForbiddenException` (403) for a browser request,
 *   `UnsupportedMediaTypeException` (415) for another content type,
 *   `MissingAuthenticationTokenException` (403) without `Authorization`,
 *   `IncompleteSignatureException` (403) for an `Authorization` that is not SigV4 for `rds-data`
 */
export function checkCaller(headers: IncomingHttpHeaders): void {
  const fromBrowser = browserRefusal(headers);
  if (fromBrowser) throw new DataApiError(fromBrowser.code, fromBrowser.message);
  const mediaType = headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!SERVED_MEDIA_TYPES.has(mediaType)) {
    throw new DataApiError(
      'UnsupportedMediaTypeException',
      `Unsupported content type "${mediaType}": send application/json or application/x-amz-json-1.1.`,
    );
  }
  const unsigned = signatureRefusal(headers, 'rds-data');
  if (unsigned) throw new DataApiError(unsigned.code, unsigned.message);
}
