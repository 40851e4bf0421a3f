import { UsageError } from '../shared/errors.js';
import type { Pacing } from './pacer.js';

/**
 * The pacing asked for by `rate` (records per second) or `speed` (times real time); at most one.
 *
 * @throws UsageError when both are given (`--rate` with `--speed`, or an event with both fields)
 */
export function pacingOf(options: { rate?: number; speed?: number }): Pacing {
  if (options.rate !== undefined && options.speed !== undefined) {
    throw new UsageError('choose either rate or speed, not both');
  }
  if (options.rate !== undefined) return { mode: 'rate', recordsPerSecond: options.rate };
  if (options.speed !== undefined) return { mode: 'speed', factor: options.speed };
  return { mode: 'max' };
}
