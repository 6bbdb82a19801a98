// Reconcile observability: remembers why each key was queued, wraps every reconcile in a span
// (and each Resource operation in a child span), counts which resources wrote to the API
// server, logs one line per reconcile and keeps the last reconciles for the debug page.
//
// With OpenTelemetry off (no OTEL_DENO=true, no SDK registered), the API is not loaded
// (client/_otel.ts): a reconcile pays for one property lookup and one async-local scope; no
// span, attribute or context switch.
import type { Span } from "@opentelemetry/api";
import { _otel, _otelTracer } from "../client/_otel.ts";
import type { Clock } from "../client/clock.ts";
import type { KubeObject } from "../client/types.ts";
import { currentRequestScope, type RequestScope, withRequestScope } from "../client/_tracing.ts";
import { describeTrigger, type ReconcileRecord, type ReconcileTrigger } from "./inspection.ts";
import type { ReconcileResult } from "./reconciler.ts";
import type { ContextLogger } from "./resource.ts";

/** The request scope of a reconcile: resource scopes add their name when they wrote. */
interface _ReconcileScope extends RequestScope {
  acted: string[];
}

interface _Pending {
  trigger: ReconcileTrigger;
  at: number;
  coalesced: number;
}

/** How many finished reconciles a controller keeps for inspection. */
export const RECENT_RECONCILES = 50;

/** What a worker reports about the reconcile it runs inside {@linkcode ReconcileObserver.run}. */
export interface ReconcileRun {
  /** The reconciler returned `result`: logs the reconcile's line. */
  succeeded(result: ReconcileResult): void;
  /** The reconcile threw. */
  failed(error: unknown): void;
}

/** Per controller: triggers of queued keys, spans, the reconcile log line, recent reconciles. */
export class ReconcileObserver {
  readonly #controller: string;
  readonly #clock: Clock;
  readonly #logger: ContextLogger;
  readonly #lookup: (key: string) => KubeObject | undefined;
  readonly #attempts: (key: string) => number;
  readonly #waited: (key: string) => number | undefined;
  readonly #dueAt: (key: string) => number | undefined;
  readonly #pending = new Map<string, _Pending>();
  readonly #delayed = new Map<string, _Pending>();
  readonly #fired = new Map<string, _Pending>();
  readonly #recent: ReconcileRecord[] = [];

  constructor(options: {
    controller: string;
    clock: Clock;
    logger: ContextLogger;
    lookup: (key: string) => KubeObject | undefined;
    attempts: (key: string) => number;
    waited: (key: string) => number | undefined;
    dueAt: (key: string) => number | undefined;
  }) {
    this.#controller = options.controller;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#lookup = options.lookup;
    this.#attempts = options.attempts;
    this.#waited = options.waited;
    this.#dueAt = options.dueAt;
  }

  /** `key` was (or is about to be) added to the queue because of `trigger`. */
  queued(key: string, trigger: ReconcileTrigger): void {
    const p = this.#pending.get(key);
    if (p) p.coalesced++;
    else this.#pending.set(key, { trigger, at: this.#clock.now(), coalesced: 0 });
  }

