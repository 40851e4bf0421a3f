/**
 * Builds the dashboard's browser assets with esbuild: one script and one stylesheet (uPlot's CSS
 * included), named by content hash, and the page that links them by relative URLs. The api function
 * serves the folder this writes (`dashboard-assets.ts`); nothing is fetched from elsewhere at run time.
 *
 *   npx tsx functions/api/dashboard/build.ts [<out-dir>]     (default: .cache/dashboard)
 *
 * `npm start` and the tests that load the page call `buildDashboard()`; the CDK bundling of the api
 * function runs this file as a command, writing into the bundle (lib/pipeline-stack.ts).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ASSET_PREFIX, type DashboardManifest, MANIFEST_FILE, PAGE_FILE } from './dashboard-assets.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BROWSER = join(HERE, 'browser');
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
 * Bundles, minifies and writes the dashboard. Files are written under a temporary name and renamed,
 * so that a server reading the folder never sees half a file (tests build concurrently).
 *
 * @param outDir - the folder to write (default `.cache/dashboard` of the repository)
 */
export async function buildDashboard(outDir: string = DEFAULT_OUT_DIR): Promise<DashboardBuild> {
  const result = await build({
    entryPoints: [join(BROWSER, 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify: true,
    legalComments: 'none',
    entryNames: '[name].[hash]',
    outdir: join(outDir, ASSET_PREFIX),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  await mkdir(join(outDir, ASSET_PREFIX), { recursive: true });
  const assets: BuiltAsset[] = [];
  const files: Partial<Record<'script' | 'stylesheet', string>> = {};
  for (const output of result.outputFiles) {
    const file = `${ASSET_PREFIX}/${basename(output.path)}`;
    await writeAtomically(join(outDir, file), output.contents);
    assets.push({ file, bytes: output.contents.byteLength, gzipBytes: gzipSync(output.contents).byteLength });
    if (file.endsWith('.js')) files.script = file;
    if (file.endsWith('.css')) files.stylesheet = file;
  }
  if (!files.script || !files.stylesheet)
    throw new Error('the dashboard build produced no script or stylesheet');
  const manifest: DashboardManifest = { script: files.script, stylesheet: files.stylesheet };
  const template = await readFile(join(BROWSER, 'index.html'), 'utf8');
  const page = template.replace('{{stylesheet}}', manifest.stylesheet).replace('{{script}}', manifest.script);
  await writeAtomically(join(outDir, PAGE_FILE), page);
  assets.push({
    file: PAGE_FILE,
    bytes: Buffer.byteLength(page),
    gzipBytes: gzipSync(page).byteLength,
  });
  await writeAtomically(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { outDir, manifest, assets };
}

async function writeAtomically(path: string, contents: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const built = await buildDashboard(process.argv[2] ?? DEFAULT_OUT_DIR);
  for (const asset of built.assets) {
    console.log(`${asset.file}  ${asset.bytes} bytes, ${asset.gzipBytes} gzipped`);
  }
}
