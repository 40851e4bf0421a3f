/**
 * Child-process entry of the Kinesis server: `fork('child.ts', [port])` (0 = a free port).
 * Reports `{ port }` to the parent once listening; exits with the parent.
 */
import { reportReady } from '../emulators/child-service.js';
import { startKinesisServer } from './server.js';

const server = await startKinesisServer({ port: Number(process.argv[2] ?? 0) });
reportReady({ port: Number(new URL(server.endpoint).port) }, () => server.close());
