import assert from "node:assert/strict";
import { Store } from "./store.ts";

const cm = (name: string, v = "1") => ({ metadata: { namespace: "ns", name }, data: { v } });

Deno.test("store: one RV counter across types; put/remove emit ADDED, MODIFIED, DELETED", () => {
  const store = new Store(10);
  const seen: string[] = [];
  store.listeners.push((e) => seen.push(`${e.type}:${e.storeKey}:${e.rv}`));
  store.put("/configmaps", "ns/a", cm("a"));
  store.put("/secrets", "ns/s", cm("s"));
  store.put("/configmaps", "ns/a", cm("a", "2"));
  const gone = store.remove("/configmaps", "ns/a");
  assert.deepEqual(seen, [
    "ADDED:/configmaps:1",
    "ADDED:/secrets:2",
    "MODIFIED:/configmaps:3",
    "DELETED:/configmaps:4",
  ]);
  assert.equal((gone!.obj.metadata as { resourceVersion: string }).resourceVersion, "4");
  assert.equal(store.remove("/configmaps", "ns/a"), undefined);
});

Deno.test("store: the history ring drops the oldest events and records the compacted RV", () => {
  const store = new Store(3);
  for (let i = 0; i < 5; i++) store.put("/configmaps", `ns/c${i}`, cm(`c${i}`));
  assert.equal(store.compactedRv, 2);
  assert.deepEqual(store.eventsSince(2).map((e) => e.rv), [3, 4, 5]);
  assert.deepEqual(store.eventsSince(4, "/configmaps").map((e) => e.rv), [5]);
  store.compact();
  assert.equal(store.compactedRv, 5);
  assert.deepEqual(store.eventsSince(0), []);
});

Deno.test("store: snapshotAt rebuilds an older state from history, 410 once compacted", () => {
  const store = new Store(100);
  store.put("/configmaps", "ns/a", cm("a"));
  store.put("/configmaps", "ns/b", cm("b"));
  store.put("/configmaps", "ns/a", cm("a", "2"));
  store.remove("/configmaps", "ns/b");
  store.put("/configmaps", "ns/c", cm("c"));
  const at2 = store.snapshotAt("/configmaps", 2, "list");
  assert.deepEqual(at2.keys, ["ns/a", "ns/b"]);
  assert.equal((at2.map.get("ns/a")!.obj.data as { v: string }).v, "1");
  assert.deepEqual(store.snapshot("/configmaps").keys, ["ns/a", "ns/c"]);
  store.compact();
  assert.throws(() => store.snapshotAt("/configmaps", 2, "list"), /too old resource version/);
});

Deno.test("store: reset drops objects and expires even the latest RV", () => {
  const store = new Store(10);
  store.put("/configmaps", "ns/a", cm("a"));
  const rv = store.rv;
  store.reset();
  assert.equal(store.count("/configmaps"), 0);
  assert.ok(store.compactedRv > rv);
});

Deno.test("store: owner index finds dependents and follows ownerReference changes", () => {
  const store = new Store(10);
  const owned = (uid?: string) => ({
    metadata: { namespace: "ns", name: "d", ownerReferences: uid ? [{ uid }] : undefined },
  });
  store.put("/configmaps", "ns/d", owned("u1"));
  assert.deepEqual(store.dependents("u1"), ["/configmaps|ns/d"]);
  store.put("/configmaps", "ns/d", owned("u2"));
  assert.deepEqual(store.dependents("u1"), []);
  assert.deepEqual(store.dependents("u2"), ["/configmaps|ns/d"]);
  store.remove("/configmaps", "ns/d");
  assert.deepEqual(store.dependents("u2"), []);
});
