/**
 * The functions' bundles, defined once: what esbuild builds for each function (an ES module for the
 * Lambda Node.js runtime, with the require shim, minified, with a source map), the repository files
 * copied beside it (the producer's sample, the migrator's migrations) and the files built into it (the
 * api's dashboard).
 *
 * Three callers build from this one definition: the CDK stack's asset bundling
 * (lib/constructs/pipeline-function.ts), the hot-reload folders a LocalStack deployment runs from
 * (`.cache/function-bundles/<function>/`, rebuilt on save by `npm run watch:localstack`), and the
 * embedded runtime. It imports no CDK on purpose, so the watcher and the runtime load without it.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type BuildOptions,
  type BuildResult,
  buildSync,
  context,
  formatMessagesSync,
  type Plugin,
} from 'esbuild';
import { dashboardBuildOptions, writeDashboard } from '../functions/api/dashboard/build.js';
import { SAMPLE_FILE_NAME, SAMPLE_REPOSITORY_PATH } from '../functions/producer/csv-source.js';
import {
  MIGRATIONS_BUNDLE_FOLDER,
  MIGRATIONS_REPOSITORY_PATH,
} from '../functions/shared/database/migrations.js';
import type { FunctionName } from './pipeline-functions.js';
import { projectPath } from './project-paths.js';

/** The Node.js major version the bundles are built for; the functions run on `nodejs<major>.x`. */
export const NODE_MAJOR_VERSION = 22;
/** The Lambda runtime of every function, matching the bundles' target. */
export const LAMBDA_RUNTIME_NAME = `nodejs${NODE_MAJOR_VERSION}.x`;
/** The module esbuild writes, and the handler that names its export. */
export const BUNDLE_FILE = 'index.mjs';
export const BUNDLE_HANDLER = 'index.handler';

/** Where the hot-reload folders are built unless told otherwise: one folder per function below it. */
export const DEFAULT_BUNDLES_DIR = projectPath('.cache', 'function-bundles');
/** The functions' sources: `<dir>/<function>/handler.ts`. */
export const FUNCTIONS_SOURCE_DIR = projectPath('functions');

/**
 * Where bare imports resolve when nothing nearer has them: only a copy of the functions outside the
 * repository (a scratch tree being watched) needs it, to find the project's dependencies.
 */
const PROJECT_DEPENDENCIES = [projectPath('node_modules')];

/** The folder of the api's bundle that holds the dashboard (`functions/api/dashboard/dashboard-assets.ts`). */
const DASHBOARD_FOLDER = 'dashboard';

/** Lets ESM bundles load the CommonJS dependencies esbuild keeps as `require` calls. */
const ESM_REQUIRE_SHIM =
  "import { createRequire as __pipelineCreateRequire } from 'node:module';" +
  'const require = __pipelineCreateRequire(import.meta.url);';

/** A file or folder of the repository copied into a function's bundle. */
export interface BundledFile {
  /** Path relative to the repository root, e.g. `db/migrations`. */
  readonly source: string;
  /** Path relative to the bundle root (beside `index.mjs`), e.g. `migrations`. */
  readonly target: string;
}

interface BundleDefinition {
  /** Read by the handler relative to `import.meta.dirname`. */
  readonly copies: readonly BundledFile[];
  /** The handler serves the dashboard's assets from `<bundle>/dashboard`. */
  readonly dashboard: boolean;
}

const BUNDLES: Readonly<Record<FunctionName, BundleDefinition>> = {
  producer: {
    copies: [{ source: SAMPLE_REPOSITORY_PATH, target: SAMPLE_FILE_NAME }],
    dashboard: false,
  },
  processor: { copies: [], dashboard: false },
  api: { copies: [], dashboard: true },
  batch: { copies: [], dashboard: false },
  migrator: {
    copies: [{ source: MIGRATIONS_REPOSITORY_PATH, target: MIGRATIONS_BUNDLE_FOLDER }],
    dashboard: false,
  },
};

