/**
 * `npm run deploy:localstack`: bootstraps LocalStack's account, deploys the stack with its outputs in
 * cdk-outputs.json, and applies the migrations through the deployed migrator (LocalStack community
 * runs no custom resources).
 *
 *   npm run deploy:localstack
 *   npm run deploy:localstack -- --hot-reload        # the functions run from .cache/function-bundles/<function>/
 *   npm run deploy:localstack -- -c dataApiEndpoint=http://127.0.0.1:4510   # other flags go to cdklocal deploy
 *
 * With `--hot-reload` the functions' code comes from LocalStack's `hot-reload` bucket, each key being
 * the folder of its bundle (built during the deployment); `npm run watch:localstack` then rebuilds the
 * folders on every save and the next invocation runs the new code, without a deploy. Exits with the
 * status of the first step that fails.
 */
import { spawnSync } from 'node:child_process';
import { hotReloadContext } from '../lib/config.js';
import { projectPath } from '../lib/project-paths.js';

const HOT_RELOAD_FLAG = '--hot-reload';
const CDKLOCAL = projectPath('node_modules', '.bin', 'cdklocal');

const args = process.argv.slice(2);
const hotReload = args.includes(HOT_RELOAD_FLAG);
const deployArgs = [
  ...args.filter((arg) => arg !== HOT_RELOAD_FLAG),
  ...(hotReload ? hotReloadContext() : []),
];

const steps: Array<[string, string[]]> = [
  [CDKLOCAL, ['bootstrap']],
  [CDKLOCAL, ['deploy', '--require-approval', 'never', '--outputs-file', 'cdk-outputs.json', ...deployArgs]],
  [process.execPath, ['--import', 'tsx', projectPath('scripts', 'migrate.ts'), '--target', 'deployed']],
];

process.exitCode = runInOrder(steps);

/** Runs each command in the repository root, stopping at the first that fails; returns its status. */
function runInOrder(commands: ReadonlyArray<[string, string[]]>): number {
  for (const [command, commandArgs] of commands) {
    const run = spawnSync(command, commandArgs, { cwd: projectPath(), stdio: 'inherit' });
    if (run.error) {
      console.error(`cannot run ${command}: ${run.error.message}`);
      return 1;
    }
    if (run.status !== 0) return run.status ?? 1;
  }
  return 0;
}
