import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { CM_TYPE, FakeCluster } from "./_fake_cluster_test.ts";
import { InformerFactory } from "./factory.ts";
import type { KubeObject, ListWatch, ResourceType } from "../client/types.ts";

Deno.test("factory: one informer per type and scope, stopped by the last release", async () => {
  const cluster = new FakeCluster();
  cluster.create("a", "x");
  cluster.create("b", "y");
  const clock = new FakeClock(0);
  let created = 0;
  const factory = new InformerFactory({
    listWatch: (t) => {
      created++;
      assert.equal(t, CM_TYPE);
      return cluster as never;
    },
    defaults: { clock },
  });
  const l1 = factory.acquire(CM_TYPE, { namespace: "a" });
  const l2 = factory.acquire(CM_TYPE, { namespace: "a" });
  const l3 = factory.acquire(CM_TYPE, { namespace: "b" });
  const l4 = factory.acquire(CM_TYPE, { namespace: "a", metadataOnly: true });
  assert.equal(l1.informer, l2.informer);
  assert.notEqual(l1.informer, l3.informer);
  assert.notEqual(l1.informer, l4.informer);
  assert.equal(created, 3);
  assert.equal(factory.size, 3);
  await l1.informer.ready();
  await l3.informer.ready();
  assert.deepEqual(l1.informer.store.keys(), ["a/x"]);
  assert.deepEqual(l3.informer.store.keys(), ["b/y"]);
  await l1.release();
  await l1.release(); // twice is harmless
  assert.equal(l2.informer.health().running, true);
  await l2.release();
  assert.equal(l2.informer.health().running, false);
  assert.equal(factory.size, 2);
  await l3[Symbol.asyncDispose]();
  await factory[Symbol.asyncDispose]();
  assert.equal(factory.size, 0);
  assert.equal(l4.informer.health().running, false);
  // a fresh acquire after release starts a new informer
  await using again = factory.acquire(CM_TYPE, { namespace: "a" });
  assert.notEqual(again.informer, l1.informer);
  await again.informer.ready();
});

Deno.test("factory: health lists every live informer with its scope", async () => {
  const cluster = new FakeCluster();
  cluster.create("a", "x");
  const clock = new FakeClock(0);
  await using factory = new InformerFactory({
    listWatch: () => cluster as never,
    defaults: { clock },
  });
  const lease = factory.acquire(CM_TYPE, { namespace: "a" });
  await lease.informer.ready();
  const health = factory.health();
  assert.equal(health.length, 1);
  assert.deepEqual(health[0].scope, { namespace: "a" });
  assert.equal(health[0].synced, true);
  assert.equal(health[0].cached, 1);
  await lease.release();
  assert.deepEqual(factory.health(), []);
});

Deno.test("InformerFactory limited to namespaces: one is the default scope; several need an explicit one", async () => {
  const listed: Array<string | undefined> = [];
  const listWatch = <T extends KubeObject>(t: ResourceType<T>): ListWatch<T> => ({
    type: t,
    list: (o) => {
      listed.push(o?.namespace);
      return Promise.resolve({ metadata: { resourceVersion: "1" }, items: [], invalid: [] });
    },
    watch: async function* () {},
  });
  const cm = {
    group: "",
    version: "v1",
    apiVersion: "v1",
    kind: "ConfigMap",
    plural: "configmaps",
    namespaced: true,
  };
  const node = {
    group: "",
    version: "v1",
    apiVersion: "v1",
    kind: "Node",
    plural: "nodes",
    namespaced: false,
  };
  {
    await using one = new InformerFactory({ listWatch, namespaces: ["team-a"] });
    const a = one.acquire(cm);
    const n = one.acquire(node);
    await a.informer.ready();
    await n.informer.ready();
    assert.deepEqual(one.health().map((h) => h.scope.namespace), ["team-a", undefined]);
    await a.release();
    await n.release();
  }
  {
    await using two = new InformerFactory({ listWatch, namespaces: ["team-a", "team-b"] });
    assert.throws(() => two.acquire(cm), /limited to namespaces team-a, team-b/);
    const b = two.acquire(cm, { namespace: "team-b" });
    await b.informer.ready();
    await b.release();
  }
  assert.ok(listed.includes("team-a") && listed.includes("team-b"), JSON.stringify(listed));
});
