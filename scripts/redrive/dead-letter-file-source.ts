/**
 * The embedded runtime's pointers: the lines of `<data-dir>/dead-letters.ndjson`. A recovered pointer's
 * line is removed under the file's lock, so the runtime may go on appending while a redrive runs.
 */
import { basename } from 'node:path';
import type { DeadLetterFile } from '../../local/dead-letter-file.js';
import { parseFailurePointer } from './failure-pointer.js';
import type { PendingPointer, PointerSource } from './redrive.js';

export class DeadLetterFileSource implements PointerSource {
  readonly description: string;

  constructor(private readonly file: DeadLetterFile) {
    this.description = file.path;
  }

  async pending(): Promise<PendingPointer[]> {
    const name = basename(this.file.path);
    return (await this.file.lines()).map((line, index) => ({
      location: `${name} line ${index + 1}`,
      parsed: parseFailurePointer(line),
      // A line already gone (another redrive removed it) is as good as removed.
      remove: async () => {
        await this.file.remove([line]);
      },
    }));
  }

  async release(): Promise<void> {}
}
