/**
 * Child-process entry of kinesalite (in memory), the emulator the project's Kinesis server is checked
 * against (conformance tests, benchmarks). Reports its port to the parent over IPC.
 */
import kinesalite from 'kinesalite';

const port = Number(process.argv[2] ?? 0);
const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : port });
});
// The parent going away (even killed) must not leave the emulator behind.
process.on('disconnect', () => process.exit(0));
