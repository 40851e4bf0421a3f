/**
 * Encode and decode rates of the KPL aggregation library (functions/shared/kinesis-aggregation), beside
 * the reference implementation (`aws-kinesis-agg`), on the pipeline's records:
 *
 *     npx tsx bench/kinesis-aggregation.ts [--records 200000] [--max-bytes 51200]
 *
 * ~330-byte JSON commit records keyed person_1..person_104, packed into aggregates of at most
 * `--max-bytes`, then read back. Prints user records per second each way and what aggregation saves:
 * Kinesis records and 25 KB PUT payload units per 1,000 user records. Numbers are printed, never asserted.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { deaggregate } from '../functions/shared/kinesis-aggregation/deaggregate.js';
import type { StreamEntry } from '../functions/shared/ports.js';
import { aggregatesOf } from '../test/support/kpl-aggregates.js';
import { syntheticCommit } from './support/synthetic-commit.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    'max-bytes': { type: 'string', default: '51200' },
  },
});
const RECORDS = Number(values.records);
const MAX_BYTES = Number(values['max-bytes']);
const AUTHORS = 104;
const PUT_PAYLOAD_UNIT = 25 * 1024;

interface ReferenceLibrary {
  RecordAggregator: new () => {
    checkIfUserRecordFits(record: object): boolean;
    addUserRecord(record: object): void;
    build(): { data: Buffer } | undefined;
  };
  deaggregateSync(
    record: { data: string; partitionKey: string; sequenceNumber: string },
    computeChecksums: boolean,
    done: (error: Error | null | undefined, records?: unknown[]) => void,
  ): void;
}
const reference = createRequire(import.meta.url)('aws-kinesis-agg') as ReferenceLibrary;

function commitRecords(): StreamEntry[] {
  return Array.from({ length: RECORDS }, (_, i) => syntheticCommit(i, AUTHORS));
}

/** Wall-clock and CPU seconds of a synchronous run (CPU time is the steadier figure on a busy machine). */
function timed<T>(run: () => T): { result: T; seconds: number; cpuSeconds: number } {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = run();
  const { user, system } = process.cpuUsage(cpu);
  return { result, seconds: (performance.now() - started) / 1000, cpuSeconds: (user + system) / 1e6 };
}

/** The reference has no bound of its own below 1 MiB: aggregates are closed near MAX_BYTES by an estimate. */
function referencePack(records: StreamEntry[]): Buffer[] {
  const aggregates: Buffer[] = [];
  let aggregator = new reference.RecordAggregator();
  let bytes = 0;
  for (const record of records) {
    const size = record.data.length + record.partitionKey.length + 8;
    if (bytes + size > MAX_BYTES - 20) {
      const built = aggregator.build();
      if (built) aggregates.push(built.data);
      aggregator = new reference.RecordAggregator();
      bytes = 0;
    }
    aggregator.addUserRecord({ partitionKey: record.partitionKey, data: record.data });
    bytes += size;
  }
  const built = aggregator.build();
  if (built) aggregates.push(built.data);
  return aggregates;
}

function main(): void {
  const records = commitRecords();
  const dataBytes = records.reduce((sum, record) => sum + record.data.length, 0);
  console.log(
    `${RECORDS} records of ~${Math.round(dataBytes / RECORDS)} bytes, ${AUTHORS} partition keys, ` +
      `aggregates of at most ${MAX_BYTES} bytes\n`,
  );

  const ourEncode = timed(() => aggregatesOf(records, MAX_BYTES).map((aggregate) => aggregate.data));
  const ourDecode = timed(() => {
    let count = 0;
    for (const data of ourEncode.result) {
      const result = deaggregate(data);
      if (result.kind !== 'aggregate') throw new Error(`unexpected ${result.kind}`);
      count += result.records.length;
    }
    return count;
  });
  if (ourDecode.result !== RECORDS) throw new Error(`decoded ${ourDecode.result} of ${RECORDS}`);

  const theirEncode = timed(() => referencePack(records));
  const base64 = theirEncode.result.map((data) => data.toString('base64'));
  const theirDecode = timed(() => {
    let count = 0;
    for (const data of base64) {
      reference.deaggregateSync({ data, partitionKey: 'p', sequenceNumber: '1' }, true, (error, users) => {
        if (error) throw error;
        count += users?.length ?? 0;
      });
    }
    return count;
  });

  const rate = (seconds: number) => Math.round(RECORDS / seconds).toLocaleString('en-US');
  const rates = (run: { seconds: number; cpuSeconds: number }) => [rate(run.seconds), rate(run.cpuSeconds)];
  const rows = [
    ['this library', ...rates(ourEncode), ...rates(ourDecode), String(ourEncode.result.length)],
    [
      'aws-kinesis-agg 4.2.8',
      ...rates(theirEncode),
      ...rates(theirDecode),
      String(theirEncode.result.length),
    ],
  ];
  console.log(
    '| implementation | encode user rec/s | per CPU s | decode user rec/s | per CPU s | aggregates |',
  );
  console.log('|:--|--:|--:|--:|--:|--:|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);

  const aggregates = ourEncode.result;
  const units = (sizes: number[]) => sizes.reduce((sum, size) => sum + Math.ceil(size / PUT_PAYLOAD_UNIT), 0);
  const perThousand = (count: number) => ((count / RECORDS) * 1000).toFixed(2);
  const withKeys = (data: Uint8Array) => data.length + 'person_1'.length;
  console.log('\n| per 1,000 user records | Kinesis records | PUT payload units |');
  console.log('|:--|--:|--:|');
  console.log(
    `| not aggregated | 1000.00 | ${perThousand(units(records.map((r) => r.data.length + r.partitionKey.length)))} |`,
  );
  console.log(
    `| aggregated | ${perThousand(aggregates.length)} | ${perThousand(units(aggregates.map(withKeys)))} |`,
  );
}

main();
