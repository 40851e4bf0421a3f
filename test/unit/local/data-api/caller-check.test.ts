import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkCaller } from '../../../../local/data-api/caller-check.js';
import { DataApiError } from '../../../../local/data-api/errors.js';

/** The header @smithy/signature-v4 writes for an RDSDataClient call. */
const SIGV4 =
  'AWS4-HMAC-SHA256 Credential=S3RVER/20250102/us-east-1/rds-data/aws4_request, ' +
  'SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date;x-amz-user-agent, ' +
  `Signature=${'0a'.repeat(32)}`;

function sdkHeaders(extra: IncomingHttpHeaders = {}): IncomingHttpHeaders {
  return { host: '127.0.0.1:4510', 'content-type': 'application/json', authorization: SIGV4, ...extra };
}

function refusal(headers: IncomingHttpHeaders): DataApiError {
  try {
    checkCaller(headers);
  } catch (error) {
    if (error instanceof DataApiError) return error;
    throw error;
  }
  throw new Error('expected the caller to be refused');
}

describe('checkCaller', () => {
  it.each(['application/json', 'application/x-amz-json-1.1', 'Application/JSON; charset=utf-8'])(
    'serves a SigV4-signed call with content type %s',
    (contentType) => {
      expect(() => checkCaller(sdkHeaders({ 'content-type': contentType }))).not.toThrow();
    },
  );

  it.each([
    ['text/plain', 'text/plain;charset=UTF-8'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['a multipart form', 'multipart/form-data; boundary=x'],
    ['no content type', undefined],
  ])('refuses %s with 415 UnsupportedMediaTypeException', (_, contentType) => {
    const error = refusal(sdkHeaders({ 'content-type': contentType }));

    expect(error.code).toBe('UnsupportedMediaTypeException');
    expect(error.statusCode).toBe(415);
  });

  it("refuses a browser's simple POST: text/plain without Authorization", () => {
    const error = refusal({ host: '127.0.0.1:4510', 'content-type': 'text/plain' });

    expect(error.statusCode).toBeGreaterThanOrEqual(400);
    expect(error.statusCode).toBeLessThan(500);
  });

  it('refuses a JSON call without Authorization with 403 MissingAuthenticationTokenException', () => {
    const error = refusal(sdkHeaders({ authorization: undefined }));

    expect(error.code).toBe('MissingAuthenticationTokenException');
    expect(error.statusCode).toBe(403);
  });

  it.each([
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['a bearer token', 'Bearer abc'],
    ['a SigV4 header for another service', SIGV4.replace('/rds-data/', '/s3/')],
    ['a SigV4 header without a signature', SIGV4.replace(/, Signature=.*$/, '')],
    ['a signature that is not hex', SIGV4.replace(/Signature=.*$/, `Signature=${'z'.repeat(64)}`)],
    ['signed headers without host', SIGV4.replace(';host;', ';')],
    ['a SigV2-style header', 'AWS S3RVER:c2lnbmF0dXJl'],
  ])('refuses %s with 403 IncompleteSignatureException', (_, authorization) => {
    const error = refusal(sdkHeaders({ authorization }));

    expect(error.code).toBe('IncompleteSignatureException');
    expect(error.statusCode).toBe(403);
  });

  it.each(['http://attacker.example', 'http://127.0.0.1:4510', 'null'])(
    'refuses a request with Origin %s, even when it is otherwise an SDK call',
    (origin) => {
      const error = refusal(sdkHeaders({ origin }));

      expect(error.code).toBe('ForbiddenException');
      expect(error.statusCode).toBe(403);
    },
  );
});
