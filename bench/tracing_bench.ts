// The cost of operatorkit's tracing hooks. Each group compares the bare operation (baseline)
// with the same operation inside the hook the controller or client wraps it in:
// - resource: one Resource operation (an async no-op) vs `traceResource` around it;
// - reconcile: one worker turn (an async no-op) vs `ReconcileObserver.run` around it (trigger
//   bookkeeping, span, request scope, the reconcile log line, the recent-reconciles ring);
// - request: a canned 200 Response vs `traceRequest` around it (span, write counting).
//
// Run:  deno bench -A bench/tracing_bench.ts                 (OpenTelemetry off: the default)
//       OTEL_DENO=true OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9 deno bench -A bench/tracing_bench.ts
//       (on, exporting to a closed loopback port: the cost of recording spans)
//
// Measured on the shared 2-core VM, one run each (per iteration, bare -> hooked):
// see README "Traces". A reconcile against the embedded server takes ~300 µs (controller_bench),
// a request ~100 µs, so the hooks with OpenTelemetry off are far below 1 % of either.
import { traceRequest } from "../client/_tracing.ts";
import type { KubeObject } from "../client/types.ts";
import { ReconcileObserver, traceResource } from "../controller/_tracing.ts";
import type { ContextLogger } from "../controller/resource.ts";

const noop = async () => {};
const silent: ContextLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  with: () => silent,
};
const object: KubeObject = { metadata: { name: "a", namespace: "default", generation: 1 } };
const observer = new ReconcileObserver({
  controller: "bench",
  clock: { now: () => Date.now(), setTimeout: () => 0, clearTimeout: () => {} },
  logger: silent,
  lookup: () => object,
  attempts: () => 0,
  waited: () => 0,
  dueAt: () => undefined,
});
const result = { action: "created" as const };
const response = new Response(null, { status: 200 });
const spec = { method: "GET" as const, path: "/api/v1/namespaces/default/configmaps/a" };

Deno.bench({
  name: "resource operation: bare",
  group: "resource",
  baseline: true,
  async fn() {
    await noop();
  },
});

Deno.bench({
  name: "resource operation: traceResource",
  group: "resource",
  async fn() {
    await traceResource("configmap", "ensureCreated", noop);
  },
});

Deno.bench({
  name: "reconcile turn: bare",
  group: "reconcile",
  baseline: true,
  async fn() {
    await noop();
  },
});

Deno.bench({
  name: "reconcile turn: ReconcileObserver.run",
  group: "reconcile",
  async fn() {
    observer.queued("default/a", { type: "event", event: "update", resourceVersion: "7" });
    await observer.run("default/a", async (run) => {
      await noop();
      run.succeeded(result);
    });
  },
});

Deno.bench({
  name: "client request: bare",
  group: "request",
  baseline: true,
  async fn() {
    await Promise.resolve(response);
  },
});

Deno.bench({
  name: "client request: traceRequest",
  group: "request",
  async fn() {
    await traceRequest(spec, () => Promise.resolve(response));
  },
});
