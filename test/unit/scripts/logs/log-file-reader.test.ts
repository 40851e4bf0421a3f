import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LogFileLine, readLogFile } from '../../../../scripts/logs/log-file-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'log-file-reader-'));
const POLL_MS = 20;
const WAIT_MS = 10_000;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Reads a followed file in the background, collecting its lines until stopped. */
function follow(path: string) {
  const stop = new AbortController();
  const lines: string[] = [];
  let waited = 0;
  const reading = (async () => {
    const reader = readLogFile(path, {
      follow: true,
      signal: stop.signal,
      pollMs: POLL_MS,
      onWaiting: () => {
        waited += 1;
      },
    });
    for await (const { line } of reader) lines.push(line);
  })();
  return {
    lines,
    waitedNotes: () => waited,
    /** Resolves once `count` lines have been read. */
    async until(count: number): Promise<void> {
      const deadline = Date.now() + WAIT_MS;
      while (lines.length < count) {
        if (Date.now() > deadline) throw new Error(`read ${lines.length} lines, waited for ${count}`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    async stop(): Promise<void> {
      stop.abort();
      await reading;
    },
  };
}

async function readAll(path: string): Promise<LogFileLine[]> {
  const lines: LogFileLine[] = [];
  for await (const line of readLogFile(path, { follow: false })) lines.push(line);
  return lines;
}

describe('reading a log file', () => {
  it('returns every line, the last one even without a line break, and skips blank lines', async () => {
    const path = join(dir, 'whole.ndjson');
    writeFileSync(path, '{"n":1}\n\n{"n":2}\n{"n":3}');
    expect((await readAll(path)).map(({ line }) => line)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('reads a file larger than one read, and characters cut between two reads', async () => {
    const path = join(dir, 'large.ndjson');
    const lines = Array.from({ length: 5_000 }, (_, n) => JSON.stringify({ n, message: 'é€😀'.repeat(10) }));
    writeFileSync(path, `${lines.join('\n')}\n`);
    expect((await readAll(path)).map(({ line }) => line)).toEqual(lines);
  });

  it('fails when the file does not exist and is not followed', async () => {
    await expect(readAll(join(dir, 'absent.ndjson'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('following a log file', () => {
  it('prints what is appended, a line once it is complete', async () => {
    const path = join(dir, 'appended.ndjson');
    writeFileSync(path, '{"n":1}\n');
    const reader = follow(path);
    try {
      await reader.until(1);
      appendFileSync(path, '{"n":2}\n{"n":');
      await reader.until(2);
      appendFileSync(path, '3}\n');
      await reader.until(3);
      expect(reader.lines).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    } finally {
      await reader.stop();
    }
  });

  it('waits for a file that does not exist yet, saying so once', async () => {
    const path = join(dir, 'later.ndjson');
    const reader = follow(path);
    try {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS * 5));
      expect(reader.lines).toEqual([]);
      writeFileSync(path, '{"n":1}\n');
      await reader.until(1);
      expect(reader.waitedNotes()).toBe(1);
    } finally {
      await reader.stop();
    }
  });

  it('starts over when the file is truncated or replaced', async () => {
    const path = join(dir, 'rotated.ndjson');
    writeFileSync(path, '{"n":1}\n{"n":2}\n');
    const reader = follow(path);
    try {
      await reader.until(2);
      truncateSync(path, 0);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS * 5));
      appendFileSync(path, '{"n":3}\n');
      await reader.until(3);
      const replacement = join(dir, 'rotated.next');
      writeFileSync(replacement, '{"n":4}\n');
      renameSync(replacement, path);
      await reader.until(4);
      expect(reader.lines).toEqual(['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}']);
    } finally {
      await reader.stop();
    }
  });

  it('ends when stopped, also while waiting for the file', async () => {
    const reader = follow(join(dir, 'never.ndjson'));
    await reader.stop();
    expect(reader.lines).toEqual([]);
  });
});
