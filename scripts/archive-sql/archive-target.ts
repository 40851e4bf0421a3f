/**
 * Which archive `npm run archive:sql` reads: the running embedded runtime's S3 emulator (default), or
 * a deployed stack's bucket (its outputs file; LocalStack's gateway or AWS), and where its local copy
 * is kept.
 */
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../functions/shared/adapters/aws-clients.js';
import { ENV, requireEnv } from '../../functions/shared/env.js';
import { findRunningRuntime } from '../../local/cli/embedded-runtime.js';
import { readStackOutputs, requireOutput } from '../deployed-stack.js';
import { localStackGateway } from '../localstack-gateway.js';

export interface ArchiveTarget {
  s3: S3Client;
  bucket: string;
  /** Where the local copy of `raw/` is kept. */
  cacheDir: string;
}

/**
 * @param dataDir - the `--data-dir` of `npm start`
 */
export async function embeddedArchive(dataDir: string): Promise<ArchiveTarget> {
  const { env } = await findRunningRuntime(dataDir);
  Object.assign(process.env, env);
  return {
    s3: createS3Client(env),
    bucket: requireEnv(ENV.bucketName, env),
    cacheDir: join(resolve(dataDir), 'archive-sql-cache'),
  };
}

/**
 * @param outputsFile - the stack outputs (`cdk deploy --outputs-file`)
 * @param stackName - needed when the file holds several pipeline stacks
 */
export async function deployedArchive(outputsFile: string, stackName?: string): Promise<ArchiveTarget> {
  const outputs = await readStackOutputs(outputsFile, stackName);
  const bucket = requireOutput(outputs, 'BucketName');
  const s3 =
    outputs.Target === 'localstack'
      ? new S3Client({
          endpoint: localStackGateway(),
          forcePathStyle: true,
          region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        })
      : new S3Client({});
  return { s3, bucket, cacheDir: resolve('.cache', 'archive-sql', bucket) };
}
