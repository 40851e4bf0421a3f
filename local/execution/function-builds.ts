/**
 * The code the execution environments load: each hosted function's bundle, built by the one definition
 * in lib/function-bundles.ts into `<data-dir>/bundles/<function>/`, and the environments' own worker
 * script. With `watch`, a saved change is rebuilt (esbuild incremental) and the functions it affects
 * are reported, so their environments are retired; a change that does not build is reported with
 * esbuild's messages, and the last good bundle stays.
 */
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import {
  type BundleBuildReport,
  type BundleWatch,
  NODE_MAJOR_VERSION,
  watchFunctionBundles,
} from '../../lib/function-bundles.js';
import type { EmbeddedFunctionName } from './invocation.js';

/** What a watch tells of a rebuild. */
export type ReloadReport =
  | {
      readonly kind: 'reloaded';
      readonly functions: readonly EmbeddedFunctionName[];
      readonly durationMs: number;
    }
  | { readonly kind: 'failed'; readonly label: string; readonly errors: number };

export interface FunctionBuildOptions {
  readonly bundlesDir: string;
  /** The functions' sources. @default FUNCTIONS_SOURCE_DIR */
  readonly functionsDir?: string;
  /** Rebuild on save; each rebuild is reported. */
  readonly onReload?: (report: ReloadReport) => void;
}

/** Rebuilds that end within this time of each other are one reload (the api and its dashboard). */
const RELOAD_GATHER_MS = 30;

/**
 * Builds the environments' worker script.
 *
 * @param bundlesDir - it is written there as `environment-worker.mjs`
 * @returns its path
 */
export function buildEnvironmentWorker(bundlesDir: string): string {
  const outfile = join(bundlesDir, 'environment-worker.mjs');
  buildSync({
    entryPoints: [new URL('./environment-worker.ts', import.meta.url).pathname],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${NODE_MAJOR_VERSION - 2}`,
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * Builds the functions' bundles once, or (with `onReload`) builds them and keeps rebuilding on save.
 * The builds run in esbuild's own process, side by side, so the caller may start other parts meanwhile.
 *
 * @returns stops the watch (nothing to stop without one)
 * @throws when a bundle does not build at the start (esbuild's messages are printed above)
 */
export async function buildFunctions(
  names: readonly EmbeddedFunctionName[],
  options: FunctionBuildOptions,
): Promise<{ dispose(): Promise<void> }> {
  const { onReload } = options;
  const failed: string[] = [];
  let gathered: BundleBuildReport[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    const reports = gathered;
    gathered = [];
    const functions = names.filter((name) => reports.some((report) => functionOf(report) === name));
    const durationMs = Math.max(...reports.map((report) => report.durationMs));
    onReload?.({ kind: 'reloaded', functions, durationMs });
  };
  const watch: BundleWatch = await watchFunctionBundles(names, {
    bundlesDir: options.bundlesDir,
    functionsDir: options.functionsDir,
    onBuild: (report) => {
      if (report.initial) {
        if (report.errors > 0) failed.push(report.label);
        return;
      }
      if (!onReload) return;
      if (report.errors > 0) {
        onReload({ kind: 'failed', label: report.label, errors: report.errors });
        return;
      }
      gathered.push(report);
      clearTimeout(timer);
      timer = setTimeout(flush, RELOAD_GATHER_MS);
    },
  });
  await watch.ready;
  if (failed.length > 0 || !onReload) await watch.dispose();
  if (failed.length > 0) {
    throw new Error(`the functions do not build: ${failed.join(', ')} (esbuild's messages above)`);
  }
  if (!onReload) return { dispose: async () => undefined };
  return {
    dispose: async () => {
      clearTimeout(timer);
      await watch.dispose();
    },
  };
}

/** `api dashboard` is the api's. */
function functionOf(report: BundleBuildReport): string {
  return report.label.split(' ')[0] ?? report.label;
}
