/**
 * Child-process entry of kinesalite (in memory), the emulator the project's Kinesis server is checked
 * against (conformance tests, benchmarks). Reports `{ port }` to the parent once listening.
 */
import kinesalite from 'kinesalite';
import { reportReady } from './child-service.js';

const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  reportReady({ port }, () => new Promise<void>((resolve) => server.close(() => resolve())));
});
