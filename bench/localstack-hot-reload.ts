/**
 * The hot-reload loop on LocalStack (host mode or Docker, whatever answers at `LOCALSTACK_ENDPOINT`):
 * deploys a stack of its own with hot reload, starts `npm run watch:localstack` on a scratch copy of
 * the functions tree, then saves the api handler `--saves` times and times each save until the
 * watcher has rebuilt the bundle and until the deployed api answers with the change; then destroys the
 * stack. Figures are printed, never asserted.
 *
 *   npm run localstack:host                         # or: npm run localstack:up
 *   npm run bench:hot-reload -- [--saves 10]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hotReloadContext } from '../lib/config.js';
import { readStackOutputs, requireOutput } from '../scripts/deployed-stack.js';
import { onLocalStackGateway } from '../scripts/localstack-gateway.js';
import { localStackDeployContext, runCdkLocal } from '../test/support/cdklocal.js';
import { chooseDataApiEndpoint } from '../test/support/emulated-database.js';
import { BundleWatcher, SAVE_HEADER, ScratchFunctions } from '../test/support/hot-reload.js';
import { checkLocalStack, localStackAwsEnvironment, localStackEndpoint } from '../test/support/localstack.js';

const { values } = parseArgs({ options: { saves: { type: 'string', default: '10' } } });
const saves = Number(values.saves);
if (!Number.isInteger(saves) || saves < 1) throw new Error('--saves must be a positive whole number');

const MINUTE = 60_000;
const endpoint = localStackEndpoint();
const awsEnvironment = localStackAwsEnvironment(endpoint);
Object.assign(process.env, awsEnvironment);
const workDir = await mkdtemp(join(tmpdir(), 'bench-hot-reload-'));
const stackName = `InfectedCodeHotReload-${Date.now().toString(36)}`;
const bundlesDir = join(workDir, 'function-bundles');
const outputsFile = join(workDir, 'outputs.json');
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

const info = await checkLocalStack(endpoint);
const dataApi = await chooseDataApiEndpoint(info.isDocker);
const context = localStackDeployContext(stackName, endpoint, dataApi.forFunctions, join(workDir, 'cdk.out'));
const cdkLocal = (args: string[], logName: string) =>
  runCdkLocal({ args, env: awsEnvironment, logFile: join(workDir, logName), timeoutMs: 10 * MINUTE });

let deployed = false;
try {
  let started = performance.now();
  await cdkLocal(['bootstrap', 'aws://000000000000/us-east-1', ...context], 'bootstrap.log');
  deployed = true;
  await cdkLocal(
    [
      'deploy',
      stackName,
      ...context,
      ...hotReloadContext(bundlesDir),
      '--require-approval',
      'never',
      '--outputs-file',
      outputsFile,
    ],
    'deploy.log',
  );
  console.log(`bootstrap and deploy with hot reload: ${seconds(started)} s`);
  const outputs = await readStackOutputs(outputsFile, stackName);
  const health = new URL('health', onLocalStackGateway(requireOutput(outputs, 'ApiPathUrl'), endpoint));

  const scratch = new ScratchFunctions(join(workDir, 'scratch'));
  started = performance.now();
  const watcher = BundleWatcher.start({
    functionsDir: scratch.functionsDir,
    bundlesDir,
    functions: ['api'],
    logFile: join(workDir, 'watch.log'),
  });
  try {
    await watcher.waitForLine(/^\[watch\] watching /, 2 * MINUTE);
    console.log(`watcher ready (first build of the api and its dashboard): ${seconds(started)} s`);
    const rebuilt: number[] = [];
    const answered: number[] = [];
    for (let save = 1; save <= saves; save += 1) {
      const printed = watcher.lineCount;
      const savedAt = performance.now();
      scratch.saveApiHandlerMarking(`save-${save}`);
      const rebuildLine = watcher.waitForLine(/^\[watch\] api rebuilt in/, MINUTE, printed).then(() => {
        rebuilt.push(performance.now() - savedAt);
      });
      while (
        (await fetch(health, { signal: AbortSignal.timeout(30_000) })).headers.get(SAVE_HEADER) !==
        `save-${save}`
      ) {
        if (performance.now() - savedAt > MINUTE)
          throw new Error(`save-${save} was not answered within a minute`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      answered.push(performance.now() - savedAt);
      await rebuildLine;
      // A pause like a developer's between two saves; it also lets the previous process settle.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    console.log(`save → bundle rebuilt (ms, ${saves} saves): ${summary(rebuilt)}`);
    console.log(`save → deployed api answers with the change (ms): ${summary(answered)}`);
  } finally {
    await watcher.stop();
  }
} finally {
  if (deployed) await cdkLocal(['destroy', stackName, ...context, '--force'], 'destroy.log');
  await rm(workDir, { recursive: true, force: true });
}

function summary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return `min ${at(0)}, median ${at(0.5)}, max ${Math.round(sorted.at(-1) ?? 0)}`;
}
