// The bookmark interval the watch liveness bound is derived from. kube-apiserver v1.36.3 sends
// a BOOKMARK on an idle watch (allowWatchBookmarks) once a minute: measured 59.6 to 60.1 s
// apart, the first 60.0 s after the watch opened. The informer's default bound is 1.5 of that
// (90 s); the embedded server sends bookmarks at the same 60 s by default.
//
// kube-apiserver skips a watch's bookmark while its watch cache has seen no revision newer than
// the one the watch started from; on a quiet resource the cache learns of newer revisions only
// from consistent reads. CI once saw the first bookmark of a raw idle watch only after 117.8 s
// (the one sent 2 s before its 120 s timeout). The informer therefore nudges the server (one
// consistent LIST of one object after 30 quiet seconds); the real-tier test below checks that
// an idle informer gets its bookmark and never hits the liveness bound.
import assert from "node:assert/strict";
import { ConfigMaps, KubeClient, Namespaces } from "../../client/mod.ts";
import { Informer, SERVER_BOOKMARK_INTERVAL_MS, watchLivenessBoundMs } from "../../informer/mod.ts";
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
    `kube-apiserver: an idle informer gets a BOOKMARK and is never closed by the liveness bound (real tier only; about 95 s)${
      real ? "" : ` [ignored: needs a real kube-apiserver, ${TEST_KUBECONFIG_ENV} unset]`
    }`,
  ignore: !real,
  async fn() {
    await using cluster = await testCluster();
    using client = await KubeClient.fromKubeConfig({ document: cluster.kubeconfig }, { qps: 0 });
    const ns = `bm-${crypto.randomUUID().slice(0, 8)}`;
    await client.resource(Namespaces).create({ metadata: { name: ns } });
    try {
      const bound = watchLivenessBoundMs(SERVER_BOOKMARK_INTERVAL_MS);
      await using informer = new Informer(client.resource(ConfigMaps), { namespace: ns });
      const bookmarks: number[] = [];
      const opened = Date.now();
      informer.start();
      await informer.ready();
      // Poll the informer's resourceVersion: with no ConfigMap in the namespace, only a
      // bookmark moves it.
      let seen = informer.resourceVersion;
      while (Date.now() - opened < bound + 5_000) {
        await new Promise((r) => setTimeout(r, 500));
        if (informer.resourceVersion !== seen) {
          seen = informer.resourceVersion;
          bookmarks.push(Date.now() - opened);
        }
      }
      console.log(`bookmarks after ${bookmarks.join(", ")} ms`);
      const h = informer.health();
      assert.equal(h.reconnectReasons.idle, undefined, "the liveness bound never closed the watch");
      assert.deepEqual(h.relistReasons, { initial: 1 });
      assert.ok(bookmarks.length >= 1, `expected a BOOKMARK within ${bound} ms, found none`);
      assert.ok(
        bookmarks[0] >= SERVER_BOOKMARK_INTERVAL_MS / 2 && bookmarks[0] < bound,
        `expected the first BOOKMARK between 30 s and the ${bound} ms bound, found ${
          bookmarks[0]
        } ms`,
      );
    } finally {
      await client.resource(Namespaces).delete(ns).catch(() => {});
    }
  },
});
