/**
 * The end of a `npm start -- --chaos` replay: the faults injected, then the exactly-once statement
 * (exactly-once.ts), gathered through the runtime's own clients, which no fault reaches.
 */
import { DeadLetterFile } from '../dead-letter-file.js';
import type { LocalRuntime } from '../runtime.js';
import { countArchived, countArrivals, exactlyOnceStatement, type FileCounts } from './exactly-once.js';

/**
 * @param runtime - a runtime started with chaos, caught up with the stream
 * @param file - what the replay reported of the file, when this run replayed one
 * @param log - where the lines go
 * @returns whether every commit was counted once
 */
export async function reportExactlyOnce(
  runtime: LocalRuntime,
  file: FileCounts | undefined,
  log: (line: string) => void,
): Promise<boolean> {
  const status = runtime.chaos?.status();
  if (status?.enabled) {
    const injected = Object.entries(status.injected).map(([service, kinds]) => {
      const counts = Object.entries(kinds).map(([kind, count]) => `${kind} ${count}`);
      return `${service}: ${counts.length > 0 ? counts.join(', ') : 'none'}`;
    });
    log(`chaos: faults injected so far — ${injected.join('; ')}`);
  }
  // A large data dir takes a while to read whole: say what is under way.
  log('checking exactly once: reading the stream, raw/ and the serving tables …');
  const [{ arrivals, distinctCommits }, archived, counted, deadLetters] = await Promise.all([
    countArrivals(runtime.kinesis, runtime.streamName),
    countArchived(runtime.s3, runtime.bucketName),
    countedCommits(runtime.apiUrl),
    new DeadLetterFile(runtime.deadLetterPath).lines(),
  ]);
  const statement = exactlyOnceStatement({
    file,
    arrivals,
    distinctCommits,
    counted,
    archived,
    deadLetters: deadLetters.length,
    deadLetteredRecords: deadLetters.reduce((sum, line) => sum + batchSizeOf(line), 0),
  });
  for (const line of statement.lines) log(line);
  return statement.ok;
}

/** The records a failed-batch pointer names (`KinesisBatchInfo.batchSize`, as Lambda writes it). */
function batchSizeOf(pointer: string): number {
  try {
    const size = (JSON.parse(pointer) as { KinesisBatchInfo?: { batchSize?: unknown } }).KinesisBatchInfo
      ?.batchSize;
    return typeof size === 'number' ? size : 0;
  } catch {
    return 0;
  }
}

/** The commits the serving tables count, as the api answers (its reads do not go through chaos). */
async function countedCommits(apiUrl: string): Promise<number> {
  const response = await fetch(new URL('stats/summary', apiUrl));
  if (!response.ok) throw new Error(`stats/summary answered ${response.status}`);
  return ((await response.json()) as { commits: number }).commits;
}
