/**
 * Each panel shows its own failure as a message (with the API's own words) instead of going blank,
 * and keeps the last numbers it had.
 */
import { ApiError } from './api-client.js';

/** The message a panel shows for a failed load. */
export function describeFailure(what: string, error: unknown): string {
  if (error instanceof ApiError) {
    return error.status === 0
      ? `Could not load ${what}: ${error.message}.`
      : `Could not load ${what}: ${error.message} (HTTP ${error.status}).`;
  }
  return `Could not load ${what}: ${error instanceof Error ? error.message : String(error)}.`;
}

/** Shows or clears the error line of a panel. */
export function showFailure(element: HTMLElement, message: string | undefined): void {
  element.hidden = message === undefined;
  element.textContent = message ?? '';
}
