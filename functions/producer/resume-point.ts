/**
 * Where a replay that stops early resumes: the first line of the CSV whose row is not settled yet.
 * A row is settled once it is stored (Kinesis accepted its record) or finally kept in the reject list;
 * until then it may sit in an aggregate being filled, a batch being assembled or a request in flight.
 * Every row before the resume point is settled, so a replay from there loses nothing; rows after it
 * that were stored are sent again, and the processor's dedupe ledger counts them once.
 */
export class ResumePoint {
  /** Lines read but not settled; a Set keeps insertion order, and lines are read in ascending order. */
  private readonly open = new Set<number>();
  private lastRead: number;

  /** @param fromLine - the line the replay starts at */
  constructor(fromLine = 1) {
    this.lastRead = fromLine - 1;
  }

  /** A row was read: it is settled when `settled` is called for it. */
  pending(line: number): void {
    this.open.add(line);
    this.lastRead = line;
  }

  /** A row was read and settled at once (rejected while reading). */
  passed(line: number): void {
    this.lastRead = line;
  }

  /** A pending row is stored or finally rejected. */
  settled(line: number): void {
    this.open.delete(line);
  }

  /** The last line a row was read from (the line before `fromLine` until one is). */
  get lastLineRead(): number {
    return this.lastRead;
  }

  /** True when every row read is settled. */
  get allSettled(): boolean {
    return this.open.size === 0;
  }

  /** The first line not settled: the oldest pending row's, or the line after the last one read. */
  get line(): number {
    for (const line of this.open) return line;
    return this.lastRead + 1;
  }
}
