import { describe, expect, it } from 'vitest';
import {
  createChunkDecoder,
  csvEncodingNamed,
  firstInvalidUtf8Byte,
  parseCsvEncoding,
} from '../../../../functions/producer/csv-encoding.js';
import { InputFormatError, UsageError } from '../../../../functions/shared/errors.js';

describe('naming an encoding', () => {
  it.each([
    ['utf-8', 'utf-8'],
    ['UTF8', 'utf-8'],
    ['latin1', 'latin1'],
    ['ISO-8859-1', 'latin1'],
    ['windows-1252', 'windows-1252'],
    ['cp1252', 'windows-1252'],
  ])('knows %s', (name, encoding) => {
    expect(csvEncodingNamed(name)).toBe(encoding);
  });

  it('refuses an unknown one with the names there are', () => {
    expect(() => parseCsvEncoding('ebcdic')).toThrow(UsageError);
    expect(() => parseCsvEncoding('ebcdic')).toThrow(
      'unknown encoding "ebcdic": use one of utf-8, latin1, windows-1252',
    );
  });
});

describe('decoding chunks', () => {
  it('decodes valid UTF-8 cut anywhere, a character split between chunks included', () => {
    const bytes = Buffer.from('a,Zoë\n日本,🙂\n', 'utf8');
    for (let cut = 1; cut < bytes.length; cut += 1) {
      const decoder = createChunkDecoder('utf-8');
      const parts = [
        decoder.write(bytes.subarray(0, cut)),
        decoder.write(bytes.subarray(cut)),
        decoder.end(),
      ];
      expect(parts.map((part) => part.text).join('')).toBe('a,Zoë\n日本,🙂\n');
      expect(parts.every((part) => part.invalid === undefined)).toBe(true);
    }
  });

  it('names the line segments whose bytes are not UTF-8, with the bytes as read', () => {
    const decoder = createChunkDecoder('utf-8');
    const chunk = Buffer.concat([Buffer.from('ok\njos'), Buffer.from([0xe9]), Buffer.from('_0\nfine\n')]);
    const decoded = decoder.write(chunk);
    expect(decoded.text).toBe('ok\njos\ufffd_0\nfine\n');
    expect([...(decoded.invalid ?? new Map())]).toEqual([
      [1, Buffer.from([0x6a, 0x6f, 0x73, 0xe9, 0x5f, 0x30])],
    ]);
  });

  it('holds back a byte that may open a sequence at a chunk end, and judges it with what follows', () => {
    const decoder = createChunkDecoder('utf-8');
    expect(decoder.write(Buffer.from([0x61, 0xe9]))).toEqual({ text: 'a' });
    const next = decoder.write(Buffer.from('_0\n'));
    expect(next.text).toBe('\ufffd_0\n');
    expect([...(next.invalid ?? new Map())]).toEqual([[0, Buffer.from([0xe9, 0x5f, 0x30])]]);
  });

  it('reports a sequence cut off by the end of the input', () => {
    const decoder = createChunkDecoder('utf-8');
    decoder.write(Buffer.from([0x61, 0xe6, 0x97]));
    const end = decoder.end();
    expect(end.text).toBe('\ufffd');
    expect([...(end.invalid ?? new Map())]).toEqual([[0, Buffer.from([0xe6, 0x97])]]);
  });

  it('keeps a U+FFFD written as valid UTF-8 as data', () => {
    const decoded = createChunkDecoder('utf-8').write(Buffer.from('a\ufffdb\n', 'utf8'));
    expect(decoded).toEqual({ text: 'a\ufffdb\n' });
  });

  it('reads Latin-1 as ISO-8859-1: every byte is its own code point', () => {
    const bytes = Buffer.from([0x6a, 0x6f, 0x73, 0xe9, 0x80, 0x93, 0xff]);
    expect(createChunkDecoder('latin1').write(bytes).text).toBe('jos\u00e9\u0080\u0093\u00ff');
  });

  it('reads Windows-1252 with its characters at 0x80–0x9F, and the five bytes it leaves undefined as controls', () => {
    const bytes = Buffer.from([0x80, 0x8a, 0x93, 0x94, 0x96, 0x99, 0x9f, 0x81, 0x8d, 0xe9]);
    expect(createChunkDecoder('windows-1252').write(bytes).text).toBe('€Š“”–™Ÿ\u0081\u008dé');
  });

  it('refuses a file read in a single-byte encoding that starts with a UTF-8 byte-order mark', () => {
    const decoder = createChunkDecoder('latin1');
    expect(() => decoder.write(Buffer.from('\ufeffcommit_id', 'utf8'))).toThrow(InputFormatError);
  });
});

describe('pointing at the first byte that is not UTF-8', () => {
  it.each([
    [[0x6a, 0xe9, 0x5f], { offset: 1, byte: 0xe9 }],
    [[0xc3, 0xa9, 0xff], { offset: 2, byte: 0xff }],
    [[0xe6, 0x97], { offset: 0, byte: 0xe6 }],
    [[0xc0, 0xaf], { offset: 0, byte: 0xc0 }],
    [[0xed, 0xa0, 0x80], { offset: 0, byte: 0xed }],
  ])('%j', (bytes, expected) => {
    expect(firstInvalidUtf8Byte(Uint8Array.from(bytes))).toEqual(expected);
  });

  it('finds none in valid text', () => {
    expect(firstInvalidUtf8Byte(Buffer.from('Zoë 日本 🙂 \ufffd', 'utf8'))).toBeUndefined();
  });
});
