// Pagination and watch semantics against the embedded API server.
import assert from "node:assert/strict";
import { startApiServer } from "../../testing/api_server.ts";
import {
  type ConfigMap,
  ConfigMaps,
  isGone,
  KubeClient,
  type WatchEvent,
  WatchIdleError,
} from "../../client/mod.ts";

async function setup(options: Parameters<typeof startApiServer>[0] = {}) {
  const server = await startApiServer(options);
  const client = await KubeClient.fromKubeConfig({ document: server.kubeconfig }, { qps: 0 });
  return {
    server,
    client,
    async [Symbol.asyncDispose]() {
      client.close();
      await server.close();
    },
  };
}

Deno.test("pagination: 2,500 objects in pages of 500", async () => {
  await using env = await setup();
  const cms = env.client.resource(ConfigMaps);
  const names = Array.from({ length: 2500 }, (_, i) => `cm-${String(i).padStart(4, "0")}`);
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(names.slice(i, i + 50).map((name) => cms.create({ metadata: { name } })));
  }
  const first = await cms.list({ namespace: "default", limit: 500 });
  assert.equal(first.items.length, 500);
  assert.ok(first.metadata.continue);
  const rv = first.metadata.resourceVersion;
  let pages = 1;
  let cont: string | undefined = first.metadata.continue;
  while (cont) {
    const page = await cms.list({ namespace: "default", limit: 500, continue: cont });
    assert.equal(page.metadata.resourceVersion, rv, "every page reports the first page's RV");
    assert.ok(page.items.length <= 500);
    pages++;
    cont = page.metadata.continue;
  }
  assert.equal(pages, 5);
  const seen: string[] = [];
  for await (const cm of cms.listAll({ namespace: "default", limit: 500 })) {
    seen.push(cm.metadata.name!);
  }
  assert.deepEqual(seen, names);
});

Deno.test("watch from a resourceVersion sees only later changes; bookmarks arrive", async () => {
  await using env = await setup({ bookmarkIntervalMs: 50 });
  const cms = env.client.resource(ConfigMaps);
  await cms.create({ metadata: { name: "before" } });
  const list = await cms.list({ namespace: "default" });
  const ac = new AbortController();
  const events: WatchEvent<ConfigMap>[] = [];
  const done = (async () => {
    for await (
      const ev of cms.watch({
        namespace: "default",
        resourceVersion: list.metadata.resourceVersion,
        allowWatchBookmarks: true,
        signal: ac.signal,
      })
    ) {
      events.push(ev);
      const seenDelete = events.some((e) => e.type === "DELETED");
      if (seenDelete && events.some((e) => e.type === "BOOKMARK")) break;
    }
  })();
  await new Promise((r) => setTimeout(r, 20));
  await cms.create({ metadata: { name: "after" } });
  await cms.patch("after", { type: "merge", body: { data: { a: "1" } } });
  await cms.delete("after");
  await done;
  const changes = events.filter((e) => e.type !== "BOOKMARK");
  assert.deepEqual(changes.map((e) => e.type), ["ADDED", "MODIFIED", "DELETED"]);
  for (const e of changes) if (e.type !== "INVALID") assert.equal(e.object.metadata.name, "after");
  const bookmark = events.find((e) => e.type === "BOOKMARK")!;
  assert.ok(bookmark.type === "BOOKMARK" && bookmark.object.metadata.resourceVersion);
});

Deno.test("watch without a resourceVersion starts with ADDED for existing objects; dropWatches ends it cleanly", async () => {
  await using env = await setup();
  const cms = env.client.resource(ConfigMaps);
  await cms.create({ metadata: { name: "one" } });
  const events: string[] = [];
  const done = (async () => {
    for await (const ev of cms.watch({ namespace: "default" })) {
      if (ev.type !== "BOOKMARK" && ev.type !== "INVALID") {
        events.push(`${ev.type} ${ev.object.metadata.name}`);
      }
    }
  })();
  while (events.length === 0) await new Promise((r) => setTimeout(r, 5));
  env.server.faults.dropWatches();
  await done; // a clean end of body ends the iteration without an error
  assert.deepEqual(events, ["ADDED one"]);
});

