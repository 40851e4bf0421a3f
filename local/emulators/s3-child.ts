/**
 * Child-process entry of the S3 emulator: `fork('s3-child.ts', [directory, port])`.
 * Reports `{ port }` to the parent once listening; exits with the parent.
 */
import S3rver from 's3rver';
import { runChildService } from './child-service.js';

const [directory = '.', port = '0'] = process.argv.slice(2);

runChildService(async () => {
  const server = new S3rver({
    address: '127.0.0.1',
    port: Number(port),
    directory,
    silent: true,
    vhostBuckets: false,
  });
  const address = await server.run();
  return { info: { port: address.port }, stop: () => server.close() };
});
