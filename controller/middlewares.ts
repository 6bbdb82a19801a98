/**
 * The shipped middlewares: retry, metrics, logging and timeout.
 *
 * @module
 */
import { Histogram, type HistogramSnapshot } from "./histogram.ts";
import { type Clock, sleep, systemClock } from "../client/clock.ts";
import type { KubeObject } from "../client/types.ts";
import { isRetryable } from "./error_policy.ts";
import type { ReconcileContext } from "./resource.ts";
import type { Middleware, OperationInfo, ResourceOperation } from "./wrap.ts";

/**
 * Options of {@linkcode retry}.
 *
 * @example
 * ```ts
 * import type { RetryOptions } from "./middlewares.ts";
 * import assert from "node:assert/strict";
 * const opts: RetryOptions = { attempts: 5, baseDelayMs: 50 };
 * assert.deepEqual(opts.attempts, 5);
 * ```
 */
export interface RetryOptions {
  /**
   * Total attempts including the first.
   * @default {3}
   */
  attempts?: number;
  /**
   * Delay before the second attempt; it doubles each time.
   * @default {100 ms}
   */
  baseDelayMs?: number;
  /**
   * Cap of the delay.
   * @default {5000 ms}
   */
  maxDelayMs?: number;
  /**
   * Which errors to retry.
   * @default {isRetryable: not a TerminalError, nor an API error 400, 403, 404, 409 AlreadyExists or 422}
   */
  shouldRetry?: (error: unknown) => boolean;
  /**
   * Clock for the delays.
   * @default {the system clock}
   */
  clock?: Clock;
}

/**
 * Retries a failing operation in place with exponential backoff, before the error reaches
 * the controller (whose own backoff then starts). Stops early when the context is aborted or
 * the resource was cancelled.
 *
 * @example
 * ```ts
 * import { retry } from "./middlewares.ts";
 * import { wrap } from "./wrap.ts";
 * import { createReconcileContext } from "./reconcile_context.ts";
 * import type { Resource } from "./resource.ts";
 * import assert from "node:assert/strict";
 * let calls = 0;
 * const flaky: Resource = {
 *   name: "flaky",
 *   async ensureCreated() {
 *     if (++calls < 3) throw new Error("not yet");
 *   },
 *   async ensureDeleted() {},
 * };
 * const ctx = createReconcileContext({
 *   controller: "c",
 *   key: "a",
 *   type: { group: "", version: "v1", apiVersion: "v1", kind: "X", plural: "xs", namespaced: true },
 * });
 * await wrap(flaky, retry({ attempts: 3, baseDelayMs: 1 })).ensureCreated({ metadata: {} }, ctx);
 * assert.equal(calls, 3);
 * ```
 */
export function retry(options: RetryOptions = {}): Middleware {
  const attempts = options.attempts ?? 3;
  const base = options.baseDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5000;
  const clock = options.clock ?? systemClock;
  const shouldRetry = options.shouldRetry ?? isRetryable;
  if (!(attempts >= 1)) throw new RangeError(`Expected attempts >= 1, found ${attempts}`);
  return <T extends KubeObject>(next: ResourceOperation<T>, info: OperationInfo) =>
  async (obj: T, ctx: ReconcileContext<T>) => {
    for (let attempt = 1;; attempt++) {
      try {
        await next(obj, ctx);
        return;
      } catch (err) {
        if (
          attempt >= attempts || ctx.signal.aborted || ctx.resourceCanceled ||
          !shouldRetry(err)
        ) throw err;
        const delay = Math.min(max, base * 2 ** (attempt - 1));
        ctx.logger.debug(
          "{resource} {operation} failed (attempt {attempt}), retrying in {delay} ms",
          {
            resource: info.resource,
            operation: info.operation,
            attempt,
            delay,
            error: String(err),
          },
        );
        await sleep(delay, { clock, signal: ctx.signal });
      }
    }
  };
}

