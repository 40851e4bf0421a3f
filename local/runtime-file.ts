/**
 * While `npm start` runs, its endpoints and resource names are written to `<data-dir>/runtime.json`
 * so that other tools (`npm run replay`) can find the embedded runtime.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const RUNTIME_FILE = 'runtime.json';

export async function writeRuntimeFile(
  dataDir: string,
  env: Readonly<Record<string, string>>,
): Promise<void> {
  await writeFile(join(dataDir, RUNTIME_FILE), `${JSON.stringify(env, null, 2)}\n`);
}

export async function removeRuntimeFile(dataDir: string): Promise<void> {
  await rm(join(dataDir, RUNTIME_FILE), { force: true });
}
