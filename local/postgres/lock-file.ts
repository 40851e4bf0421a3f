/**
 * PostgreSQL's lock file, `postmaster.pid` in the cluster: its first line is the postmaster's pid.
 *
 * A file naming a live postgres process means the cluster is in use: that is reported with the pid.
 * A file naming a process that is gone is PostgreSQL's to take over (it also checks that no backend of
 * the dead postmaster is still attached to its shared memory, which is why the file is not removed
 * here). A file naming a live process that is not PostgreSQL (its pid was given to another process
 * since), or a postmaster that ended but was not reaped yet (a zombie, which `kill(pid, 0)` still
 * finds), would make PostgreSQL refuse to start: that stale file is removed.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { debuglog } from 'node:util';
import { PartUnavailableError } from '../../functions/shared/errors.js';
import { isProcessAlive, processInfo } from '../process-alive.js';

const log = debuglog('local-postgres');

/** The program name a postmaster and its backends run under. */
const POSTGRES_PROGRAM = 'postgres';

/**
 * The pid in the cluster's `postmaster.pid`, if there is one.
 *
 * @param clusterDir - the cluster's folder (see `clusterDirFor`)
 */
export function postmasterPidOf(clusterDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is the running postmaster of `clusterDir` (its command line names the folder), so
 * that ending it cannot hit another server that was given a dead postmaster's pid.
 *
 * @param pid - e.g. the pid a database service reported before it was killed
 * @param clusterDir - the cluster's folder
 */
export function isPostmasterOf(pid: number, clusterDir: string): boolean {
  const info = processInfo(pid);
  return (
    info !== undefined &&
    !info.zombie &&
    info.name === POSTGRES_PROGRAM &&
    info.args.includes(` -D ${clusterDir} `)
  );
}

/**
 * Makes sure no live process holds the cluster before a postmaster is started on it.
 *
 * @param clusterDir - the cluster's folder
 * @throws PartUnavailableError (not retryable) naming the pid that holds it
 */
export async function ensureClusterFree(clusterDir: string): Promise<void> {
  const pid = postmasterPidOf(clusterDir);
  if (pid === undefined || !isProcessAlive(pid)) return;
  const info = processInfo(pid);
  // Without `ps` a live pid cannot be told apart from a postmaster: it is taken to be one. A postgres
  // process counts whatever its command line: it may have been started on this folder by another path.
  if (info === undefined || (info.name === POSTGRES_PROGRAM && !info.zombie)) {
    throw new PartUnavailableError(
      `PostgreSQL's data directory ${clusterDir} is in use by process ${pid} (its postmaster.pid): ` +
        `if that is a PostgreSQL left running by an earlier run, stop it (kill ${pid}) and start again; ` +
        'otherwise pass another --data-dir',
      false,
    );
  }
  log(
    'postmaster.pid names pid %d, now %s%s: removing the stale lock file',
    pid,
    info.zombie ? 'a zombie ' : '',
    info.name,
  );
  await rm(join(clusterDir, 'postmaster.pid'), { force: true });
}
