/**
 * Whether a request to one of the runtime's AWS-shaped servers (the Data API server, the Invoke API) is
 * an SDK call, decided from its headers before the body is read.
 *
 * A web page cannot send a SigV4 `Authorization` header to another origin without a CORS preflight,
 * which these servers never answer, so a page the developer happens to open cannot call them. Browsers
 * also send `Origin` with every POST, even when DNS rebinding makes the page same-origin with the
 * server, so a request carrying it is refused too; no SDK sends it.
 *
 * The signature is not verified: the local callers sign with different key pairs (the embedded runtime
 * uses the S3 emulator's fixed pair, LocalStack's functions their own), and a check against a key pair
 * published in this repository would keep out no one the header checks let in.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Why a request is refused, in the exception names AWS front ends use. */
export interface CallerRefusal {
  code: 'ForbiddenException' | 'MissingAuthenticationTokenException' | 'IncompleteSignatureException';
  message: string;
}

/**
 * A refusal for a request a browser sent (it carries `Origin`).
 *
 * @param headers - the request's headers, as Node parsed them (lower-case names)
 */
export function browserRefusal(headers: IncomingHttpHeaders): CallerRefusal | undefined {
  if (headers.origin === undefined) return undefined;
  return {
    code: 'ForbiddenException',
    message: 'Requests from web pages are not served: the request carries an Origin header.',
  };
}

/**
 * A refusal for a request without a SigV4 `Authorization` header for the service, signing `host`:
 * `AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request,
 * SignedHeaders=<a;b;…>, Signature=<64 hex digits>`, as @smithy/signature-v4 writes it.
 *
 * @param headers - the request's headers, as Node parsed them (lower-case names)
 * @param service - the signing name, e.g. `rds-data`, `lambda`
 */
export function signatureRefusal(headers: IncomingHttpHeaders, service: string): CallerRefusal | undefined {
  const authorization = headers.authorization?.trim();
  if (!authorization)
    return { code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const sigv4 = new RegExp(
    `^AWS4-HMAC-SHA256 Credential=[^/\\s,]+\\/\\d{8}\\/[a-z0-9-]+\\/${service}\\/aws4_request,\\s*` +
      'SignedHeaders=([a-z0-9-]+(?:;[a-z0-9-]+)*),\\s*Signature=[0-9a-f]{64}$',
  );
  const signedHeaders = sigv4.exec(authorization)?.[1]?.split(';');
  if (signedHeaders?.includes('host')) return undefined;
  return {
    code: 'IncompleteSignatureException',
    message:
      `Authorization must be an AWS Signature Version 4 header for the ${service} service ` +
      `(AWS4-HMAC-SHA256 Credential=…/${service}/aws4_request, SignedHeaders=…;host;…, Signature=…).`,
  };
}
