/**
 * Child-process entry of the Kinesis server, so that it gets a core of its own instead of sharing the
 * runtime's event loop: `fork('child.ts', [port])` (0 = a free port). Reports `{ port }` to the parent
 * over IPC once listening, and exits when the parent goes away (even killed), so it is never left behind.
 */
import { startKinesisServer } from './server.js';

const port = Number(process.argv[2] ?? 0);
const server = await startKinesisServer({ port });
process.send?.({ port: Number(new URL(server.endpoint).port) });
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  void server.close().finally(() => process.exit(0));
});
