/**
 * AWS SDK clients configured once per process. Endpoints come from the standard `AWS_ENDPOINT_URL*`
 * variables, which the SDK reads itself, so one bundle runs on AWS, LocalStack and the local runtime.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Kinesis defaults to HTTP/2, which plain-HTTP emulators do not speak; HTTP/1.1 works everywhere. */
export function createKinesisClient(): KinesisClient {
  return new KinesisClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000 }) });
}

/** Path-style addressing works with every emulator and needs no wildcard DNS; AWS accepts it too. */
export function createS3Client(): S3Client {
  return new S3Client({ forcePathStyle: isEmulated() });
}

function isEmulated(): boolean {
  return Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
}
