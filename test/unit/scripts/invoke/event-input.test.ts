import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../../functions/shared/errors.js';
import { readEvent } from '../../../../scripts/invoke/event-input.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'event-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the event npm run invoke sends', () => {
  it('is read from a JSON file', async () => {
    const file = join(dir, 'event.json');
    await writeFile(file, '{"Records":[]}');
    expect(await readEvent(file)).toEqual({ Records: [] });
  });

  it('is read from stdin for -', async () => {
    expect(await readEvent('-', Readable.from(['{"path":', '"/stats/summary"}']))).toEqual({
      path: '/stats/summary',
    });
  });

  it.each([
    [
      'a file that is not there',
      () => readEvent(join(dir, 'missing.json')),
      /cannot read the event from .*missing\.json/,
    ],
    ['an empty stdin', () => readEvent('-', Readable.from([''])), /the event from stdin is empty/],
    [
      'text that is not JSON',
      () => readEvent('-', Readable.from(['{"Records":'])),
      /the event from stdin is not JSON/,
    ],
  ])('is a usage error for %s', async (_, read, message) => {
    const failure = read();
    await expect(failure).rejects.toThrow(UsageError);
    await expect(failure).rejects.toThrow(message);
  });
});
