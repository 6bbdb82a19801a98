import type { Clock } from "../client/clock.ts";

/**
 * Backoff settings; see `InformerOptions.backoff`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { type BackoffOptions, Informer } from "./informer.ts";
 * await using server = await startApiServer();
 * // no client retries: the informer's backoff handles the failures
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig }, { retries: 0 });
 * server.faults.failNext(2, { status: 500, verb: "list" });
 * const backoff: BackoffOptions = { initialMs: 1, maxMs: 2, jitter: 0 };
 * await using informer = new Informer(client.resource(ConfigMaps), { namespace: "default", backoff });
 * informer.start();
 * await informer.ready();
 * assert.equal(informer.health().counters.errors, 2);
 * assert.throws(
 *   () => new Informer(client.resource(ConfigMaps), { backoff: { initialMs: 10, maxMs: 5 } }),
 *   RangeError,
 * );
 * ```
 */
export interface BackoffOptions {
  /**
   * First delay in ms.
   * @default {800}
   */
  initialMs?: number;
  /**
   * Cap of the delay in ms.
   * @default {30_000}
   */
  maxMs?: number;
  /**
   * Fraction of random extra delay, 0..1.
   * @default {0.5}
   */
  jitter?: number;
  /**
   * After this long without an error, the next error starts from `initialMs` (ms).
   * @default {120_000}
   */
  resetAfterMs?: number;
}

/**
 * Exponential backoff with jitter that forgets past failures after a healthy period.
 * Internal to the informer.
 */
export class _Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly jitter: number;
  readonly resetAfterMs: number;
  #attempts = 0;
  #healthySince: number | undefined;
  #clock: Clock;
  #random: () => number;

  constructor(options: BackoffOptions, clock: Clock, random: () => number) {
    this.initialMs = options.initialMs ?? 800;
    this.maxMs = options.maxMs ?? 30_000;
    this.jitter = options.jitter ?? 0.5;
    this.resetAfterMs = options.resetAfterMs ?? 120_000;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs)) {
      throw new RangeError(
        `expected 0 < backoff.initialMs <= backoff.maxMs, found ${this.initialMs} and ${this.maxMs}`,
      );
    }
    if (!(this.jitter >= 0 && this.jitter <= 1)) {
      throw new RangeError(`expected backoff.jitter within 0..1, found ${this.jitter}`);
    }
    this.#clock = clock;
    this.#random = random;
  }

  /** Current failure streak. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Marks progress (a list completed, a watch delivered an event). */
  healthy(): void {
    this.#healthySince ??= this.#clock.now();
  }

  /** Records a failure and returns how long to wait before the next try. */
  fail(): number {
    const now = this.#clock.now();
    if (this.#healthySince !== undefined && now - this.#healthySince >= this.resetAfterMs) {
      this.#attempts = 0;
    }
    this.#healthySince = undefined;
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.#attempts, 30));
    this.#attempts++;
    return Math.min(this.maxMs, Math.round(base * (1 + this.jitter * this.#random())));
  }
}
