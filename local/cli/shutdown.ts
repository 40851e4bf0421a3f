/**
 * How `npm start` ends on a signal. SIGINT (Ctrl-C), SIGTERM and SIGHUP always lead to the graceful
 * shutdown, whatever the runtime is doing: the handlers are installed before anything starts, a signal
 * during start-up aborts it (what already started is stopped), and a signal afterwards stops the
 * runtime. A second signal forces the exit at once, and says so; the parts, which stop themselves when
 * their parent goes away, then wind down on their own.
 *
 * `npm start` runs this process under `sh`; a SIGTERM sent to npm's pid reaches only that shell, which
 * dies without passing it on. So the launcher is watched too: when it goes away, that is a shutdown.
 */
import { constants } from 'node:os';
import { messageOf } from '../../functions/shared/errors.js';

/** The signals that end `npm start`. */
export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The signal that ended start-up, as the reason of {@link Shutdown.signal}. */
export class ShutdownRequestedError extends Error {
  override readonly name = 'ShutdownRequestedError';
}

/** The shutdown of one process. */
export interface Shutdown {
  /** Aborted at the first signal: start-up steps given it stop what they started, and reject. */
  readonly signal: AbortSignal;
  /** Once the runtime runs: how to stop it. A signal (already received or to come) stops it, exit 0. */
  stopWith(stop: () => Promise<void>): void;
  /** Stops what was registered (once, whoever asks first) and exits with `code`. */
  exit(code: number): Promise<never>;
}

/**
 * Installs the signal handlers. Call it first.
 *
 * @param log - where "SIGTERM: stopping…" and the forced exit are said
 */
export function handleShutdownSignals(log: (message: string) => void): Shutdown {
  const requested = new AbortController();
  let stop: (() => Promise<void>) | undefined;
  let stopping: Promise<void> | undefined;

  const exit = async (code: number): Promise<never> => {
    stopping ??= (async () => {
      try {
        await stop?.();
      } catch (error) {
        log(`stopping failed: ${messageOf(error)}`);
      }
    })();
    await stopping;
    process.exit(code);
  };

  const begin = (why: string) => {
    log(`${why}: stopping…`);
    requested.abort(new ShutdownRequestedError(`${why} during start-up`));
    // Before the runtime runs, start-up sees the abort, stops what it started, and calls exit(0).
    if (stop) void exit(0);
  };
  const onSignal = (signal: (typeof SHUTDOWN_SIGNALS)[number]) => {
    if (requested.signal.aborted) {
      log(`${signal} again: forcing the exit now (the parts stop by themselves once this process is gone)`);
      process.exit(128 + constants.signals[signal]);
    }
    begin(signal);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, () => onSignal(signal));
  watchLauncher((launcher) => {
    if (!requested.signal.aborted) begin(`the process that launched this one (pid ${launcher}) is gone`);
  });

  return {
    signal: requested.signal,
    stopWith(next) {
      stop = next;
      if (requested.signal.aborted) void exit(0);
    },
    exit,
  };
}

/** Calls `onGone` once this process has been handed to another parent (its launcher ended). */
function watchLauncher(onGone: (launcher: number) => void): void {
  const launcher = process.ppid;
  if (launcher <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    onGone(launcher);
  }, LAUNCHER_CHECK_MS);
  timer.unref();
}

/** How often the launcher is looked for. */
const LAUNCHER_CHECK_MS = 500;
