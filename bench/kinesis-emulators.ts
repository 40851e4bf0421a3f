/**
 * PutRecords / GetRecords throughput of the Kinesis emulators, through the official SDK client, each
 * emulator in a child process of its own (as the local runtime runs it):
 *
 *     npx tsx bench/kinesis-emulators.ts [--records 200000] [--in-flight 4]
 *                                        [--only kinesalite|kinesis-server|sdk-ceiling]
 *
 * The workload is the pipeline's: a 2-shard stream, 500-record PutRecords calls of ~300-byte JSON
 * commit records keyed person_1..person_104 with 4 calls in flight (the producer's setting), then one
 * reader per shard draining it from TRIM_HORIZON with GetRecords Limit 500 (the event-source mapping's
 * batch size). Numbers are printed, never asserted.
 *
 * Each emulator is forked from its own child entry (kinesalite's is local/emulators/kinesalite-child.ts), so
 * the comparison does not depend on which one the runtime uses. A third one, "sdk-ceiling", is a stub
 * answering from pre-serialised responses at almost no cost: the most any emulator can show through one
 * SDK client on this machine.
 *
 * Besides the end-to-end rate, the table shows the CPU each side spent per call (the emulator's read from
 * /proc, Linux only) and the emulator's capacity = records / emulator CPU seconds: what it could serve if
 * the client were free. On a small machine the SDK client, not the emulator, can be the limit. The last
 * columns are the emulator process's resident memory after the phase and its peak (VmRSS, VmHWM): with
 * `--records 1000000` they show whether the emulator's memory grows with the records it holds.
 *
 * The project's server runs three ways (`--only kinesis-server` runs all three): records in temporary
 * files ("kinesis-server"), kept in a data directory with an fdatasync before each acknowledgement
 * ("kinesis-server durable+sync", as the runtime runs it) and kept without it ("kinesis-server durable").
 * After a durable run the child is killed (SIGKILL) and the time a server takes to recover the data
 * directory is printed.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { kinesisChildArgs } from '../local/emulators/kinesis-child-args.js';
import { startKinesisServer } from '../local/kinesis-server/index.js';
import { syntheticCommit } from './support/synthetic-commit.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    'in-flight': { type: 'string', default: '4' },
    only: { type: 'string' },
    /** Internal: run as the canned-answer stub (child process). */
    'canned-server': { type: 'boolean', default: false },
  },
});
const RECORDS = Number(values.records);
const IN_FLIGHT = Number(values['in-flight']);
const BATCH = 500;
const AUTHORS = 104;
const STREAM = 'bench';

interface Emulator {
  endpoint: string;
  /** Ends the process at once, as a crash would. */
  kill(): Promise<void>;
  /** CPU time the emulator process has used so far, ms (NaN where /proc is not available). */
  cpuMs(): number;
  /** Resident and peak resident memory of the emulator process, MiB (NaN without /proc). */
  memoryMiB(): { rss: number; peak: number };
  stop(): Promise<void>;
}

interface PhaseResult {
  recordsPerSecond: number;
  latencies: number[];
  calls: number;
  serverCpuMs: number;
  clientCpuMs: number;
  /** The emulator's resident memory at the end of the phase, and its peak so far. */
  rssMiB: number;
  peakRssMiB: number;
}

interface EmulatorEntry {
  entry: string;
  args: string[];
  /** The data directory the emulator keeps its streams in, if any. */
  dataDir?: string;
}

const KINESIS_SERVER = '../local/kinesis-server/child.ts';
/** Where the durable variants keep their streams (removed at the end; the stub child needs none). */
const benchDataRoot = values['canned-server'] ? '' : mkdtempSync(join(tmpdir(), 'kinesis-bench-'));
const durable = (name: string, syncWrites: boolean): EmulatorEntry => {
  const dataDir = join(benchDataRoot, name);
  return { entry: KINESIS_SERVER, args: kinesisChildArgs({ port: 0, dataDir, syncWrites }), dataDir };
};

/** Child-process entries: all take the Kinesis children's arguments and report `{ port }` over IPC. */
const EMULATORS: Record<string, EmulatorEntry> = {
  kinesalite: { entry: '../local/emulators/kinesalite-child.ts', args: kinesisChildArgs({ port: 0 }) },
  'kinesis-server': { entry: KINESIS_SERVER, args: kinesisChildArgs({ port: 0 }) },
  'kinesis-server durable+sync': durable('sync', true),
  'kinesis-server durable': durable('nosync', false),
  'sdk-ceiling': { entry: './kinesis-emulators.ts', args: ['--canned-server', '--records', String(RECORDS)] },
};

