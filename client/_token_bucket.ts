// Client-side rate limiting: a token bucket (qps refill, burst capacity) on the injected clock.
import { type Clock, sleep } from "./clock.ts";

export class _TokenBucket {
  #qps: number;
  #burst: number;
  #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(options: { qps: number; burst: number; clock: Clock }) {
    this.#qps = options.qps;
    this.#burst = Math.max(1, options.burst);
    this.#clock = options.clock;
    this.#tokens = this.#burst;
    this.#last = options.clock.now();
  }

  /** Takes one token, waiting for it if the bucket is empty. */
  async take(signal?: AbortSignal): Promise<void> {
    if (!(this.#qps > 0) || this.#qps === Infinity) return;
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
    // Reserve now (the count may go negative), then wait for our slot: callers queue fairly.
    this.#tokens -= 1;
    if (this.#tokens >= 0) return;
    const waitMs = (-this.#tokens / this.#qps) * 1000;
    try {
      await sleep(waitMs, { clock: this.#clock, ...(signal ? { signal } : {}) });
    } catch (err) {
      this.#tokens += 1; // give the reservation back
      throw err;
    }
  }
}
