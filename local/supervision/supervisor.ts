/**
 * Keeps the runtime's parts running, as a managed service replaces a failed node: a part that dies is
 * named with how it ended, started again on the same ports and the same state, and announced back with
 * the time it was away. A part that cannot come back stops the runtime ({@link Supervisor.failed}):
 * one that dies again and again (more than `maxRestarts` within `windowSeconds`,
 * `settings.localRuntime.supervision`), or one whose start fails for a reason a retry cannot mend (its
 * port taken, its data directory held by a live process).
 *
 * While a part is down the supervisor is a closed {@link DeliveryGate}: the event-source mapping holds
 * its deliveries instead of spending a batch's retries on a part that is coming back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf, PartUnavailableError } from '../../functions/shared/errors.js';
import { settings } from '../../functions/shared/settings.js';
import type { ChildExit } from '../emulators/child-service.js';
import type { DeliveryGate } from '../event-source-mapping.js';
import { describeExit } from '../process-alive.js';

/** The restart bound and pacing (`settings.localRuntime.supervision`). */
export type SupervisionPolicy = Readonly<
  Record<keyof Omit<typeof settings.localRuntime.supervision, 'stopTimeoutMs'>, number>
>;

/** A running process of a part. */
export interface PartProcess {
  readonly pid: number;
  /** Resolves when the process has ended, however it ended. */
  readonly exited: Promise<ChildExit>;
  stop(): Promise<void>;
}

/** How to run one part. */
export interface PartDefinition<P extends PartProcess> {
  /** Named in the console: "S3 emulator". */
  readonly name: string;
  /** Starts the part; every call after the first must bring it back on the same ports and state. */
  start(signal: AbortSignal): Promise<P>;
  /** After each start, the first included: what must exist in the part (a stream, a bucket). */
  afterStart?(process: P, signal: AbortSignal): Promise<void>;
  /** After the part died, before it is started again: ends what it left behind (a postmaster). */
  afterExit?(): Promise<void>;
}

/** A part under supervision. */
export interface SupervisedPart<P extends PartProcess> {
  /** Its process now (a new one after each restart). */
  current(): P;
}

/** What the supervisor tells the console. */
export type SupervisionEvent =
  | { kind: 'died'; part: string; pid: number; how: string }
  | { kind: 'retrying'; part: string; reason: string }
  | { kind: 'back'; part: string; pid: number; downMs: number }
  | { kind: 'left-behind'; part: string; pid: number; by: string }
  | { kind: 'gave-up'; error: PartUnavailableError };

interface Entry {
  readonly definition: PartDefinition<PartProcess>;
  process: PartProcess;
  /** The name of what is down (PostgreSQL when it died under the database service), or undefined. */
  downAs: string | undefined;
  /** When it died, within the window. */
  deaths: number[];
}

/** Starts parts, watches them, brings back the ones that die. */
export class Supervisor implements DeliveryGate {
  /** Resolves with the reason once a part cannot come back; the runtime then stops. */
  readonly failed: Promise<PartUnavailableError>;
  private readonly entries: Entry[] = [];
  private readonly watchers: Array<Promise<void>> = [];
  private readonly stopping = new AbortController();
  private openWaiters: Array<() => void> = [];
  private outageCount = 0;
  private giveUp: (error: PartUnavailableError) => void = () => undefined;

  /**
   * @param onEvent - told of every death, restart attempt, return and give-up
   * @param policy - the restart bound and pacing (tests of the supervisor itself use short delays)
   */
  constructor(
    private readonly onEvent: (event: SupervisionEvent) => void,
    private readonly policy: SupervisionPolicy = settings.localRuntime.supervision,
  ) {
    this.failed = new Promise((resolve) => {
      this.giveUp = (error) => {
        this.giveUp = () => undefined;
        this.onEvent({ kind: 'gave-up', error });
        resolve(error);
      };
    });
  }

  /**
   * Starts a part and watches it from then on. A failure of this first start is thrown, not retried.
   *
   * @param definition - how to start it (and prepare it, and clean up after it)
   * @param signal - aborts this start (a signal during the runtime's start-up)
   */
  async start<P extends PartProcess>(
    definition: PartDefinition<P>,
    signal?: AbortSignal,
  ): Promise<SupervisedPart<P>> {
    const abort = signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal;
    const process = await startPrepared(definition, abort);
    const entry: Entry = {
      definition: definition as unknown as PartDefinition<PartProcess>,
      process,
      downAs: undefined,
      deaths: [],
    };
    this.entries.push(entry);
    this.watchers.push(this.watch(entry));
    return { current: () => entry.process as P };
  }

  /** @inheritdoc */
  blockedBy(): string | undefined {
    return this.entries.find((entry) => entry.downAs !== undefined)?.downAs;
  }

  /** @inheritdoc */
  whenOpen(): Promise<void> {
    if (this.blockedBy() === undefined) return Promise.resolve();
    return new Promise((resolve) => this.openWaiters.push(resolve));
  }

