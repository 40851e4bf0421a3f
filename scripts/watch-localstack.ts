/**
 * `npm run watch:localstack`: keeps the hot-reload folders of a LocalStack deployment built. Every save
 * under functions/ rebuilds the bundles it belongs to (esbuild's incremental watch), and LocalStack runs
 * the new code at the function's next invocation, without a deploy.
 *
 *   npm run deploy:localstack -- --hot-reload     # once: the functions run from .cache/function-bundles/
 *   npm run watch:localstack                      # then leave this running while you edit
 *   npm run watch:localstack -- api processor     # only these functions
 *   npm run watch:localstack -- --functions-dir <dir> --hot-reload-dir <dir>
 *
 * Prints a line per build; exits 0 on Ctrl-C, 2 on a usage error. It builds folders on this machine
 * for whichever deployment runs from them, so it takes no `--target`.
 */
import { relative, resolve } from 'node:path';
import { UsageError } from '../functions/shared/errors.js';
import {
  type BundleBuildReport,
  DEFAULT_BUNDLES_DIR,
  FUNCTIONS_SOURCE_DIR,
  watchFunctionBundles,
} from '../lib/function-bundles.js';
import { FUNCTION_NAMES, type FunctionName, isFunctionName } from '../lib/pipeline-functions.js';
import { defineCommand } from './cli/command-line.js';
import { runCli } from './cli/run-cli.js';

const WATCH_COMMAND = defineCommand({
  command: 'npm run watch:localstack',
  summary:
    'Keeps the hot-reload folders of a LocalStack deployment (npm run deploy:localstack -- --hot-reload) ' +
    'built: every save under the functions rebuilds the bundles it belongs to.',
  positionals: [{ name: '[<function> ...]', help: `${FUNCTION_NAMES.join(', ')} (default: all)` }],
  flags: {
    'functions-dir': {
      type: 'string',
      default: FUNCTIONS_SOURCE_DIR,
      value: '<dir>',
      help: "the functions' sources",
    },
    'hot-reload-dir': {
      type: 'string',
      default: DEFAULT_BUNDLES_DIR,
      value: '<dir>',
      help: 'the folders the deployed functions run from (-c hotReloadDir=<dir> of the deployment)',
    },
  },
  problem: 'the watch failed',
  examples: ['npm run watch:localstack', 'npm run watch:localstack -- api processor'],
});

runCli(WATCH_COMMAND, async ({ values, positionals }) => {
  const names = functionsToWatch(positionals);
  const functionsDir = resolve(values['functions-dir']);
  const bundlesDir = resolve(values['hot-reload-dir']);

  const watch = await watchFunctionBundles(names, { functionsDir, bundlesDir, onBuild: printBuild });
  await watch.ready;
  console.log(
    `[watch] watching ${shown(functionsDir)} → ${shown(bundlesDir)} (${names.join(', ')}); Ctrl-C to stop`,
  );
  await untilInterrupted();
  await watch.dispose();
  return 'done';
});

function functionsToWatch(positionals: readonly string[]): FunctionName[] {
  const unknown = positionals.filter((name) => !isFunctionName(name));
  if (unknown.length > 0) {
    throw new UsageError(`unknown function ${unknown.join(', ')}`);
  }
  return positionals.length > 0 ? (positionals as FunctionName[]) : [...FUNCTION_NAMES];
}

function printBuild(report: BundleBuildReport): void {
  const duration = `${Math.round(report.durationMs)} ms`;
  if (report.errors > 0) {
    console.error(
      `[watch] ${report.label}: build failed (${report.errors} error(s)); the last good bundle stays`,
    );
  } else {
    console.log(`[watch] ${report.label} ${report.initial ? 'built' : 'rebuilt'} in ${duration}`);
  }
}

function shown(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') ? path : fromHere || '.';
}

function untilInterrupted(): Promise<void> {
  return new Promise((resolveStop) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolveStop());
  });
}
