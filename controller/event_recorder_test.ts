import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { type CoreEvent, type EventSink, KubeEventRecorder } from "./event_recorder.ts";

function memorySink(): EventSink & { events: CoreEvent[]; fail?: Error; patches: number } {
  const sink = {
    events: [] as CoreEvent[],
    fail: undefined as Error | undefined,
    patches: 0,
    create(ns: string, e: CoreEvent) {
      if (sink.fail) return Promise.reject(sink.fail);
      assert.equal(ns, e.metadata.namespace);
      sink.events.push(structuredClone(e));
      return Promise.resolve();
    },
    patch(_ns: string, name: string, body: Partial<CoreEvent>) {
      sink.patches++;
      const e = sink.events.find((x) => x.metadata.name === name);
      if (!e) return Promise.reject(Object.assign(new Error("not found"), { code: 404 }));
      Object.assign(e, body);
      return Promise.resolve();
    },
  };
  return sink;
}

const site = {
  metadata: { name: "site", namespace: "web", uid: "u1", resourceVersion: "5" },
};

Deno.test("KubeEventRecorder writes core/v1 Events and aggregates repeats by count", async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const sink = memorySink();
  const rec = new KubeEventRecorder(sink, {
    component: "website-operator",
    instance: "pod-1",
    clock,
    defaultType: { apiVersion: "demo.operatorkit.io/v1alpha1", kind: "Website" },
  });
  await rec.record(site, { type: "Warning", reason: "ReconcileError", message: "boom" });
  clock.tick(5000);
  await rec.record(site, { type: "Warning", reason: "ReconcileError", message: "boom" });
  await rec.record(site, { reason: "Created", message: "created children" });
  assert.equal(sink.events.length, 2);
  const [w, n] = sink.events;
  assert.equal(w.count, 2);
  assert.equal(w.type, "Warning");
  assert.equal(w.firstTimestamp, "2026-01-01T00:00:00Z");
  assert.equal(w.lastTimestamp, "2026-01-01T00:00:05Z");
  assert.deepEqual(w.involvedObject, {
    apiVersion: "demo.operatorkit.io/v1alpha1",
    kind: "Website",
    name: "site",
    namespace: "web",
    uid: "u1",
    resourceVersion: "5",
  });
  assert.equal(w.metadata.namespace, "web");
  assert.equal(w.source?.component, "website-operator");
  assert.equal(w.reportingInstance, "pod-1");
  assert.equal(n.type, "Normal");
  assert.equal(n.count, 1);
  assert.notEqual(w.metadata.name, n.metadata.name);
});

Deno.test("KubeEventRecorder recreates an expired Event and never throws", async () => {
  const sink = memorySink();
  const rec = new KubeEventRecorder(sink, {
    component: "c",
    instance: "i",
    clock: new FakeClock(0),
  });
  await rec.record(site, { reason: "R", message: "m" });
  sink.events.length = 0; // the server expired it
  await rec.record(site, { reason: "R", message: "m" });
  assert.equal(sink.events.length, 1);
  assert.equal(sink.events[0].count, 1);
  sink.fail = new Error("server down");
  await rec.record(site, { reason: "Other", message: "m" }); // must not throw
  assert.equal(sink.events.length, 1);
});

Deno.test("KubeEventRecorder forgets the oldest entries past cacheSize", async () => {
  const sink = memorySink();
  const rec = new KubeEventRecorder(sink, {
    component: "c",
    instance: "i",
    clock: new FakeClock(0),
    cacheSize: 2,
  });
  for (const m of ["a", "b", "c"]) await rec.record(site, { reason: "R", message: m });
  await rec.record(site, { reason: "R", message: "a" });
  assert.equal(sink.events.length, 4, "a was evicted, so it is a new Event");
  await rec.record(site, { reason: "R", message: "c" });
  assert.equal(sink.events.length, 4);
  assert.equal(sink.patches, 1);
});
