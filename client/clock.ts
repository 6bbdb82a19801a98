/**
 * The injectable clock. Everything in operatorkit that waits (retries, rate limits, watch idle
 * timeouts, resync, work-queue backoff, leases) takes a `Clock` through its options, so tests
 * drive time with `FakeClock` from `testing/` instead of sleeping.
 *
 * @module
 */

/**
 * An opaque timer handle returned by `Clock.setTimeout`.
 *
 * @example
 * ```ts
 * import { systemClock, type TimerHandle } from "./clock.ts";
 * import assert from "node:assert/strict";
 * let fired = false;
 * const h: TimerHandle = systemClock.setTimeout(() => (fired = true), 10);
 * systemClock.clearTimeout(h);
 * await new Promise((r) => setTimeout(r, 20));
 * assert.equal(fired, false, "a cleared timer never fires");
 * ```
 */
export type TimerHandle = unknown;

/**
 * A source of time and timers.
 *
 * @example
 * ```ts
 * import { type Clock, sleep } from "./clock.ts";
 * import assert from "node:assert/strict";
 * // A clock whose timers fire at once and whose time moves only with them.
 * let now = 1_000;
 * const instant: Clock = {
 *   now: () => now,
 *   setTimeout: (fn, ms) => queueMicrotask(() => ((now += ms), fn())),
 *   clearTimeout: () => {},
 * };
 * await sleep(30_000, { clock: instant });
 * assert.equal(instant.now(), 31_000);
 * ```
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer from `setTimeout`; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock: `Date.now()` and the global timers.
 *
 * @example
 * ```ts
 * import { systemClock } from "./clock.ts";
 * import assert from "node:assert/strict";
 * const t = systemClock.now();
 * assert.ok(Math.abs(t - Date.now()) < 1_000);
 * ```
 */
export const systemClock: Clock = {
  now: (): number => Date.now(),
  setTimeout: (fn: () => void, ms: number): TimerHandle => setTimeout(fn, ms),
  clearTimeout: (handle: TimerHandle): void => clearTimeout(handle as number),
};

/**
 * Waits `ms` milliseconds on `clock`. Rejects with the signal's reason when `signal` aborts,
 * and leaves no timer behind either way.
 *
 * @example
 * ```ts
 * import { sleep, systemClock } from "./clock.ts";
 * import assert from "node:assert/strict";
 * const start = systemClock.now();
 * await sleep(5, { clock: systemClock });
 * assert.ok(systemClock.now() - start >= 4);
 * const aborted = AbortSignal.abort(new Error("stop"));
 * await assert.rejects(sleep(60_000, { signal: aborted }), /stop/);
 * ```
 */
export function sleep(
  ms: number,
  options: { clock?: Clock; signal?: AbortSignal } = {},
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal!.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
