/**
 * Where a replay that stops early resumes: the first line of the CSV whose row is not settled yet.
 * A row is settled once it is stored (Kinesis accepted its record) or finally kept in the reject list;
 * until then it may sit in an aggregate being filled, a put request being filled or one in flight.
 * Every row before the resume point is settled, so a replay from there loses nothing; rows after it
 * that were stored are sent again, and the processor's dedupe ledger counts them once.
 *
 * Called for every row, so it keeps one flag per line of the window from the oldest unsettled line to
 * the last one read, in a ring that doubles when the window outgrows it (the window is bounded by what
 * the lanes hold: a few put requests).
 */
export class ResumePoint {
  /** 1 for a line read and not settled, by `line % flags.length`, for lines from `oldest` to `lastRead`. */
  private flags = new Uint8Array(4096);
  /** No line before it is unsettled. */
  private oldest: number;
  private lastRead: number;
  private unsettled = 0;

  /** @param fromLine - the line the replay starts at */
  constructor(fromLine = 1) {
    this.oldest = fromLine;
    this.lastRead = fromLine - 1;
  }

  /** A row was read: it is settled when `settled` is called for it. */
  pending(line: number): void {
    this.skipSettled();
    if (line - this.oldest >= this.flags.length) this.grow(line - this.oldest + 1);
    this.flags[line % this.flags.length] = 1;
    this.unsettled += 1;
    this.lastRead = line;
  }

  /** A row was read and settled at once (rejected while reading). */
  passed(line: number): void {
    this.lastRead = line;
  }

  /** A pending row is stored or finally rejected. */
  settled(line: number): void {
    this.flags[line % this.flags.length] = 0;
    this.unsettled -= 1;
  }

  /** The last line a row was read from (the line before `fromLine` until one is). */
  get lastLineRead(): number {
    return this.lastRead;
  }

  /** True when every row read is settled. */
  get allSettled(): boolean {
    return this.unsettled === 0;
  }

  /** The first line not settled: the oldest pending row's, or the line after the last one read. */
  get line(): number {
    this.skipSettled();
    return this.oldest;
  }

  private skipSettled(): void {
    while (this.oldest <= this.lastRead && this.flags[this.oldest % this.flags.length] === 0)
      this.oldest += 1;
  }

  private grow(window: number): void {
    let size = this.flags.length * 2;
    while (size < window) size *= 2;
    const flags = new Uint8Array(size);
    for (let line = this.oldest; line <= this.lastRead; line += 1) {
      flags[line % size] = this.flags[line % this.flags.length] as number;
    }
    this.flags = flags;
  }
}
