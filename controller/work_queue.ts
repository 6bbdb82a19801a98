/**
 * The work queue between informer events and reconciles.
 *
 * @module
 */
import { type Clock, systemClock, type TimerHandle } from "../client/clock.ts";
import { defaultRateLimiter, type RateLimiter } from "./rate_limiter.ts";

/**
 * Work-queue totals since creation.
 *
 * @example
 * ```ts
 * import type { WorkQueueCounters } from "./work_queue.ts";
 * import assert from "node:assert/strict";
 * const c: WorkQueueCounters = { adds: 3, retries: 1, waitCount: 3, waitSumMs: 12 };
 * assert.deepEqual(c.adds, 3);
 * ```
 */
export interface WorkQueueCounters {
  /** Keys queued (a key added while already queued counts once). */
  adds: number;
  /** `addRateLimited` calls: retries after errors. */
  retries: number;
  /** Keys handed out. */
  waitCount: number;
  /** Total time keys waited in the queue before being handed out, in ms. */
  waitSumMs: number;
}

/**
 * Options of {@linkcode WorkQueue}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FakeClock } from "../testing/fake_clock.ts";
 * import { WorkQueue, type WorkQueueOptions } from "./work_queue.ts";
 * const clock = new FakeClock(0);
 * const options: WorkQueueOptions<string> = { clock };
 * await using q = new WorkQueue<string>(options);
 * q.addAfter("a", 1000);
 * assert.equal(q.tryGet(), undefined);
 * clock.tick(1000);
 * assert.equal(q.tryGet(), "a");
 * q.done("a");
 * ```
 */
export interface WorkQueueOptions<K> {
  /**
   * Time source for delayed adds and backoff.
   * @default {the system clock}
   */
  clock?: Clock;
  /**
   * Decides backoff for `addRateLimited`.
   * @default {{@linkcode defaultRateLimiter}}
   */
  rateLimiter?: RateLimiter<K>;
}

interface _Delayed {
  at: number;
  handle: TimerHandle;
}

/**
 * A deduplicating work queue with the semantics of client-go's rate-limited queue:
 *
 * - a key is queued at most once however often it is added (dedup);
 * - a key handed out by `get` is "processing" until `done`; adding it meanwhile marks it
 *   dirty and it is queued again only after `done`, so one key is never worked on twice at
 *   once;
 * - `addAfter` delays an add (the earliest pending deadline per key wins);
 * - `addRateLimited` delays by the rate limiter (per-key exponential backoff and an overall
 *   token bucket by default) and `forget` resets the key's backoff after a success;
 * - `shutdown` stops accepting keys and wakes every waiting `get` with `undefined`;
 *   `drain` waits for the keys still processing.
 *
 * add, get and done are O(1). Concurrency is the caller's choice: run N loops of
 * `get`/`done` (the controller does).
 *
 * @example
 * ```ts
 * import { WorkQueue } from "./work_queue.ts";
 * import assert from "node:assert/strict";
 * const q = new WorkQueue<string>();
 * q.add("a");
 * q.add("a");
 * assert.equal(q.length, 1);
 * const key = await q.get();
 * q.add("a"); // processing: re-queued only after done
 * assert.equal(q.tryGet(), undefined);
 * q.done(key!);
 * assert.equal(q.tryGet(), "a");
 * q.done("a");
 * await q[Symbol.asyncDispose]();
 * ```
 */
export class WorkQueue<K = string> implements AsyncDisposable {
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<K>;
  // A ring-free deque: items from #head on; compacted when the dead prefix grows.
  #items: K[] = [];
  #head = 0;
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #delayed = new Map<K, _Delayed>();
  #getters: Array<(key: K | undefined) => void> = [];
  #drainers: Array<() => void> = [];
  #shuttingDown = false;
  readonly #queuedAt = new Map<K, number>();
  readonly #waited = new Map<K, number>();
  readonly #counters: WorkQueueCounters = { adds: 0, retries: 0, waitCount: 0, waitSumMs: 0 };

  /** Creates an empty queue. */
  constructor(options: WorkQueueOptions<K> = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#limiter = options.rateLimiter ?? defaultRateLimiter<K>({ clock: this.#clock });
  }

  /** Keys waiting to be handed out (not counting delayed or processing ones). */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Keys handed out and not yet `done`. */
  get processing(): number {
    return this.#processing.size;
  }

  /** Keys waiting for an `addAfter`/`addRateLimited` delay. */
  get delayed(): number {
    return this.#delayed.size;
  }

