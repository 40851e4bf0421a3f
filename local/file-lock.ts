/**
 * A lock between processes over one file: whoever creates `<file>.lock` (exclusively, holding its pid)
 * holds it until it removes it. The runtime appends dead letters and `npm run redrive` rewrites the
 * file without the pointers it recovered; both do it under this lock, so no append is ever lost to a
 * rewrite. A lock whose process is gone (killed while holding it) is broken by the next caller (two
 * callers breaking the same stale lock at the same moment are not told apart: that needs a holder
 * killed within its few milliseconds and two waiters at once).
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { retry } from '../functions/shared/retry.js';
import { isProcessAlive } from './process-alive.js';

/** How long a caller waits for a lock before failing: a holder keeps it for milliseconds. */
const WAIT_MS = 10_000;
/** Pause between tries (full jitter), so that waiters do not retry in step. */
const RETRY_DELAY_MS = 10;
/** A lock file still without a pid after this long was left by a holder that died creating it. */
const UNWRITTEN_STALE_MS = 5_000;

export class FileLockTimeoutError extends Error {
  override readonly name = 'FileLockTimeoutError';
}

/** The lock is held by another process (its pid when it wrote it); a stale one was just broken. */
class LockHeld extends Error {
  constructor(
    readonly pid: number | undefined,
    readonly broken: boolean,
  ) {
    super('the lock is held');
  }
}

/**
 * Runs `work` while holding the lock of `path`.
 *
 * @param path - the file the lock protects (the lock is `<path>.lock`)
 * @param work - what to do while no other holder runs
 * @throws FileLockTimeoutError when another live process holds the lock for longer than 10 s
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const lockPath = `${path}.lock`;
  await acquire(lockPath);
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function acquire(lockPath: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  await retry(
    () => tryToTake(lockPath),
    { attempts: Number.POSITIVE_INFINITY, baseDelayMs: RETRY_DELAY_MS, maxDelayMs: RETRY_DELAY_MS },
    {
      // A stale lock just broken is tried again whatever the time; a live holder until the deadline.
      retryable: (error) => error instanceof LockHeld && (error.broken || Date.now() <= deadline),
    },
  ).catch((error: unknown) => {
    if (!(error instanceof LockHeld)) throw error;
    throw new FileLockTimeoutError(
      `${lockPath} is held by process ${error.pid ?? '(unknown)'} for more than ${WAIT_MS / 1000} s`,
    );
  });
}

/** Creates the lock file holding this process's pid, or says who holds it (breaking a stale lock). */
async function tryToTake(lockPath: string): Promise<void> {
  try {
    const handle = await open(lockPath, 'wx');
    try {
      await handle.writeFile(String(process.pid));
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = await holderOf(lockPath);
    if (holder.stale) await rm(lockPath, { force: true });
    throw new LockHeld(holder.pid, holder.stale);
  }
}

async function holderOf(lockPath: string): Promise<{ pid?: number; stale: boolean }> {
  try {
    const text = await readFile(lockPath, 'utf8');
    const pid = Number(text);
    if (text !== '' && Number.isSafeInteger(pid) && pid > 0) return { pid, stale: !isProcessAlive(pid) };
    // Created but not written yet, or by a holder that died in between.
    const { mtimeMs } = await stat(lockPath);
    return { stale: Date.now() - mtimeMs > UNWRITTEN_STALE_MS };
  } catch {
    // Released meanwhile: try again at once.
    return { stale: false };
  }
}
