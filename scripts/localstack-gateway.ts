/**
 * LocalStack's gateway as the command-line tools, the bench and the end-to-end test reach it, and the
 * URLs LocalStack hands out (stack outputs such as `DeadLetterQueueUrl` and `ApiUrl`) moved onto it.
 *
 * LocalStack names some resources by host (`sqs.<region>.localhost.localstack.cloud` for a queue,
 * `<api-id>.execute-api.localhost.localstack.cloud` for an API). Those names resolve only through public
 * DNS, and the SQS client sends to its queue URL's host rather than to `AWS_ENDPOINT_URL`; so every URL
 * from LocalStack goes through {@link onLocalStackGateway}, which calls the gateway itself and carries
 * the resource in the path, the form LocalStack serves whatever its host-name settings.
 */

/** LocalStack's gateway when `AWS_ENDPOINT_URL` is not set. */
export const DEFAULT_LOCALSTACK_GATEWAY = 'http://localhost:4566';

/** LocalStack's domain: it and its subdomains resolve to 127.0.0.1 through public DNS only. */
const LOCALSTACK_DOMAIN = 'localhost.localstack.cloud';

/** Subdomains that name a resource, and the gateway path that names it instead. */
const RESOURCE_SUBDOMAINS: ReadonlyArray<{ host: RegExp; path: (name: string) => string }> = [
  // An API: https://<api-id>.execute-api.localhost.localstack.cloud:4566/<stage>/…
  { host: /^([^.]+)\.execute-api$/, path: (apiId) => `/_aws/execute-api/${apiId}` },
  // A queue (SQS_ENDPOINT_STRATEGY=standard): http://sqs.<region>.localhost.localstack.cloud:4566/<account>/<queue>
  { host: /^sqs\.([^.]+)$/, path: (region) => `/queue/${region}` },
  // A queue (SQS_ENDPOINT_STRATEGY=domain): http://<region>.queue.localhost.localstack.cloud:4566/<account>/<queue>
  { host: /^([^.]+)\.queue$/, path: (region) => `/queue/${region}` },
  // A bucket, virtual-hosted: http://<bucket>.s3.localhost.localstack.cloud:4566/<key>
  { host: /^(.+)\.s3$/, path: (bucket) => `/${bucket}` },
];

/**
 * The gateway the tools talk to: `AWS_ENDPOINT_URL` (which `useTargetEndpoints` and the end-to-end
 * test set), else {@link DEFAULT_LOCALSTACK_GATEWAY}.
 *
 * @param env - the environment to read, `process.env` by default
 */
export function localStackGateway(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_ENDPOINT_URL || DEFAULT_LOCALSTACK_GATEWAY;
}

/**
 * A URL with a LocalStack host name (`localhost.localstack.cloud` or a subdomain) moved onto the
 * gateway, with the resource its subdomain names carried in the path; any other URL (on AWS, or already
 * on the gateway) is returned unchanged.
 *
 * @example
 * onLocalStackGateway('http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/dlq', 'http://127.0.0.1:4566')
 * // 'http://127.0.0.1:4566/queue/us-east-1/000000000000/dlq'
 * onLocalStackGateway('https://abc123.execute-api.localhost.localstack.cloud:4566/prod/')
 * // 'http://localhost:4566/_aws/execute-api/abc123/prod/'
 *
 * @param url - as a stack output or LocalStack gave it
 * @param gateway - where LocalStack answers; its origin is used. {@link localStackGateway} by default
 */
export function onLocalStackGateway(url: string, gateway: string = localStackGateway()): string {
  const parsed = new URL(url);
  const host = parsed.hostname;
  if (host !== LOCALSTACK_DOMAIN && !host.endsWith(`.${LOCALSTACK_DOMAIN}`)) return url;
  const subdomain = host.slice(0, -LOCALSTACK_DOMAIN.length - 1);
  const target = new URL(new URL(gateway).origin);
  target.pathname = `${resourcePath(subdomain)}${parsed.pathname}`;
  target.search = parsed.search;
  target.hash = parsed.hash;
  return target.toString();
}

function resourcePath(subdomain: string): string {
  for (const { host, path } of RESOURCE_SUBDOMAINS) {
    const name = host.exec(subdomain)?.[1];
    if (name) return path(name);
  }
  return '';
}
