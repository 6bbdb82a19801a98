/**
 * Rate limiters for the work queue: how long a key waits before it is retried.
 *
 * @module
 */
import { type Clock, systemClock } from "../client/clock.ts";

/**
 * Decides the delay before a key is retried. `when()` records one more failure of `key`;
 * `forget()` clears the key's history once it succeeds.
 *
 * @example
 * ```ts
 * import type { RateLimiter } from "./rate_limiter.ts";
 * import assert from "node:assert/strict";
 * const never: RateLimiter<string> = {
 *   when: () => 0,
 *   forget: () => {},
 *   numRequeues: () => 0,
 * };
 * assert.deepEqual(never.when("a"), 0);
 * ```
 */
export interface RateLimiter<K = string> {
  /** Records a failure of `key` and returns how many ms it should wait. */
  when(key: K): number;
  /** Clears the failure history of `key`. */
  forget(key: K): void;
  /** How many failures `key` has had since it was last forgotten. */
  numRequeues(key: K): number;
}

/**
 * Options of {@linkcode ExponentialBackoffRateLimiter}.
 *
 * @example
 * ```ts
 * import type { ExponentialBackoffOptions } from "./rate_limiter.ts";
 * import assert from "node:assert/strict";
 * const opts: ExponentialBackoffOptions = { baseDelayMs: 5, maxDelayMs: 1_000_000 };
 * assert.deepEqual(opts.baseDelayMs, 5);
 * ```
 */
export interface ExponentialBackoffOptions {
  /**
   * Delay after the first failure.
   * @default {5 ms}
   */
  baseDelayMs?: number;
  /**
   * Upper bound of the delay.
   * @default {1,000,000 ms = 1000 s}
   */
  maxDelayMs?: number;
}

/**
 * Per-key exponential backoff: `base * 2^(failures-1)`, capped at `max`. The defaults match
 * client-go's controller rate limiter (5 ms doubling up to 1000 s).
 *
 * @example
 * ```ts
 * import { ExponentialBackoffRateLimiter } from "./rate_limiter.ts";
 * import assert from "node:assert/strict";
 * const rl = new ExponentialBackoffRateLimiter({ baseDelayMs: 5 });
 * assert.equal(rl.when("k"), 5);
 * assert.equal(rl.when("k"), 10);
 * rl.forget("k");
 * assert.equal(rl.when("k"), 5);
 * ```
 */
export class ExponentialBackoffRateLimiter<K = string> implements RateLimiter<K> {
  readonly #base: number;
  readonly #max: number;
  readonly #failures = new Map<K, number>();

