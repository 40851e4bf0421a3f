/**
 * Throughput of the deployed pipeline on LocalStack (host mode or Docker, whatever answers at
 * `LOCALSTACK_ENDPOINT`): deploys the stack once, uploads a generated file under `sources/`, replays it
 * through the deployed producer and times until `/stats/summary` is exact; then destroys the stack.
 * Figures are printed, never asserted.
 *
 *   npm run localstack:host                         # or: npm run localstack:up
 *   npm run bench:localstack -- --rows 200000 [--aggregation on|off|both] [--seed 7]
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { settings } from '../functions/shared/settings.js';
import {
  invokeDeployed,
  lambdaClientFor,
  readStackOutputs,
  requireOutput,
} from '../scripts/deployed-stack.js';
import { onLocalStackGateway } from '../scripts/localstack-gateway.js';
import { localStackDeployContext, runCdkLocal } from '../test/support/cdklocal.js';
import {
  chooseDataApiEndpoint,
  dropPipelineSchema,
  reachableFromTest,
} from '../test/support/emulated-database.js';
import { checkLocalStack, localStackAwsEnvironment, localStackEndpoint } from '../test/support/localstack.js';
import { ReadApi, type Summary } from '../test/support/read-api.js';
import { generatedCsv } from './support/generated-csv.js';
import { printTable } from './support/markdown-table.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    seed: { type: 'string', default: '7' },
    aggregation: { type: 'string', default: 'on' },
  },
});
const modes = { on: [true], off: [false], both: [true, false] }[values.aggregation ?? 'on'];
if (!modes) throw new Error('--aggregation must be on, off or both');

const endpoint = localStackEndpoint();
const awsEnvironment = localStackAwsEnvironment(endpoint);
Object.assign(process.env, awsEnvironment);
const workDir = await mkdtemp(join(tmpdir(), 'bench-localstack-'));
const stackName = `InfectedCodeBench-${Date.now().toString(36)}`;
const seconds = (since: number) => (performance.now() - since) / 1000;

const csv = generatedCsv(Number(values.rows), Number(values.seed));
const rows = Number(values.rows);

const info = await checkLocalStack(endpoint);
const dataApi = await chooseDataApiEndpoint(info.isDocker);
const context = localStackDeployContext(stackName, endpoint, dataApi.forFunctions, join(workDir, 'cdk.out'));
const cdk = (args: string[], log: string) =>
  runCdkLocal({
    args: [...args, ...context],
    env: awsEnvironment,
    logFile: join(workDir, log),
    timeoutMs: 15 * 60_000,
  });

const results: string[][] = [];
let deployed = false;
try {
  let started = performance.now();
  await cdk(['bootstrap', 'aws://000000000000/us-east-1'], 'bootstrap.log');
  deployed = true;
  const outputsFile = join(workDir, 'outputs.json');
  await cdk(
    ['deploy', stackName, '--require-approval', 'never', '--outputs-file', outputsFile],
    'deploy.log',
  );
  console.error(`deployed ${stackName} in ${seconds(started).toFixed(1)} s`);
  const outputs = await readStackOutputs(outputsFile, stackName);
  const api = new ReadApi(onLocalStackGateway(requireOutput(outputs, 'ApiPathUrl'), endpoint));
  const bucket = requireOutput(outputs, 'BucketName');
  const key = `${settings.archive.sourcePrefix}bench.csv`;
  await new S3Client({ forcePathStyle: true }).send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(csv) }),
  );

  for (const aggregate of modes) {
    const reachable = await reachableFromTest(dataApi.forFunctions);
    if (reachable) await dropPipelineSchema(reachable);
    const migrator = lambdaClientFor(outputs, settings.functions.migrator.timeoutSeconds);
    await invokeDeployed(migrator, requireOutput(outputs, 'MigratorFunctionName'), {});

    started = performance.now();
    const producer = lambdaClientFor(outputs, settings.functions.producer.timeoutSeconds);
    const invocation = await invokeDeployed(producer, requireOutput(outputs, 'ProducerFunctionName'), {
      source: { bucket, key },
      aggregate,
    });
    if (!invocation.ok) throw new Error(`the producer failed: ${invocation.payload}\n${invocation.logTail}`);
    const produced = JSON.parse(invocation.payload) as { sent: number; kinesisRecords: number };
    const producerS = seconds(started);
    let summary = await api.ok<Summary>('stats/summary');
    while (summary.commits < produced.sent && seconds(started) < 3_600) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      summary = await api.ok<Summary>('stats/summary');
    }
    const totalS = seconds(started);
    results.push([
      String(rows),
      aggregate ? 'on' : 'off',
      String(produced.kinesisRecords),
      producerS.toFixed(1),
      totalS.toFixed(1),
      String(Math.round(produced.sent / totalS)),
      summary.commits === produced.sent ? 'yes' : `NO (${summary.commits})`,
    ]);
  }
} finally {
  if (deployed)
    await cdk(['destroy', stackName, '--force'], 'destroy.log').catch((error: unknown) =>
      console.error(error),
    );
  await rm(workDir, { recursive: true, force: true });
}

const header = [
  'rows',
  'aggregation',
  'Kinesis records',
  'producer s',
  'replay → exact s',
  'commits/s',
  'exact',
];
console.log(
  `LocalStack ${info.version} at ${endpoint} (${info.isDocker === false ? 'host mode' : 'Docker'})`,
);
printTable(header, results);
