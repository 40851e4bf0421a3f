/**
 * A progress bar on stderr when it is a terminal; silent otherwise (logs and CI stay clean).
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  update(value: number, detail?: string): void;
  /** A moment worth a line of its own where no bar shows it (not a terminal); on a terminal, the bar's detail tells it. */
  note(message: string): void;
  stop(): void;
}

/**
 * @param label - what is progressing
 * @param total - the value at 100 %
 * @param unit - `MB` shows a byte count in megabytes; anything else is shown as a count
 */
export function createProgress(label: string, total: number, unit: 'MB' | 'records'): Progress {
  if (!process.stderr.isTTY) {
    return {
      update: () => undefined,
      note: (message) => process.stderr.write(`${label}: ${message}\n`),
      stop: () => undefined,
    };
  }
  const scale = unit === 'MB' ? 1024 * 1024 : 1;
  const bar = new SingleBar({
    format: `${label.padEnd(8)} [{bar}] {percentage}% | {shown}/{shownTotal} ${unit} | {detail}`,
    barsize: 30,
    hideCursor: true,
    stream: process.stderr,
    clearOnComplete: false,
  });
  const shown = (value: number) => (unit === 'MB' ? (value / scale).toFixed(1) : String(value));
  bar.start(total, 0, { shown: shown(0), shownTotal: shown(total), detail: '' });
  return {
    update: (value, detail = '') =>
      bar.update(value, { shown: shown(value), shownTotal: shown(total), detail }),
    note: () => undefined,
    stop: () => bar.stop(),
  };
}
