/**
 * Looking at processes by pid, ours or not: whether one runs, what program it is, how it ended, and
 * ending one that is not our child (a postmaster left behind by a database service that was killed).
 */
import { execFileSync } from 'node:child_process';

/** How a process ended: its exit code, or the signal that ended it. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Whether a process id belongs to a process (of any user); cheap, so a zombie still counts. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Like {@link isProcessAlive}, but a zombie (ended, not yet reaped by its parent) counts as gone. */
export function isProcessRunning(pid: number): boolean {
  return isProcessAlive(pid) && processInfo(pid)?.zombie !== true;
}

/** What `ps` tells of a process. */
export interface ProcessInfo {
  /** The program's name (`comm`), e.g. `postgres`. */
  readonly name: string;
  /** Its command line as it shows it now. */
  readonly args: string;
  readonly zombie: boolean;
}

/**
 * The program, command line and state of a process (from `ps`), or undefined when it does not run or
 * `ps` is not available.
 *
 * @param pid - any process id
 */
export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const line = execFileSync('ps', ['-o', 'stat=,comm=,args=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const [stat = '', name = '', ...args] = line.split(/\s+/);
    return line === '' ? undefined : { name, args: args.join(' '), zombie: stat.startsWith('Z') };
  } catch {
    return undefined;
  }
}

/** "exited with code 1", "was killed by SIGKILL": how a process ended, for messages. */
export function describeExit({ code, signal }: ExitStatus): string {
  if (signal) return `was killed by ${signal}`;
  return `exited with code ${code ?? 'unknown'}`;
}

/**
 * Ends a process that is not our child: `signal` first, SIGKILL if it is still there after `timeoutMs`.
 *
 * @param pid - the process to end
 * @param signal - the polite request (PostgreSQL: SIGINT, a fast shutdown)
 * @param timeoutMs - how long it may take to go
 * @returns true if it had to be killed
 */
export async function endProcess(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  if (!sendSignal(pid, signal)) return false;
  if (await waitUntilGone(pid, timeoutMs)) return false;
  sendSignal(pid, 'SIGKILL');
  await waitUntilGone(pid, timeoutMs);
  return true;
}

/** Resolves true once the process is gone, false if it still runs after `timeoutMs`. */
export async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