/**
 * One series of {@linkcode ResourceMetrics}.
 *
 * @example
 * ```ts
 * import type { ResourceMetricSample } from "./middlewares.ts";
 * import assert from "node:assert/strict";
 * const s: ResourceMetricSample = {
 *   resource: "configmap",
 *   operation: "ensureCreated",
 *   count: 2,
 *   errors: 0,
 *   durationSumMs: 3,
 *   durationMaxMs: 2,
 * };
 * assert.deepEqual(s.resource, "configmap");
 * ```
 */
export interface ResourceMetricSample {
  /** Resource name. */
  resource: string;
  /** Operation. */
  operation: OperationInfo["operation"];
  /** Calls. */
  count: number;
  /** Calls that threw. */
  errors: number;
  /** Total duration in ms. */
  durationSumMs: number;
  /** Longest call in ms. */
  durationMaxMs: number;
  /** Call durations (absent in hand-made samples). */
  durations?: HistogramSnapshot;
}

/**
 * Counts and times resource operations; feed it with the {@linkcode metrics} middleware
 * and read it with `samples()` or `toPrometheus()`.
 *
 * @example
 * ```ts
 * import { ResourceMetrics } from "./middlewares.ts";
 * import assert from "node:assert/strict";
 * const m = new ResourceMetrics();
 * m.observe({ resource: "cm", operation: "ensureCreated" }, 12, true);
 * assert.deepEqual(m.samples()[0].count, 1);
 * ```
 */
export class ResourceMetrics {
  readonly #series = new Map<string, ResourceMetricSample & { histogram: Histogram }>();

  /** Records one call that took `ms` and succeeded (`ok`) or threw. */
  observe(info: OperationInfo, ms: number, ok: boolean): void {
    const id = `${info.resource}\u0000${info.operation}`;
    let s = this.#series.get(id);
    if (!s) {
      s = {
        resource: info.resource,
        operation: info.operation,
        count: 0,
        errors: 0,
        durationSumMs: 0,
        durationMaxMs: 0,
        histogram: new Histogram(),
      };
      this.#series.set(id, s);
    }
    s.count++;
    if (!ok) s.errors++;
    s.durationSumMs += ms;
    if (ms > s.durationMaxMs) s.durationMaxMs = ms;
    s.histogram.observeMs(ms);
  }

  /** Copies of every series. */
  samples(): ResourceMetricSample[] {
    return [...this.#series.values()].map(({ histogram, ...s }) => ({
      ...s,
      durations: histogram.snapshot(),
    }));
  }

  /** The series in the Prometheus text format. */
  toPrometheus(prefix: string = "operatorkit_resource"): string {
    const lines = [
      `# TYPE ${prefix}_operations_total counter`,
      `# TYPE ${prefix}_errors_total counter`,
      `# TYPE ${prefix}_duration_seconds_sum counter`,
    ];
    for (const s of this.#series.values()) {
      const labels = `{resource="${_esc(s.resource)}",operation="${s.operation}"}`;
      lines.push(`${prefix}_operations_total${labels} ${s.count}`);
      lines.push(`${prefix}_errors_total${labels} ${s.errors}`);
      lines.push(`${prefix}_duration_seconds_sum${labels} ${s.durationSumMs / 1000}`);
    }
    return lines.join("\n") + "\n";
  }
}