/**
 * Where the sources of a build come from.
 */
export interface BundleSources {
  /**
   * The functions' tree, `<dir>/<function>/handler.ts`; a copy elsewhere still resolves the project's
   * dependencies.
   * @default FUNCTIONS_SOURCE_DIR
   */
  readonly functionsDir?: string;
}

/** One esbuild build of a bundle (kept in memory) and how its output is written. */
interface BundleStep {
  /** `api`, or `api dashboard` for the second build of the api's bundle. */
  readonly label: string;
  readonly options: BuildOptions & { write: false };
  /** Writes a successful build's output; a failed build writes nothing, so the last good one stays. */
  readonly emit: (result: BuildResult) => void;
}

/**
 * The esbuild options of a function's handler bundle.
 *
 * @param name - the function
 * @param outDir - the bundle folder; `index.mjs` and its map are written there
 * @param sources - where its sources are
 */
export function handlerBuildOptions(name: FunctionName, outDir: string, sources: BundleSources = {}) {
  const functionsDir = sources.functionsDir ?? FUNCTIONS_SOURCE_DIR;
  return {
    entryPoints: [join(functionsDir, name, 'handler.ts')],
    outfile: join(outDir, BUNDLE_FILE),
    bundle: true,
    platform: 'node',
    target: `node${NODE_MAJOR_VERSION}`,
    format: 'esm',
    banner: { js: ESM_REQUIRE_SHIM },
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    // Bundle the AWS SDK too: the same bundle runs where the Lambda runtime's SDK is absent.
    external: [],
    nodePaths: PROJECT_DEPENDENCIES,
    logLevel: 'warning',
  } satisfies BuildOptions;
}

/**
 * Writes a build's files, each under a temporary name then renamed: a function started while a watch
 * rebuilds reads the old file or the new one, never half of one.
 */
