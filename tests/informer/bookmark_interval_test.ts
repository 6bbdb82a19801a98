// The bookmark interval the watch liveness bound is derived from. kube-apiserver v1.36.3 sends
// a BOOKMARK on an idle watch (allowWatchBookmarks) once a minute: measured 59.6 to 60.1 s
// apart, the first 60.0 s after the watch opened. The informer's default bound is 1.5 of that
// (90 s); the embedded server sends bookmarks at the same 60 s by default.
import assert from "node:assert/strict";
import { ConfigMaps, KubeClient, Namespaces } from "../../client/mod.ts";
import { SERVER_BOOKMARK_INTERVAL_MS, watchLivenessBoundMs } from "../../informer/mod.ts";
import { FakeClock, startApiServer, TEST_KUBECONFIG_ENV, testCluster } from "../../testing/mod.ts";

const real = Deno.env.get(TEST_KUBECONFIG_ENV) !== undefined;

Deno.test("embedded server: an idle watch gets its first BOOKMARK after the default 60 s, as kube-apiserver's", async () => {
  const clock = new FakeClock(0);
  await using server = await startApiServer({ clock });
  const res = await fetch(
    `${server.url}/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=1`,
  );
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  const nextLine = async (): Promise<{ type: string }> => {
    while (!buf.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("expected another watch line, found the end");
      buf += value;
    }
    const i = buf.indexOf("\n");
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    return JSON.parse(line);
  };
  try {
    assert.equal(SERVER_BOOKMARK_INTERVAL_MS, 60_000);
    await clock.tickAsync(SERVER_BOOKMARK_INTERVAL_MS - 1);
    // Lines keep their order: an event written now comes before any bookmark.
    await fetch(`${server.url}/api/v1/namespaces/default/configmaps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ metadata: { name: "x" } }),
    }).then((r) => r.body?.cancel());
    assert.equal((await nextLine()).type, "ADDED", "no bookmark before 60 s");
    await clock.tickAsync(1);
    assert.equal((await nextLine()).type, "BOOKMARK", "a bookmark at 60 s");
  } finally {
    await reader.cancel();
  }
});

Deno.test({
  name:
    `kube-apiserver: an idle watch gets a BOOKMARK within the default liveness bound (real tier only; about 60 s)${
      real ? "" : ` [ignored: needs a real kube-apiserver, ${TEST_KUBECONFIG_ENV} unset]`
    }`,
  ignore: !real,
  async fn() {
    await using cluster = await testCluster();
    using client = await KubeClient.fromKubeConfig({ document: cluster.kubeconfig }, { qps: 0 });
    const ns = `bm-${crypto.randomUUID().slice(0, 8)}`;
    await client.resource(Namespaces).create({ metadata: { name: ns } });
    try {
      const cms = client.resource(ConfigMaps);
      const list = await cms.list({ namespace: ns });
      const opened = Date.now();
      let first: number | undefined;
      for await (
        const ev of cms.watch({
          namespace: ns,
          resourceVersion: list.metadata.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: 120,
          idleTimeoutMs: 150_000,
        })
      ) {
        if (ev.type === "BOOKMARK") {
          first = Date.now() - opened;
          break;
        }
      }
      assert.ok(first !== undefined, "expected a BOOKMARK on the idle watch, found none");
      console.log(`first BOOKMARK after ${first} ms`);
      assert.ok(
        first >= SERVER_BOOKMARK_INTERVAL_MS / 2 &&
          first < watchLivenessBoundMs(SERVER_BOOKMARK_INTERVAL_MS),
        `expected the first BOOKMARK between 30 s and the 90 s bound, found ${first} ms`,
      );
    } finally {
      await client.resource(Namespaces).delete(ns).catch(() => {});
    }
  },
});