async function startEmulator({ entry, args }: EmulatorEntry): Promise<Emulator> {
  const child = fork(fileURLToPath(new URL(entry, import.meta.url)), args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  return {
    endpoint: `http://127.0.0.1:${message.port}`,
    cpuMs: () => processCpuMs(child.pid),
    memoryMiB: () => processMemoryMiB(child.pid),
    kill: () => stopChild(child, 'SIGKILL'),
    stop: () => stopChild(child),
  };
}

/** utime + stime of a process from /proc/<pid>/stat, in ms. */
function processCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of the file; clock ticks are 100 per second on Linux.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** VmRSS and VmHWM (peak) of a process from /proc/<pid>/status, in MiB. */
function processMemoryMiB(pid: number | undefined): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  } catch {
    return { rss: Number.NaN, peak: Number.NaN };
  }
}

/** Runs a phase, adding the CPU both sides spent on it and the emulator's memory after it. */
async function measured(
  emulator: Emulator,
  phase: () => Promise<Omit<PhaseResult, 'serverCpuMs' | 'clientCpuMs' | 'rssMiB' | 'peakRssMiB'>>,
): Promise<PhaseResult> {
  const server = emulator.cpuMs();
  const client = process.cpuUsage();
  const result = await phase();
  const { user, system } = process.cpuUsage(client);
  const memory = emulator.memoryMiB();
  return {
    ...result,
    serverCpuMs: emulator.cpuMs() - server,
    clientCpuMs: (user + system) / 1000,
    rssMiB: memory.rss,
    peakRssMiB: memory.peak,
  };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** ~300-byte JSON commit records, like the producer's. */
function makeBatches(): PutRecordsRequestEntry[][] {
  const batches: PutRecordsRequestEntry[][] = [];
  for (let start = 0; start < RECORDS; start += BATCH) {
    const batch: PutRecordsRequestEntry[] = [];
    for (let i = start; i < Math.min(RECORDS, start + BATCH); i += 1) {
      const { partitionKey, data } = syntheticCommit(i, AUTHORS);
      batch.push({ PartitionKey: partitionKey, Data: data });
    }
    batches.push(batch);
  }
  return batches;
}

async function putAll(client: KinesisClient, batches: PutRecordsRequestEntry[][]) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < batches.length) {
        const batch = batches[next++] as PutRecordsRequestEntry[];
        const t0 = performance.now();
        const output = await client.send(new PutRecordsCommand({ StreamName: STREAM, Records: batch }));
        latencies.push(performance.now() - t0);
        if (output.FailedRecordCount) throw new Error(`${output.FailedRecordCount} records failed`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { recordsPerSecond: RECORDS / seconds, latencies, calls: latencies.length };
}

async function readAll(client: KinesisClient) {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: STREAM }));
  const latencies: number[] = [];
  let total = 0;
  const started = performance.now();
  await Promise.all(
    Shards.map(async (shard) => {
      let { ShardIterator: iterator } = await client.send(
        new GetShardIteratorCommand({
          StreamName: STREAM,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      while (iterator) {
        const t0 = performance.now();
        const output = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: BATCH }));
        latencies.push(performance.now() - t0);
        const count = output.Records?.length ?? 0;
        total += count;
        if (count === 0) break;
        iterator = output.NextShardIterator;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (total !== RECORDS) throw new Error(`read ${total} records, expected ${RECORDS}`);
  return { recordsPerSecond: RECORDS / seconds, latencies, calls: latencies.length };
}

async function waitActive(client: KinesisClient): Promise<void> {
  // kinesalite answers ResourceNotFound or CREATING for a moment after CreateStream.
  for (;;) {
    try {
      const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: STREAM }));
      if (Shards.length === 2) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function bench(name: string, entry: EmulatorEntry, batches: PutRecordsRequestEntry[][]) {
  const emulator = await startEmulator(entry);
  const client = new KinesisClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: new NodeHttpHandler(),
  });
  try {
    await client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 }));
    await waitActive(client);
    const put = await measured(emulator, () => putAll(client, batches));
    const get = await measured(emulator, () => readAll(client));
    if (entry.dataDir) await measureRecovery(name, emulator, entry.dataDir);
    return [
      { name, operation: 'PutRecords', ...put },
      { name, operation: 'GetRecords', ...get },
    ];
  } finally {
    client.destroy();
    await emulator.stop();
  }
}

/** Kills a durable emulator and times a server's recovery of its data directory, in this process. */
async function measureRecovery(name: string, emulator: Emulator, dataDir: string): Promise<void> {
  await emulator.kill();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const server = await startKinesisServer({ dataDirectory: dataDir });
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  const client = new KinesisClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: new NodeHttpHandler(),
  });
  try {
    await readAll(client);
    recoveries.push(
      `${name}: ${RECORDS.toLocaleString('en-US')} records recovered after SIGKILL in ${ms.toFixed(0)} ms ` +
        `(${((user + system) / 1000).toFixed(0)} ms CPU)`,
    );
  } finally {
    client.destroy();
    await server.close();
  }
}