Deno.test("410 Expired in both forms after compaction", async () => {
  await using env = await setup();
  const cms = env.client.resource(ConfigMaps);
  const a = await cms.create({ metadata: { name: "a" } });
  await cms.patch("a", { type: "merge", body: { data: { x: "1" } } });
  env.server.faults.compact();
  // Form 1: a watch from a compacted resourceVersion gets HTTP 200 + an ERROR event.
  const raw = await fetch(
    `${env.server.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${a.metadata.resourceVersion}`,
  );
  assert.equal(raw.status, 200);
  assert.match(await raw.text(), /"type":"ERROR".*"code":410/);
  await assert.rejects(async () => {
    for await (
      const _ of cms.watch({ namespace: "default", resourceVersion: a.metadata.resourceVersion })
    ) {
      // no events expected
    }
  }, (e: Error) => isGone(e));
  // Form 2: an exact LIST at a compacted resourceVersion gets HTTP 410.
  const rawList = await fetch(
    `${env.server.url}/api/v1/namespaces/default/configmaps?resourceVersionMatch=Exact&resourceVersion=${a.metadata.resourceVersion}`,
  );
  assert.equal(rawList.status, 410);
  await rawList.body?.cancel();
  await assert.rejects(
    () =>
      cms.list({
        namespace: "default",
        resourceVersion: a.metadata.resourceVersion,
        resourceVersionMatch: "Exact",
      }),
    (e: Error) => isGone(e),
  );
});

Deno.test("a silent watch ends with WatchIdleError (fault: silenceWatches)", async () => {
  await using env = await setup();
  const cms = env.client.resource(ConfigMaps);
  await cms.create({ metadata: { name: "a" } });
  let got = 0;
  const started = Date.now();
  const done = (async () => {
    for await (const _ of cms.watch({ namespace: "default", idleTimeoutMs: 300 })) {
      got++;
      env.server.faults.silenceWatches();
    }
  })();
  await assert.rejects(done, (e: Error) => e instanceof WatchIdleError && e.idleMs === 300);
  assert.equal(got, 1);
  assert.ok(Date.now() - started >= 300);
});

Deno.test("streaming list: sendInitialEvents ends its initial events with an annotated bookmark", async () => {
  await using env = await setup();
  const cms = env.client.resource(ConfigMaps);
  for (const name of ["a", "b", "c"]) await cms.create({ metadata: { name } });
  const seen: string[] = [];
  for await (
    const ev of cms.watch({
      namespace: "default",
      sendInitialEvents: true,
      resourceVersionMatch: "NotOlderThan",
      allowWatchBookmarks: true,
    })
  ) {
    if (ev.type === "BOOKMARK") {
      assert.equal(ev.object.metadata.annotations?.["k8s.io/initial-events-end"], "true");
      break;
    }
    if (ev.type === "ADDED") seen.push(ev.object.metadata.name!);
  }
  assert.deepEqual(seen.sort(), ["a", "b", "c"]);
});

Deno.test("metadataOnly: list, get and watch return PartialObjectMetadata", async () => {
  await using env = await setup();
  const cms = env.client.resource(ConfigMaps);
  await cms.create({ metadata: { name: "a" }, data: { big: "x".repeat(1000) } });
  const page = await cms.list({ namespace: "default", metadataOnly: true });
  assert.equal(page.kind, "PartialObjectMetadataList");
  assert.equal(page.items[0].kind, "PartialObjectMetadata");
  assert.equal(page.items[0].data, undefined);
  const one = await cms.get("a", { metadataOnly: true });
  assert.equal(one.kind, "PartialObjectMetadata");
  for await (const ev of cms.watch({ namespace: "default", metadataOnly: true })) {
    assert.equal(ev.type, "ADDED");
    if (ev.type === "ADDED") {
      assert.equal(ev.object.kind, "PartialObjectMetadata");
      assert.equal(ev.object.data, undefined);
    }
    break;
  }
});

Deno.test("several watches on one server: aborting one ends it at once, the others go on", async () => {
  await using env = await setup();
  const cms = env.client.resource(ConfigMaps);
  const acs = [new AbortController(), new AbortController(), new AbortController()];
  const counts = [0, 0, 0];
  const runs = acs.map((ac, i) =>
    (async () => {
      for await (const _ of cms.watch({ namespace: "default", signal: ac.signal })) counts[i]++;
    })()
  );
  await cms.create({ metadata: { name: "one" } });
  while (counts.some((c) => c < 1)) await new Promise((r) => setTimeout(r, 5));
  const started = Date.now();
  acs[0].abort(new Error("first stops"));
  await assert.rejects(runs[0], /first stops/);
  assert.ok(Date.now() - started < 1000, "the aborted watch ends promptly");
  await cms.create({ metadata: { name: "two" } });
  while (counts[1] < 2 || counts[2] < 2) await new Promise((r) => setTimeout(r, 5));
  acs[1].abort(new Error("stop"));
  acs[2].abort(new Error("stop"));
  await assert.rejects(runs[1], /stop/);
  await assert.rejects(runs[2], /stop/);
  assert.equal(counts[0], 1);
});
