// KubeEventRecorder writing through eventSink and KubeClient to the embedded API server.
import assert from "node:assert/strict";
import { KubeClient } from "../client/kube_client.ts";
import { startApiServer } from "../testing/api_server.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import type { Event } from "../client/builtin_types.ts";
import { Events } from "../client/builtins.ts";
import { KubeEventRecorder } from "./event_recorder.ts";
import { eventSink } from "./kube.ts";

const site = {
  metadata: { name: "site", namespace: "default", uid: "u1", resourceVersion: "5" },
};

async function events(client: KubeClient): Promise<Event[]> {
  const list = await client.resource(Events).list({ namespace: "default" });
  return (list.items as Event[]).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
}

Deno.test("KubeEventRecorder writes core/v1 Events and aggregates repeats by count", async () => {
  await using server = await startApiServer();
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const rec = new KubeEventRecorder(eventSink(client.resource(Events)), {
    component: "website-operator",
    instance: "pod-1",
    clock,
    defaultType: { apiVersion: "demo.operatorkit.io/v1alpha1", kind: "Website" },
  });
  await rec.record(site, { type: "Warning", reason: "ReconcileError", message: "boom" });
  clock.tick(5000);
  await rec.record(site, { type: "Warning", reason: "ReconcileError", message: "boom" });
  await rec.record(site, { reason: "Created", message: "created children" });
  const stored = await events(client);
  assert.equal(stored.length, 2);
  const w = stored.find((e) => e.type === "Warning")!;
  const n = stored.find((e) => e.type === "Normal")!;
  assert.equal(w.count, 2);
  assert.equal(w.reason, "ReconcileError");
  assert.equal(w.firstTimestamp, "2026-01-01T00:00:00Z");
  assert.equal(w.lastTimestamp, "2026-01-01T00:00:05Z");
  assert.deepEqual(w.involvedObject, {
    apiVersion: "demo.operatorkit.io/v1alpha1",
    kind: "Website",
    name: "site",
    namespace: "default",
    uid: "u1",
    resourceVersion: "5",
  });
  assert.equal(w.metadata.namespace, "default");
  assert.equal(w.source?.component, "website-operator");
  assert.equal(w.reportingInstance, "pod-1");
  assert.equal(n.count, 1);
  assert.equal(n.reason, "Created");
});

Deno.test("KubeEventRecorder recreates an expired Event and never throws", async () => {
  await using server = await startApiServer();
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig }, { retries: 0 });
  const rec = new KubeEventRecorder(eventSink(client.resource(Events)), {
    component: "c",
    instance: "i",
    clock: new FakeClock(0),
  });
  await rec.record(site, { reason: "R", message: "m" });
  const [first] = await events(client);
  // The server expired it (Events have a TTL): a repeat creates a new one with count 1.
  await client.resource(Events).delete(first.metadata.name!, { namespace: "default" });
  await rec.record(site, { reason: "R", message: "m" });
  const again = await events(client);
  assert.equal(again.length, 1);
  assert.equal(again[0].count, 1);
  assert.notEqual(again[0].metadata.name, first.metadata.name);
  // A failing server is logged, never thrown.
  server.faults.failNext(1, { status: 500, verb: "create", resource: "events" });
  await rec.record(site, { reason: "Other", message: "m" });
  assert.equal((await events(client)).length, 1);
});

Deno.test("KubeEventRecorder forgets the oldest entries past cacheSize", async () => {
  await using server = await startApiServer();
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  const rec = new KubeEventRecorder(eventSink(client.resource(Events)), {
    component: "c",
    instance: "i",
    clock: new FakeClock(0),
    cacheSize: 2,
  });
  for (const m of ["a", "b", "c"]) await rec.record(site, { reason: "R", message: m });
  await rec.record(site, { reason: "R", message: "a" });
  assert.equal((await events(client)).length, 4, "a was evicted, so it is a new Event");
  await rec.record(site, { reason: "R", message: "c" });
  const stored = await events(client);
  assert.equal(stored.length, 4);
  assert.deepEqual(
    stored.map((e) => `${e.message}:${e.count}`).sort(),
    ["a:1", "a:1", "b:1", "c:2"],
  );
});