const recoveries: string[] = [];

/**
 * The stub behind "sdk-ceiling": answers each operation with a pre-serialised response (500 results per
 * PutRecords; GetRecords pages of 500 records until each of the 2 shards has returned half the records).
 */
function serveCanned(): void {
  const records = Array.from({ length: BATCH }, (_, i) => ({
    SequenceNumber: `4${String(i).padStart(55, '0')}`,
    ApproximateArrivalTimestamp: 1_700_000_000.123,
    Data: Buffer.from(
      JSON.stringify({ commitId: `c_${i}`, author: `person_${i + 1}`, pad: 'x'.repeat(260) }),
    ).toString('base64'),
    PartitionKey: `person_${(i % AUTHORS) + 1}`,
  }));
  const perShard = [Math.ceil(RECORDS / 2), Math.floor(RECORDS / 2)];
  const put = JSON.stringify({
    FailedRecordCount: 0,
    Records: records.map((record) => ({
      SequenceNumber: record.SequenceNumber,
      ShardId: 'shardId-000000000000',
    })),
  });
  const shards = JSON.stringify({ Shards: [0, 1].map((i) => ({ ShardId: `shardId-00000000000${i}` })) });
  // Pages are pre-serialised too: a stub that stringified 500 records per call would not be "free".
  const fullPage = JSON.stringify(records);
  const page = (iterator: string) => {
    const [shard, offset] = iterator.split(':').map(Number) as [number, number];
    const count = Math.max(0, Math.min(BATCH, (perShard[shard] ?? 0) - offset));
    const recordsJson = count === BATCH ? fullPage : JSON.stringify(records.slice(0, count));
    return `{"Records":${recordsJson},"NextShardIterator":"${shard}:${offset + count}","MillisBehindLatest":0}`;
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target']).split('.')[1];
      let body = '{}';
      if (operation === 'PutRecords') body = put;
      else if (operation === 'ListShards') body = shards;
      else if (operation === 'GetShardIterator' || operation === 'GetRecords') {
        // Small bodies only: the stub must not spend CPU parsing PutRecords.
        const input = JSON.parse(Buffer.concat(chunks).toString()) as {
          ShardId?: string;
          ShardIterator?: string;
        };
        body =
          operation === 'GetRecords'
            ? page(String(input.ShardIterator))
            : JSON.stringify({ ShardIterator: `${Number(String(input.ShardId).slice(-1))}:0` });
      }
      response.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(body),
      });
      response.end(body);
    });
  });
  server.keepAliveTimeout = 120_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  process.on('disconnect', () => process.exit(0));
}

async function main(): Promise<void> {
  const batches = makeBatches();
  const averageBytes = batches.flat().reduce((sum, entry) => sum + (entry.Data?.length ?? 0), 0) / RECORDS;
  console.log(
    `${RECORDS} records of ~${Math.round(averageBytes)} bytes, ${BATCH} per call, 2 shards, ` +
      `${IN_FLIGHT} PutRecords in flight, 1 GetRecords reader per shard\n`,
  );
  const rows: Array<{ name: string; operation: string } & PhaseResult> = [];
  for (const [name, entry] of Object.entries(EMULATORS)) {
    if (values.only && !name.startsWith(values.only)) continue;
    rows.push(...(await bench(name, entry, batches)));
  }
  const header = [
    'emulator',
    'operation',
    'records/s',
    'ms/call p50',
    'ms/call p95',
    'calls',
    'emulator CPU ms/call',
    'client CPU ms/call',
    'emulator capacity rec/s',
    'emulator RSS MiB',
    'peak RSS MiB',
  ];
  const format = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
  const thousands = (value: number) =>
    Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
  const table = rows.map((row) => {
    const sorted = [...row.latencies].sort((a, b) => a - b);
    return [
      row.name,
      row.operation,
      thousands(row.recordsPerSecond),
      format(percentile(sorted, 50)),
      format(percentile(sorted, 95)),
      String(row.calls),
      format(row.serverCpuMs / row.calls, 2),
      format(row.clientCpuMs / row.calls, 2),
      thousands(RECORDS / (row.serverCpuMs / 1000)),
      format(row.rssMiB, 0),
      format(row.peakRssMiB, 0),
    ];
  });
  const widths = header.map((title, i) =>
    Math.max(title.length, ...table.map((cells) => (cells[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log(line(header));
  console.log(
    `|${widths.map((width, i) => (i < 2 ? ':' : '-').padEnd(width + 1, '-') + (i < 2 ? '-' : ':')).join('|')}|`,
  );
  for (const cells of table) console.log(line(cells));
  if (recoveries.length > 0) console.log(`\n${recoveries.join('\n')}`);
}

if (values['canned-server']) serveCanned();
else {
  try {
    await main();
  } finally {
    rmSync(benchDataRoot, { recursive: true, force: true });
  }
}
