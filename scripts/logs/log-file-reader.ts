/**
 * Reads a log file line by line, and with `follow` goes on reading what is appended to it, like
 * `tail -f`: a file that does not exist yet is waited for; one that is truncated or replaced is read
 * again from its start.
 */
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { pause } from './pause.js';

export interface LogFileReadOptions {
  /** Keep reading what is appended, until `signal` aborts. */
  readonly follow: boolean;
  /** Ends the reading (following or waiting). */
  readonly signal?: AbortSignal;
  /**
   * How often a followed file is looked at for new lines.
   * @default 250
   */
  readonly pollMs?: number;
  /** Called once when following a file that does not exist yet. */
  readonly onWaiting?: () => void;
}

/** A line and when it was read, the time of lines that carry none. */
export interface LogFileLine {
  readonly line: string;
  readonly readAt: number;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * The file's lines, then (following) each line appended to it as it is completed.
 *
 * @param path - the log file
 * @param options - follow or not, and how to stop
 * @throws the file system's error when the file cannot be read (ENOENT without `follow`)
 */
export async function* readLogFile(path: string, options: LogFileReadOptions): AsyncGenerator<LogFileLine> {
  const pollMs = options.pollMs ?? 250;
  let position = 0;
  let fileId: string | undefined;
  let decoder = new StringDecoder('utf8');
  let partial = '';
  let noted = false;

  while (!options.signal?.aborted) {
    const size = await sizeOf(path, options.follow);
    if (size === undefined) {
      if (!noted) options.onWaiting?.();
      noted = true;
      if (!(await pause(pollMs, options.signal))) return;
      continue;
    }
    const id = `${size.dev}:${size.ino}`;
    if (id !== fileId || size.bytes < position) {
      // A new file, or the same one emptied: start over.
      fileId = id;
      position = 0;
      partial = '';
      decoder = new StringDecoder('utf8');
    }
    if (size.bytes > position) {
      // A chunk at a time: a large file is never held in memory whole.
      const end = Math.min(size.bytes, position + CHUNK_BYTES);
      const text = await readRange(path, position, end, decoder);
      position = end;
      const lines = `${partial}${text}`.split('\n');
      partial = lines.pop() ?? '';
      const readAt = Date.now();
      for (const line of lines) if (line.trim() !== '') yield { line, readAt };
      continue;
    }
    if (!options.follow) {
      // The last line of a file that ends without a line break.
      if (partial.trim() !== '') yield { line: partial, readAt: Date.now() };
      return;
    }
    if (!(await pause(pollMs, options.signal))) return;
  }
}

interface FileSize {
  readonly dev: number;
  readonly ino: number;
  readonly bytes: number;
}

/** The file's identity and size; undefined when it does not exist and it is being followed. */
async function sizeOf(path: string, follow: boolean): Promise<FileSize | undefined> {
  try {
    const stats = await stat(path);
    return { dev: stats.dev, ino: stats.ino, bytes: stats.size };
  } catch (error) {
    if (follow && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The bytes from `from` to `to`, decoded (a character cut at `to` is completed by the next read). */
async function readRange(path: string, from: number, to: number, decoder: StringDecoder): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(to - from);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, from);
    return decoder.write(buffer.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}
