/**
 * The producer, wired: a CSV byte stream in, validated rows onto the stream named by the function's
 * environment. The Lambda adapter and the local replay CLI both build it here, so they publish alike.
 */
import type { Readable } from 'node:stream';
import { createKinesisClient } from '../shared/adapters/aws-clients.js';
import { KinesisRecordPublisher } from '../shared/adapters/kinesis-record-publisher.js';
import { ENV, type FunctionEnvironment, requireEnv } from '../shared/env.js';
import { loadShardMap, ShardMapCache } from '../shared/kinesis-aggregation/index.js';
import type { CsvEncoding } from './csv-encoding.js';
import { readCommitCsv } from './csv-source.js';
import type { RejectSink } from './reject-sinks.js';
import { type ReplayOptions, type ReplayResult, replayRows } from './replay.js';

/** A PutRecords call silent this long has failed (and is retried like any other failure). */
const PUT_TIMEOUT_MS = 30_000;

/** How to read and replay one CSV. */
export interface ProducerReplayOptions extends ReplayOptions {
  /** @default 'utf-8' */
  encoding?: CsvEncoding | undefined;
}

export interface Producer {
  /**
   * Replays one CSV onto the stream.
   *
   * @param input - the CSV bytes (a file or an S3 object stream)
   * @param rejects - where rows that cannot be sent are kept
   * @param options - encoding, line to start from, pacing, row limit, stop signal and a progress callback
   */
  replay(input: Readable, rejects: RejectSink, options?: ProducerReplayOptions): Promise<ReplayResult>;
}

/**
 * @param env - the function's environment: `STREAM_NAME`
 */
export function createProducer(env: FunctionEnvironment): Producer {
  // putWithRetries is the one retry loop (backoff with jitter, per-entry outcome): the SDK does not retry.
  const client = createKinesisClient(env, { maxAttempts: 1, requestTimeoutMs: PUT_TIMEOUT_MS });
  const streamName = requireEnv(ENV.streamName, env);
  const publisher = new KinesisRecordPublisher(client, streamName);
  // Read (with ListShards) only when a replay aggregates; reloaded when a put shows it went stale.
  const shardMaps = new ShardMapCache(() => loadShardMap(client, streamName));
  return {
    replay: (input, rejects, options = {}) =>
      replayRows(
        readCommitCsv(input, { encoding: options.encoding, fromLine: options.fromLine }),
        { publisher, rejects, shardMaps },
        options,
      ),
  };
}
