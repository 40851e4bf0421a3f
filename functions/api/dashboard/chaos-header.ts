/**
 * The header the embedded runtime's API front adds to the api's answers while it runs with `--chaos`.
 * The dashboard asks `/_local/chaos` only once an answer carried it, so a deployed dashboard, or one
 * without chaos, never asks for a route its API does not have.
 */
export const CHAOS_HEADER = 'x-local-chaos';
