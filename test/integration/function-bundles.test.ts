/**
 * The bundle definition built for real: a one-off build, and the watch that rebuilds a hot-reload
 * folder when a source changes (esbuild's watch over a scratch copy of the functions tree).
 */
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_FILE,
  type BundleBuildReport,
  type BundleWatch,
  buildFunctionBundle,
  FUNCTIONS_SOURCE_DIR,
  watchFunctionBundles,
} from '../../lib/function-bundles.js';

const WAIT_MS = 30_000;

let scratch: string;
let functionsDir: string;
let bundlesDir: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'function-bundles-'));
  functionsDir = join(scratch, 'functions');
  bundlesDir = join(scratch, 'bundles');
  cpSync(FUNCTIONS_SOURCE_DIR, functionsDir, { recursive: true });
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Polls until `done` holds, or fails naming what it waited for. */
async function eventually(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a one-off build', () => {
  it('writes the bundle, its source map and the files copied beside it into an emptied folder', () => {
    const outDir = join(scratch, 'once', 'migrator');
    buildFunctionBundle('migrator', outDir, { functionsDir });
    writeFileSync(join(outDir, 'stale.txt'), 'from an earlier build');
    buildFunctionBundle('migrator', outDir, { functionsDir });
    expect(readdirSync(outDir).sort()).toEqual([BUNDLE_FILE, `${BUNDLE_FILE}.map`, 'migrations']);
    expect(readFileSync(join(outDir, BUNDLE_FILE), 'utf8').startsWith('import { createRequire as ')).toBe(
      true,
    );
  });

  it("fails with esbuild's message when the sources do not build", () => {
    const broken = join(scratch, 'broken-functions');
    cpSync(functionsDir, broken, { recursive: true });
    appendFileSync(join(broken, 'processor', 'handler.ts'), '\nexport const = ;\n');
    expect(() =>
      buildFunctionBundle('processor', join(scratch, 'once', 'processor'), { functionsDir: broken }),
    ).toThrow(/Build failed with 1 error/);
  });
});

describe('watching', () => {
  const reports: BundleBuildReport[] = [];
  let watch: BundleWatch;
  const handler = () => join(functionsDir, 'migrator', 'handler.ts');
  const bundle = () => readFileSync(join(bundlesDir, 'migrator', BUNDLE_FILE), 'utf8');
  let original: string;

  beforeAll(async () => {
    original = readFileSync(handler(), 'utf8');
    watch = await watchFunctionBundles(['migrator'], {
      functionsDir,
      bundlesDir,
      onBuild: (report) => reports.push(report),
    });
    await watch.ready;
  });

  afterAll(async () => {
    await watch?.dispose();
  });

  it('builds the folder once at the start, the copied files included', () => {
    expect(reports).toMatchObject([{ label: 'migrator', errors: 0, initial: true }]);
    expect(existsSync(join(bundlesDir, 'migrator', 'migrations'))).toBe(true);
  });

  it('rebuilds the folder when a source is saved', async () => {
    writeFileSync(handler(), `${original}\nexport const hotReloadMarker = 'first save';\n`);
    await eventually('the first save in the bundle', () => bundle().includes('first save'));
    expect(reports.at(-1)).toMatchObject({ label: 'migrator', errors: 0, initial: false });
  });

  it('reports a save that does not build and keeps the last good bundle, then picks up the fix', async () => {
    const builds = reports.length;
    writeFileSync(handler(), `${original}\nexport const hotReloadMarker = ;\n`);
    await eventually('the failed build', () => reports.length > builds);
    expect(reports.at(-1)).toMatchObject({ errors: 1 });
    expect(bundle()).toContain('first save');

    writeFileSync(handler(), `${original}\nexport const hotReloadMarker = 'fixed';\n`);
    await eventually('the fix in the bundle', () => bundle().includes('fixed'));
    expect(reports.at(-1)).toMatchObject({ errors: 0 });
  });
});
