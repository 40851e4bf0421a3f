/**
 * One measured replay: a CSV through the producer into a running runtime, timed from the first row
 * read until the processor has caught up, then checked against the API's `/stats/summary`.
 */

import { replayThroughProducer } from '../../local/cli/replay-file.js';
import type { LocalRuntime } from '../../local/runtime.js';

/** What a replay measured. */
export interface ReplayMeasure {
  /** Data rows read. */
  rows: number;
  /** Commits Kinesis accepted. */
  sent: number;
  kinesisRecords: number;
  payloadUnits: number;
  /** Until the producer was done. */
  producerS: number;
  /** Until the processor had caught up: replay → exact. */
  totalS: number;
  commitsPerSecond: number;
  /** Processor invocations (one transaction each) of this replay. */
  invocations: number;
  /** The summary counted exactly the commits this replay sent. */
  exact: boolean;
}

/** Options of {@link replayUntilExact}. */
export interface ReplayOptions {
  /** KPL aggregation of the producer. */
  aggregate: boolean;
  /** Longest wait for the processor. @default one hour */
  timeoutMs?: number;
}

/**
 * Replays `csv` into `runtime` and waits until every record is processed. "Exact" compares the commits
 * the summary gained with those the producer sent, so the runtime may hold earlier data, as long as its
 * commit ids differ from this file's (the ledger counts an id once).
 *
 * @param runtime - a started runtime
 * @param csv - the file to replay
 * @param options - aggregation, and how long to wait for the processor
 */
export async function replayUntilExact(
  runtime: LocalRuntime,
  csv: string,
  options: ReplayOptions,
): Promise<ReplayMeasure> {
  const commitsBefore = await summaryCommits(runtime);
  const invocationsBefore = runtime.mapping.snapshot().invocations;
  const started = performance.now();
  const result = await replayThroughProducer(runtime.environments, csv, { aggregate: options.aggregate });
  const producerS = (performance.now() - started) / 1000;
  await runtime.waitUntilProcessed({ timeoutMs: options.timeoutMs ?? 60 * 60_000 });
  const totalS = (performance.now() - started) / 1000;
  return {
    rows: result.read,
    sent: result.sent,
    kinesisRecords: result.kinesisRecords,
    payloadUnits: result.payloadUnits,
    producerS,
    totalS,
    commitsPerSecond: Math.round(result.sent / totalS),
    invocations: runtime.mapping.snapshot().invocations - invocationsBefore,
    exact: (await summaryCommits(runtime)) - commitsBefore === result.sent,
  };
}

async function summaryCommits(runtime: LocalRuntime): Promise<number> {
  const response = await fetch(new URL('stats/summary', runtime.apiUrl));
  if (!response.ok) throw new Error(`/stats/summary answered ${response.status}`);
  return ((await response.json()) as { commits: number }).commits;
}
