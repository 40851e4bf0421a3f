/**
 * Child-process entry of the Kinesis server: `fork('child.ts', [port])` (0 = a free port).
 * Reports `{ port }` to the parent once listening; exits with the parent. New streams keep their records
 * for the pipeline's retention period (settings.stream.retentionHours).
 */
import { settings } from '../../functions/shared/settings.js';
import { runChildService } from '../emulators/child-service.js';
import { startKinesisServer } from './server.js';

runChildService(async () => {
  const server = await startKinesisServer({
    port: Number(process.argv[2] ?? 0),
    retentionHours: settings.stream.retentionHours,
  });
  return { info: { port: Number(new URL(server.endpoint).port) }, stop: () => server.close() };
});
