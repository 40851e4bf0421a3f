/**
 * The embedded runtime's function logs: `<data-dir>/logs/<function>.ndjson`, one JSON object per line,
 * what `npm run logs` reads. A JSON line the function wrote (Powertools, EMF) is kept as it is; any
 * other line (console output, the runtime's START/REPORT lines) becomes `{ timestamp, level, message }`.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { embeddedLogFile } from '../../lib/pipeline-functions.js';
import type { EmbeddedFunctionName } from './invocation.js';

export class FunctionLogFiles {
  private readonly files = new Map<EmbeddedFunctionName, WriteStream>();

  /** @param dataDir - the runtime's data dir */
  constructor(private readonly dataDir: string) {}

  /**
   * Appends a function's lines.
   *
   * @param name - the function
   * @param lines - as the function wrote them, without line breaks
   */
  write(name: EmbeddedFunctionName, lines: readonly string[]): void {
    if (lines.length === 0) return;
    this.fileOf(name).write(`${lines.map((line) => logObjectLine(line)).join('\n')}\n`);
  }

  /** Flushes and closes every file. */
  async close(): Promise<void> {
    const closing = [...this.files.values()].map(
      (file) => new Promise<void>((resolve) => file.end(() => resolve())),
    );
    this.files.clear();
    await Promise.all(closing);
  }

  private fileOf(name: EmbeddedFunctionName): WriteStream {
    let file = this.files.get(name);
    if (!file) {
      const path = embeddedLogFile(this.dataDir, name);
      mkdirSync(dirname(path), { recursive: true });
      file = createWriteStream(path, { flags: 'a' });
      // A log that cannot be written (a full disk) must not stop the pipeline: said once, then dropped.
      file.once('error', (error) => process.emitWarning(`${path}: ${error.message}`));
      this.files.set(name, file);
    }
    return file;
  }
}

/**
 * One line of a function's output as one JSON object.
 *
 * @param line - a Powertools JSON line, or any text
 * @param now - when a text line was written
 */
export function logObjectLine(line: string, now = new Date()): string {
  if (line.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return line;
    } catch {
      // Not JSON after all: written as text below.
    }
  }
  return JSON.stringify({ timestamp: now.toISOString(), level: 'INFO', message: line });
}
