import { describe, expect, it } from 'vitest';
import { browserRefusal, signatureRefusal } from '../../../local/sdk-caller.js';

const signed = (service: string, signedHeaders = 'host;x-amz-date') =>
  `AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/${service}/aws4_request, ` +
  `SignedHeaders=${signedHeaders}, Signature=${'a'.repeat(64)}`;

describe('an SDK caller', () => {
  it('is a request signed with SigV4 for the service, host among the signed headers', () => {
    expect(signatureRefusal({ authorization: signed('lambda') }, 'lambda')).toBeUndefined();
  });

  it.each([
    ['no Authorization', {}, 'MissingAuthenticationTokenException'],
    [
      'a signature for another service',
      { authorization: signed('rds-data') },
      'IncompleteSignatureException',
    ],
    [
      'a signature without host',
      { authorization: signed('lambda', 'x-amz-date') },
      'IncompleteSignatureException',
    ],
    ['a bearer token', { authorization: 'Bearer abc' }, 'IncompleteSignatureException'],
  ])('is not a request with %s', (_, headers, code) => {
    expect(signatureRefusal(headers, 'lambda')).toMatchObject({ code });
  });

  it('names the service in the refusal of a wrong signature', () => {
    expect(signatureRefusal({ authorization: 'Bearer abc' }, 'lambda')?.message).toContain(
      'AWS Signature Version 4 header for the lambda service',
    );
  });

  it('is not a browser: a request with Origin is refused, one without is not', () => {
    expect(browserRefusal({ origin: 'http://localhost:3000' })).toMatchObject({ code: 'ForbiddenException' });
    expect(browserRefusal({})).toBeUndefined();
  });
});
