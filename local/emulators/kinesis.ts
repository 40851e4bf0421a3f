/**
 * The Kinesis emulator of the local runtime: kinesalite in a child process on loopback.
 *
 * Chosen by measurement (docs/local-runtime.md): kinesalite answers a 500-record PutRecords in a flat
 * 30–60 ms whatever the stream size, where kinesis-mock slows down as shards fill.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface KinesisEmulator {
  endpoint: string;
  stop(): Promise<void>;
}

const entry = fileURLToPath(new URL('./kinesis-server.ts', import.meta.url));

/** @param port - 0 picks a free port */
export async function startKinesisEmulator(port = 0): Promise<KinesisEmulator> {
  const child = fork(entry, [String(port)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the Kinesis emulator exited during start-up (code ${code})`);
    }),
  ])) as [{ port: number }];
  return { endpoint: `http://127.0.0.1:${message.port}`, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