  /**
   * The queue was just asked to add `key` after a delay because of `trigger`; `at` is read
   * from the queue, so the entry can later tell whether its timer has fired.
   */
  delayed(key: string, trigger: ReconcileTrigger): void {
    const at = this.#dueAt(key);
    if (at === undefined) return this.queued(key, trigger); // no delay: queued at once
    const prev = this.#delayed.get(key);
    // The queue keeps the earlier of two deadlines; so does this.
    if (prev?.at === at) return;
    // A previous delay whose timer already fired queued the key for a run still to come (it
    // fired while the key was processing, so the key runs again right after).
    if (prev && prev.at <= this.#clock.now() && !this.#fired.has(key)) this.#fired.set(key, prev);
    this.#delayed.set(key, { trigger, at, coalesced: 0 });
  }

  /** Why `key` waits for a delay, if it does. */
  delayReason(key: string): ReconcileTrigger | undefined {
    return this.#delayed.get(key)?.trigger;
  }

  /** The last reconciles, newest first. */
  recent(): ReconcileRecord[] {
    return [...this.#recent].reverse();
  }

  /** Runs one reconcile of `key` (the worker's whole turn) inside its span and scope. */
  async run(key: string, work: (run: ReconcileRun) => Promise<void>): Promise<void> {
    const now = this.#clock.now();
    const pending = this.#take(key);
    const attempt = this.#attempts(key) + 1;
    const record: ReconcileRecord = {
      key,
      trigger: pending?.trigger ?? { type: "unknown" },
      startedAt: now,
      durationMs: 0,
      queueWaitMs: this.#waited(key) ?? 0,
      attempt,
      outcome: "error",
      acted: [],
    };
    const scope: _ReconcileScope = { writes: 0, acted: record.acted };
    let api = _otel();
    if (api instanceof Promise) api = await api;
    const started = api && _otelTracer(api).startSpan(`reconcile ${this.#controller}`);
    // Set only while a span records: its API and the span.
    const rec = api && started?.isRecording() ? { api, span: started } : undefined;
    if (rec) {
      record.traceId = rec.span.spanContext().traceId;
      this.#annotate(rec.span, record, pending?.coalesced ?? 0);
    }
    const run: ReconcileRun = {
      succeeded: (result) => {
        if (scope.writes > 0) record.acted.push("finalizer");
        record.outcome = result.action;
        if (result.requeueAfterMs !== undefined) record.requeueAfterMs = result.requeueAfterMs;
        record.durationMs = this.#clock.now() - now;
        this.#logResult(record, result);
      },
      failed: (error) => {
        if (scope.writes > 0) record.acted.push("finalizer");
        record.outcome = "error";
        record.error = error instanceof Error ? error.message : String(error);
        if (rec) {
          if (error instanceof Error) rec.span.recordException(error);
          rec.span.setStatus({ code: rec.api.SpanStatusCode.ERROR, message: record.error });
        }
      },
    };
    try {
      const body = () => withRequestScope(scope, () => work(run));
      await (rec
        ? rec.api.context.with(rec.api.trace.setSpan(rec.api.context.active(), rec.span), body)
        : body());
    } finally {
      record.durationMs = this.#clock.now() - now;
      if (rec) {
        rec.span.setAttributes({
          "operatorkit.outcome": record.outcome,
          "operatorkit.acted": record.acted.join(","),
          ...(record.requeueAfterMs !== undefined
            ? { "operatorkit.requeue_after_ms": record.requeueAfterMs }
            : {}),
        });
        rec.span.end();
      }
      this.#recent.push(record);
      if (this.#recent.length > RECENT_RECONCILES) this.#recent.shift();
    }
  }

  #take(key: string): _Pending | undefined {
    const p = this.#pending.get(key);
    const f = this.#fired.get(key);
    this.#fired.delete(key);
    if (p) {
      this.#pending.delete(key);
      return p;
    }
    if (f) return f;
    const d = this.#delayed.get(key);
    // The key was queued by a delay whose timer fired (the queue no longer holds that same
    // deadline), even when a newer delay is already pending. Otherwise it was added by hand.
    if (d && this.#dueAt(key) !== d.at) {
      this.#delayed.delete(key);
      return d;
    }
    return undefined;
  }

  #annotate(span: Span, r: ReconcileRecord, coalesced: number): void {
    const t = r.trigger;
    const obj = this.#lookup(r.key);
    const slash = r.key.indexOf("/");
    span.setAttributes({
      "operatorkit.controller": this.#controller,
      "operatorkit.key": r.key,
      ...(slash > 0 ? { "k8s.namespace.name": r.key.slice(0, slash) } : {}),
      ...(obj?.metadata.generation !== undefined
        ? { "operatorkit.object.generation": obj.metadata.generation }
        : {}),
      ...(obj?.metadata.resourceVersion
        ? { "operatorkit.object.resource_version": obj.metadata.resourceVersion }
        : {}),
      "operatorkit.trigger": t.type,
      "operatorkit.trigger.description": describeTrigger(t),
      ...(t.type === "event" || t.type === "mapped"
        ? { "operatorkit.trigger.event": t.event }
        : {}),
      ...((t.type === "event" || t.type === "mapped") && t.resourceVersion
        ? { "operatorkit.trigger.resource_version": t.resourceVersion }
        : {}),
      ...(t.type === "mapped"
        ? {
          "operatorkit.trigger.via": t.via,
          "operatorkit.trigger.kind": t.kind,
          "operatorkit.trigger.object": t.object,
        }
        : {}),
      ...(t.type === "requeue" ? { "operatorkit.trigger.reason": t.reason } : {}),
      "operatorkit.trigger.coalesced": coalesced,
      "operatorkit.queue.wait_ms": r.queueWaitMs,
      "operatorkit.attempt": r.attempt,
    });
  }

  #logResult(r: ReconcileRecord, result: ReconcileResult): void {
    const props = {
      controller: this.#controller,
      key: r.key,
      outcome: r.outcome,
      acted: r.acted,
      durationMs: r.durationMs,
      trigger: describeTrigger(r.trigger),
      attempt: r.attempt,
      ...(result.requeueAfterMs !== undefined ? { requeueAfterMs: result.requeueAfterMs } : {}),
    };
    if (r.acted.length > 0) {
      this.#logger.info("reconciled {key}: {changed} changed ({outcome}, {durationMs} ms)", {
        ...props,
        changed: r.acted.join(", "),
      });
    } else {
      this.#logger.debug("reconciled {key}: nothing changed ({outcome}, {durationMs} ms)", props);
    }
  }
}

/**
 * Runs one Resource operation in a child span and its own request scope; the resource is
 * listed as having acted when it wrote to the API server.
 */
export async function traceResource(
  resource: string,
  operation: "ensureCreated" | "ensureDeleted",
  fn: () => Promise<void>,
): Promise<void> {
  const parent = currentRequestScope() as Partial<_ReconcileScope> | undefined;
  const scope: RequestScope = { writes: 0 };
  let api = _otel();
  if (api instanceof Promise) api = await api;
  const span = api && _otelTracer(api).startSpan(`${resource} ${operation}`);
  try {
    if (!api || !span || !span.isRecording()) {
      await withRequestScope(scope, fn);
      return;
    }
    span.setAttributes({ "operatorkit.resource": resource, "operatorkit.operation": operation });
    try {
      await api.context.with(
        api.trace.setSpan(api.context.active(), span),
        () => withRequestScope(scope, fn),
      );
    } catch (err) {
      if (err instanceof Error) span.recordException(err);
      span.setStatus({
        code: api.SpanStatusCode.ERROR,
        message: err instanceof Error ? err.message : String(err),
      });
      throw err;
    } finally {
      span.setAttribute("operatorkit.writes", scope.writes);
      span.end();
    }
  } finally {
    if (scope.writes > 0) parent?.acted?.push(resource);
  }
}
