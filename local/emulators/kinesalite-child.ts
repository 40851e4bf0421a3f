/**
 * Child-process entry of kinesalite (in memory), the emulator the project's Kinesis server is checked
 * against (conformance tests, benchmarks). Takes the Kinesis children's command line
 * (kinesis-child-args.ts) but keeps no data directory; reports `{ port }` to the parent once listening.
 */
import kinesalite from 'kinesalite';
import { reportReady } from './child-service.js';
import { parseKinesisChildArgs } from './kinesis-child-args.js';

const { port, dataDir } = parseKinesisChildArgs(process.argv.slice(2));
if (dataDir !== undefined) {
  console.error('kinesalite-child: kinesalite keeps its streams in memory only; --data-dir is not supported');
  process.exit(1);
}
const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;
  reportReady({ port: listening }, () => new Promise<void>((resolve) => server.close(() => resolve())));
});
