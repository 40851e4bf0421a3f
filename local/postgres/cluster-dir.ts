/**
 * Where the cluster of a data directory lives.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { debuglog } from 'node:util';

const log = debuglog('local-postgres');

/**
 * Where the cluster lives. As root, PostgreSQL runs as the `postgres` user, which must be able to
 * walk down to its data directory; a checkout under a private home (`/root`, mode 0700) or a
 * `mkdtemp` folder is not walkable. Then the cluster goes to a stable folder under `/var/tmp` named
 * after the requested one, so that state still persists across runs and nothing private is opened up.
 *
 * @param dataDir - the database's data directory (`<data-dir>/postgres` under the runtime)
 */
export function clusterDirFor(dataDir: string): string {
  const requested = resolve(dataDir);
  if (process.getuid?.() !== 0 || walkableByOthers(dirname(requested))) return requested;
  const hash = createHash('sha256').update(requested).digest('hex').slice(0, 16);
  const base = '/var/tmp/infected-code-postgres';
  mkdirSync(base, { recursive: true, mode: 0o755 });
  const relocated = join(base, hash);
  log('%s is not reachable by the postgres user; using %s', requested, relocated);
  return relocated;
}

function walkableByOthers(directory: string): boolean {
  for (let dir = directory; ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}
