// Pagination and watch semantics, against the embedded API server or the real one named by
// OPERATORKIT_TEST_KUBECONFIG (testCluster()), each test in its own namespace. The tests that
// inject faults (dropped, silenced or compacted watches) need the embedded server: the real tier
// reports them as ignored, with the reason in their names (tests/_tier.ts).
import assert from "node:assert/strict";
import { requireFaults, type TestClusterOptions } from "../../testing/test_cluster.ts";
import { FAULTS, needs } from "../_tier.ts";
import {
  type ConfigMap,
  ConfigMaps,
  isGone,
  type WatchEvent,
  WatchIdleError,
} from "../../client/mod.ts";
import { clusterEnv } from "./_cluster.ts";

const setup = (options: TestClusterOptions = {}) => clusterEnv("watch", options);

Deno.test("pagination: 2,500 objects in pages of 500", async () => {
  await using env = await setup();
  const cms = env.client.resource(ConfigMaps);
  const names = Array.from({ length: 2500 }, (_, i) => `cm-${String(i).padStart(4, "0")}`);
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(names.slice(i, i + 50).map((name) => cms.create({ metadata: { name } })));
  }
  const first = await cms.list({ namespace: env.namespace, limit: 500 });
  assert.equal(first.items.length, 500);
  assert.ok(first.metadata.continue);
  const rv = first.metadata.resourceVersion;
  let pages = 1;
  let cont: string | undefined = first.metadata.continue;
  while (cont) {
    const page = await cms.list({ namespace: env.namespace, limit: 500, continue: cont });
    assert.equal(page.metadata.resourceVersion, rv, "every page reports the first page's RV");
    assert.ok(page.items.length <= 500);
    pages++;
    cont = page.metadata.continue;
  }
  assert.equal(pages, 5);
  const seen: string[] = [];
  for await (const cm of cms.listAll({ namespace: env.namespace, limit: 500 })) {
    seen.push(cm.metadata.name!);
  }
  assert.deepEqual(seen, names);
});

