import assert from "node:assert/strict";
import { ConfigMaps, Informer, KubeClient } from "../../mod.ts";
import { makeFixtures, NAMESPACE } from "./fixtures.ts";
import { startReplayServer } from "./replay_server.ts";

const kubeconfig = (url: string) => ({
  apiVersion: "v1",
  kind: "Config",
  clusters: [{ name: "r", cluster: { server: url } }],
  users: [{ name: "u", user: {} }],
  contexts: [{ name: "r", context: { cluster: "r", user: "u" } }],
  "current-context": "r",
});

Deno.test("fixtures: resourceVersions and the lossless sum are consistent", () => {
  const fx = makeFixtures(3, 7);
  assert.deepEqual(fx.objects.map((o) => o.metadata.resourceVersion), ["1", "2", "3"]);
  assert.equal(fx.listRv, 4);
  // Event j touches object j % 3 at resourceVersion 5 + j: the last ones are 9, 10, 11.
  assert.equal(fx.events[6].metadata.name, fx.objects[0].metadata.name);
  assert.equal(fx.finalRvSum, 11n + 9n + 10n);
  assert.ok(JSON.stringify(fx.objects[0]).length > 1200, "objects are about 1.5 KB");
});

Deno.test("replay server: an informer syncs from its pages, then reads every event once after release", async () => {
  const fx = makeFixtures(1200, 2500);
  await using server = startReplayServer(fx);
  await using client = await KubeClient.fromKubeConfig({ document: kubeconfig(server.url) }, {
    qps: 0,
  });
  await using informer = new Informer(client.resource(ConfigMaps), {
    namespace: NAMESPACE,
    pageSize: 500,
  });
  let updates = 0;
  const { promise: all, resolve } = Promise.withResolvers<void>();
  informer.addHandler({
    onUpdate: () => {
      if (++updates === fx.events.length) resolve();
    },
  });
  informer.start();
  await informer.ready();
  assert.equal(informer.store.size, 1200);
  assert.equal(updates, 0, "events are held back until release()");
  server.release();
  await all;
  assert.deepEqual(server.stats(), { listPages: 3, watches: 1, streamingLists: 0, protobuf: 0 });
  let sum = 0n;
  for (const cm of informer.store.list()) sum += BigInt(cm.metadata.resourceVersion!);
  assert.equal(sum, fx.finalRvSum);
});

Deno.test("replay server: a streaming list sends ADDED, the end bookmark, then the events", async () => {
  const fx = makeFixtures(5, 3);
  await using server = startReplayServer(fx);
  server.release();
  const res = await fetch(
    `${server.url}/api/v1/namespaces/${NAMESPACE}/configmaps?watch=1&sendInitialEvents=true` +
      `&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`,
  );
  const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.type), [
    ...Array(5).fill("ADDED"),
    "BOOKMARK",
    ...Array(3).fill("MODIFIED"),
  ]);
  assert.equal(lines[5].object.metadata.annotations["k8s.io/initial-events-end"], "true");
  assert.equal(lines[5].object.metadata.resourceVersion, String(fx.listRv));
  assert.equal(server.stats().streamingLists, 1);
});
