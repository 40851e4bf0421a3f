/**
 * Child-process entry of the Kinesis server: `fork('child.ts', kinesisChildArgs({ port, dataDir }))`
 * (port 0 = a free one). Reports `{ port }` to the parent once listening, or why it could not start;
 * exits with the parent. With a data directory a restarted child recovers the streams the previous one
 * kept there, so that on the same port it serves the same state. New streams keep their records for the
 * pipeline's retention period (settings.stream.retentionHours).
 */
import { settings } from '../../functions/shared/settings.js';
import { runChildService } from '../emulators/child-service.js';
import { parseKinesisChildArgs } from '../emulators/kinesis-child-args.js';
import { startKinesisServer } from './server.js';

runChildService(async () => {
  const { port, dataDir, syncWrites } = parseKinesisChildArgs(process.argv.slice(2));
  const server = await startKinesisServer({
    port,
    dataDirectory: dataDir,
    syncWrites,
    retentionHours: settings.stream.retentionHours,
  });
  return { info: { port: Number(new URL(server.endpoint).port) }, stop: () => server.close() };
});
