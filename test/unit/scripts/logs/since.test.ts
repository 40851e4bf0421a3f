import { describe, expect, it } from 'vitest';
import { parseSince } from '../../../../scripts/logs/since.js';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');

describe('--since', () => {
  it('counts a duration in seconds, minutes, hours or days back from now', () => {
    expect(parseSince('30s', NOW)).toBe(Date.parse('2026-12-07T11:59:30.000Z'));
    expect(parseSince('10m', NOW)).toBe(Date.parse('2026-12-07T11:50:00.000Z'));
    expect(parseSince('2h', NOW)).toBe(Date.parse('2026-12-07T10:00:00.000Z'));
    expect(parseSince('1d', NOW)).toBe(Date.parse('2026-12-06T12:00:00.000Z'));
    expect(parseSince(' 0m ', NOW)).toBe(NOW);
  });

  it('takes an ISO 8601 date or time as it is', () => {
    expect(parseSince('2026-12-07T09:30:00Z', NOW)).toBe(Date.parse('2026-12-07T09:30:00Z'));
    expect(parseSince('2026-12-07T09:30:00.250+01:00', NOW)).toBe(Date.parse('2026-12-07T08:30:00.250Z'));
    expect(parseSince('2026-12-07', NOW)).toBe(Date.parse('2026-12-07'));
  });

  it('refuses anything else, saying what it takes', () => {
    for (const bad of ['', '10', 'm', '10 m', '1.5h', '10min', '-5m', '2026-13-45', '7', 'yesterday']) {
      expect(() => parseSince(bad, NOW), bad).toThrow(/--since must be a duration such as 30s, 10m/);
    }
  });
});
