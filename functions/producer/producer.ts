/**
 * The producer, wired: a CSV byte stream in, validated rows onto the stream named by the function's
 * environment. The Lambda adapter and the local replay CLI both build it here, so they publish alike.
 */
import type { Readable } from 'node:stream';
import { createKinesisClient } from '../shared/adapters/aws-clients.js';
import { KinesisRecordPublisher } from '../shared/adapters/kinesis-record-publisher.js';
import { ENV, type FunctionEnvironment, requireEnv } from '../shared/env.js';
import { readCommitCsv } from './csv-source.js';
import type { RejectSink } from './reject-sinks.js';
import { type ReplayOptions, type ReplayResult, replayRows } from './replay.js';

export interface Producer {
  /**
   * Replays one CSV onto the stream.
   *
   * @param input - the CSV bytes (a file or an S3 object stream)
   * @param rejects - where rows that cannot be sent are kept
   * @param options - pacing, row limit and a progress callback
   */
  replay(input: Readable, rejects: RejectSink, options?: ReplayOptions): Promise<ReplayResult>;
}

/**
 * @param env - the function's environment: `STREAM_NAME`
 */
export function createProducer(env: FunctionEnvironment): Producer {
  const publisher = new KinesisRecordPublisher(createKinesisClient(), requireEnv(ENV.streamName, env));
  return {
    replay: (input, rejects, options) => replayRows(readCommitCsv(input), { publisher, rejects }, options),
  };
}
