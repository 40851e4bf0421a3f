/**
 * The Kinesis server's child process as the runtime forks it, for suites that kill it (SIGKILL) and
 * start it again on the same port and data directory.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import type { ChildMessage } from '../../local/emulators/child-service.js';
import { KINESIS_CHILD_ENTRIES } from '../../local/emulators/kinesis.js';
import { kinesisChildArgs } from '../../local/emulators/kinesis-child-args.js';

export interface KinesisChild {
  child: ChildProcess;
  port: number;
  endpoint: string;
  /** Ends the process at once, as a crash would; resolves when it is gone. */
  kill(): Promise<void>;
}

/**
 * @param port - 0 picks a free one; a restart passes its predecessor's
 * @param dataDir - where the streams are kept (none: only while the process lives)
 */
export async function forkKinesisServer(port: number, dataDir?: string): Promise<KinesisChild> {
  const child = fork(KINESIS_CHILD_ENTRIES['kinesis-server'], kinesisChildArgs({ port, dataDir }), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  // The child protocol's ready message (child-service.ts); a child that cannot start exits.
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the Kinesis server exited during start-up (code ${code})`);
    }),
  ])) as [ChildMessage<{ port: number }, never>];
  if (message.kind !== 'ready')
    throw new Error(`the Kinesis server did not start: ${JSON.stringify(message)}`);
  const { port: listening } = message.info;
  return {
    child,
    port: listening,
    endpoint: `http://127.0.0.1:${listening}`,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
