/**
 * Reads a log group of CloudWatch Logs, on AWS and on LocalStack alike: FilterLogEvents from a start
 * time, page by page; following, StartLiveTail where the endpoint has it (AWS), else FilterLogEvents
 * again every `pollMs` (LocalStack community has no live tail).
 *
 * A poll looks back `LATE_ARRIVAL_MS` behind the newest event it has seen, because CloudWatch can
 * ingest an event after later ones; events are told apart by stream and event id, so none is printed
 * twice.
 */
import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
  StartLiveTailCommand,
  type StartLiveTailCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { pause } from './pause.js';

/** One event of the group. */
export interface CloudWatchEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly logStreamName: string;
}

export interface LogGroupReadOptions {
  readonly logGroupName: string;
  /** Epoch milliseconds of the first events to read. */
  readonly startTime: number;
  /** Keep reading new events until `signal` aborts. */
  readonly follow: boolean;
  readonly signal?: AbortSignal;
  /**
   * How often the group is read again while following without a live tail.
   * @default 2000
   */
  readonly pollMs?: number;
  /** Called once when the group does not exist yet and is being waited for. */
  readonly onWaiting?: () => void;
  /** Called with a one-line note (live tail unavailable, sampled, ended). */
  readonly onNote?: (note: string) => void;
}

/** The group does not exist (the function has not logged yet). */
export class LogGroupNotFoundError extends Error {
  override readonly name = 'LogGroupNotFoundError';
}

const LATE_ARRIVAL_MS = 60_000;

/**
 * The group's events from `startTime`, then (following) the new ones as they arrive.
 *
 * @param client - a CloudWatch Logs client for the stack's target
 * @param options - which group, from when, follow or not
 * @throws LogGroupNotFoundError when the group does not exist and is not followed
 */
export async function* readLogGroup(
  client: CloudWatchLogsClient,
  options: LogGroupReadOptions,
): AsyncGenerator<CloudWatchEvent> {
  const poller = new LogGroupPoller(client, options);
  const live = options.follow ? await startLiveTail(client, options) : undefined;
  const history = new Set<string>();
  for await (const event of poller.poll()) {
    if (live) history.add(contentKey(event));
    yield event;
  }
  if (!options.follow) return;
  if (live) {
    for await (const event of live) {
      // The session began before the history was read: what both hold is printed once.
      if (history.has(contentKey(event))) continue;
      poller.resumeAfter(event.timestamp);
      yield event;
    }
    if (options.signal?.aborted) return;
    options.onNote?.('the live tail session ended; reading on by polling');
  }
  while (await pause(options.pollMs ?? 2_000, options.signal)) {
    yield* poller.poll();
  }
}

/** FilterLogEvents from a moving start, remembering what it returned. */
class LogGroupPoller {
  private from: number;
  /** Stream and event id of the events returned, with their time, since `from`. */
  private readonly seen = new Map<string, number>();
  private newest = 0;
  private waiting = false;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly options: LogGroupReadOptions,
  ) {
    this.from = options.startTime;
  }

  /** Nothing before `timestamp` is returned from now on (the live tail printed it). */
  resumeAfter(timestamp: number): void {
    this.newest = Math.max(this.newest, timestamp);
    this.from = Math.max(this.from, timestamp + 1);
  }

  async *poll(): AsyncGenerator<CloudWatchEvent> {
    let nextToken: string | undefined;
    do {
      let page: FilterLogEventsCommandOutput;
      try {
        page = await this.client.send(
          new FilterLogEventsCommand({
            logGroupName: this.options.logGroupName,
            startTime: this.from,
            nextToken,
          }),
          { abortSignal: this.options.signal },
        );
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
        if (!this.options.follow) {
          throw new LogGroupNotFoundError(`there is no log group ${this.options.logGroupName} (yet)`);
        }
        if (!this.waiting) this.options.onWaiting?.();
        this.waiting = true;
        return;
      }
      for (const event of page.events ?? []) {
        const key = `${event.logStreamName}\u0000${event.eventId}`;
        const timestamp = event.timestamp ?? 0;
        if (this.seen.has(key)) continue;
        this.seen.set(key, timestamp);
        this.newest = Math.max(this.newest, timestamp);
        yield { timestamp, message: event.message ?? '', logStreamName: event.logStreamName ?? '' };
      }
      nextToken = page.nextToken;
    } while (nextToken);
    this.from = Math.max(this.from, this.newest - LATE_ARRIVAL_MS);
    for (const [key, timestamp] of this.seen) if (timestamp < this.from) this.seen.delete(key);
  }
}

/**
 * A live tail session's events, or undefined when the endpoint has no live tail (LocalStack community
 * answers 501) or the group does not exist yet.
 */
async function startLiveTail(
  client: CloudWatchLogsClient,
  options: LogGroupReadOptions,
): Promise<AsyncIterable<CloudWatchEvent> | undefined> {
  try {
    const arn = await logGroupArn(client, options.logGroupName);
    if (!arn) return undefined;
    const session = await client.send(new StartLiveTailCommand({ logGroupIdentifiers: [arn] }), {
      abortSignal: options.signal,
    });
    return liveEvents(session.responseStream, options);
  } catch (error) {
    if (isUnsupported(error)) {
      options.onNote?.('this endpoint has no live tail (StartLiveTail); following by polling');
      return undefined;
    }
    throw error;
  }
}

async function* liveEvents(
  stream: StartLiveTailCommandOutput['responseStream'],
  options: LogGroupReadOptions,
): AsyncGenerator<CloudWatchEvent> {
  let notedSampling = false;
  try {
    for await (const update of stream ?? []) {
      const results = update.sessionUpdate?.sessionResults ?? [];
      if (update.sessionUpdate?.sessionMetadata?.sampled && !notedSampling) {
        options.onNote?.('the live tail is sampling: more events arrive than it sends');
        notedSampling = true;
      }
      for (const result of results) {
        yield {
          timestamp: result.timestamp ?? 0,
          message: result.message ?? '',
          logStreamName: result.logStreamName ?? '',
        };
      }
    }
  } catch (error) {
    if (!options.signal?.aborted) throw error;
  }
}

/** The ARN StartLiveTail takes (without the `:*` of DescribeLogGroups' `arn`). */
async function logGroupArn(client: CloudWatchLogsClient, name: string): Promise<string | undefined> {
  const { logGroups = [] } = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
  const group = logGroups.find((candidate) => candidate.logGroupName === name);
  return group?.logGroupArn ?? group?.arn?.replace(/:\*$/, '');
}

function contentKey(event: CloudWatchEvent): string {
  return `${event.logStreamName}\u0000${event.timestamp}\u0000${event.message}`;
}

/** An operation the endpoint does not implement. */
function isUnsupported(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return $metadata?.httpStatusCode === 501 || name === 'UnknownOperationException';
}
