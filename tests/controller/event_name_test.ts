// Event names stay within 253 characters for a 253-character object name (client-go's
// `<name>.<unique suffix>`, with the name cut): the server accepts the Event, and it still
// points at the whole object name. Runs on both tiers (kube-apiserver validates the name).
import assert from "node:assert/strict";
import { ConfigMaps, Events, Namespaces } from "../../client/builtins.ts";
import { KubeClient } from "../../client/kube_client.ts";
import type { Event } from "../../client/builtin_types.ts";
import { KubeEventRecorder } from "../../controller/event_recorder.ts";
import { testCluster } from "../../testing/test_cluster.ts";

Deno.test("an Event on an object with a 253-character name gets a valid, bounded name", async () => {
  await using cluster = await testCluster();
  using client = await KubeClient.fromKubeConfig({ document: cluster.kubeconfig }, { qps: 0 });
  const ns = `evname-${crypto.randomUUID().slice(0, 8)}`;
  await client.resource(Namespaces).create({ metadata: { name: ns } });
  try {
    const name = "a".repeat(120) + "." + "b".repeat(132); // 253: the longest valid name
    assert.equal(name.length, 253);
    const cm = await client.resource(ConfigMaps).create({ metadata: { name, namespace: ns } });
    const events = client.resource(Events);
    const failures: unknown[] = [];
    const recorder = new KubeEventRecorder({
      create: (namespace, e) => events.create({ ...e, metadata: { ...e.metadata, namespace } }),
      patch: () => Promise.reject(new Error("not expected: one event only")),
    }, {
      component: "event-name-test",
      instance: "test",
      logger: {
        debug() {},
        info() {},
        warn: (_m: string, p?: Record<string, unknown>) => void failures.push(p),
        error: (_m: string, p?: Record<string, unknown>) => void failures.push(p),
      } as never,
    });
    await recorder.record(cm, { reason: "Synced", message: "a long name" });
    await recorder.record(cm, { reason: "Other", message: "a second one, another name" });
    assert.deepEqual(failures, [], "the server accepted both Events");
    const list = await events.list({ namespace: ns });
    const mine = list.items.filter((e) => (e as Event).involvedObject?.name === name);
    assert.equal(mine.length, 2);
    for (const e of mine) {
      const n = e.metadata.name!;
      assert.ok(n.length <= 253, `expected at most 253 characters, found ${n.length}`);
      assert.ok(n.startsWith("a".repeat(120) + "."), n);
    }
    assert.notEqual(mine[0].metadata.name, mine[1].metadata.name, "unique names");
  } finally {
    await client.resource(Namespaces).delete(ns).catch(() => {});
  }
});
