/**
 * Child-process entry of kinesalite (in memory), the emulator the project's Kinesis server is checked
 * against (conformance tests, benchmarks). Takes the Kinesis children's command line
 * (kinesis-child-args.ts) but keeps no data directory; reports `{ port }` to the parent once listening.
 */
import kinesalite from 'kinesalite';
import { type RunningService, runChildService } from './child-service.js';
import { parseKinesisChildArgs } from './kinesis-child-args.js';

runChildService(
  () =>
    new Promise<RunningService<{ port: number }>>((resolve, reject) => {
      const { port, dataDir } = parseKinesisChildArgs(process.argv.slice(2));
      if (dataDir !== undefined) {
        throw new Error('kinesalite keeps its streams in memory only; --data-dir is not supported');
      }
      const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const listening = typeof address === 'object' && address ? address.port : 0;
        resolve({
          info: { port: listening },
          stop: () => new Promise<void>((done) => server.close(() => done())),
        });
      });
    }),
);
