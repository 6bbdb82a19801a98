import type { Clock, TimerHandle } from "../client/clock.ts";

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A manual clock for tests: time moves only when you call `tick()` (or `tickAsync()`), and
 * timers fire in deadline order (ties in creation order).
 *
 * @example
 * ```ts
 * import { FakeClock } from "./fake_clock.ts";
 * import { sleep } from "../client/clock.ts";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock(0);
 * let done = false;
 * const p = sleep(1000, { clock }).then(() => done = true);
 * await clock.tickAsync(999);
 * assert.equal(done, false);
 * await clock.tickAsync(1);
 * await p;
 * assert.equal(done, true);
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: Timer[] = [];

  /** Starts at `start` ms since the epoch; without it, at 2026-01-01T00:00:00Z. */
  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  /** The current fake time in ms. */
  now(): number {
    return this.#now;
  }

  /** Schedules `fn` at now + ms. */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.push({ id, at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  /** Cancels a pending timer. */
  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** How many timers are pending. */
  get pending(): number {
    return this.#timers.length;
  }

  /** The deadline of the next pending timer, or undefined. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const t of this.#timers) if (min === undefined || t.at < min) min = t.at;
    return min;
  }

  /**
   * Advances time by `ms`, firing due timers synchronously in order. Timers scheduled by a
   * firing timer also fire if they fall due within the same advance.
   */
  tick(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#takeDue(target);
      if (!next) break;
      this.#now = next.at;
      next.fn();
    }
    this.#now = target;
  }

  /**
   * Like `tick()`, but lets promise continuations run after each fired timer, so async code
   * woken by a timer can schedule its next timer before time moves on.
   */
  async tickAsync(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flushMicrotasks();
      const next = this.#takeDue(target);
      if (!next) break;
      this.#now = next.at;
      next.fn();
    }
    this.#now = target;
    await flushMicrotasks();
  }

  /** Fires every pending timer (and those they schedule), up to `limit` timers. */
  async runAll(limit = 10_000): Promise<void> {
    for (let i = 0; i < limit; i++) {
      await flushMicrotasks();
      const at = this.nextDeadline();
      if (at === undefined) return;
      await this.tickAsync(at - this.#now);
    }
    throw new Error(
      `FakeClock.runAll: more than ${limit} timers; is something rescheduling forever?`,
    );
  }

  #takeDue(target: number): Timer | undefined {
    let best = -1;
    for (let i = 0; i < this.#timers.length; i++) {
      const t = this.#timers[i];
      if (t.at > target) continue;
      if (best < 0 || t.at < this.#timers[best].at) best = i;
    }
    if (best < 0) return undefined;
    return this.#timers.splice(best, 1)[0];
  }
}

/** Lets queued promise continuations run (a few macrotask turns' worth of microtasks). */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