  /** @inheritdoc */
  outages(): number {
    return this.outageCount;
  }

  /**
   * From now on nothing is restarted or announced: the runtime is shutting down, and a part that ends
   * meanwhile (Ctrl-C reaches PostgreSQL too) is part of that. The parts keep running until {@link stop}.
   */
  standDown(): void {
    this.stopping.abort();
  }

  /** Stops every part, the last started first; nothing is restarted from now on. */
  async stop(): Promise<void> {
    this.standDown();
    for (const entry of [...this.entries].reverse()) await entry.process.stop().catch(() => undefined);
    // A restart in flight is aborted and stops what it started; a clean-up in flight finishes.
    await Promise.allSettled(this.watchers);
  }

  private async watch(entry: Entry): Promise<void> {
    for (;;) {
      const exit = await entry.process.exited;
      if (this.stopping.signal.aborted) return;
      const part = exit.reason?.part ?? entry.definition.name;
      const how = exit.reason?.how ?? describeExit(exit);
      entry.downAs = part;
      this.outageCount += 1;
      // A grace before saying so: Ctrl-C reaches PostgreSQL too (it shares the process group), and the
      // runtime's own shutdown, begun by the same signal, must be seen first.
      await sleep(this.policy.firstDelayMs, undefined, { signal: this.stopping.signal }).catch(
        () => undefined,
      );
      if (this.stopping.signal.aborted) return;
      this.onEvent({ kind: 'died', part, pid: exit.reason?.pid ?? entry.process.pid, how });
      const since = performance.now();
      if (!(await this.bringBack(entry, how))) return;
      entry.downAs = undefined;
      this.onEvent({ kind: 'back', part, pid: entry.process.pid, downMs: performance.now() - since });
      if (this.blockedBy() === undefined) {
        for (const resolve of this.openWaiters.splice(0)) resolve();
      }
    }
  }

  /**
   * Starts the part again until it runs; false when it cannot come back, or the runtime is stopping.
   *
   * A restart policy, not a retry of one call, so not the shared retry helper: its budget is the part's
   * deaths within a sliding window (kept across outages, a start that fails counting as one too), and
   * its waits grow with those deaths without jitter (one supervisor per part: no crowd to spread out).
   */
  private async bringBack(entry: Entry, firstHow: string): Promise<boolean> {
    const { name } = entry.definition;
    const windowMs = this.policy.windowSeconds * 1000;
    let lastHow = firstHow;
    for (;;) {
      const now = Date.now();
      entry.deaths = [...entry.deaths.filter((at) => now - at < windowMs), now];
      if (entry.deaths.length > this.policy.maxRestarts) {
        this.giveUp(
          cannotComeBack(
            name,
            `it ended ${entry.deaths.length} times within ${this.policy.windowSeconds} s (the last time: ${lastHow})`,
          ),
        );
        return false;
      }
      const delayMs = Math.min(
        this.policy.maxDelayMs,
        this.policy.firstDelayMs * 2 ** (entry.deaths.length - 1),
      );
      try {
        await entry.definition.afterExit?.();
        await sleep(delayMs, undefined, { signal: this.stopping.signal });
        entry.process = await startPrepared(entry.definition, this.stopping.signal);
        return true;
      } catch (error) {
        if (this.stopping.signal.aborted) return false;
        const reason = messageOf(error);
        if (error instanceof PartUnavailableError && !error.retryable) {
          this.giveUp(cannotComeBack(name, reason));
          return false;
        }
        lastHow = `it could not start: ${reason}`;
        this.onEvent({ kind: 'retrying', part: name, reason });
      }
    }
  }
}

/** Starts a part and prepares it; a part that cannot be prepared is stopped again. */
async function startPrepared<P extends PartProcess>(
  definition: PartDefinition<P>,
  signal: AbortSignal,
): Promise<P> {
  const process = await definition.start(signal);
  try {
    await definition.afterStart?.(process, signal);
    return process;
  } catch (error) {
    await process.stop();
    throw error;
  }
}

function cannotComeBack(part: string, reason: string): PartUnavailableError {
  return new PartUnavailableError(
    `${part} cannot come back: ${reason}. The runtime stops; fix that and start it again ` +
      '(the data dir keeps the stream, the archive and the database)',
    false,
  );
}

/**
 * The console line of an event.
 *
 * @example "S3 emulator (pid 4242) was killed by SIGKILL: restarting it on the same port and data"
 */
export function describeSupervisionEvent(event: SupervisionEvent): string {
  switch (event.kind) {
    case 'died':
      return `${event.part} (pid ${event.pid}) ${event.how}: restarting it on the same port and data`;
    case 'retrying':
      return `${event.part} could not start (${event.reason}): trying again`;
    case 'back':
      return `${event.part} is back after ${(event.downMs / 1000).toFixed(1)} s`;
    case 'left-behind':
      return `${event.part} (pid ${event.pid}) outlived ${event.by}: ending it before starting again`;
    case 'gave-up':
      return event.error.message;
  }
}
