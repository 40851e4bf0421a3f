/**
 * Creates a PostgreSQL cluster with initdb, so that a start-up that is killed half way leaves neither
 * a secret nor a half-made cluster behind:
 * - the superuser's password reaches initdb in a file beside the cluster (in the data dir, never the
 *   system's temporary folder), created 0600 for the cluster's owner and removed once initdb is done;
 * - initdb writes into `<cluster>.initdb`, renamed into place once it succeeded;
 * - the leftovers of a killed attempt (that folder, that file) are removed before the next one.
 */
import { spawn } from 'node:child_process';
import { chown, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { debuglog } from 'node:util';
import { PartUnavailableError } from '../../functions/shared/errors.js';
import { describeExit } from '../process-alive.js';
import type { ClusterOwner, PostgresPrograms } from './binaries.js';

const log = debuglog('local-postgres');

/** What {@link initialiseCluster} needs. */
export interface ClusterSpec {
  readonly clusterDir: string;
  readonly programs: PostgresPrograms;
  readonly owner: ClusterOwner;
  readonly superuser: { readonly user: string; readonly password: string };
  /** Aborting stops initdb and removes what it wrote. */
  readonly signal?: AbortSignal;
}

/**
 * Runs initdb for `clusterDir` (which must hold no cluster yet).
 *
 * @param spec - where, with which programs, as whom, and the superuser's credentials
 * @throws PartUnavailableError when initdb fails (with its output) or the folder holds other files
 */
export async function initialiseCluster(spec: ClusterSpec): Promise<void> {
  const { clusterDir, owner } = spec;
  const staging = `${clusterDir}.initdb`;
  const passwordFile = join(dirname(clusterDir), `.${basename(clusterDir)}.password`);
  await Promise.all([rm(staging, { recursive: true, force: true }), rm(passwordFile, { force: true })]);
  try {
    await mkdir(staging, { recursive: true, mode: 0o700 });
    if (owner) await chown(staging, owner.uid, owner.gid);
    await writePrivateFile(passwordFile, `${spec.superuser.password}\n`, owner);
    await runInitdb(spec, staging, passwordFile);
    await rm(passwordFile, { force: true });
    await moveIntoPlace(staging, clusterDir);
  } finally {
    await Promise.all([rm(staging, { recursive: true, force: true }), rm(passwordFile, { force: true })]);
  }
}

/** Creates the file readable by its owner only, from the first byte on. */
async function writePrivateFile(path: string, text: string, owner: ClusterOwner): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    if (owner) await handle.chown(owner.uid, owner.gid);
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}

async function runInitdb(spec: ClusterSpec, pgdata: string, passwordFile: string): Promise<void> {
  const initdb = spawn(
    spec.programs.initdb,
    [
      `--pgdata=${pgdata}`,
      '--auth=scram-sha-256',
      `--username=${spec.superuser.user}`,
      `--pwfile=${passwordFile}`,
      // English messages whatever the machine's locale: the postmaster's log is read for its state.
      '--lc-messages=C',
    ],
    {
      ...spec.owner,
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: spec.signal,
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += String(chunk);
    log('initdb: %s', String(chunk).trimEnd());
  };
  initdb.stdout.on('data', collect);
  initdb.stderr.on('data', collect);
  // 'close' follows an 'error' too (a spawn failure, an abort): wait for it, so nothing runs on after.
  initdb.on('error', () => undefined);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    initdb.once('close', (...status) => resolve(status)),
  );
  spec.signal?.throwIfAborted();
  if (code !== 0) {
    throw new PartUnavailableError(
      `initdb ${describeExit({ code, signal })} creating ${spec.clusterDir}: ${output.trim().slice(-2_000)}`,
      true,
    );
  }
}

async function moveIntoPlace(staging: string, clusterDir: string): Promise<void> {
  const existing = await readdir(clusterDir).catch(() => undefined);
  if (existing && existing.length > 0) {
    throw new PartUnavailableError(
      `${clusterDir} holds files but no PostgreSQL cluster (no PG_VERSION): move them away, or pass another --data-dir`,
      false,
    );
  }
  if (existing) await rm(clusterDir, { recursive: true });
  await mkdir(dirname(clusterDir), { recursive: true });
  await rename(staging, clusterDir);
}
