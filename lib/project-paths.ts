/**
 * Paths inside the repository, resolved from this file so that synthesis works from any working directory.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: where `package.json` and `package-lock.json` live. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * An absolute path inside the repository.
 *
 * @param segments - path segments relative to the root, e.g. `'db', 'migrations'`
 */
export function projectPath(...segments: string[]): string {
  return join(PROJECT_ROOT, ...segments);
}
