/**
 * Whether the stream can be reached, shared by every lane of one replay. A request that finds it
 * unreachable (see {@link unreachableCause}) starts or extends an outage; any answer ends it. The
 * lanes wait through an outage instead of counting attempts, and all of them give up together once
 * it has lasted `limitMs`: the replay then stops and names the line to resume from.
 */

/** Why a request did not reach the stream, and whether the stream may still have stored its records. */
export interface UnreachableCause {
  /** Short, for people: `connection refused`, `connection reset`, `HTTP 503 ServiceUnavailable`. */
  cause: string;
  /** False only when the request never left (the connection was refused): nothing can be stored. */
  maybeStored: boolean;
}

/** Network errors of a connection that could not be opened: the request was never sent. */
const NOT_CONNECTED = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['ENETUNREACH', 'network unreachable'],
  ['ENOTFOUND', 'host not found'],
  ['EAI_AGAIN', 'name lookup failed'],
]);

/** Network errors of a connection lost after the request may have been sent. */
const CONNECTION_LOST = new Map([
  ['ECONNRESET', 'connection reset'],
  ['EPIPE', 'connection reset'],
  ['ECONNABORTED', 'connection aborted'],
  ['ETIMEDOUT', 'timed out'],
]);

/**
 * Classifies a whole-request failure: the stream unreachable (a connection refused, reset or timed
 * out; the endpoint answering 5xx), or undefined for an answer about the request itself (throttling,
 * a refused entry, credentials), which keeps its own bounded retries.
 *
 * @param error - what the SDK threw
 */
export function unreachableCause(error: unknown): UnreachableCause | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const notConnected = NOT_CONNECTED.get(code);
  if (notConnected) return { cause: notConnected, maybeStored: false };
  const lost = CONNECTION_LOST.get(code) ?? (error.name === 'TimeoutError' ? 'timed out' : undefined);
  if (lost) return { cause: lost, maybeStored: true };
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500)
    return { cause: `HTTP ${status} ${error.name}`, maybeStored: true };
  return undefined;
}

/** An outage in progress, for the progress output. */
export interface Outage {
  /** The last failure's cause. */
  cause: string;
  /** How long the stream has been unreachable. */
  forMs: number;
  /** How long it may stay so before the replay stops. */
  limitMs: number;
}

export class StreamReachability {
  private outage: { startedAt: number; cause: string } | undefined;
  private abandoned: string | undefined;

  /**
   * @param limitMs - how long an outage is waited for (`settings.producer.unreachableWaitSeconds`)
   * @param onChange - told when an outage starts, goes on (each failed request) or ends
   * @param now - a monotonic clock in milliseconds
   */
  constructor(
    private readonly limitMs: number,
    private readonly onChange: () => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A request got an answer: the stream is reachable. */
  reached(): void {
    if (!this.outage) return;
    this.outage = undefined;
    this.onChange();
  }

  /**
   * A request found the stream unreachable.
   *
   * @returns true to wait and try again; false once the outage has lasted the limit (from then on,
   *   for every lane)
   */
  unreachable(cause: string): boolean {
    const now = this.now();
    this.outage ??= { startedAt: now, cause };
    this.outage.cause = cause;
    if (!this.abandoned && now - this.outage.startedAt >= this.limitMs) {
      this.abandoned = `Kinesis was unreachable for ${Math.round(this.limitMs / 1000)} s (${cause})`;
    }
    this.onChange();
    return this.abandoned === undefined;
  }

  /** Why the stream was given up on, once it was. */
  get gaveUp(): string | undefined {
    return this.abandoned;
  }

  /** The outage in progress, if any. */
  get current(): Outage | undefined {
    if (!this.outage) return undefined;
    return { cause: this.outage.cause, forMs: this.now() - this.outage.startedAt, limitMs: this.limitMs };
  }
}
