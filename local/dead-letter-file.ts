/**
 * The local failure destination: batches that exhausted their retries (or aged out) are appended,
 * one JSON line each in AWS's on-failure record format, to a dead-letter file in the data dir.
 *
 * `npm run redrive` removes the lines of the batches it recovered while the runtime may be appending
 * new ones: both sides change the file only under its lock (`file-lock.ts`), and a removal writes the
 * new content beside the file and renames it over, so a reader never sees a half-written file.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FailedBatchRecord, FailureDestination } from './event-source-mapping.js';
import { withFileLock } from './file-lock.js';

/** The dead-letter file's name inside the data dir. */
export const DEAD_LETTER_FILE_NAME = 'dead-letters.ndjson';

export class DeadLetterFile implements FailureDestination {
  constructor(readonly path: string) {}

  async send(record: FailedBatchRecord): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await withFileLock(this.path, () => appendFile(this.path, `${JSON.stringify(record)}\n`));
  }

  /** The file's lines in order, blank ones left out; none when there is no file. */
  async lines(): Promise<string[]> {
    return linesOf(await readIfPresent(this.path));
  }

  /**
   * Removes these lines, one occurrence each, and keeps every other line, those appended meanwhile
   * included.
   *
   * @param lines - lines as {@link DeadLetterFile.lines} returned them
   * @returns how many were found and removed
   */
  async remove(lines: readonly string[]): Promise<number> {
    if (lines.length === 0) return 0;
    return withFileLock(this.path, async () => {
      const pending = new Map<string, number>();
      for (const line of lines) pending.set(line, (pending.get(line) ?? 0) + 1);
      const kept = linesOf(await readIfPresent(this.path)).filter((line) => {
        const left = pending.get(line) ?? 0;
        if (left === 0) return true;
        pending.set(line, left - 1);
        return false;
      });
      const removed = lines.length - [...pending.values()].reduce((sum, left) => sum + left, 0);
      if (removed === 0) return 0;
      const next = `${this.path}.${process.pid}.tmp`;
      await writeFile(next, kept.map((line) => `${line}\n`).join(''));
      await rename(next, this.path);
      return removed;
    });
  }
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

function linesOf(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}
