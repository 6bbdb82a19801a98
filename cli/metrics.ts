/**
 * The `/metrics` endpoint's content: the Prometheus text exposition format (0.0.4), built on
 * demand from the controllers, their work queues, the per-resource middleware metrics, the
 * informers' health and the process's memory. Nothing is collected in the background.
 *
 * @module
 */
import type { ControllerStats } from "../controller/controller.ts";
import type { HistogramSnapshot } from "../controller/histogram.ts";
import type { ResourceMetricSample } from "../controller/middlewares.ts";
import type { WorkQueueCounters } from "../controller/work_queue.ts";
import type { InformerHealth } from "../informer/health.ts";

/**
 * What one controller contributes to the metrics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ControllerMetricsSource, renderMetrics } from "./metrics.ts";
 * const s: ControllerMetricsSource = {
 *   name: "website",
 *   stats: { reconciles: 1, errors: 0, inFlight: 0, queued: 4 },
 *   queue: { adds: 1, retries: 0, waitCount: 1, waitSumMs: 2 },
 * };
 * const text = renderMetrics({ controllers: [s], informers: [] });
 * assert.match(text, /^operatorkit_workqueue_depth\{controller="website"\} 4$/m);
 * assert.match(text, /^operatorkit_workqueue_queue_duration_seconds_sum\{controller="website"\} 0.002$/m);
 * ```
 */
export interface ControllerMetricsSource {
  /** Controller name (the `controller` label). */
  name: string;
  /** Reconcile counters and durations. */
  stats: ControllerStats;
  /** Work-queue totals. */
  queue: WorkQueueCounters;
  /** Per-resource samples from the `metrics` middleware. */
  resources?: ResourceMetricSample[];
}

/**
 * Everything `/metrics` shows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type MetricsSnapshot, renderMetrics } from "./metrics.ts";
 * const m: MetricsSnapshot = {
 *   controllers: [],
 *   informers: [],
 *   leader: false,
 *   memory: { rss: 2048, heapUsed: 1, heapTotal: 1, external: 0 },
 * };
 * const text = renderMetrics(m);
 * assert.match(text, /^operatorkit_leader 0$/m);
 * assert.match(text, /^process_resident_memory_bytes 2048$/m);
 * ```
 */
export interface MetricsSnapshot {
  /** One entry per controller. */
  controllers: ControllerMetricsSource[];
  /** One entry per live informer. */
  informers: Array<InformerHealth & { scope?: { namespace?: string } }>;
  /** 1 when this replica leads (or runs without election), 0 on standby. */
  leader?: boolean;
  /**
   * Process memory.
   * @default {`Deno.memoryUsage()` at render time}
   */
  memory?: { rss: number; heapUsed: number; heapTotal: number; external: number };
}

class _Out {
  lines: string[] = [];
  family(name: string, type: string, help: string): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }
  sample(name: string, labels: Record<string, string>, value: number): void {
    const l = Object.entries(labels).map(([k, v]) => `${k}="${_escape(v)}"`).join(",");
    this.lines.push(`${name}${l ? `{${l}}` : ""} ${_num(value)}`);
  }
  histogram(name: string, labels: Record<string, string>, h: HistogramSnapshot): void {
    h.bounds.forEach((b, i) =>
      this.sample(`${name}_bucket`, { ...labels, le: String(b) }, h.cumulative[i])
    );
    this.sample(`${name}_bucket`, { ...labels, le: "+Inf" }, h.count);
    this.sample(`${name}_sum`, labels, h.sum);
    this.sample(`${name}_count`, labels, h.count);
  }
}

/**
 * Renders a snapshot in the Prometheus text format. Every family has HELP and TYPE lines
 * and its samples together, so `promtool check metrics` accepts the output.
 *
 * @example
 * ```ts
 * import { renderMetrics } from "./metrics.ts";
 * const text = renderMetrics({
 *   controllers: [{
 *     name: "website",
 *     stats: { reconciles: 3, errors: 1, inFlight: 0, queued: 0 },
 *     queue: { adds: 3, retries: 1, waitCount: 3, waitSumMs: 6 },
 *   }],
 *   informers: [],
 *   memory: { rss: 1, heapUsed: 1, heapTotal: 1, external: 0 },
 * });
 * import assert from "node:assert/strict";
 * assert.ok(text.includes('operatorkit_reconcile_total{controller="website"} 3'));
 * assert.ok(text.includes('operatorkit_reconcile_errors_total{controller="website"} 1'));
 * ```
 */