  /** Totals since the queue was created (for metrics). */
  get counters(): WorkQueueCounters {
    return { ...this.#counters };
  }

  /** When the key waiting longest for `get` was queued (clock ms), or undefined when none. */
  get oldestQueuedAt(): number | undefined {
    // Insertion order: the first entry is the oldest key still waiting.
    for (const at of this.#queuedAt.values()) return at;
    return undefined;
  }

  /** How long `key`, now processing, waited in the queue before `get` handed it out (ms). */
  waitedMs(key: K): number | undefined {
    return this.#waited.get(key);
  }

  /** When `key`'s pending `addAfter`/`addRateLimited` delay runs out, or undefined. */
  delayedUntil(key: K): number | undefined {
    return this.#delayed.get(key)?.at;
  }

  /** Keys waiting for an `addAfter`/`addRateLimited` delay and when each is due, soonest first. */
  delayedKeys(): Array<{ key: K; at: number }> {
    return [...this.#delayed].map(([key, d]) => ({ key, at: d.at })).sort((a, b) => a.at - b.at);
  }

  /** True once `shutdown` was called. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Queues `key` unless it is already queued; after shutdown this does nothing. */
  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /** Queues `key` after `ms`; an earlier pending deadline for the same key is kept. */
  addAfter(key: K, ms: number): void {
    if (this.#shuttingDown) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + ms;
    const prev = this.#delayed.get(key);
    if (prev) {
      if (prev.at <= at) return;
      this.#clock.clearTimeout(prev.handle);
    }
    const handle = this.#clock.setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    this.#delayed.set(key, { at, handle });
  }

  /** Queues `key` after the rate limiter's delay for it; returns that delay in ms. */
  addRateLimited(key: K): number {
    this.#counters.retries++;
    const ms = this.#limiter.when(key);
    this.addAfter(key, ms);
    return ms;
  }

  /** Resets the backoff of `key` (call after it succeeded). */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  /** How many times `key` was rate-limited since its last `forget`. */
  numRequeues(key: K): number {
    return this.#limiter.numRequeues(key);
  }

  /** Hands out the next key without waiting, or `undefined` when none is queued. */
  tryGet(): K | undefined {
    if (this.#shuttingDown || this.#head === this.#items.length) return undefined;
    return this.#take();
  }

  /**
   * Waits for the next key and marks it processing; call `done(key)` when finished.
   * Resolves `undefined` once the queue shuts down; rejects with the signal's reason on abort.
   */
  get(options: { signal?: AbortSignal } = {}): Promise<K | undefined> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#shuttingDown) return Promise.resolve(undefined);
    if (this.#head < this.#items.length) return Promise.resolve(this.#take());
    return new Promise<K | undefined>((resolve, reject) => {
      const getter = (key: K | undefined) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(key);
      };
      const onAbort = () => {
        const i = this.#getters.indexOf(getter);
        if (i >= 0) this.#getters.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#getters.push(getter);
    });
  }

  /** Marks `key` finished; if it was added while processing it is queued again. */
  done(key: K): void {
    if (!this.#processing.delete(key)) return;
    this.#waited.delete(key);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#push(key);
    if (this.#processing.size === 0 && this.#drainers.length > 0) {
      const drainers = this.#drainers;
      this.#drainers = [];
      for (const d of drainers) d();
    }
  }

  /**
   * Stops accepting keys, drops queued and delayed ones, and resolves every waiting `get`
   * with `undefined`. Keys already processing stay so until `done`.
   */
  shutdown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const d of this.#delayed.values()) this.#clock.clearTimeout(d.handle);
    this.#delayed.clear();
    this.#items = [];
    this.#head = 0;
    this.#dirty.clear();
    this.#queuedAt.clear();
    const getters = this.#getters;
    this.#getters = [];
    for (const g of getters) g(undefined);
  }

  /** Resolves when no key is processing; rejects with the signal's reason on abort. */
  drain(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    if (this.#processing.size === 0) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const drainer = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.#drainers.indexOf(drainer);
        if (i >= 0) this.#drainers.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#drainers.push(drainer);
    });
  }

  /** Shuts down and waits for processing keys to be `done`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.shutdown();
    await this.drain();
  }

  #push(key: K): void {
    this.#counters.adds++;
    if (this.#getters.length > 0) {
      this.#counters.waitCount++;
      this.#dirty.delete(key);
      this.#processing.add(key);
      this.#waited.set(key, 0);
      this.#getters.shift()!(key);
      return;
    }
    this.#items.push(key);
    this.#queuedAt.set(key, this.#clock.now());
  }

  #take(): K {
    const key = this.#items[this.#head++];
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    this.#dirty.delete(key);
    this.#processing.add(key);
    const at = this.#queuedAt.get(key);
    const waited = at === undefined ? 0 : this.#clock.now() - at;
    this.#waited.set(key, waited);
    if (at !== undefined) {
      this.#queuedAt.delete(key);
      this.#counters.waitCount++;
      this.#counters.waitSumMs += waited;
    }
    return key;
  }
}
