/**
 * `npm start`: the whole pipeline on an embedded local cloud. Replays a CSV (the bundled sample by
 * default) through producer → Kinesis → processor → PostgreSQL/S3, then serves the API until Ctrl-C.
 *
 *   npm start -- [--csv <path>] [--port <n>] [--data-dir <dir>] [--reset] [--no-replay]
 *                [--rate <records/s> | --speed <x>] [--limit <n>] [--from-line <n>]
 *                [--encoding <name>] [--no-aggregation]
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildDashboard } from '../functions/api/dashboard/build.js';
import { requestedReplay } from '../functions/producer/replay-request.js';
import { runMetricsOf } from '../functions/producer/run-metrics.js';
import { noticeOldNode } from './cli/node-support.js';
import { assertPortFree } from './cli/port-check.js';
import { createProgress } from './cli/progress.js';
import { replayFile } from './cli/replay-file.js';
import { resumeCommand, stoppedMessage } from './cli/replay-flags.js';
import { parseStartOptions, USAGE } from './cli/start-options.js';
import { formatProcessorWindow, formatRunMetrics, reportQuietRuns } from './local-metrics.js';
import { clusterDirFor } from './postgres.js';
import { LOCAL_METRICS_PATH, type LocalRuntime, POSTGRES_DIR, startLocalRuntime } from './runtime.js';
import { removeRuntimeFile, removeRuntimeFileNow, writeRuntimeFile } from './runtime-file.js';

async function main(): Promise<void> {
  const options = parseStartOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  noticeOldNode(process.version, log);
  const dataDir = resolve(options.dataDir);
  // Before anything starts: a taken port is reported at once, not after PostgreSQL came up.
  await assertPortFree(options.port);
  if (options.reset) {
    await rm(dataDir, { recursive: true, force: true });
    // The cluster may live outside the data dir (see clusterDirFor); it is part of the state.
    await rm(clusterDirFor(join(dataDir, POSTGRES_DIR)), { recursive: true, force: true });
    log(`reset: removed ${dataDir}`);
  }

  await buildDashboard();
  const runtime = await startLocalRuntime({
    dataDir,
    apiPort: options.port,
    onStep: (step, ms) => log(`${step}  (${(ms / 1000).toFixed(1)} s)`),
  });
  // The file must not outlive the runtime: removed on every exit, and readers check its pid too.
  process.on('exit', () => removeRuntimeFileNow(dataDir));
  await writeRuntimeFile(dataDir, { pid: process.pid, apiUrl: runtime.apiUrl, env: runtime.env });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping…`);
    await removeRuntimeFile(dataDir);
    await runtime.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => void shutdown(signal));
  log(`Dashboard: ${runtime.apiUrl}  (open it now to watch the numbers grow)`);

  if (options.replay) {
    log(`replaying ${options.csv}`);
    const result = await replayFile(options.csv, {
      streamName: runtime.streamName,
      rejectsDir: resolve(dataDir, 'rejected'),
      ...requestedReplay(options.request),
    });
    const { rejectsFile, ...summary } = result;
    log(`producer: ${JSON.stringify(summary)}`);
    log(formatRunMetrics(runMetricsOf(result)));
    if (rejectsFile) log(`rejected rows kept in ${rejectsFile}`);
    if (result.supersededRejects > 0) {
      log(`${result.supersededRejects} rows listed by earlier runs of this file were read again: unlisted`);
    }
    if (result.stopped) {
      log(
        stoppedMessage(result.stopped, resumeCommand('npm start --', process.argv.slice(2), result.stopped)),
      );
    } else await reportProcessing(runtime, result.sent);
  }
  // From now on, each burst of work (a replay from another terminal, the mapping's retries) is summed up.
  reportQuietRuns(runtime.processorMetrics, log);

  log(`Dashboard: ${runtime.apiUrl}`);
  log(`API: ${runtime.apiUrl}stats/summary  (OpenAPI: ${runtime.apiUrl}openapi.json)  Ctrl-C to stop`);
  log(
    `Metrics: ${new URL(LOCAL_METRICS_PATH, runtime.apiUrl)}  (the processor's, as CloudWatch would keep them)`,
  );
}

/** Waits until the processor has stored what the replay sent, with a progress bar, and says how it went. */
async function reportProcessing(runtime: LocalRuntime, sent: number): Promise<void> {
  const progress = createProgress('process', sent, 'records');
  const before = runtime.mapping.snapshot().delivered;
  const started = performance.now();
  await runtime.waitUntilProcessed({ onProgress: (delivered) => progress.update(delivered - before) });
  progress.stop();
  const stats = runtime.mapping.snapshot();
  log(
    `processor: ${stats.delivered} records stored in ${stats.invocations} invocations ` +
      `(${stats.failed} to dead letters), caught up ${((performance.now() - started) / 1000).toFixed(1)} s ` +
      'after the producer finished',
  );
  const run = runtime.processorMetrics.takeRun();
  if (run) log(formatProcessorWindow(run));
}

function log(message: string): void {
  console.log(`[local] ${message}`);
}

main().catch((error: unknown) => {
  console.error(`[local] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
