/**
 * The exactly-once statement a chaos run ends with. Faults make the producer send again and the
 * processor retry; the guarantee is that none of it shows: every distinct commit on the stream is
 * counted once in the serving tables (the ledger), every arrival on the stream is archived once in
 * raw/ (an arrival sent twice, after a lost PutRecords answer, is archived twice, as it arrived), and
 * nothing went to the dead letters (a batch whose retries were all spent: not lost, but not counted
 * until the redrive brings it back). Read from the stream, the archive and the API, not from the
 * processor's own figures. All of them cover the whole data dir, earlier runs included.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { readInOrder, S3RawArchive } from '../../functions/batch/raw-archive.js';
import { deaggregate } from '../../functions/shared/kinesis-aggregation/deaggregate.js';
import { wholeStream } from '../whole-stream.js';

/** What the replay reported of the file. */
export interface FileCounts {
  /** Valid rows (read, less the rejected ones). */
  valid: number;
  sent: number;
  /** Valid rows Kinesis never took (kept in the reject list). */
  failed: number;
}

export interface ExactlyOnceCounts {
  file?: FileCounts;
  /** User records on the stream, one per arrival. */
  arrivals: number;
  /** Distinct commit ids among them. */
  distinctCommits: number;
  /** Commits the serving tables count (`/stats/summary`). */
  counted: number;
  /** Records in raw/. */
  archived: number;
  /** Failed-batch pointers in the dead-letter file. */
  deadLetters: number;
  /** The stream records those pointers name (not processed: neither counted nor archived). */
  deadLetteredRecords: number;
}

/**
 * The statement: one line that says every commit was counted once, or the lines that name what is off.
 *
 * @returns `ok` and the lines to print
 */
export function exactlyOnceStatement(counts: ExactlyOnceCounts): { ok: boolean; lines: string[] } {
  const problems: string[] = [];
  const { file } = counts;
  if (file && file.failed > 0)
    problems.push(`${file.failed} valid commits of the file were never sent (kept in the reject list)`);
  if (file && file.sent + file.failed !== file.valid) {
    problems.push(
      `the file has ${file.valid} valid commits, the producer sent ${file.sent} and lost ${file.failed}`,
    );
  }
  if (counts.counted !== counts.distinctCommits) {
    problems.push(
      `the serving tables count ${counts.counted} commits, the stream holds ${counts.distinctCommits} distinct ones`,
    );
  }
  if (counts.archived !== counts.arrivals) {
    problems.push(`raw/ holds ${counts.archived} records, the stream ${counts.arrivals} arrivals`);
  }
  if (counts.deadLetters > 0) {
    problems.push(
      `${counts.deadLetters} batches (${counts.deadLetteredRecords} stream records) went to the dead letters ` +
        'after their retries: npm run redrive brings them back from the stream, counted once',
    );
  }
  const duplicates = counts.arrivals - counts.distinctCommits;
  const filePart = file ? `${file.valid} valid commits in the file, ` : '';
  const summary =
    `${filePart}${counts.counted} counted in the serving tables; ` +
    `${counts.archived} records in raw/ for ${counts.arrivals} arrivals` +
    `${duplicates > 0 ? ` (${duplicates} sent twice after a lost answer, counted once)` : ''}; ` +
    `${counts.deadLetters} dead letters`;
  if (problems.length === 0)
    return { ok: true, lines: [`exactly once: every commit counted once — ${summary}`] };
  return {
    ok: false,
    lines: [`NOT exactly once — ${summary}`, ...problems.map((problem) => `  ${problem}`)],
  };
}

/**
 * @param kinesis - a client of the stream (the runtime's own, not through the chaos proxies)
 * @returns the user records on the stream (every shard from its trim horizon) and their distinct commit ids
 */
export async function countArrivals(
  kinesis: KinesisClient,
  streamName: string,
): Promise<{ arrivals: number; distinctCommits: number }> {
  const commits = new Set<string>();
  let arrivals = 0;
  for await (const data of wholeStream(kinesis, streamName)) {
    for (const text of userRecords(data)) {
      arrivals += 1;
      commits.add(commitIdOf(text));
    }
  }
  return { arrivals, distinctCommits: commits.size };
}

/**
 * @param s3 - a client of the archive (the runtime's own)
 * @returns the records (lines) in raw/
 */
export async function countArchived(s3: S3Client, bucket: string): Promise<number> {
  const archive = new S3RawArchive(s3, bucket);
  const { objects } = await archive.list();
  let records = 0;
  for await (const { text } of readInOrder(archive, objects)) {
    records += text.split('\n').filter((line) => line.trim() !== '').length;
  }
  return records;
}

const utf8 = new TextDecoder();

function userRecords(data: Uint8Array): string[] {
  const unpacked = deaggregate(data);
  if (unpacked.kind === 'aggregate') return unpacked.records.map((user) => utf8.decode(user.data));
  return [utf8.decode(data)];
}

/** The commit id of a record; a record that is not one is counted by its text. */
function commitIdOf(text: string): string {
  try {
    const id = (JSON.parse(text) as { commitId?: unknown }).commitId;
    return typeof id === 'string' ? id : text;
  } catch {
    return text;
  }
}
