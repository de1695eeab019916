/**
 * A background pass that runs on a poll timer and whenever it is nudged: never two at
 * once; a nudge during a pass runs one more pass after it. The delivery worker and the
 * sync scheduler each drive one (docs/lifecycle-events.md).
 */
export class BackgroundLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
    /** Whether a nudge before `start()` is ignored. */
    public stopped: boolean,
  ) {}

  start(pollMs: number): void {
    this.stopped = false;
    this.timer = setInterval(() => this.nudge(), pollMs);
    this.timer.unref();
    this.nudge();
  }

  /** Stops the timer and waits for the pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .then(() => undefined, this.onError)
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.nudge();
        }
      });
  }
}

/**
 * Renews a lease every third of its length (at least every `floorMs`) while work that holds
 * it runs, so a killed process's lease lapses and another takes the work over; a failed
 * renewal is left to the next. Returns the function that stops renewing.
 */
export function keepLeased(
  renew: () => Promise<unknown>,
  leaseMs: number,
  floorMs: number,
): () => void {
  const heartbeat = setInterval(
    () => {
      void renew().catch(() => undefined);
    },
    Math.max(floorMs, leaseMs / 3),
  );
  heartbeat.unref();
  return () => clearInterval(heartbeat);
}
