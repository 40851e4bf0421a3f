import { describe, expect, it } from 'vitest';
import { createPacer, pacingOf } from '../../../../functions/producer/pacer.js';

function fakeClock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('pacing a replay', () => {
  it('never waits at full speed', () => {
    const pacer = createPacer({ mode: 'max' });
    expect([1, 2, 3].map((t) => pacer.delayBefore(t))).toEqual([0, 0, 0]);
  });

  it('spaces records evenly at a fixed rate', () => {
    const clock = fakeClock();
    const pacer = createPacer({ mode: 'rate', recordsPerSecond: 10 }, clock.now);
    expect(pacer.delayBefore(0)).toBe(0);
    expect(pacer.delayBefore(0)).toBe(100);
    clock.advance(150);
    expect(pacer.delayBefore(0)).toBe(50);
  });

  it("follows the log's time axis sped up, sending rows from the past at once", () => {
    const clock = fakeClock();
    const pacer = createPacer({ mode: 'speed', factor: 60 }, clock.now);
    expect(pacer.delayBefore(100)).toBe(0);
    expect(pacer.delayBefore(160)).toBe(1_000);
    clock.advance(1_000);
    expect(pacer.delayBefore(40)).toBe(0);
    expect(pacer.delayBefore(220)).toBe(1_000);
  });

  it('refuses rate and speed together', () => {
    expect(() => pacingOf({ rate: 5, speed: 2 })).toThrow(/either rate or speed/);
  });
});
