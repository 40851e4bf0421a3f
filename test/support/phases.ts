/**
 * Wall-clock timing of the end-to-end run: every phase is logged when it starts and ends, and the
 * whole run is summed up in a table at the end (the figures the README quotes).
 */

export interface PhaseTiming {
  name: string;
  seconds: number;
  outcome: 'ok' | 'failed';
}

/**
 * Logs a line of the end-to-end run as it happens. Written to stderr directly: vitest would prefix
 * every `console.log` with a header naming the test.
 */
export function log(message: string): void {
  process.stderr.write(`[e2e] ${message}\n`);
}

export class PhaseClock {
  readonly timings: PhaseTiming[] = [];
  private readonly startedAt = performance.now();

  /**
   * Runs one phase and records how long it took, whether it succeeded or not.
   *
   * @param name - e.g. `cdklocal deploy`
   * @param work - the phase
   */
  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    log(`▶ ${name}`);
    try {
      const result = await work();
      this.record(name, start, 'ok');
      return result;
    } catch (error) {
      this.record(name, start, 'failed');
      throw error;
    }
  }

  /** The timings as a Markdown table, with the total since the clock was created. */
  table(): string {
    const total = (performance.now() - this.startedAt) / 1000;
    const rows = this.timings.map(
      (timing) => `| ${timing.name} | ${timing.seconds.toFixed(1)} | ${timing.outcome} |`,
    );
    return [
      '| phase | seconds | result |',
      '| --- | ---: | --- |',
      ...rows,
      `| total | ${total.toFixed(1)} | |`,
    ].join('\n');
  }

  private record(name: string, start: number, outcome: PhaseTiming['outcome']): void {
    const seconds = (performance.now() - start) / 1000;
    this.timings.push({ name, seconds, outcome });
    log(`${outcome === 'ok' ? '✓' : '✗'} ${name} (${seconds.toFixed(1)} s)`);
  }
}
