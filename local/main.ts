/**
 * `npm start`: the whole pipeline on an embedded local cloud. Replays a CSV (the bundled sample by
 * default) through producer → Kinesis → processor → PostgreSQL/S3, then serves the API until Ctrl-C.
 *
 *   npm start -- [options]      # npm start -- --help lists them (local/cli/start-options.ts)
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildDashboard } from '../functions/api/dashboard/build.js';
import { runMetricsOf } from '../functions/producer/run-metrics.js';
import { messageOf, UsageError } from '../functions/shared/errors.js';
import { exitCodeOfError } from '../scripts/cli/exit-codes.js';
import { reportExactlyOnce } from './chaos/chaos-report.js';
import { LOCAL_CHAOS_PATH } from './chaos/chaos-route.js';
import { describeRule } from './chaos/chaos-spec.js';
import type { FileCounts } from './chaos/exactly-once.js';
import { noticeOldNode } from './cli/node-support.js';
import { assertPortFree } from './cli/port-check.js';
import { createProgress } from './cli/progress.js';
import { replayThroughProducer } from './cli/replay-file.js';
import { resumeCommand, stoppedMessage } from './cli/replay-flags.js';
import { handleShutdownSignals } from './cli/shutdown.js';
import { parseStartOptions, USAGE } from './cli/start-options.js';
import type { EnvironmentEvent } from './execution/execution-environments.js';
import type { ReloadReport } from './execution/function-builds.js';
import { POSTGRES_DIR, S3_DIR } from './local-cloud.js';
import { formatProcessorWindow, formatRunMetrics, reportQuietRuns } from './local-metrics.js';
import { clusterDirFor } from './postgres/index.js';
import { LOCAL_METRICS_PATH, type LocalRuntime, startLocalRuntime } from './runtime.js';
import { findRuntime, removeRuntimeFile, removeRuntimeFileNow, writeRuntimeFile } from './runtime-file.js';
import { describeSupervisionEvent, type SupervisionEvent } from './supervision/supervisor.js';

// First of all: from here on, a signal ends in the graceful shutdown, whatever is under way.
const shutdown = handleShutdownSignals(log);
/** Set once a part could not come back: that was said, and the exit is under way. */
let gaveUp = false;

async function main(): Promise<void> {
  const options = parseStartOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  noticeOldNode(process.version, log);
  const dataDir = resolve(options.dataDir);
  // Before anything starts: a taken port is reported at once, not after PostgreSQL came up.
  await assertPortFree(options.port);
  const other = findRuntime(dataDir);
  if (other.kind === 'running') {
    throw new UsageError(
      `npm start already runs on ${dataDir} (pid ${other.runtime.pid}): stop it first, or pass another --data-dir`,
    );
  }
  if (options.reset) {
    await rm(dataDir, { recursive: true, force: true });
    // The cluster may live outside the data dir (see clusterDirFor); it is part of the state.
    await rm(clusterDirFor(join(dataDir, POSTGRES_DIR)), { recursive: true, force: true });
    log(`reset: removed ${dataDir}`);
  }

  await buildDashboard();
  let started: LocalRuntime | undefined;
  // Its pids change when a part is restarted: the file follows (tests and tools read them there).
  const recordRuntime = async (runtime: LocalRuntime) => {
    if (shutdown.signal.aborted || gaveUp) return;
    await writeRuntimeFile(dataDir, {
      pid: process.pid,
      apiUrl: runtime.apiUrl,
      env: runtime.env,
      parts: runtime.parts(),
    });
  };
  const onPartEvent = (event: SupervisionEvent) => {
    log(describeSupervisionEvent(event));
    if (event.kind === 'gave-up') gaveUp = true;
    if (event.kind === 'back' && started) void recordRuntime(started);
  };
  const runtime = await startLocalRuntime({
    dataDir,
    apiPort: options.port,
    signal: shutdown.signal,
    onReload: options.watch ? (report) => log(describeReload(report)) : undefined,
    inspectPort: options.inspectPort,
    onEnvironment:
      options.inspectPort === undefined ? undefined : (event) => log(describeEnvironmentEvent(event)),
    onStep: (step, ms) => log(`${step}  (${(ms / 1000).toFixed(1)} s)`),
    onPartEvent,
    chaos: options.chaos,
  });
  started = runtime;
  // The file must not outlive the runtime: removed on every exit, and readers check its pid too.
  process.on('exit', () => removeRuntimeFileNow(dataDir));
  shutdown.stopWith(async () => {
    await removeRuntimeFile(dataDir);
    await runtime.stop();
  });
  // A part that cannot come back has been named (the gave-up event); the runtime stops itself.
  void runtime.failed.then(() => shutdown.exit(1));
  await recordRuntime(runtime);
  log(`Dashboard: ${runtime.apiUrl}  (open it now to watch the numbers grow)`);
  if (options.chaos) {
    log(
      `chaos: ${options.chaos.rules.map(describeRule).join(', ')} on the functions' calls, seed ${options.chaos.seed} ` +
        `(--chaos-seed ${options.chaos.seed} repeats it); ${new URL(LOCAL_CHAOS_PATH, runtime.apiUrl)} shows and changes them`,
    );
  }

  let waitingFor = 'the start';
  let sent: number | undefined;
  let replayed: FileCounts | undefined;
  if (options.replay) {
    log(`replaying ${options.csv}`);
    // An invocation of the producer, as deployed: it reaches Kinesis and S3 with its own environment
    // (through the chaos proxies, when on) and keeps its rejects in the local bucket.
    const result = await replayThroughProducer(runtime.environments, options.csv, options.request);
    const { rejectsAt, ...summary } = result;
    log(`producer: ${JSON.stringify(summary)}`);
    log(formatRunMetrics(runMetricsOf(result)));
    const onDisk = rejectsAt && join(dataDir, S3_DIR, rejectsAt.slice('s3://'.length));
    if (rejectsAt) log(`rejected rows kept in ${rejectsAt}  (on disk: ${onDisk})`);
    if (result.supersededRejects > 0) {
      log(`${result.supersededRejects} rows listed by earlier runs of this file were read again: unlisted`);
    }
    if (result.stopped) {
      log(
        stoppedMessage(result.stopped, resumeCommand('npm start --', process.argv.slice(2), result.stopped)),
      );
    }
    waitingFor = 'the producer finished';
    sent = result.sent;
    replayed = { valid: result.read - result.rejected, sent: result.sent, failed: result.failed };
  } else {
    // The stream and the checkpoints outlive a run: what an earlier one left unprocessed is done now.
    log('processing what the stream holds beyond the checkpoints');
  }
  await waitForProcessor(runtime, sent, waitingFor);
  // From now on, each burst of work (a replay from another terminal, the mapping's retries) is summed up.
  reportQuietRuns(runtime.processorMetrics, log);
  if (runtime.chaos) await reportExactlyOnce(runtime, replayed, log);

  log(`Dashboard: ${runtime.apiUrl}`);
  log(`API: ${runtime.apiUrl}stats/summary  (OpenAPI: ${runtime.apiUrl}openapi.json)  Ctrl-C to stop`);
  log(
    `Metrics: ${new URL(LOCAL_METRICS_PATH, runtime.apiUrl)}  (the processor's, as CloudWatch would keep them)`,
  );
}

