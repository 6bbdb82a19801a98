import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { FakeCluster } from "./_fake_cluster_test.ts";
import { _cacheFingerprint } from "./_fingerprint.ts";
import { Informer } from "./informer.ts";

const o = (uid: string, rv: string) => ({ metadata: { uid, resourceVersion: rv } });

Deno.test("cache fingerprint: order-independent, changed by a missing, extra or stale object", () => {
  const a = _cacheFingerprint([o("u1", "1"), o("u2", "5")]);
  assert.equal(_cacheFingerprint([o("u2", "5"), o("u1", "1")]), a);
  assert.notEqual(_cacheFingerprint([o("u1", "1")]), a);
  assert.notEqual(_cacheFingerprint([o("u1", "1"), o("u2", "5"), o("u3", "6")]), a);
  assert.notEqual(_cacheFingerprint([o("u1", "1"), o("u2", "6")]), a);
  assert.equal(_cacheFingerprint([]), 0);
});

Deno.test("health({ fingerprint: true }) matches a fingerprint of a fresh LIST", async () => {
  const cluster = new FakeCluster();
  for (let i = 0; i < 20; i++) cluster.create("ns", `o${i}`);
  const informer = new Informer(cluster, { clock: new FakeClock(0), random: () => 0 });
  informer.start();
  await informer.ready();
  cluster.update("ns/o3", { v: "2" });
  cluster.delete("ns/o4");
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  const list = await cluster.list();
  assert.equal(
    informer.health({ fingerprint: true }).cacheFingerprint,
    _cacheFingerprint(list.items),
  );
  assert.equal(informer.health().cacheFingerprint, undefined, "only when asked (O(n))");
  await informer.stop();
});
