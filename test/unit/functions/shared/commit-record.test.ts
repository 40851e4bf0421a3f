import { describe, expect, it } from 'vitest';
import { decodeCommitRecord } from '../../../../functions/shared/commit-record.js';
import { MAX_MESSAGE_CHARS, streamMessageOf } from '../../../../functions/shared/record-bounds.js';

const record = {
  v: 1,
  commitId: 'c_1',
  author: 'person_1',
  time: 1,
  eventTime: '2024-01-01T00:00:01.000Z',
  filePath: '/a/b/c.py',
  linesAdded: 1,
  linesDeleted: 2,
  entropy: 0.5,
  message: 'm',
  ingestedAt: '2026-01-01T00:00:00.000Z',
};

describe('the message a stream record carries', () => {
  it('is whole up to the bound', () => {
    expect(streamMessageOf('x'.repeat(MAX_MESSAGE_CHARS))).toEqual({
      message: 'x'.repeat(MAX_MESSAGE_CHARS),
      messageChars: undefined,
    });
  });

  it.each([17_000, 20_000, 60_000])(
    'is cut to the bound beyond it, its length kept (%i characters)',
    (length) => {
      const { message, messageChars } = streamMessageOf('y'.repeat(length));
      expect(message).toHaveLength(MAX_MESSAGE_CHARS);
      expect(messageChars).toBe(length);
    },
  );

  it('is cut one character earlier rather than split a surrogate pair', () => {
    const text = `${'z'.repeat(MAX_MESSAGE_CHARS - 1)}🙂${'z'.repeat(10)}`;
    const { message, messageChars } = streamMessageOf(text);
    expect(message).toBe('z'.repeat(MAX_MESSAGE_CHARS - 1));
    expect(message.isWellFormed()).toBe(true);
    expect(messageChars).toBe(text.length);
  });
});

describe('decoding a stream record', () => {
  it('accepts a record with a cut message and its length, and one without', () => {
    const cut = { ...record, message: 'm'.repeat(MAX_MESSAGE_CHARS), messageChars: 60_000 };
    expect(decodeCommitRecord(JSON.stringify(cut))).toEqual({ ok: true, record: cut });
    expect(decodeCommitRecord(JSON.stringify(record))).toEqual({ ok: true, record });
  });

  it('refuses a message over the bound, and a messageChars that is not longer than the message', () => {
    const long = decodeCommitRecord(
      JSON.stringify({ ...record, message: 'm'.repeat(MAX_MESSAGE_CHARS + 1) }),
    );
    expect(long).toMatchObject({ ok: false, reason: expect.stringMatching(/^message: message has 16385/) });
    const short = decodeCommitRecord(JSON.stringify({ ...record, messageChars: 1 }));
    expect(short).toMatchObject({ ok: false, reason: expect.stringMatching(/^messageChars:/) });
  });
});