export function renderMetrics(snapshot: MetricsSnapshot): string {
  const o = new _Out();
  const cs = snapshot.controllers;
  const per = (
    name: string,
    type: string,
    help: string,
    value: (c: ControllerMetricsSource) => number,
  ) => {
    o.family(name, type, help);
    for (const c of cs) o.sample(name, { controller: c.name }, value(c));
  };
  per("operatorkit_reconcile_total", "counter", "Reconciles finished.", (c) => c.stats.reconciles);
  per(
    "operatorkit_reconcile_errors_total",
    "counter",
    "Reconciles that failed.",
    (c) => c.stats.errors,
  );
  per("operatorkit_reconcile_in_flight", "gauge", "Reconciles running.", (c) => c.stats.inFlight);
  o.family("operatorkit_reconcile_duration_seconds", "histogram", "Reconcile duration.");
  for (const c of cs) {
    if (c.stats.durations) {
      o.histogram(
        "operatorkit_reconcile_duration_seconds",
        { controller: c.name },
        c.stats.durations,
      );
    }
  }
  per("operatorkit_workqueue_depth", "gauge", "Keys waiting in the queue.", (c) => c.stats.queued);
  per("operatorkit_workqueue_adds_total", "counter", "Keys queued.", (c) => c.queue.adds);
  per(
    "operatorkit_workqueue_retries_total",
    "counter",
    "Keys requeued after an error.",
    (c) => c.queue.retries,
  );
  o.family(
    "operatorkit_workqueue_queue_duration_seconds",
    "summary",
    "Time keys waited in the queue before a worker took them.",
  );
  for (const c of cs) {
    o.sample(
      "operatorkit_workqueue_queue_duration_seconds_sum",
      { controller: c.name },
      c.queue.waitSumMs / 1000,
    );
    o.sample(
      "operatorkit_workqueue_queue_duration_seconds_count",
      { controller: c.name },
      c.queue.waitCount,
    );
  }
  const resources = cs.flatMap((c) => (c.resources ?? []).map((r) => ({ c: c.name, r })));
  const rl = (x: { c: string; r: ResourceMetricSample }) => ({
    controller: x.c,
    resource: x.r.resource,
    operation: x.r.operation,
  });
  o.family("operatorkit_resource_operations_total", "counter", "Resource operations run.");
  for (const x of resources) o.sample("operatorkit_resource_operations_total", rl(x), x.r.count);
  o.family("operatorkit_resource_errors_total", "counter", "Resource operations that failed.");
  for (const x of resources) o.sample("operatorkit_resource_errors_total", rl(x), x.r.errors);
  o.family("operatorkit_resource_duration_seconds", "histogram", "Resource operation duration.");
  for (const x of resources) {
    if (x.r.durations) o.histogram("operatorkit_resource_duration_seconds", rl(x), x.r.durations);
  }
  _informers(o, snapshot.informers);
  if (snapshot.leader !== undefined) {
    o.family("operatorkit_leader", "gauge", "1 when this replica is the leader.");
    o.sample("operatorkit_leader", {}, snapshot.leader ? 1 : 0);
  }
  const mem = snapshot.memory ?? Deno.memoryUsage();
  o.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  o.sample("process_resident_memory_bytes", {}, mem.rss);
  o.family("operatorkit_heap_used_bytes", "gauge", "V8 heap in use, in bytes.");
  o.sample("operatorkit_heap_used_bytes", {}, mem.heapUsed);
  o.family("operatorkit_heap_total_bytes", "gauge", "V8 heap reserved, in bytes.");
  o.sample("operatorkit_heap_total_bytes", {}, mem.heapTotal);
  return o.lines.join("\n") + "\n";
}

function _informers(o: _Out, informers: MetricsSnapshot["informers"]): void {
  const label = (h: MetricsSnapshot["informers"][number]) => ({
    resource: h.resource,
    namespace: h.scope?.namespace ?? "",
  });
  o.family("operatorkit_informer_events_total", "counter", "Events received, by type.");
  for (const h of informers) {
    for (
      const [type, n] of [
        ["added", h.counters.added],
        ["modified", h.counters.modified],
        ["deleted", h.counters.deleted],
        ["bookmark", h.counters.bookmarks],
      ] as const
    ) o.sample("operatorkit_informer_events_total", { ...label(h), type }, n);
  }
  const simple = (name: string, type: string, help: string, v: (h: InformerHealth) => number) => {
    o.family(name, type, help);
    for (const h of informers) o.sample(name, label(h), v(h));
  };
  simple("operatorkit_informer_relists_total", "counter", "Full LISTs.", (h) => h.counters.relists);
  simple(
    "operatorkit_informer_reconnects_total",
    "counter",
    "Watch reconnects.",
    (h) => h.counters.reconnects,
  );
  simple(
    "operatorkit_informer_decode_failures_total",
    "counter",
    "Objects that failed to decode.",
    (h) => h.counters.decodeFailures,
  );
  simple(
    "operatorkit_informer_staleness_seconds",
    "gauge",
    "Seconds since the last event or bookmark.",
    (h) => (h.stalenessMs ?? 0) / 1000,
  );
  simple("operatorkit_informer_cached_objects", "gauge", "Objects in the cache.", (h) => h.cached);
  simple(
    "operatorkit_informer_synced",
    "gauge",
    "1 once the initial list is cached.",
    (h) => h.synced ? 1 : 0,
  );
  simple(
    "operatorkit_informer_watch_stale",
    "gauge",
    "1 while a synced informer has had no working watch for longer than the stale threshold.",
    (h) => h.watchStaleMs !== undefined ? 1 : 0,
  );
  simple(
    "operatorkit_informer_watch_stale_seconds",
    "gauge",
    "Seconds without a working watch while stale, else 0.",
    (h) => (h.watchStaleMs ?? 0) / 1000,
  );
  if (informers.some((h) => h.cacheFingerprint !== undefined)) {
    o.family(
      "operatorkit_informer_cache_fingerprint",
      "gauge",
      "Sum mod 2^32 of FNV-1a(uid/resourceVersion) over the cached objects (equal caches match).",
    );
    for (const h of informers) {
      if (h.cacheFingerprint === undefined) continue;
      o.sample("operatorkit_informer_cache_fingerprint", label(h), h.cacheFingerprint);
    }
  }
  o.family(
    "operatorkit_informer_watch_reconnects_total",
    "counter",
    "Watch reconnects by why the previous watch ended.",
  );
  for (const h of informers) {
    for (const [reason, n] of Object.entries(h.reconnectReasons)) {
      o.sample("operatorkit_informer_watch_reconnects_total", { ...label(h), reason }, n);
    }
  }
}

function _escape(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function _num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}
