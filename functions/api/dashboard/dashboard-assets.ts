/**
 * The dashboard's built files, as the api function serves them: the page and the two assets its
 * manifest names, read once from the first folder that holds a build (beside the Lambda bundle, or
 * the sources' build in `.cache/dashboard`) and kept in memory.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the hashed assets inside a build, and the URL path segment they are served under. */
export const ASSET_PREFIX = 'assets';
export const PAGE_FILE = 'index.html';
export const MANIFEST_FILE = 'manifest.json';

/** What a build holds besides the page: paths relative to the build folder. */
export interface DashboardManifest {
  script: string;
  stylesheet: string;
}

export interface StaticFile {
  body: string;
  contentType: string;
  /** Named by content hash: cacheable for ever. */
  immutable: boolean;
}

/** Where the api function finds the dashboard. */
export interface DashboardAssets {
  /** The page, or undefined when no build is found. */
  page(): Promise<StaticFile | undefined>;
  /** An asset by file name (`main.<hash>.js`), or undefined when the build has no such file. */
  asset(name: string): Promise<StaticFile | undefined>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

const here = dirname(fileURLToPath(import.meta.url));

/** Beside the bundle (`<bundle>/dashboard`), then the sources' build (`<repository>/.cache/dashboard`). */
export const DEFAULT_DASHBOARD_DIRS: readonly string[] = [
  join(here, 'dashboard'),
  join(here, '..', '..', '..', '.cache', 'dashboard'),
];

/**
 * The dashboard built into the first of `dirs` that holds a manifest, looked for on first use (and
 * again after a miss, so a build made while the server runs is found).
 *
 * @param dirs - candidate build folders, in order of preference
 */
export function dashboardAssetsIn(dirs: readonly string[] = DEFAULT_DASHBOARD_DIRS): DashboardAssets {
  let loaded: Promise<Map<string, StaticFile>> | undefined;
  const files = async (): Promise<Map<string, StaticFile> | undefined> => {
    const dir = dirs.find((candidate) => existsSync(join(candidate, MANIFEST_FILE)));
    if (!dir) return undefined;
    loaded ??= load(dir).catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
  return {
    page: async () => (await files())?.get(PAGE_FILE),
    asset: async (name) => (await files())?.get(`${ASSET_PREFIX}/${name}`),
  };
}

async function load(dir: string): Promise<Map<string, StaticFile>> {
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as DashboardManifest;
  const entries = await Promise.all(
    [PAGE_FILE, manifest.script, manifest.stylesheet].map(async (file) => {
      const extension = file.slice(file.lastIndexOf('.'));
      const staticFile: StaticFile = {
        body: await readFile(join(dir, file), 'utf8'),
        contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
        immutable: file !== PAGE_FILE,
      };
      return [file, staticFile] as const;
    }),
  );
  return new Map(entries);
}
