/**
 * Child-process entry of kinesalite (in memory), the emulator the project's Kinesis server is checked
 * against (conformance tests, benchmarks). Reports `{ port }` to the parent once listening.
 */
import kinesalite from 'kinesalite';
import { type RunningService, runChildService } from './child-service.js';

runChildService(
  () =>
    new Promise<RunningService<{ port: number }>>((resolve, reject) => {
      const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
      server.once('error', reject);
      server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        resolve({
          info: { port },
          stop: () => new Promise<void>((done) => server.close(() => done())),
        });
      });
    }),
);
