/**
 * The runtime's local cloud: the database service (PostgreSQL and the Data API server), the Kinesis
 * server and the S3 emulator, each a child process started under the supervisor. A part that dies is
 * started again on the ports it had and from the state it keeps in the data dir, so every endpoint
 * already handed to the functions stays valid; the stream and the bucket are made to exist after every
 * start, the first included.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createKinesisClient, createS3Client } from '../functions/shared/adapters/aws-clients.js';
import { settings } from '../functions/shared/settings.js';
import { type ChildService, startChildService } from './emulators/child-service.js';
import { type KinesisEmulator, startKinesisEmulator } from './emulators/kinesis.js';
import { type S3Emulator, startS3Emulator } from './emulators/s3.js';
import { LOCAL_BUCKET_NAME, LOCAL_REGION, LOCAL_STREAM_NAME } from './local-resources.js';
import { clusterDirFor, isPostmasterOf, postmasterPidOf } from './postgres/index.js';
import { endProcess } from './process-alive.js';
import type { DatabaseServiceInfo, DatabaseServiceStatus } from './serve-database.js';
import { type PartDefinition, type SupervisionEvent, Supervisor } from './supervision/supervisor.js';

/** The PostgreSQL cluster's folder inside the data dir. */
export const POSTGRES_DIR = 'postgres';
/** The S3 emulator's objects inside the data dir: `<bucket>/<key>._S3rver_object`. */
export const S3_DIR = 's3';
/** The Kinesis server's folder inside the data dir: the stream, kept across starts and restarts. */
export const KINESIS_DIR = 'kinesis';
/** PostgreSQL's server log inside the data dir, appended across starts and restarts. */
export const POSTGRES_LOG_FILE = join('logs', 'postgres.log');

/** Region and credentials of the local cloud (s3rver only accepts its own fixed key pair). */
export const LOCAL_CLOUD_CREDENTIALS = {
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
} as const;

/** The pid of each part, PostgreSQL's postmaster included. */
export interface PartPids {
  database: number;
  postgres: number;
  kinesis: number;
  s3: number;
}

/** Options of {@link startLocalCloud}. */
export interface LocalCloudOptions {
  dataDir: string;
  /** PostgreSQL's `synchronous_commit`. @default settings.localRuntime.durableCommits */
  durableCommits?: boolean;
  /** PostgreSQL settings for this run beside the cluster's own, e.g. `{ log_lock_waits: 'on' }`. */
  postgresSettings?: Readonly<Record<string, string>>;
  /**
   * Shards of the stream when this start creates it; a stream kept in the data dir keeps its own.
   * @default settings.stream.shardCount
   */
  shardCount?: number;
  /** Aborts the start-up: what started is stopped. */
  signal?: AbortSignal;
  /** Told of each part that dies, comes back, or cannot. */
  onEvent?: (event: SupervisionEvent) => void;
  /** Told as the database, then the emulators, come up. */
  onStep?: (message: string) => void;
}

/** The running local cloud. */
export interface LocalCloud {
  database: DatabaseServiceInfo;
  kinesisEndpoint: string;
  s3Endpoint: string;
  /** Watches the parts; also the gate that holds the mapping while one is down. */
  supervisor: Supervisor;
  pids(): PartPids;
  stop(): Promise<void>;
}

