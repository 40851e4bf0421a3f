import { describe, expect, it } from 'vitest';
import { partitionKeyJson, recordJson } from '../../../../local/kinesis-server/record-json.js';

describe('stored record JSON', () => {
  it('writes partition keys as ASCII-only JSON that parses back to the same key', () => {
    const keys = [
      'person_1',
      'ключ',
      '🦀 crab',
      'quote " backslash \\',
      'tab\t\n\r\u0000\u001f',
      '\u007f\u0080\uffff',
    ];
    // Lone surrogates too: JSON.stringify escapes them rather than writing invalid UTF-16.
    keys.push('\ud800', 'x\udfffy');
    for (let code = 0; code < 0x3000; code += 7) keys.push(String.fromCharCode(code));
    for (const key of keys) {
      const json = partitionKeyJson(key);
      expect(json).toMatch(/^"[\x20-\x7e]*"$/);
      expect(JSON.parse(json)).toBe(key);
    }
  });

  it('writes a record GetRecords can return as it is, ending in a comma', () => {
    const text = recordJson(`49${'0'.repeat(54)}`, 1767225600.123, 'AAEC', partitionKeyJson('ключ'));
    expect(text.endsWith('},')).toBe(true);
    expect(JSON.parse(text.slice(0, -1))).toEqual({
      SequenceNumber: `49${'0'.repeat(54)}`,
      ApproximateArrivalTimestamp: 1767225600.123,
      Data: 'AAEC',
      PartitionKey: 'ключ',
    });
  });
});
