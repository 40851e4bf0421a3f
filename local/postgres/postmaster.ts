/**
 * Runs the postmaster: spawned from the cluster, ready when its log says so, watched until it ends.
 * Start-up failures are told from its log: a taken port and a held data directory cannot be mended by
 * trying again. The backends of a postmaster killed a moment ago keep its shared memory until they
 * notice (about a second): the start waits for them, trying again for up to `stopTimeoutMs`.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { debuglog } from 'node:util';
import { PartUnavailableError } from '../../functions/shared/errors.js';
import { retry } from '../../functions/shared/retry.js';
import { settings } from '../../functions/shared/settings.js';
import { describeExit, type ExitStatus } from '../process-alive.js';
import type { ClusterOwner, PostgresPrograms } from './binaries.js';

const log = debuglog('local-postgres');

/** What {@link startPostmaster} runs. */
export interface PostmasterSpec {
  readonly programs: PostgresPrograms;
  readonly clusterDir: string;
  readonly port: number;
  readonly owner: ClusterOwner;
  /** Server settings, each passed as `-c name=value`. */
  readonly settings: Readonly<Record<string, string>>;
  /** The server's log (its stderr) is appended to this file as well; the folder must exist. */
  readonly logFile?: string;
  /** Aborting it during start-up stops the postmaster. */
  readonly signal?: AbortSignal;
  /** Called with the postmaster's pid as soon as it exists, before it is ready. */
  readonly onSpawn?: (pid: number) => void;
}

/** A running postmaster. */
export interface Postmaster {
  readonly pid: number;
  /** Resolves when the postmaster has ended, however it ended. */
  readonly exited: Promise<ExitStatus>;
  /** A fast shutdown (SIGINT): transactions in flight roll back, the rest is checkpointed. */
  stop(): Promise<void>;
}

const READY = 'database system is ready to accept connections';
/** What the log says while the backends of a killed postmaster still hold its shared memory. */
const SHARED_MEMORY_IN_USE = /pre-existing shared memory block .* is still in use/;
/** Log lines kept to explain a failed start. */
const KEPT_LINES = 20;

/**
 * Starts the postmaster and waits until it accepts connections.
 *
 * @param spec - programs, cluster, port, settings
 * @throws PartUnavailableError when it ends before it is ready, saying why and whether a retry can help
 */
export async function startPostmaster(spec: PostmasterSpec): Promise<Postmaster> {
  const { stopTimeoutMs, firstDelayMs } = settings.localRuntime.supervision;
  const deadline = Date.now() + stopTimeoutMs;
  return retry(
    async () => {
      const attempt = await spawnPostmaster(spec);
      if ('pid' in attempt) return attempt;
      throw new BlockedStart(attempt.error, attempt.detaching);
    },
    // Bounded by the deadline: the old backends leave within about a second of their postmaster.
    { attempts: Number.POSITIVE_INFINITY, baseDelayMs: firstDelayMs, maxDelayMs: firstDelayMs },
    {
      signal: spec.signal,
      retryable: (error) => error instanceof BlockedStart && error.detaching && Date.now() <= deadline,
      onRetry: () => log('the backends of a killed postmaster still hold its shared memory; trying again'),
    },
  ).catch((error: unknown) => {
    throw error instanceof BlockedStart ? error.reason : error;
  });
}

/** A start that ended before the postmaster was ready, and whether a killed one's backends were in the way. */
class BlockedStart extends Error {
  constructor(
    readonly reason: PartUnavailableError,
    readonly detaching: boolean,
  ) {
    super(reason.message);
  }
}

/** One start: the postmaster, or why it ended (and whether a killed one's backends were in the way). */
async function spawnPostmaster(
  spec: PostmasterSpec,
): Promise<Postmaster | { error: PartUnavailableError; detaching: boolean }> {
  spec.signal?.throwIfAborted();
  const flags = Object.entries(spec.settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const child = spawn(spec.programs.postgres, ['-D', spec.clusterDir, '-p', String(spec.port), ...flags], {
    ...spec.owner,
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const pid = child.pid ?? 0;
  if (pid > 0) spec.onSpawn?.(pid);
  // 'exit', not 'close': the backends inherit the log pipe and may hold it open a little longer.
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const recent: string[] = [];
  let announceReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    announceReady = resolve;
  });
  child.stderr.setEncoding('utf8');
  // Closed when the pipe ends, after the last backend that held it has gone. A log that cannot be
  // written is said, and costs nothing else.
  if (spec.logFile) {
    const file = createWriteStream(spec.logFile, { flags: 'a' });
    file.on('error', (error) => log('cannot write the server log: %s', error.message));
    child.stderr.pipe(file);
  }
  child.stderr.on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter((text) => text.trim() !== '')) {
      log('%s', line);
      recent.push(line);
      if (recent.length > KEPT_LINES) recent.shift();
      if (line.includes(READY)) announceReady();
    }
  });
  const stop = () => stopPostmaster(child.pid ?? 0, exited, (signal) => child.kill(signal));
  const onAbort = () => void stop();
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const outcome = await Promise.race([ready.then(() => 'ready' as const), exited]);
    spec.signal?.throwIfAborted();
    if (outcome !== 'ready') {
      return {
        error: startFailure(spec, outcome, recent),
        detaching: SHARED_MEMORY_IN_USE.test(recent.join('\n')),
      };
    }
    return { pid, exited, stop };
  } catch (error) {
    await stop();
    throw spec.signal?.aborted ? spec.signal.reason : error;
  } finally {
    spec.signal?.removeEventListener('abort', onAbort);
  }
}

async function stopPostmaster(
  pid: number,
  exited: Promise<ExitStatus>,
  kill: (signal: NodeJS.Signals) => void,
): Promise<void> {
  const { stopTimeoutMs } = settings.localRuntime.supervision;
  // Fast shutdown, then immediate (crash recovery at the next start), then SIGKILL.
  for (const signal of ['SIGINT', 'SIGQUIT', 'SIGKILL'] as const) {
    if (pid === 0 || (await settledWithin(exited, 0))) return;
    kill(signal);
    if (await settledWithin(exited, stopTimeoutMs)) return;
  }
}

async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

function startFailure(
  spec: PostmasterSpec,
  status: ExitStatus,
  log: readonly string[],
): PartUnavailableError {
  const text = log.join('\n');
  if (/could not bind .*Address already in use/.test(text)) {
    return new PartUnavailableError(
      `PostgreSQL cannot listen on 127.0.0.1:${spec.port}: the port is taken by another process`,
      false,
    );
  }
  const holder = /Is another postmaster \(PID (\d+)\) running/.exec(text)?.[1];
  if (holder) {
    return new PartUnavailableError(
      `PostgreSQL's data directory ${spec.clusterDir} is in use by process ${holder}: stop it (kill ${holder}) or pass another --data-dir`,
      false,
    );
  }
  return new PartUnavailableError(
    `PostgreSQL ${describeExit(status)} during start-up from ${spec.clusterDir}:\n${text}`,
    true,
  );
}
