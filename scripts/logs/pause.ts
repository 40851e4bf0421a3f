/** A wait that an abort ends early, as the followers of a log use between two reads. */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits `ms` milliseconds.
 *
 * @param ms - how long
 * @param signal - ends the wait early
 * @returns false when the signal aborted (before or during the wait)
 */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