function writeOutputFiles(result: BuildResult): void {
  for (const file of result.outputFiles ?? []) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

function bundleSteps(name: FunctionName, outDir: string, sources: BundleSources): BundleStep[] {
  const steps: BundleStep[] = [
    {
      label: name,
      options: { ...handlerBuildOptions(name, outDir, sources), write: false },
      emit: writeOutputFiles,
    },
  ];
  if (BUNDLES[name].dashboard) {
    const dashboardDir = join(outDir, DASHBOARD_FOLDER);
    const browserDir = join(sources.functionsDir ?? FUNCTIONS_SOURCE_DIR, 'api', 'dashboard', 'browser');
    steps.push({
      label: `${name} dashboard`,
      options: { ...dashboardBuildOptions(dashboardDir, browserDir), nodePaths: PROJECT_DEPENDENCIES },
      emit: (result) => writeDashboard(result.outputFiles ?? [], dashboardDir, browserDir),
    });
  }
  return steps;
}

function copyBundledFiles(name: FunctionName, outDir: string): void {
  for (const file of BUNDLES[name].copies) {
    const source = projectPath(file.source);
    if (!existsSync(source)) throw new Error(`${source} is missing; it is bundled with the ${name} function`);
    cpSync(source, join(outDir, file.target), { recursive: true });
  }
}

/**
 * Builds a function's bundle into `outDir`, emptied first, synchronously (the CDK's local bundling
 * cannot wait for a promise). Throws with esbuild's messages when the sources do not build.
 *
 * @param name - the function
 * @param outDir - e.g. the asset folder CDK hands out, or `.cache/function-bundles/<name>`
 * @param sources - where its sources are
 */
export function buildFunctionBundle(name: FunctionName, outDir: string, sources: BundleSources = {}): void {
  mkdirSync(outDir, { recursive: true });
  for (const entry of readdirSync(outDir)) rmSync(join(outDir, entry), { recursive: true, force: true });
  for (const step of bundleSteps(name, outDir, sources)) {
    step.emit(buildSync(step.options));
  }
  copyBundledFiles(name, outDir);
}

/** The folder of a function's bundle below a bundles folder. */
export function bundleFolder(bundlesDir: string, name: FunctionName): string {
  return join(bundlesDir, name);
}

/** The outcome of one build while watching. */
export interface BundleBuildReport {
  /** The function, or `<function> dashboard` for the api's assets. */
  readonly label: string;
  readonly errors: number;
  readonly warnings: number;
  readonly durationMs: number;
  /** True for the build the watch starts with. */
  readonly initial: boolean;
}

export interface WatchOptions extends BundleSources {
  /** The bundles folder: each function is built into `<bundlesDir>/<function>/`. */
  readonly bundlesDir: string;
  /** Called after every build, the first ones included. */
  readonly onBuild: (report: BundleBuildReport) => void;
}

/** A running watch of function bundles. */
export interface BundleWatch {
  /** Settles when every bundle has been built once. */
  readonly ready: Promise<void>;
  /** Stops watching. */
  dispose(): Promise<void>;
}

/**
 * Builds the bundles, then rebuilds each one incrementally whenever one of its sources changes
 * (esbuild's watch mode), writing into the same folders as {@link buildFunctionBundle}. The copied
 * files are copied once, at the start.
 *
 * @param names - the functions to watch
 * @param options - the bundles folder, the sources and the build reporter
 */
export async function watchFunctionBundles(
  names: readonly FunctionName[],
  options: WatchOptions,
): Promise<BundleWatch> {
  const contexts: Array<{ dispose(): Promise<void> }> = [];
  const firstBuilds: Promise<void>[] = [];
  try {
    for (const name of names) {
      const outDir = bundleFolder(options.bundlesDir, name);
      mkdirSync(outDir, { recursive: true });
      copyBundledFiles(name, outDir);
      for (const step of bundleSteps(name, outDir, options)) {
        const { plugin, firstBuild } = reporter(step, options.onBuild);
        firstBuilds.push(firstBuild);
        // Silent: the reporter prints each build's messages once, with its own line.
        const buildContext = await context({ ...step.options, logLevel: 'silent', plugins: [plugin] });
        contexts.push(buildContext);
        await buildContext.watch();
      }
    }
  } catch (error) {
    await Promise.all(contexts.map((buildContext) => buildContext.dispose()));
    throw error;
  }
  return {
    ready: Promise.all(firstBuilds).then(() => undefined),
    dispose: async () => {
      await Promise.all(contexts.map((buildContext) => buildContext.dispose()));
    },
  };
}

/** An esbuild plugin that times each build of a step, writes its output and reports it. */
function reporter(
  step: BundleStep,
  onBuild: (report: BundleBuildReport) => void,
): { plugin: Plugin; firstBuild: Promise<void> } {
  let settleFirst: () => void = () => undefined;
  const firstBuild = new Promise<void>((resolve) => {
    settleFirst = resolve;
  });
  let builds = 0;
  const plugin: Plugin = {
    name: 'bundle-build-reporter',
    setup(build) {
      let startedAt = performance.now();
      build.onStart(() => {
        startedAt = performance.now();
      });
      build.onEnd((result) => {
        for (const [kind, messages] of [
          ['error', result.errors],
          ['warning', result.warnings],
        ] as const) {
          for (const text of formatMessagesSync(messages, { kind })) console.error(text);
        }
        let errors = result.errors.length;
        if (errors === 0) {
          try {
            step.emit(result);
          } catch (error) {
            console.error(`${step.label}: ${(error as Error).message}`);
            errors = 1;
          }
        }
        onBuild({
          label: step.label,
          errors,
          warnings: result.warnings.length,
          durationMs: performance.now() - startedAt,
          initial: builds === 0,
        });
        builds += 1;
        settleFirst();
      });
    },
  };
  return { plugin, firstBuild };
}
