/**
 * Group commit: written files are flushed to the device (fdatasync) in groups, off the event loop, and
 * a response waits for the flush that covers every write made before it.
 *
 * One fdatasync per file per PutRecords call, done synchronously, halved the server's PutRecords
 * throughput (local/kinesis-server/README.md). Here the event loop goes on serving requests while a
 * flush runs on libuv's thread pool; everything written meanwhile is covered by the next flush, so with
 * several calls in flight one flush serves them all. Since every response (reads included) waits for
 * the writes before it, no client ever sees a record that a crash of the machine could still take back.
 */
import { closeSync, fdatasync } from 'node:fs';
import { promisify } from 'node:util';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

const fdatasyncAsync = promisify(fdatasync);

export class GroupSync {
  /** Files written since the flush in flight began. */
  private dirty = new Set<number>();
  /** Files of the flush in flight, and who waits for it. */
  private inFlight: { fds: Set<number>; waiters: Waiter[] } | undefined;
  /** Waiting for the next flush (their writes came after the one in flight began). */
  private next: Waiter[] = [];
  /** Files closed while the flush in flight holds them: closed when it ends. */
  private closeAfterFlush: number[] = [];

  /** @param flush - makes one file's written data durable (fdatasync; tests inject faults) */
  constructor(private readonly flush: (fd: number) => Promise<void> = fdatasyncAsync) {}

  /** Whether some write is not known to be on the device yet. */
  get pending(): boolean {
    return this.dirty.size > 0 || this.inFlight !== undefined;
  }

  /** Records a write to `fd`, to be covered by the next flush. */
  written(fd: number): void {
    this.dirty.add(fd);
  }

  /** Resolves once every write recorded so far is on the device; rejects if a flush failed. */
  flushed(): Promise<void> {
    if (!this.pending) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      if (this.inFlight && this.dirty.size === 0) this.inFlight.waiters.push(waiter);
      else this.next.push(waiter);
      if (!this.inFlight) this.start();
    });
  }

  /** Closes a file, once the flush in flight (if it holds the file) is done with it. */
  close(fd: number): void {
    this.dirty.delete(fd);
    if (this.inFlight?.fds.has(fd)) this.closeAfterFlush.push(fd);
    else closeSync(fd);
  }

  private start(): void {
    const flight = { fds: this.dirty, waiters: this.next };
    this.inFlight = flight;
    this.dirty = new Set();
    this.next = [];
    Promise.all([...flight.fds].map((fd) => this.flush(fd))).then(
      () => this.finish(flight, undefined),
      (error: unknown) => this.finish(flight, error ?? new Error('fdatasync failed')),
    );
  }

  private finish(flight: { waiters: Waiter[] }, error: unknown): void {
    for (const fd of this.closeAfterFlush.splice(0)) closeSync(fd);
    this.inFlight = undefined;
    for (const waiter of flight.waiters) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
    if (this.next.length > 0) this.start();
  }
}