/**
 * Waits until the processor has caught up with the stream, showing progress: a bar over the records
 * just sent, or a line every few seconds when how many are left is not known; either names a part that
 * is down and coming back.
 */
async function waitForProcessor(
  runtime: LocalRuntime,
  sent: number | undefined,
  after: string,
): Promise<void> {
  const before = runtime.mapping.snapshot().delivered;
  const started = performance.now();
  const progress = sent === undefined ? undefined : createProgress('process', sent, 'records');
  let reportedAt = started;
  await runtime.waitUntilProcessed({
    onProgress: (delivered, down) => {
      const waiting = down ? `waiting for ${down} to come back` : '';
      progress?.update(delivered - before, waiting);
      if (!progress && performance.now() - reportedAt >= PROGRESS_LINE_MS) {
        reportedAt = performance.now();
        log(`processor: ${delivered - before} records stored so far${waiting ? `; ${waiting}` : ''}`);
      }
    },
  });
  progress?.stop();
  const stats = runtime.mapping.snapshot();
  log(
    `processor: ${stats.delivered} records stored in ${stats.invocations} invocations ` +
      `(${stats.failed} to dead letters), caught up ${((performance.now() - started) / 1000).toFixed(1)} s ` +
      `after ${after}`,
  );
  const run = runtime.processorMetrics.takeRun();
  if (run) log(formatProcessorWindow(run));
}

/** `reloaded: api, processor (123 ms)`, or why the last good code keeps serving. */
function describeReload(report: ReloadReport): string {
  if (report.kind === 'reloaded')
    return `reloaded: ${report.functions.join(', ')} (${Math.round(report.durationMs)} ms)`;
  const errors = report.errors === 1 ? 'an error' : `${report.errors} errors`;
  return `${report.label}: the change does not build (${errors}, above); the last good code keeps serving`;
}

/** An environment's inspector, to attach a debugger to (docs/debugging.md). */
function describeEnvironmentEvent(event: EnvironmentEvent): string {
  if (event.kind === 'ended') return `${event.environmentId}: environment ended (${event.reason})`;
  const url = event.inspectorUrl;
  return url
    ? `${event.environmentId}: debugger listening on ${url}  (devtools://devtools/bundled/js_app.html?ws=${url.slice('ws://'.length)})`
    : `${event.environmentId}: environment started`;
}

/** How often a catch-up without a known total reports how far it got. */
const PROGRESS_LINE_MS = 5_000;

function log(message: string): void {
  console.log(`[local] ${message}`);
}

main().catch((error: unknown) => {
  // A signal aborted the start-up (what started has stopped), or a part could not come back (said).
  if (shutdown.signal.aborted) return void shutdown.exit(0);
  if (!gaveUp) console.error(`[local] failed: ${messageOf(error)}`);
  // A usage error (a flag, a port in use, a data dir in use) exits 2, as every command line does.
  void shutdown.exit(exitCodeOfError(error));
});
