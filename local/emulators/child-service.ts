/**
 * Runs a local service (an emulator, the database) in a child process of its own, so that it gets a
 * core instead of sharing the runtime's event loop, and so that the runtime can watch it and start it
 * again when it dies (`local/supervision/`).
 *
 * The child speaks to its parent over IPC, in {@link ChildMessage}s: `status` at any time (the
 * database service reports its postmaster's pid as soon as it exists), then `ready` with what callers
 * need (URL, ports), or `failed` with the reason start-up failed; `exiting` when a process of its own
 * ended it (PostgreSQL died). The parent stops a child with SIGTERM; a child also stops when the parent
 * goes away (the IPC channel closes). Signals a terminal sends to the whole process group (Ctrl-C's
 * SIGINT, SIGHUP) are the parent's to act on: a child ignores them, and is stopped in order.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { basename } from 'node:path';
import { messageOf, PartUnavailableError } from '../../functions/shared/errors.js';
import { settings } from '../../functions/shared/settings.js';
import { describeExit, type ExitStatus } from '../process-alive.js';

/** A process that died, said by the child whose process it was. */
export interface ProcessDeath {
  /** e.g. "PostgreSQL" */
  readonly part: string;
  readonly pid: number;
  /** e.g. "was killed by SIGKILL" */
  readonly how: string;
}

/** What a child says to its parent. */
export type ChildMessage<T, S> =
  | { kind: 'status'; status: S }
  | { kind: 'ready'; info: T }
  | { kind: 'failed'; error: { message: string; retryable: boolean } }
  | { kind: 'exiting'; reason: ProcessDeath };

/** How a child ended, and why when it said so. */
export interface ChildExit extends ExitStatus {
  /** Set when a process of the child's own ended it (PostgreSQL under the database service). */
  readonly reason?: ProcessDeath;
}

/** A running child service, as its parent holds it. */
export interface ChildService<T> {
  /** What the child reported when it became ready. */
  readonly info: T;
  readonly pid: number;
  /** Resolves when the child has ended, however it ended. */
  readonly exited: Promise<ChildExit>;
  /** SIGTERM, then SIGKILL after `settings.localRuntime.supervision.stopTimeoutMs`. */
  stop(): Promise<void>;
}

/** Options of {@link startChildService}. */
export interface ChildServiceOptions<S> {
  /** Aborting it during start-up stops the child and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called with each status the child reports, from start-up on. */
  readonly onStatus?: (status: S) => void;
}

/**
 * Forks a child entry and waits until it reports ready.
 *
 * @param entry - absolute path of the child's TypeScript entry
 * @param args - its command-line arguments
 * @param options - an abort signal, a status listener
 * @throws PartUnavailableError when the child fails or exits during start-up (with the reason it gave)
 */
export async function startChildService<T, S = never>(
  entry: string,
  args: string[],
  options: ChildServiceOptions<S> = {},
): Promise<ChildService<T>> {
  options.signal?.throwIfAborted();
  const child = fork(entry, args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let reason: ProcessDeath | undefined;
  let failure: { message: string; retryable: boolean } | undefined;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, ...(reason ? { reason } : {}) }));
    // The 'exit' event may not follow a failed spawn.
    child.once('error', (error) => {
      failure ??= { message: `${basename(entry)} could not run: ${error.message}`, retryable: true };
      resolve({ code: null, signal: null });
    });
  });
  const ready = new Promise<T>((resolve, reject) => {
    child.on('message', (message: ChildMessage<T, S>) => {
      if (message.kind === 'ready') resolve(message.info);
      else if (message.kind === 'status') options.onStatus?.(message.status);
      else if (message.kind === 'failed') failure = message.error;
      else reason = message.reason;
    });
    void exited.then((status) =>
      reject(
        failure
          ? new PartUnavailableError(failure.message, failure.retryable)
          : new PartUnavailableError(`${basename(entry)} ${describeExit(status)} during start-up`, true),
      ),
    );
  });
  const stop = () => stopChild(child, exited);
  const onAbort = () => void stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const info = await ready;
    options.signal?.throwIfAborted();
    return { info, pid: child.pid ?? 0, exited, stop };
  } catch (error) {
    await stop();
    throw options.signal?.aborted ? options.signal.reason : error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function stopChild(child: ChildProcess, exited: Promise<ChildExit>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), settings.localRuntime.supervision.stopTimeoutMs);
  });
  try {
    if ((await Promise.race([exited, late])) === 'late') child.kill('SIGKILL');
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A service a child entry runs. */
export interface RunningService<T> {
  /** What the parent (or, run by hand, the terminal) is told once it is ready. */
  readonly info: T;
  stop(): Promise<void>;
  /** Resolves if the service ends by itself because a process of its own died. */
  readonly ended?: Promise<ProcessDeath>;
}

/**
 * For a child entry: starts its service with the stop handlers already in place, reports ready (or why
 * it could not start), and exits once the service has stopped. Run by hand instead of forked (no IPC
 * channel), the same entry announces itself with `announce` and stops on SIGINT, SIGTERM and SIGHUP.
 *
 * @param start - starts the service; must stop what it started when `signal` aborts; `report` sends a
 *   status to the parent
 * @param announce - how a hand-run service says it is ready (default: nothing)
 */
export function runChildService<T, S = never>(
  start: (signal: AbortSignal, report: (status: S) => void) => Promise<RunningService<T>>,
  announce: (info: T) => void = () => undefined,
): void {
  const forked = typeof process.send === 'function';
  const abort = new AbortController();
  let finishing = false;
  const starting = start(abort.signal, (status) => void sendToParent<T, S>({ kind: 'status', status }));
  const finish = async (code: number) => {
    if (finishing) return;
    finishing = true;
    abort.abort();
    let exitCode = code;
    try {
      await (await starting.catch(() => undefined))?.stop();
    } catch (error) {
      console.error(`stopping failed: ${messageOf(error)}`);
      exitCode = 1;
    }
    process.exit(exitCode);
  };

  process.once('SIGTERM', () => void finish(0));
  for (const signal of ['SIGINT', 'SIGHUP'] as const) {
    if (forked) process.on(signal, () => undefined);
    else process.once(signal, () => void finish(0));
  }
  if (forked) process.once('disconnect', () => void finish(0));

  starting.then(
    async (service) => {
      if (finishing) return;
      if (forked) await sendToParent<T, S>({ kind: 'ready', info: service.info });
      else announce(service.info);
      const death = await service.ended;
      if (!death || finishing) return;
      if (forked) await sendToParent<T, S>({ kind: 'exiting', reason: death });
      else console.error(`${death.part} (pid ${death.pid}) ${death.how}; stopping`);
      await finish(1);
    },
    async (error: unknown) => {
      if (finishing) return;
      const failure = startFailureOf(error);
      if (forked) await sendToParent<T, S>({ kind: 'failed', error: failure });
      else console.error(failure.message);
      process.exit(1);
    },
  );
}

/** Resolves once the message is handed to the channel (or at once without a parent). */
function sendToParent<T, S>(message: ChildMessage<T, S>): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Why start-up failed, and whether trying again can help (not while another process holds the port). */
function startFailureOf(error: unknown): { message: string; retryable: boolean } {
  if (error instanceof PartUnavailableError) return { message: error.message, retryable: error.retryable };
  const { code, port } = error as NodeJS.ErrnoException & { port?: number };
  if (code === 'EADDRINUSE') return { message: `port ${port} is taken by another process`, retryable: false };
  return { message: messageOf(error), retryable: true };
}
