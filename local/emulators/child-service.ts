/**
 * Runs a local service (an emulator, the database) in a child process of its own, so that it gets a
 * core instead of sharing the runtime's event loop. The child reports what callers need (its URL,
 * ports) with one IPC message once it is ready, and exits when the parent goes away.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';

export interface ChildService<T> {
  /** What the child reported when it became ready. */
  info: T;
  stop(): Promise<void>;
}

/**
 * @param entry - absolute path of the child's TypeScript entry
 * @param args - its command-line arguments
 */
export async function startChildService<T>(entry: string, args: string[]): Promise<ChildService<T>> {
  const child = fork(entry, args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const [info] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${entry} exited during start-up (code ${code})`);
    }),
  ])) as [T];
  return { info, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** For a child entry: report readiness to the parent, and exit with it. */
export function reportReady(info: unknown, stop: () => Promise<void>): void {
  process.send?.(info);
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().finally(() => process.exit(0)));
}
