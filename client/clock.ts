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
 * const h: TimerHandle = systemClock.setTimeout(() => {}, 10);
 * systemClock.clearTimeout(h);
 * ```
 */
export type TimerHandle = unknown;

/**
 * A source of time and timers.
 *
 * @example
 * ```ts
 * import type { Clock } from "./clock.ts";
 * function elapsed(clock: Clock, since: number): number {
 *   return clock.now() - since;
 * }
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
 * const t = systemClock.now();
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
 * await sleep(1, { clock: systemClock });
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
