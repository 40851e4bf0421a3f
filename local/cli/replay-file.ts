/**
 * Replays a local CSV file through the producer's core, with a progress bar on a TTY.
 * Shared by `npm start` (embedded runtime) and `npm run replay` (any stream the environment names).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readCommitCsv } from '../../functions/producer/csv-source.js';
import type { Pacing } from '../../functions/producer/pacer.js';
import { FileRejectSink } from '../../functions/producer/reject-sinks.js';
import { type ReplayResult, replayRows } from '../../functions/producer/replay.js';
import type { RecordPublisher } from '../../functions/shared/ports.js';
import { createProgress } from './progress.js';

export interface ReplayFileOptions {
  publisher: RecordPublisher;
  /** Folder for the rejected-rows file (`<name>.rejected-<timestamp>.ndjson`). */
  rejectsDir: string;
  pacing?: Pacing;
  limit?: number;
}

export interface ReplayFileResult extends ReplayResult {
  /** The NDJSON file holding rejected and unsendable rows, when there were any. */
  rejectsFile?: string;
}

export async function replayFile(csvPath: string, options: ReplayFileOptions): Promise<ReplayFileResult> {
  const { size } = await stat(csvPath);
  const input = createReadStream(csvPath);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const rejects = new FileRejectSink(
    join(options.rejectsDir, `${basename(csvPath)}.rejected-${stamp}.ndjson`),
  );
  const progress = createProgress('replay', size, 'MB');
  try {
    const result = await replayRows(
      readCommitCsv(input),
      { publisher: options.publisher, rejects },
      {
        pacing: options.pacing,
        limit: options.limit,
        onProgress: ({ sent, rejected, failed }) =>
          progress.update(input.bytesRead, `sent ${sent}  rejected ${rejected}  failed ${failed}`),
      },
    );
    progress.update(
      input.bytesRead,
      `sent ${result.sent}  rejected ${result.rejected}  failed ${result.failed}`,
    );
    return { ...result, rejectsFile: rejects.location() };
  } finally {
    progress.stop();
    input.destroy();
  }
}