  /** Creates the limiter; throws a RangeError for a non-positive base or max < base. */
  constructor(options: ExponentialBackoffOptions = {}) {
    this.#base = options.baseDelayMs ?? 5;
    this.#max = options.maxDelayMs ?? 1_000_000;
    if (!(this.#base > 0) || !(this.#max >= this.#base)) {
      throw new RangeError(
        `Expected 0 < baseDelayMs <= maxDelayMs, found baseDelayMs=${this.#base} maxDelayMs=${this.#max}`,
      );
    }
  }

  /** Records a failure and returns the backoff for it. */
  when(key: K): number {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    // Past 2^60 the product is beyond any sane max; avoid Infinity arithmetic.
    if (n >= 60) return this.#max;
    return Math.min(this.#max, this.#base * 2 ** n);
  }

  /** Resets `key`. */
  forget(key: K): void {
    this.#failures.delete(key);
  }

  /** Failures of `key` since the last forget. */
  numRequeues(key: K): number {
    return this.#failures.get(key) ?? 0;
  }
}

/**
 * Options of {@linkcode TokenBucketRateLimiter}.
 *
 * @example
 * ```ts
 * import type { TokenBucketOptions } from "./rate_limiter.ts";
 * import assert from "node:assert/strict";
 * const opts: TokenBucketOptions = { qps: 10, burst: 100 };
 * assert.deepEqual(opts.qps, 10);
 * ```
 */
export interface TokenBucketOptions {
  /**
   * Sustained rate in tokens per second.
   * @default {10}
   */
  qps?: number;
  /**
   * Bucket size: how many retries may go at once.
   * @default {100}
   */
  burst?: number;
  /**
   * Time source.
   * @default {the system clock}
   */
  clock?: Clock;
}

/**
 * An overall token bucket shared by all keys: each `when()` reserves one token and returns
 * how long to wait for it. It bounds the total retry rate when many keys fail together.
 *
 * @example
 * ```ts
 * import { TokenBucketRateLimiter } from "./rate_limiter.ts";
 * import { FakeClock } from "../testing/fake_clock.ts";
 * import assert from "node:assert/strict";
 * const rl = new TokenBucketRateLimiter({ qps: 10, burst: 1, clock: new FakeClock(0) });
 * assert.equal(rl.when("a"), 0);
 * assert.equal(rl.when("b"), 100);
 * ```
 */
export class TokenBucketRateLimiter<K = string> implements RateLimiter<K> {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  /** Creates a full bucket; throws a RangeError for a non-positive qps or burst. */
  constructor(options: TokenBucketOptions = {}) {
    this.#qps = options.qps ?? 10;
    this.#burst = options.burst ?? 100;
    this.#clock = options.clock ?? systemClock;
    if (!(this.#qps > 0) || !(this.#burst >= 1)) {
      throw new RangeError(
        `Expected qps > 0 and burst >= 1, found qps=${this.#qps} burst=${this.#burst}`,
      );
    }
    this.#tokens = this.#burst;
    this.#last = this.#clock.now();
  }

  /** Reserves a token; returns the wait in ms until it is available. */
  when(_key: K): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) * this.#qps) / 1000);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens * 1000) / this.#qps);
  }

  /** No per-key state to forget. */
  forget(_key: K): void {}

  /** Always 0: the bucket does not track keys. */
  numRequeues(_key: K): number {
    return 0;
  }
}

/**
 * Combines limiters: the delay is the largest of theirs; forget and numRequeues go to all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   ExponentialBackoffRateLimiter,
 *   MaxOfRateLimiter,
 *   TokenBucketRateLimiter,
 * } from "./rate_limiter.ts";
 * const rl = new MaxOfRateLimiter([
 *   new ExponentialBackoffRateLimiter(),
 *   new TokenBucketRateLimiter(),
 * ]);
 * assert.deepEqual(rl.when("k"), 5);
 * ```
 */
export class MaxOfRateLimiter<K = string> implements RateLimiter<K> {
  readonly #limiters: RateLimiter<K>[];

  /** Combines `limiters` (at least one). */
  constructor(limiters: RateLimiter<K>[]) {
    if (limiters.length === 0) throw new RangeError("Expected at least one limiter, found none");
    this.#limiters = limiters;
  }

  /** The largest delay of all limiters (each records the failure). */
  when(key: K): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.when(key));
    return max;
  }

  /** Forgets `key` in every limiter. */
  forget(key: K): void {
    for (const l of this.#limiters) l.forget(key);
  }

  /** The largest failure count any limiter reports. */
  numRequeues(key: K): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.numRequeues(key));
    return max;
  }
}

/**
 * The controller default: per-key exponential backoff (5 ms to 1000 s) combined with an
 * overall token bucket (10 qps, burst 100), as client-go's default controller rate limiter.
 *
 * @example
 * ```ts
 * import { defaultRateLimiter } from "./rate_limiter.ts";
 * import assert from "node:assert/strict";
 * const rl = defaultRateLimiter({ baseDelayMs: 10 });
 * assert.deepEqual(rl.when("k"), 10);
 * ```
 */
export function defaultRateLimiter<K = string>(
  options: ExponentialBackoffOptions & TokenBucketOptions = {},
): RateLimiter<K> {
  return new MaxOfRateLimiter<K>([
    new ExponentialBackoffRateLimiter<K>(options),
    new TokenBucketRateLimiter<K>(options),
  ]);
}