Deno.test("watch from a resourceVersion sees only later changes; bookmarks arrive", async () => {
  await using env = await setup({ bookmarkIntervalMs: 50 });
  const cms = env.client.resource(ConfigMaps);
  await cms.create({ metadata: { name: "before" } });
  const list = await cms.list({ namespace: env.namespace });
  const ac = new AbortController();
  const events: WatchEvent<ConfigMap>[] = [];
  const done = (async () => {
    for await (
      const ev of cms.watch({
        namespace: env.namespace,
        resourceVersion: list.metadata.resourceVersion,
        allowWatchBookmarks: true,
        // kube-apiserver sends a bookmark 2 s before a watch's deadline (else once a minute),
        // and none when the watch registers less than 2 s before it: 10 s leaves room for a
        // busy machine, and the loop ends at the bookmark. The embedded server sends one every
        // bookmarkIntervalMs.
        timeoutSeconds: 10,
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
  const bookmark = events.find((e) => e.type === "BOOKMARK");
  assert.ok(bookmark, "a BOOKMARK arrived before the watch's timeoutSeconds ended it");
  assert.ok(bookmark.type === "BOOKMARK" && bookmark.object.metadata.resourceVersion);
});

/** A watch without a resourceVersion on a namespace holding ConfigMap "one", once it has an event. */
async function watchFromScratch(env: Awaited<ReturnType<typeof setup>>) {
  const cms = env.client.resource(ConfigMaps);
  await cms.create({ metadata: { name: "one" } });
  const ac = new AbortController();
  const events: string[] = [];
  const done = (async () => {
    for await (const ev of cms.watch({ namespace: env.namespace, signal: ac.signal })) {
      if (ev.type !== "BOOKMARK" && ev.type !== "INVALID") {
        events.push(`${ev.type} ${ev.object.metadata.name}`);
      }
    }
  })();
  while (events.length === 0) await new Promise((r) => setTimeout(r, 5));
  return { ac, events, done };
}

Deno.test("watch without a resourceVersion starts with ADDED for existing objects", async () => {
  await using env = await setup();
  const { ac, events, done } = await watchFromScratch(env);
  ac.abort(new Error("test over"));
  await assert.rejects(done, /test over/);
  assert.deepEqual(events, ["ADDED one"]);
});

Deno.test(
  needs("a watch dropped by the server (fault: dropWatches) ends cleanly", FAULTS),
  async (t) => {
    await using env = await setup();
    const { events, done } = await watchFromScratch(env);
    requireFaults(t, env.cluster).dropWatches();
    await done; // a clean end of body ends the iteration without an error
    assert.deepEqual(events, ["ADDED one"]);
  },
);

Deno.test(needs("410 Expired in both forms after compaction", FAULTS), async (t) => {
  await using env = await setup();
  const faults = requireFaults(t, env.cluster);
  const cms = env.client.resource(ConfigMaps);
  const a = await cms.create({ metadata: { name: "a" } });
  await cms.patch("a", { type: "merge", body: { data: { x: "1" } } });
  faults.compact();
  // Form 1: a watch from a compacted resourceVersion gets HTTP 200 + an ERROR event.
  const raw = await fetch(
    `${env.cluster.url}/api/v1/namespaces/${env.namespace}/configmaps?watch=1&resourceVersion=${a.metadata.resourceVersion}`,
  );
  assert.equal(raw.status, 200);
  assert.match(await raw.text(), /"type":"ERROR".*"code":410/);
  await assert.rejects(async () => {
    for await (
      const _ of cms.watch({
        namespace: env.namespace,
        resourceVersion: a.metadata.resourceVersion,
      })
    ) {
      // no events expected
    }
  }, (e: Error) => isGone(e));
  // Form 2: an exact LIST at a compacted resourceVersion gets HTTP 410.
  const rawList = await fetch(
    `${env.cluster.url}/api/v1/namespaces/${env.namespace}/configmaps?resourceVersionMatch=Exact&resourceVersion=${a.metadata.resourceVersion}`,
  );
  assert.equal(rawList.status, 410);
  await rawList.body?.cancel();
  await assert.rejects(
    () =>
      cms.list({
        namespace: env.namespace,
        resourceVersion: a.metadata.resourceVersion,
        resourceVersionMatch: "Exact",
      }),
    (e: Error) => isGone(e),
  );
});

Deno.test(
  needs("a silent watch ends with WatchIdleError (fault: silenceWatches)", FAULTS),
  async (t) => {
    await using env = await setup();
    const faults = requireFaults(t, env.cluster);
    const cms = env.client.resource(ConfigMaps);
    await cms.create({ metadata: { name: "a" } });
    let got = 0;
    const started = Date.now();
    const done = (async () => {
      for await (const _ of cms.watch({ namespace: env.namespace, idleTimeoutMs: 300 })) {
        got++;
        faults.silenceWatches();
      }
    })();
    await assert.rejects(done, (e: Error) => e instanceof WatchIdleError && e.idleMs === 300);
    assert.equal(got, 1);
    assert.ok(Date.now() - started >= 300);
  },
);

Deno.test("streaming list: sendInitialEvents ends its initial events with an annotated bookmark", async () => {
  await using env = await setup();
  const cms = env.client.resource(ConfigMaps);
  for (const name of ["a", "b", "c"]) await cms.create({ metadata: { name } });
  const seen: string[] = [];
  for await (
    const ev of cms.watch({
      namespace: env.namespace,
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
  const page = await cms.list({ namespace: env.namespace, metadataOnly: true });
  assert.equal(page.kind, "PartialObjectMetadataList");
  assert.equal(page.items[0].kind, "PartialObjectMetadata");
  assert.equal(page.items[0].data, undefined);
  const one = await cms.get("a", { metadataOnly: true });
  assert.equal(one.kind, "PartialObjectMetadata");
  for await (const ev of cms.watch({ namespace: env.namespace, metadataOnly: true })) {
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
      for await (const _ of cms.watch({ namespace: env.namespace, signal: ac.signal })) counts[i]++;
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
