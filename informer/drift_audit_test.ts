import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { FakeCluster } from "./_fake_cluster_test.ts";
import { countDrift } from "./drift_audit.ts";
import { Informer } from "./informer.ts";

Deno.test("countDrift: objects newer in the cache than the list are not drift", () => {
  const listed = new Map([["a", "5"], ["b", "6"]]);
  assert.equal(countDrift(listed, "6", new Map([["a", "5"], ["b", "6"]]), "6"), 0);
  assert.equal(countDrift(listed, "6", new Map([["a", "7"], ["b", "6"], ["c", "8"]]), "8"), 0);
  assert.equal(countDrift(listed, "6", new Map([["a", "4"], ["b", "6"]]), "6"), 1);
  assert.equal(countDrift(listed, "6", new Map([["a", "5"]]), "6"), 1);
});

Deno.test("drift audit: a cache that missed changes is repaired by a relist and counted", async () => {
  const cluster = new FakeCluster();
  cluster.create("ns", "a");
  const clock = new FakeClock(0);
  const informer = new Informer(cluster, { clock, driftAudit: { periodMs: 60_000 } });
  const seen: string[] = [];
  informer.addHandler({ onUpdate: (_o, n) => void seen.push(n.metadata.resourceVersion!) });
  informer.start();
  await informer.ready();
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  cluster.silenceWatches(); // the watch loses the next change without an error
  cluster.update("ns/a", { v: "2" });
  await clock.tickAsync(60_000);
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
  await informer.idle();
  const h = informer.health();
  assert.equal(h.counters.driftRepairs, 1);
  assert.equal(h.relistReasons.drift, 1);
  assert.equal(cluster.listCalls.filter((c) => c.metadataOnly).length, 1);
  assert.deepEqual(seen, ["3"]);
  assert.equal(informer.store.get("ns/a")?.metadata.resourceVersion, "3");
  await informer.stop();
});
