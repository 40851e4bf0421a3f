/**
 * What a replay is asked to do, the same from every entry point: the producer's Lambda event carries
 * these fields, and the command lines (`npm start`, `npm run replay` on either target) fill
 * them from their flags (local/cli/replay-flags.ts).
 */
import { z } from 'zod';
import { csvEncodingSchema } from './csv-encoding.js';
import { pacingOf } from './pacer.js';

export const replayRequestSchema = z.object({
  /** Stop after this many data rows. */
  limit: z.number().int().positive().optional(),
  /** Records per second. */
  rate: z.number().positive().optional(),
  /** The log's `time` axis, this many times faster than real time. */
  speed: z.number().positive().optional(),
  /** `false` sends one Kinesis record per commit, for consumers that cannot de-aggregate. */
  aggregate: z.boolean().optional(),
  /** Skip the rows that start before this line (resume a replay that stopped there). */
  fromLine: z.number().int().positive().optional(),
  /** The CSV's encoding: `utf-8` (default), `latin1` (ISO-8859-1) or `windows-1252`. */
  encoding: csvEncodingSchema.optional(),
});

/** A replay request once validated (an encoding by its canonical name). */
export type ReplayRequest = z.output<typeof replayRequestSchema>;

/**
 * @param request - a validated request
 * @returns the replay options it stands for (`replayCsv`'s)
 * @throws UsageError when it asks for a rate and a speed at once
 */
export function requestedReplay(request: ReplayRequest) {
  return {
    pacing: pacingOf(request),
    limit: request.limit,
    aggregate: request.aggregate,
    fromLine: request.fromLine,
    encoding: request.encoding,
  };
}
