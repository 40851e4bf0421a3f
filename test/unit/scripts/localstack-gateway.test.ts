import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCALSTACK_GATEWAY,
  localStackGateway,
  onLocalStackGateway,
} from '../../../scripts/localstack-gateway.js';

const GATEWAY = 'http://127.0.0.1:4577';

describe('moving a URL LocalStack handed out onto its gateway', () => {
  it('turns a queue URL of the standard strategy into the path form, keeping its region', () => {
    const url = 'http://sqs.eu-west-1.localhost.localstack.cloud:4566/000000000000/dead-letters';

    expect(onLocalStackGateway(url, GATEWAY)).toBe(
      'http://127.0.0.1:4577/queue/eu-west-1/000000000000/dead-letters',
    );
  });

  it('turns a queue URL of the domain strategy into the same path form', () => {
    const url = 'http://eu-west-1.queue.localhost.localstack.cloud:4566/000000000000/dead-letters';

    expect(onLocalStackGateway(url, GATEWAY)).toBe(
      'http://127.0.0.1:4577/queue/eu-west-1/000000000000/dead-letters',
    );
  });

  it("turns an API's host-name URL into LocalStack's path form, keeping the stage and query", () => {
    const url = 'https://a1b2c3d4e5.execute-api.localhost.localstack.cloud:4566/prod/stats/summary?x=1';

    expect(onLocalStackGateway(url, GATEWAY)).toBe(
      'http://127.0.0.1:4577/_aws/execute-api/a1b2c3d4e5/prod/stats/summary?x=1',
    );
  });

  it('puts the bucket of a virtual-hosted S3 URL in the path', () => {
    const url = 'http://my.bucket.s3.localhost.localstack.cloud:4566/raw/part-1.ndjson';

    expect(onLocalStackGateway(url, GATEWAY)).toBe('http://127.0.0.1:4577/my.bucket/raw/part-1.ndjson');
  });

  it("moves LocalStack's bare host name and a service subdomain, path unchanged", () => {
    expect(onLocalStackGateway('https://localhost.localstack.cloud:4566/_localstack/health', GATEWAY)).toBe(
      'http://127.0.0.1:4577/_localstack/health',
    );
    expect(onLocalStackGateway('http://s3.localhost.localstack.cloud:4566/bucket/key', GATEWAY)).toBe(
      'http://127.0.0.1:4577/bucket/key',
    );
  });

  it('leaves a URL on any other host as it is: AWS, the path form, a look-alike domain', () => {
    const unchanged = [
      'https://sqs.us-east-1.amazonaws.com/123456789012/dead-letters',
      'http://localhost:4566/queue/us-east-1/000000000000/dead-letters',
      'https://abc.execute-api.us-east-1.amazonaws.com/prod/',
      'http://sqs.us-east-1.notlocalhost.localstack.cloud:4566/000000000000/dead-letters',
    ];

    for (const url of unchanged) expect(onLocalStackGateway(url, GATEWAY)).toBe(url);
  });

  it("uses only the gateway's origin", () => {
    const url = 'http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/q';

    expect(onLocalStackGateway(url, 'http://localhost:4566/')).toBe(
      'http://localhost:4566/queue/us-east-1/000000000000/q',
    );
  });
});

describe('the gateway the tools talk to', () => {
  it("is AWS_ENDPOINT_URL when set, LocalStack's default port on localhost otherwise", () => {
    expect(localStackGateway({ AWS_ENDPOINT_URL: GATEWAY })).toBe(GATEWAY);
    expect(localStackGateway({})).toBe(DEFAULT_LOCALSTACK_GATEWAY);
    expect(localStackGateway({ AWS_ENDPOINT_URL: '' })).toBe('http://localhost:4566');
  });
});
