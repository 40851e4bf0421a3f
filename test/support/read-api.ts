/**
 * The deployed read API seen through LocalStack's API Gateway.
 */
import type { GroupItem } from './aggregate-assertions.js';

export interface Summary {
  commits: number;
  authors: number;
  linesAdded: number;
  linesDeleted: number;
  avgEntropy: number;
  suspiciousCommits: number;
  [key: string]: unknown;
}

export interface Page<T> {
  items: T[];
  total?: number;
}

export class ReadApi {
  /** @param baseUrl - the stage URL ending in `/`, e.g. `http://localhost:4566/_aws/execute-api/<id>/prod/` */
  constructor(readonly baseUrl: string) {}

  async get<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(new URL(path, this.baseUrl), { signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (a gateway error page): keep the text for the failure message
    }
    return { status: response.status, body: body as T };
  }

  /** Like {@link get}, failing unless the answer is 200. */
  async ok<T>(path: string): Promise<T> {
    const { status, body } = await this.get<T>(path);
    if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${JSON.stringify(body)}`);
    return body;
  }

  /** Everything the API serves about the aggregates, minus the ingestion clock. */
  async snapshot() {
    const [summary, authors, modules, languages, timeline, suspicious] = await Promise.all([
      this.ok<Summary>('stats/summary'),
      this.ok<Page<GroupItem>>('stats/authors?limit=1000'),
      this.ok<Page<GroupItem>>('stats/modules?limit=1000'),
      this.ok<Page<GroupItem>>('stats/languages?limit=1000'),
      this.ok<Page<unknown>>('stats/timeline?limit=1000'),
      this.ok<Page<{ commitId: string; reason: string }>>('commits/suspicious?limit=1000'),
    ]);
    const { lastIngestedAt: _ignored, ...stableSummary } = summary;
    return { summary: stableSummary, authors, modules, languages, timeline, suspicious };
  }
}
