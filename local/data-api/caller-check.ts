/**
 * Which requests the server serves at all, decided from the headers before the body is read.
 *
 * Only a request shaped like the AWS SDK's is served: a JSON content type and a SigV4
 * `Authorization` header for the `rds-data` service. A web page cannot send either to another
 * origin without a CORS preflight, which this server never answers, so a page the developer happens
 * to open cannot write to the local database. Browsers also send `Origin` with every POST, even when
 * DNS rebinding makes the page same-origin with the server, so a request carrying it is refused too;
 * no SDK sends it.
 *
 * The signature is not verified: the local callers sign with different key pairs (the embedded
 * runtime uses the S3 emulator's fixed pair, LocalStack's functions its own), and a check against a
 * key pair published in this repository would keep out no one the header checks let in.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { DataApiError } from './errors.js';

/** Media types the SDK sends: `application/json` (restJson1) and the awsJson 1.1 type. */
const SERVED_MEDIA_TYPES = new Set(['application/json', 'application/x-amz-json-1.1']);

/**
 * `AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/rds-data/aws4_request,
 * SignedHeaders=<a;b;…>, Signature=<64 hex digits>`, as @smithy/signature-v4 writes it.
 */
const SIGV4_AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=[^/\s,]+\/\d{8}\/[a-z0-9-]+\/rds-data\/aws4_request,\s*SignedHeaders=([a-z0-9-]+(?:;[a-z0-9-]+)*),\s*Signature=[0-9a-f]{64}$/;

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
  if (headers.origin !== undefined) {
    throw new DataApiError(
      'ForbiddenException',
      'Requests from web pages are not served: the request carries an Origin header.',
    );
  }
  const mediaType = headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!SERVED_MEDIA_TYPES.has(mediaType)) {
    throw new DataApiError(
      'UnsupportedMediaTypeException',
      `Unsupported content type "${mediaType}": send application/json or application/x-amz-json-1.1.`,
    );
  }
  const authorization = headers.authorization?.trim();
  if (!authorization) {
    throw new DataApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const signedHeaders = SIGV4_AUTHORIZATION.exec(authorization)?.[1]?.split(';');
  if (!signedHeaders?.includes('host')) {
    throw new DataApiError(
      'IncompleteSignatureException',
      'Authorization must be an AWS Signature Version 4 header for the rds-data service ' +
        '(AWS4-HMAC-SHA256 Credential=…/rds-data/aws4_request, SignedHeaders=…;host;…, Signature=…).',
    );
  }
}
