/**
 * Virtual time for the limiter's tests: the limiter's sleeps and a test's events are timers, and
 * time jumps from one to the next.
 */
import type { LimiterClock } from "../client/ratelimit/limiter";

/**
 * Virtual time driven by a timer queue: the limiter's sleeps and the test's events (arrivals,
 * answers) are timers; `run()` lets pending callbacks settle, then jumps to the next timer.
 */
export class VirtualTime {
  now = 0;
  private timers: { at: number; seq: number; fire: () => void }[] = [];
  private seq = 0;

  readonly clock: LimiterClock = {
    now: () => this.now,
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        if (signal.aborted) return resolve();
        const timer = this.at(this.now + Math.max(0, ms), () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        });
        const onAbort = () => {
          this.timers = this.timers.filter((t) => t !== timer);
          resolve();
        };
        signal.addEventListener("abort", onAbort, { once: true });
      }),
  };

  at(time: number, fire: () => void) {
    const timer = { at: time, seq: this.seq++, fire };
    this.timers.push(timer);
    return timer;
  }

  async run(): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.timers.length === 0) return;
      const next = this.timers.reduce((a, b) =>
        b.at < a.at || (b.at === a.at && b.seq < a.seq) ? b : a,
      );
      this.timers = this.timers.filter((t) => t !== next);
      this.now = Math.max(this.now, next.at);
      next.fire();
    }
  }
}
