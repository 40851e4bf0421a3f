import { describe, expect, it } from 'vitest';
import { ResumePoint } from '../../../../functions/producer/resume-point.js';

describe('the line a stopped replay resumes from', () => {
  it('is the oldest row not settled, whatever order rows settle in', () => {
    const point = new ResumePoint(2);
    for (const line of [2, 3, 5, 6]) point.pending(line);
    point.passed(7);
    point.settled(3);
    point.settled(6);
    expect(point.line).toBe(2);
    point.settled(2);
    expect(point.line).toBe(5);
    expect(point.allSettled).toBe(false);
    point.settled(5);
    expect(point.line).toBe(8);
    expect(point.allSettled).toBe(true);
  });

  it('is the line it started at before any row is read', () => {
    expect(new ResumePoint(40_001).line).toBe(40_001);
  });

  it('holds a window of unsettled rows far wider than its first ring', () => {
    const point = new ResumePoint();
    for (let line = 1; line <= 100_000; line += 1) point.pending(line);
    for (let line = 100_000; line > 50_000; line -= 1) point.settled(line);
    expect(point.line).toBe(1);
    for (let line = 1; line < 50_000; line += 1) point.settled(line);
    expect(point.line).toBe(50_000);
    for (let line = 100_001; line <= 200_000; line += 1) point.pending(line);
    expect(point.line).toBe(50_000);
    point.settled(50_000);
    expect(point.line).toBe(100_001);
  });
});
