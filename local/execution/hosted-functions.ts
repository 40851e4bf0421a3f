/**
 * The functions the embedded runtime hosts, each with exactly the variables lib/pipeline-stack.ts sets
 * on it (beside the local cloud's endpoints and credentials), its sizing from `settings.functions`
 * and its concurrency.
 */
import { ENV } from '../../functions/shared/env.js';
import { settings } from '../../functions/shared/settings.js';
import { LOCAL_BUCKET_NAME, LOCAL_STREAM_NAME } from '../local-resources.js';
import type { HostedFunction } from './execution-environments.js';

/** The functions' timeout while their inspectors are open: long enough to step through a batch. */
const DEBUGGING_TIMEOUT_SECONDS = 3_600;

export interface HostedFunctionsOptions {
  /** Endpoints, credentials and log level: what every function of the local cloud reads. */
  readonly cloudEnv: Readonly<Record<string, string>>;
  /**
   * The endpoints the producer and the processor reach: the chaos proxies when chaos is on. The api reads
   * directly, chaos or not, so the dashboard and the exactly-once statement stay truthful.
   */
  readonly functionEndpoints: Readonly<Record<string, string>>;
  readonly database: {
    readonly resourceArn: string;
    readonly database: string;
    /** The owner's secret: the processor's. */
    readonly secretArn: string;
    /** The reader's secret: the api's. */
    readonly readerSecretArn: string;
  };
  /** Overrides of the processor's variables and timeout, and of the producer's timeout (tests). */
  readonly processorEnv?: Readonly<Record<string, string>>;
  readonly processorTimeoutSeconds?: number;
  readonly producerTimeoutSeconds?: number;
  /** One environment per shard × parallelization-factor lane: asked as the shards are known. */
  readonly processorConcurrency: () => number;
  /** Inspectors are open: a function paused at a breakpoint is not ended by its timeout (as `sam local --debug`). */
  readonly debugging: boolean;
}

/**
 * @param options - the local cloud, the database's identities, the processor's overrides
 * @returns the producer, the processor and the api
 */
export function hostedFunctions(options: HostedFunctionsOptions): HostedFunction[] {
  const { cloudEnv, database } = options;
  const timeoutOf = (seconds: number) => (options.debugging ? DEBUGGING_TIMEOUT_SECONDS : seconds);
  const databaseEnv = { [ENV.dbClusterArn]: database.resourceArn, [ENV.dbName]: database.database };
  return [
    {
      name: 'producer',
      ...settings.functions.producer,
      timeoutSeconds: timeoutOf(options.producerTimeoutSeconds ?? settings.functions.producer.timeoutSeconds),
      env: {
        ...cloudEnv,
        // Its `replay progress` lines are what a replay's caller shows (Powertools' default, as deployed).
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...options.functionEndpoints,
        [ENV.streamName]: LOCAL_STREAM_NAME,
        [ENV.bucketName]: LOCAL_BUCKET_NAME,
      },
      // One replay at a time: a replay is long and keeps both cores busy; another waits for it.
      concurrency: () => 1,
    },
    {
      name: 'processor',
      ...settings.functions.processor,
      timeoutSeconds: timeoutOf(
        options.processorTimeoutSeconds ?? settings.functions.processor.timeoutSeconds,
      ),
      env: {
        ...cloudEnv,
        ...options.functionEndpoints,
        [ENV.bucketName]: LOCAL_BUCKET_NAME,
        ...databaseEnv,
        [ENV.dbSecretArn]: database.secretArn,
        ...options.processorEnv,
      },
      concurrency: options.processorConcurrency,
    },
    {
      name: 'api',
      ...settings.functions.api,
      timeoutSeconds: timeoutOf(settings.functions.api.timeoutSeconds),
      // The reader's secret: the api can SELECT the serving tables, nothing more.
      env: { ...cloudEnv, ...databaseEnv, [ENV.dbSecretArn]: database.readerSecretArn },
      concurrency: () => settings.localRuntime.apiConcurrency,
    },
  ];
}