function _esc(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * Records count, errors and duration per resource and operation into `registry`.
 *
 * @example
 * ```ts
 * import { metrics, ResourceMetrics } from "./middlewares.ts";
 * import { wrap } from "./wrap.ts";
 * import type { Resource } from "./resource.ts";
 * import assert from "node:assert/strict";
 * const registry = new ResourceMetrics();
 * const r: Resource = { name: "r", ensureCreated: async () => {}, ensureDeleted: async () => {} };
 * const measured = wrap(r, metrics(registry));
 * assert.deepEqual(r.name, "r");
 * ```
 */
export function metrics(registry: ResourceMetrics, options: { clock?: Clock } = {}): Middleware {
  const clock = options.clock ?? systemClock;
  return <T extends KubeObject>(next: ResourceOperation<T>, info: OperationInfo) =>
  async (obj: T, ctx: ReconcileContext<T>) => {
    const start = clock.now();
    let ok = false;
    try {
      await next(obj, ctx);
      ok = true;
    } finally {
      registry.observe(info, clock.now() - start, ok);
    }
  };
}

/**
 * Logs the start, end (with duration) and failure of each operation at debug level on the
 * context's logger, with `resource` and `operation` properties.
 *
 * @example
 * ```ts
 * import { logging } from "./middlewares.ts";
 * import { wrap } from "./wrap.ts";
 * import type { Resource } from "./resource.ts";
 * import assert from "node:assert/strict";
 * const r: Resource = { name: "r", ensureCreated: async () => {}, ensureDeleted: async () => {} };
 * const logged = wrap(r, logging());
 * assert.deepEqual(r.name, "r");
 * ```
 */
export function logging(options: { clock?: Clock } = {}): Middleware {
  const clock = options.clock ?? systemClock;
  return <T extends KubeObject>(next: ResourceOperation<T>, info: OperationInfo) =>
  async (obj: T, ctx: ReconcileContext<T>) => {
    const log = ctx.logger.with({ resource: info.resource, operation: info.operation });
    const start = clock.now();
    log.debug("{operation} {resource} started");
    try {
      await next(obj, ctx);
    } catch (err) {
      log.debug("{operation} {resource} failed after {ms} ms: {error}", {
        ms: clock.now() - start,
        error: String(err),
      });
      throw err;
    }
    log.debug("{operation} {resource} finished in {ms} ms", { ms: clock.now() - start });
  };
}

/**
 * Thrown by the {@linkcode timeout} middleware.
 *
 * @example
 * ```ts
 * import { ResourceTimeoutError } from "./middlewares.ts";
 * import assert from "node:assert/strict";
 * const e = new ResourceTimeoutError("cm", "ensureCreated", 1000);
 * assert.deepEqual(e.name, "ResourceTimeoutError");
 * ```
 */
export class ResourceTimeoutError extends Error {
  /** The resource whose operation timed out. */
  readonly resource: string;
  /** The limit in ms. */
  readonly timeoutMs: number;

  /** Creates the error. */
  constructor(resource: string, operation: string, timeoutMs: number) {
    super(`Expected ${resource}.${operation} to finish within ${timeoutMs} ms, it did not`);
    this.name = "ResourceTimeoutError";
    this.resource = resource;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Aborts an operation that runs longer than `ms`: its `ctx.signal` aborts with a
 * {@linkcode ResourceTimeoutError} and the operation fails with it at once.
 *
 * @example
 * ```ts
 * import { timeout } from "./middlewares.ts";
 * import { wrap } from "./wrap.ts";
 * import type { Resource } from "./resource.ts";
 * import assert from "node:assert/strict";
 * const r: Resource = { name: "r", ensureCreated: async () => {}, ensureDeleted: async () => {} };
 * const bounded = wrap(r, timeout(30_000));
 * assert.deepEqual(r.name, "r");
 * ```
 */
export function timeout(ms: number, options: { clock?: Clock } = {}): Middleware {
  const clock = options.clock ?? systemClock;
  if (!(ms > 0)) throw new RangeError(`Expected a timeout > 0 ms, found ${ms}`);
  return <T extends KubeObject>(next: ResourceOperation<T>, info: OperationInfo) =>
  async (obj: T, ctx: ReconcileContext<T>) => {
    const ac = new AbortController();
    const onParentAbort = () => ac.abort(ctx.signal.reason);
    if (ctx.signal.aborted) onParentAbort();
    else ctx.signal.addEventListener("abort", onParentAbort, { once: true });
    let fail!: (e: unknown) => void;
    const timedOut = new Promise<never>((_, reject) => fail = reject);
    const handle = clock.setTimeout(() => {
      const err = new ResourceTimeoutError(info.resource, info.operation, ms);
      ac.abort(err);
      fail(err);
    }, ms);
    try {
      const run = next(obj, ctx.withSignal(ac.signal));
      // The operation may settle after we gave up on it; its outcome is then irrelevant.
      run.catch(() => {});
      await Promise.race([run, timedOut]);
    } finally {
      clock.clearTimeout(handle);
      ctx.signal.removeEventListener("abort", onParentAbort);
    }
  };
}
