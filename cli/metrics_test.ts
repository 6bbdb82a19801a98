import assert from "node:assert/strict";
import { Histogram } from "../controller/histogram.ts";
import { newCounters } from "../informer/health.ts";
import { type MetricsSnapshot, renderMetrics } from "./metrics.ts";

function sample(): MetricsSnapshot {
  const h = new Histogram();
  h.observeMs(3);
  h.observeMs(120);
  return {
    controllers: [{
      name: "website",
      stats: { reconciles: 2, errors: 1, inFlight: 0, queued: 3, durations: h.snapshot() },
      queue: { adds: 5, retries: 1, waitCount: 4, waitSumMs: 40 },
      resources: [{
        resource: "configmap",
        operation: "ensureCreated",
        count: 2,
        errors: 0,
        durationSumMs: 4,
        durationMaxMs: 3,
        durations: h.snapshot(),
      }],
    }],
    informers: [{
      resource: "websites.demo.operatorkit.io",
      synced: true,
      running: true,
      stalenessMs: 1500,
      cached: 2,
      counters: { ...newCounters(), added: 2, relists: 1 },
      relistReasons: {},
      reconnectReasons: {},
      scope: { namespace: "demo" },
    }],
    leader: true,
    memory: { rss: 1000, heapUsed: 10, heapTotal: 20, external: 0 },
  };
}

Deno.test("metrics: reconcile, queue, resource, informer and process series", () => {
  const text = renderMetrics(sample());
  for (
    const line of [
      'operatorkit_reconcile_total{controller="website"} 2',
      'operatorkit_reconcile_errors_total{controller="website"} 1',
      'operatorkit_reconcile_duration_seconds_bucket{controller="website",le="0.005"} 1',
      'operatorkit_reconcile_duration_seconds_bucket{controller="website",le="+Inf"} 2',
      'operatorkit_reconcile_duration_seconds_count{controller="website"} 2',
      'operatorkit_workqueue_depth{controller="website"} 3',
      'operatorkit_workqueue_adds_total{controller="website"} 5',
      'operatorkit_workqueue_retries_total{controller="website"} 1',
      'operatorkit_workqueue_queue_duration_seconds_sum{controller="website"} 0.04',
      'operatorkit_resource_operations_total{controller="website",resource="configmap",operation="ensureCreated"} 2',
      'operatorkit_informer_events_total{resource="websites.demo.operatorkit.io",namespace="demo",type="added"} 2',
      'operatorkit_informer_relists_total{resource="websites.demo.operatorkit.io",namespace="demo"} 1',
      'operatorkit_informer_staleness_seconds{resource="websites.demo.operatorkit.io",namespace="demo"} 1.5',
      'operatorkit_informer_cached_objects{resource="websites.demo.operatorkit.io",namespace="demo"} 2',
      "operatorkit_leader 1",
      "process_resident_memory_bytes 1000",
    ]
  ) assert.ok(text.includes(line + "\n"), `missing: ${line}`);
});

// Without promtool the test is reported as ignored, unless OPERATORKIT_REQUIRE_PROMTOOL=1 (CI).
const promtool = (await new Deno.Command("sh", {
  args: ["-c", "command -v promtool"],
  stdout: "null",
}).output()).success;
const requirePromtool = Deno.env.get("OPERATORKIT_REQUIRE_PROMTOOL") === "1";
const noPromtool = !promtool && !requirePromtool;

Deno.test({
  name: `metrics: promtool check metrics accepts the output${
    noPromtool ? " [ignored: promtool not found on PATH (Debian package prometheus)]" : ""
  }`,
  ignore: noPromtool,
}, async () => {
  assert.ok(promtool, "promtool is required (OPERATORKIT_REQUIRE_PROMTOOL=1) but not installed");
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(renderMetrics(sample())));
  await w.close();
  const out = await child.output();
  const report = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, report);
  assert.equal(report.trim(), "", report);
});
