/**
 * Builds the dashboard's browser assets with esbuild: one script and one stylesheet (uPlot's CSS
 * included), named by content hash, and the page that links them by relative URLs. The api function
 * serves the folder this writes (`dashboard-assets.ts`); nothing is fetched from elsewhere at run time.
 *
 *   npx tsx functions/api/dashboard/build.ts [<out-dir>]     (default: .cache/dashboard)
 *
 * `npm start` and the tests that load the page call `buildDashboard()`; the api function's bundle
 * (lib/function-bundles.ts) builds it into the bundle with {@link dashboardBuildOptions} and
 * {@link writeDashboard}, once for a deployment or again on every change while watching.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type OutputFile } from 'esbuild';
import { ASSET_PREFIX, type DashboardManifest, MANIFEST_FILE, PAGE_FILE } from './dashboard-assets.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The dashboard's sources: `main.ts` and the page template `index.html`. */
export const BROWSER_SOURCES_DIR = join(HERE, 'browser');
/** Where the sources' build goes when no folder is given: ignored by git, found by `dashboard-assets.ts`. */
export const DEFAULT_OUT_DIR = join(HERE, '..', '..', '..', '.cache', 'dashboard');

export interface BuiltAsset {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface DashboardBuild {
  outDir: string;
  manifest: DashboardManifest;
  assets: BuiltAsset[];
}

/**
 * The esbuild options of the dashboard: bundled, minified, hashed names, kept in memory
 * (`write: false`) for {@link writeDashboard}.
 *
 * @param outDir - the folder the build is for (the output paths are under it)
 * @param sourcesDir - the browser sources, {@link BROWSER_SOURCES_DIR} unless building a copy
 */
export function dashboardBuildOptions(
  outDir: string,
  sourcesDir: string = BROWSER_SOURCES_DIR,
): BuildOptions & { write: false } {
  return {
    entryPoints: [join(sourcesDir, 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify: true,
    legalComments: 'none',
    entryNames: '[name].[hash]',
    outdir: join(outDir, ASSET_PREFIX),
    write: false,
    logLevel: 'silent',
  };
}

/**
 * Writes a build's files, the page and the manifest into `outDir`. Each file is written under a
 * temporary name and renamed, so that a server reading the folder never sees half a file (tests build
 * concurrently, a watcher rebuilds under a running function).
 *
 * @param outputFiles - the in-memory output of a build with {@link dashboardBuildOptions}
 * @param outDir - the same folder as given to the options
 * @param sourcesDir - where the page template `index.html` is
 */
export function writeDashboard(
  outputFiles: readonly OutputFile[],
  outDir: string,
  sourcesDir: string = BROWSER_SOURCES_DIR,
): DashboardBuild {
  mkdirSync(join(outDir, ASSET_PREFIX), { recursive: true });
  const assets: BuiltAsset[] = [];
  const files: Partial<Record<'script' | 'stylesheet', string>> = {};
  for (const output of outputFiles) {
    const file = `${ASSET_PREFIX}/${basename(output.path)}`;
    writeAtomically(join(outDir, file), output.contents);
    assets.push({ file, bytes: output.contents.byteLength, gzipBytes: gzipSync(output.contents).byteLength });
    if (file.endsWith('.js')) files.script = file;
    if (file.endsWith('.css')) files.stylesheet = file;
  }
  if (!files.script || !files.stylesheet)
    throw new Error('the dashboard build produced no script or stylesheet');
  const manifest: DashboardManifest = { script: files.script, stylesheet: files.stylesheet };
  const template = readFileSync(join(sourcesDir, 'index.html'), 'utf8');
  const page = template.replace('{{stylesheet}}', manifest.stylesheet).replace('{{script}}', manifest.script);
  writeAtomically(join(outDir, PAGE_FILE), page);
  assets.push({
    file: PAGE_FILE,
    bytes: Buffer.byteLength(page),
    gzipBytes: gzipSync(page).byteLength,
  });
  writeAtomically(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { outDir, manifest, assets };
}

/**
 * Bundles, minifies and writes the dashboard.
 *
 * @param outDir - the folder to write (default `.cache/dashboard` of the repository)
 */
export async function buildDashboard(outDir: string = DEFAULT_OUT_DIR): Promise<DashboardBuild> {
  const result = await build(dashboardBuildOptions(outDir));
  return writeDashboard(result.outputFiles, outDir);
}

function writeAtomically(path: string, contents: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const built = await buildDashboard(process.argv[2] ?? DEFAULT_OUT_DIR);
  for (const asset of built.assets) {
    console.log(`${asset.file}  ${asset.bytes} bytes, ${asset.gzipBytes} gzipped`);
  }
}
