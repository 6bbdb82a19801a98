/**
 * A fixed-bucket latency histogram, cheap enough for every reconcile: one array index walk
 * and three additions per observation. Rendered in the Prometheus text format by the
 * operator runtime.
 *
 * @module
 */

/** Default upper bounds in seconds (1 ms to ~60 s, roughly doubling). */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
];

/**
 * A histogram's state: cumulative counts per upper bound (`+Inf` is `count`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { Controller } from "./controller.ts";
 * import type { HistogramSnapshot } from "./histogram.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * await client.resource(ConfigMaps).create({ metadata: { name: "a", namespace: "default" } });
 * await using controller = new Controller({ client }, {
 *   type: ConfigMaps,
 *   namespace: "default",
 *   resources: [{ name: "record", ensureCreated: async () => {}, ensureDeleted: async () => {} }],
 * });
 * await controller.start();
 * while (controller.stats.reconciles === 0) await new Promise((r) => setTimeout(r, 5));
 * const durations: HistogramSnapshot = controller.stats.durations!;
 * assert.ok(durations.count >= 1);
 * assert.equal(durations.bounds.length, durations.cumulative.length);
 * // cumulative: the last bound (60 s) holds every reconcile of this example
 * assert.equal(durations.cumulative.at(-1), durations.count);
 * ```
 */
export interface HistogramSnapshot {
  /** Upper bounds in seconds, ascending. */
  bounds: readonly number[];
  /** Observations at or below each bound (cumulative, as Prometheus wants them). */
  cumulative: number[];
  /** All observations. */
  count: number;
  /** Sum of all observations in seconds. */
  sum: number;
}

/**
 * Counts durations into fixed buckets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Histogram } from "./histogram.ts";
 * const h = new Histogram([0.01, 0.1]);
 * h.observeMs(5);
 * h.observeMs(50);
 * h.observeMs(500);
 * assert.deepEqual(h.snapshot().cumulative, [1, 2]);
 * assert.equal(h.snapshot().count, 3);
 * ```
 */
export class Histogram {
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #count = 0;
  #sum = 0;

  /** Creates an empty histogram with these upper bounds (seconds, ascending). */
  constructor(bounds: readonly number[] = DEFAULT_DURATION_BUCKETS) {
    this.#bounds = bounds;
    this.#counts = new Array(bounds.length).fill(0);
  }

  /** Records one duration given in milliseconds. */
  observeMs(ms: number): void {
    const s = ms / 1000;
    this.#count++;
    this.#sum += s;
    const b = this.#bounds;
    for (let i = 0; i < b.length; i++) {
      if (s <= b[i]) {
        this.#counts[i]++;
        return;
      }
    }
  }

  /** The cumulative state. */
  snapshot(): HistogramSnapshot {
    const cumulative: number[] = [];
    let acc = 0;
    for (const c of this.#counts) cumulative.push(acc += c);
    return { bounds: this.#bounds, cumulative, count: this.#count, sum: this.#sum };
  }
}
