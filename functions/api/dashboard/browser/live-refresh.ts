/**
 * Refreshes the page's data every few seconds while the tab is visible, never two refreshes at once;
 * a hidden tab pauses, and becoming visible again refreshes at once.
 */

export class LiveRefresh {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;

  /**
   * @param refresh - loads everything once; its failures are the panels' to show
   * @param intervalMs - pause between the end of one refresh and the start of the next
   * @param onPause - told when the tab is hidden (refreshing paused) or visible again
   */
  constructor(
    private readonly refresh: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onPause: (paused: boolean) => void,
  ) {}

  start(): void {
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.onPause(true);
      } else {
        this.onPause(false);
        void this.now();
      }
    });
    void this.now();
  }

  /** Refreshes now (or joins the refresh under way), then schedules the next one. */
  now(): Promise<void> {
    clearTimeout(this.timer);
    this.running ??= this.refresh().finally(() => {
      this.running = undefined;
      if (document.visibilityState !== 'hidden') {
        this.timer = setTimeout(() => void this.now(), this.intervalMs);
      }
    });
    return this.running;
  }
}
