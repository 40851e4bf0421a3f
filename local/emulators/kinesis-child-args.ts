/**
 * The command line of a Kinesis emulator's child entry (`local/kinesis-server/child.ts`,
 * `kinesalite-child.ts`), written by the parent and read by the child from this one definition:
 *
 *     --port <n> [--data-dir <dir>] [--no-sync-writes]
 */
import { parseArgs } from 'node:util';

export interface KinesisChildOptions {
  /** 0 picks a free port. */
  port: number;
  /** Where the streams are kept across restarts; none keeps them only while the process lives. */
  dataDir?: string;
  /** With a data directory: fdatasync each write before acknowledging it (default true). */
  syncWrites?: boolean;
}

/** The arguments that make a child entry start with these options. */
export function kinesisChildArgs(options: KinesisChildOptions): string[] {
  return [
    '--port',
    String(options.port),
    ...(options.dataDir === undefined ? [] : ['--data-dir', options.dataDir]),
    ...(options.syncWrites === false ? ['--no-sync-writes'] : []),
  ];
}

/** The options a child entry was started with; throws a one-line message on anything else. */
export function parseKinesisChildArgs(
  argv: string[],
): Required<Pick<KinesisChildOptions, 'port' | 'syncWrites'>> & Pick<KinesisChildOptions, 'dataDir'> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowNegative: true,
    options: {
      port: { type: 'string', default: '0' },
      'data-dir': { type: 'string' },
      'sync-writes': { type: 'boolean', default: true },
    },
  });
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65_535)
    throw new Error(`--port must be a port number, got "${values.port}"`);
  return { port, dataDir: values['data-dir'], syncWrites: values['sync-writes'] };
}