/**
 * Starts the database service, then the Kinesis server and the S3 emulator, under one supervisor.
 *
 * @param options - data dir, durability, abort signal and listeners
 * @throws PartUnavailableError when a part cannot start (what already started is stopped)
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  // The SDK clients of this process (and the functions' handlers) read these themselves.
  Object.assign(process.env, LOCAL_CLOUD_CREDENTIALS);
  const onEvent = options.onEvent ?? (() => undefined);
  const supervisor = new Supervisor(onEvent);
  try {
    const database = databasePart(options, onEvent);
    const databaseService = await supervisor.start(database, options.signal);
    const { info } = databaseService.current();
    options.onStep?.(`PostgreSQL on 127.0.0.1:${info.pgPort}, RDS Data API at ${info.dataApiUrl}`);

    const [kinesis, s3] = await Promise.all([
      supervisor.start(
        kinesisPart(join(options.dataDir, KINESIS_DIR), options.shardCount ?? settings.stream.shardCount),
        options.signal,
      ),
      supervisor.start(s3Part(join(options.dataDir, S3_DIR)), options.signal),
    ]);
    const kinesisEndpoint = kinesis.current().endpoint;
    const s3Endpoint = s3.current().endpoint;
    options.onStep?.(`Kinesis at ${kinesisEndpoint}, S3 at ${s3Endpoint}`);
    return {
      database: info,
      kinesisEndpoint,
      s3Endpoint,
      supervisor,
      pids: () => ({
        database: databaseService.current().pid,
        postgres: database.postmasterPid() ?? 0,
        kinesis: kinesis.current().pid,
        s3: s3.current().pid,
      }),
      stop: () => supervisor.stop(),
    };
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
}

/** PostgreSQL and the Data API server, in a process of their own (`serve-database.ts`). */
function databasePart(
  options: LocalCloudOptions,
  onEvent: (event: SupervisionEvent) => void,
): PartDefinition<ChildService<DatabaseServiceInfo>> & { postmasterPid(): number | undefined } {
  const postgresDir = join(options.dataDir, POSTGRES_DIR);
  const serverSettings = Object.entries(options.postgresSettings ?? {});
  const entry = fileURLToPath(new URL('./serve-database.ts', import.meta.url));
  let ports: { dataApi: number; pg: number } | undefined;
  let postmasterPid: number | undefined;
  return {
    name: 'database service',
    postmasterPid: () => postmasterPid,
    async start(signal) {
      // No other runtime runs on this data dir (npm start checks): a postmaster of its cluster is one
      // that a killed run left behind, still holding the port and the lock, perhaps still shutting down.
      if (!ports) await endLeftoverPostmaster('an earlier run that was killed');
      const service = await startChildService<DatabaseServiceInfo, DatabaseServiceStatus>(
        entry,
        [
          ...['--data-dir', postgresDir],
          ...['--port', String(ports?.dataApi ?? 0)],
          ...(ports ? ['--pg-port', String(ports.pg)] : []),
          ...((options.durableCommits ?? settings.localRuntime.durableCommits)
            ? []
            : ['--no-durable-commits']),
          ...['--log-file', join(options.dataDir, POSTGRES_LOG_FILE)],
          ...serverSettings.flatMap(([name, value]) => ['--setting', `${name}=${value}`]),
        ],
        { signal, onStatus: (status) => (postmasterPid = status.postmasterPid) },
      );
      ports ??= { dataApi: Number(new URL(service.info.dataApiUrl).port), pg: service.info.pgPort };
      return service;
    },
    // A service that was killed leaves its postmaster running, holding the port and the data dir.
    afterExit: () => endLeftoverPostmaster('the database service'),
  };

  async function endLeftoverPostmaster(by: string): Promise<void> {
    const clusterDir = clusterDirFor(postgresDir);
    const pid = postmasterPid ?? postmasterPidOf(clusterDir);
    if (pid === undefined || !isPostmasterOf(pid, clusterDir)) return;
    onEvent({ kind: 'left-behind', part: 'PostgreSQL', pid, by });
    await endProcess(pid, 'SIGINT', settings.localRuntime.supervision.stopTimeoutMs);
  }
}

function kinesisPart(dataDir: string, shardCount: number): PartDefinition<KinesisEmulator> {
  let port = 0;
  return {
    name: 'Kinesis server',
    async start(signal) {
      const emulator = await startKinesisEmulator({ port, dataDir, signal });
      port = emulator.info.port;
      return emulator;
    },
    afterStart: (emulator) =>
      withClient(createKinesisClient({ AWS_ENDPOINT_URL_KINESIS: emulator.endpoint }), (kinesis) =>
        ensureStream(kinesis, shardCount),
      ),
  };
}

function s3Part(directory: string): PartDefinition<S3Emulator> {
  let port = 0;
  return {
    name: 'S3 emulator',
    async start(signal) {
      const emulator = await startS3Emulator(directory, port, signal);
      port = emulator.info.port;
      return emulator;
    },
    afterStart: (emulator) =>
      withClient(createS3Client({ AWS_ENDPOINT_URL_S3: emulator.endpoint }), ensureBucket),
  };
}

async function withClient<C extends { destroy(): void }>(client: C, use: (client: C) => Promise<void>) {
  try {
    await use(client);
  } finally {
    client.destroy();
  }
}

async function ensureStream(kinesis: KinesisClient, shardCount: number): Promise<void> {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: LOCAL_STREAM_NAME, ShardCount: shardCount }));
  } catch (error) {
    // Kept in the data dir since an earlier start (AWS answers a second CreateStream the same way).
    if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
  }
  for (;;) {
    const { StreamDescriptionSummary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: LOCAL_STREAM_NAME }),
    );
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function ensureBucket(s3: S3Client): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: LOCAL_BUCKET_NAME }));
  } catch (error) {
    // The archive persists in the data dir, so the bucket usually exists from an earlier run.
    if (!(error instanceof Error && ['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(error.name)))
      throw error;
  }
}
