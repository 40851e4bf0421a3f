/**
 * Reads what Powertools Metrics writes: the CloudWatch embedded metric format (EMF) documents a
 * function prints on stdout, one JSON line each, as CloudWatch indexes them.
 */
import { vi } from 'vitest';

/** One EMF document as Powertools writes it to stdout. */
export interface EmfLine {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** The (namespace, dimension set, metric values with units) of one EMF line. */
export interface IndexedEmf {
  namespace: string | undefined;
  dimensions: Record<string, unknown>;
  values: Record<string, [unknown, string]>;
}

/**
 * Captures stdout from now on (call in `beforeEach`; `vi.restoreAllMocks()` ends it).
 *
 * @returns the EMF lines written so far, each time it is called
 */
export function captureEmf(): () => IndexedEmf[] {
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(chunk.toString());
    return true;
  });
  return () =>
    written
      .join('')
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .map((line) => indexed(JSON.parse(line) as EmfLine));
}

function indexed(line: EmfLine): IndexedEmf {
  const [directive] = line._aws.CloudWatchMetrics;
  return {
    namespace: directive?.Namespace,
    dimensions: Object.fromEntries((directive?.Dimensions[0] ?? []).map((name) => [name, line[name]])),
    values: Object.fromEntries(
      (directive?.Metrics ?? []).map((m): [string, [unknown, string]] => [m.Name, [line[m.Name], m.Unit]]),
    ),
  };
}
