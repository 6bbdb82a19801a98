import assert from "node:assert/strict";
import { InformerStoppedError } from "./errors.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import type { ListWatch, WatchEvent } from "../client/types.ts";
import { CM_TYPE, FakeCluster, type Obj } from "./_fake_cluster_test.ts";
import { dropManagedFields, Informer, type InformerOptions } from "./informer.ts";
import { _SKIP_MANAGED_FIELDS } from "../client/_managed_fields.ts";
import type { InformerEvent } from "./dispatch.ts";

/** Lets promise chains and zero-delay timers run. */
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 0));
}

function record(informer: Informer<Obj>): string[] {
  const log: string[] = [];
  informer.addHandler({
    onAdd: (o) => void log.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    onUpdate: (a, b) =>
      void log.push(
        `update ${b.metadata.name}@${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`,
      ),
    onDelete: (o, i) =>
      void log.push(
        `delete ${o.metadata.name}${i.finalStateUnknown ? "?" : ""}${i.resync ? " resync" : ""}`,
      ),
    onResync: (o) => void log.push(`resync ${o.metadata.name}`),
  });
  return log;
}

function make(
  cluster: ListWatch<Obj>,
  clock: FakeClock,
  options: InformerOptions<Obj> = {},
): Informer<Obj> {
  return new Informer(cluster, { clock, random: () => 0, ...options });
}

Deno.test("initial LIST is paged and swapped in atomically, then WATCH from its RV", async () => {
  const cluster = new FakeCluster();
  for (let i = 0; i < 5; i++) cluster.create("ns", `o${i}`);
  const clock = new FakeClock(0);
  const sizesDuringList: number[] = [];
  const holder: { informer?: Informer<Obj> } = {};
  const lw: ListWatch<Obj> = {
    type: CM_TYPE,
    list: (o) => {
      sizesDuringList.push(holder.informer!.store.size);
      return cluster.list(o);
    },
    watch: (o) => cluster.watch(o),
  };
  const informer = holder.informer = make(lw, clock, { pageSize: 2 });
  const log = record(informer);
  informer.start();
  await informer.ready();
  assert.deepEqual(sizesDuringList, [0, 0, 0]);
  assert.equal(informer.store.size, 5);
  assert.deepEqual(cluster.listCalls.map((c) => c.limit), [2, 2, 2]);
  await settle();
  assert.equal(cluster.watchCalls.length, 1);
  assert.equal(cluster.watchCalls[0].resourceVersion, "6");
  assert.equal(cluster.watchCalls[0].allowWatchBookmarks, true);
  await informer.idle();
  assert.equal(log.length, 5);
  assert.ok(log.every((l) => l.startsWith("add ")));
  await informer.stop();
});

Deno.test("watch events become add, update(old,new) and delete", async () => {
  const cluster = new FakeCluster();
  const clock = new FakeClock(0);
  const informer = make(cluster, clock);
  const log = record(informer);
  informer.start();
  await informer.ready();
  await settle();
  cluster.create("ns", "a");
  cluster.update("ns/a", { x: "1" });
  cluster.delete("ns/a");
  await settle();
  await informer.idle();
  assert.deepEqual(log, ["add a@2", "update a@2->3", "delete a"]);
  assert.equal(informer.store.size, 0);
  const h = informer.health();
  assert.equal(h.counters.added, 1);
  assert.equal(h.counters.modified, 1);
  assert.equal(h.counters.deleted, 1);
  assert.equal(h.resourceVersion, "4");
  await informer.stop();
});

Deno.test("bookmarks advance the resourceVersion without dispatching", async () => {
  const cluster = new FakeCluster();
  const clock = new FakeClock(0);
  const informer = make(cluster, clock, { watchTimeoutSeconds: 60 });
  const log = record(informer);
  informer.start();
  await informer.ready();
  await settle();
  cluster.rv = 40; // writes to other types move the shared counter
  cluster.bookmark();
  await settle();
  assert.equal(informer.resourceVersion, "40");
  assert.equal(informer.health().counters.bookmarks, 1);
  // Ended long before the watch's timeout: the server closed it (a restart, a proxy).
  cluster.endWatches();
  await settle();
  assert.equal(cluster.watchCalls.at(-1)?.resourceVersion, "40");
  assert.equal(informer.health().reconnectReasons["server-closed"], 1);
  // Ended at the timeout (a bookmark on the way keeps it alive): the normal re-open.
  await clock.tickAsync(50_000);
  cluster.bookmark();
  await clock.tickAsync(10_000);
  cluster.endWatches();
  await settle();
  assert.equal(informer.health().reconnectReasons.timeout, 1);
  assert.equal(cluster.watchCalls.at(-1)?.resourceVersion, "40");
  assert.deepEqual(log, []);
  await informer.stop();
});

Deno.test("410 after a silent stall: relist diffs by uid and resourceVersion", async () => {
  const cluster = new FakeCluster();
  const a = cluster.create("ns", "a");
  cluster.create("ns", "b");
  cluster.create("ns", "c");
  cluster.create("ns", "e");
  const clock = new FakeClock(0);
  const informer = make(cluster, clock, { idleTimeoutMs: 10_000 });
  const log = record(informer);
  informer.start();
  await informer.ready();
  await settle();
  await informer.idle();
  log.length = 0;
  const cachedC = informer.store.get("ns/c");
  cluster.silenceWatches();
  cluster.update("ns/a", { v: "2" });
  cluster.delete("ns/b");
  cluster.create("ns", "d");
  cluster.delete("ns/e");
  cluster.create("ns", "e"); // same name, new uid
  cluster.compact();
  await clock.tickAsync(10_000);
  await settle();
  await informer.idle();
  assert.deepEqual(log.sort(), [
    "add d@8",
    "add e@10",
    "delete b?",
    "delete e?",
    `update a@${a.metadata.resourceVersion}->6`,
  ]);
  assert.equal(informer.store.get("ns/c"), cachedC, "unchanged objects keep their identity");
  const h = informer.health();
  assert.equal(h.relistReasons.initial, 1);
  assert.equal(h.relistReasons.expired, 1);
  assert.equal(h.reconnectReasons.idle, 1);
  assert.deepEqual(informer.store.keys().sort(), ["ns/a", "ns/c", "ns/d", "ns/e"]);
  await informer.stop();
});

Deno.test("errors back off exponentially with jitter and are counted", async () => {
  const cluster = new FakeCluster();
  cluster.create("ns", "a");
  cluster.failNext(3, 500, "list");
  const clock = new FakeClock(0);
  const informer = make(cluster, clock, {
    backoff: { initialMs: 100, maxMs: 250, jitter: 0.5 },
    random: () => 1,
  });
  informer.start();
  await settle();
  assert.equal(cluster.listCalls.length, 1);
  await clock.tickAsync(149);
  assert.equal(cluster.listCalls.length, 1);
  await clock.tickAsync(1); // 100 * 1.5
  await settle();
  assert.equal(cluster.listCalls.length, 2);
  await clock.tickAsync(249); // 200 * 1.5 capped at 250
  assert.equal(cluster.listCalls.length, 2);
  await clock.tickAsync(1);
  await settle();
  assert.equal(cluster.listCalls.length, 3);
  await clock.tickAsync(250);
  await informer.ready();
  const h = informer.health();
  assert.equal(h.counters.errors, 3);
  assert.equal(h.relistReasons.error, 3);
  assert.equal(h.lastError, "500 InternalError");
  await informer.stop();
});

Deno.test("streaming list when supported; fallback to LIST when the watch is refused", async () => {
  for (const supported of [true, false]) {
    const cluster = new FakeCluster();
    cluster.streamingSupported = supported;
    cluster.create("ns", "a");
    const clock = new FakeClock(0);
    const informer = make(cluster, clock, { useStreamingList: true });
    const log = record(informer);
    informer.start();
    await informer.ready();
    await settle();
    assert.equal(cluster.watchCalls[0].sendInitialEvents, true);
    assert.equal(cluster.watchCalls[0].resourceVersionMatch, "NotOlderThan");
    assert.equal(cluster.listCalls.length, supported ? 0 : 1);
    if (!supported) assert.equal(informer.health().relistReasons["streaming-refused"], 1);
    cluster.create("ns", "b");
    await settle();
    await informer.idle();
    assert.deepEqual(log, ["add a@2", "add b@3"]);
    assert.equal(informer.resourceVersion, "3");
    await informer.stop();
  }
});

Deno.test("decode failures: not cached, reported once per uid and resourceVersion", async () => {
  const cluster = new FakeCluster();
  cluster.create("ns", "good");
  cluster.create("ns", "bad");
  cluster.invalidKeys.add("ns/bad");
  const clock = new FakeClock(0);
  const reported: string[] = [];
  const informer = make(cluster, clock, {
    onDecodeFailure: (f) => void reported.push(`${f.key}@${f.resourceVersion}`),
  });
  informer.start();
  await informer.ready();
  await settle();
  assert.deepEqual(informer.store.keys(), ["ns/good"]);
  cluster.compact(); // relist: the same invalid version again
  await settle(10);
  assert.equal(informer.health().relistReasons.expired, 1);
  assert.deepEqual(reported, ["ns/bad@3"]);
  cluster.update("ns/bad", { still: "bad" });
  await settle();
  assert.deepEqual(reported, ["ns/bad@3", "ns/bad@4"]);
  assert.equal(informer.health().counters.decodeFailures, 2);
  await informer.stop();
});

Deno.test("default transform drops managedFields; custom transforms apply before caching", async () => {
  const cluster = new FakeCluster();
  cluster.create("ns", "a", { k: "v" }, {
    managedFields: [{ manager: "m", operation: "Update", apiVersion: "v1" }],
  });
  const clock = new FakeClock(0);
  const plain = make(cluster, clock);
  plain.start();
  await plain.ready();
  assert.equal(plain.store.get("ns/a")?.metadata.managedFields, undefined);
  await plain.stop();
  const custom = make(cluster, clock, { transform: (o) => ({ ...o, data: undefined }) });
  custom.start();
  await custom.ready();
  assert.equal(custom.store.get("ns/a")?.data, undefined);
  assert.equal(custom.store.get("ns/a")?.metadata.managedFields?.length, 1);
  await custom.stop();
});

Deno.test("metadataOnly is passed to LIST and WATCH", async () => {
  const cluster = new FakeCluster();
  cluster.create("ns", "a", { k: "v" });
  const clock = new FakeClock(0);
  const informer = make(cluster, clock, { metadataOnly: true });
  informer.start();
  await informer.ready();
  await settle();
  assert.equal(cluster.listCalls[0].metadataOnly, true);
  assert.equal(cluster.watchCalls[0].metadataOnly, true);
  assert.equal(informer.store.get("ns/a")?.data, undefined);
  await informer.stop();
});

Deno.test("a repeated (uid, resourceVersion) reaches handlers once", async () => {
  const clock = new FakeClock(0);
  const obj = (rv: string): Obj => ({
    metadata: { namespace: "n", name: "a", uid: "u", resourceVersion: rv },
  });
  const lw: ListWatch<Obj> = {
    type: CM_TYPE,
    list: () => Promise.resolve({ metadata: { resourceVersion: "1" }, items: [], invalid: [] }),
    watch: async function* (o) {
      if (o?.resourceVersion !== "1") return await new Promise<never>(() => {}); // unreachable
      const events: WatchEvent<Obj>[] = [
        { type: "ADDED", object: obj("2") },
        { type: "ADDED", object: obj("2") },
        { type: "MODIFIED", object: obj("3") },
        { type: "MODIFIED", object: obj("3") },
        { type: "DELETED", object: obj("4") },
        { type: "DELETED", object: obj("4") },
      ];
      for (const e of events) yield e;
      await new Promise<void>((r) => o.signal?.addEventListener("abort", () => r()));
    },
  };
  const informer = make(lw, clock);
  const log = record(informer);
  informer.start();
  await informer.ready();
  await settle();
  await informer.idle();
  assert.deepEqual(log, ["add a@2", "update a@2->3", "delete a"]);
  assert.equal(informer.health().counters.duplicates, 3);
  await informer.stop();
});

Deno.test("late handlers and events() first get the cache as adds", async () => {
  const cluster = new FakeCluster();
  cluster.create("ns", "a");
  const clock = new FakeClock(0);
  const informer = make(cluster, clock);
  informer.start();
  await informer.ready();
  await settle();
  const log = record(informer);
  const ac = new AbortController();
  const it = informer.events({ signal: ac.signal });
  cluster.create("ns", "b");
  await settle();
  const first = await it.next();
  const second = await it.next();
  assert.deepEqual(
    [first.value, second.value].map((e: InformerEvent<Obj>) =>
      `${e.type} ${e.object.metadata.name}`
    ),
    ["add a", "add b"],
  );
  ac.abort();
  assert.equal((await it.next()).done, true);
  await informer.idle();
  assert.deepEqual(log, ["add a@2", "add b@3"]);
  await informer.stop();
});

Deno.test("a slow handler pauses the reflector at the bound and loses nothing", async () => {
  const cluster = new FakeCluster();
  const clock = new FakeClock(0);
  const informer = make(cluster, clock, { maxBuffered: 3 });
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const seen: string[] = [];
  informer.addHandler({
    onAdd: async (o) => {
      await gate;
      seen.push(o.metadata.name!);
    },
  });
  informer.start();
  await informer.ready();
  await settle();
  for (let i = 0; i < 20; i++) cluster.create("ns", `o${i}`);
  await settle();
  // One event is in the handler, at most the bound waits; the rest stays unread in the watch.
  assert.ok(informer.store.size <= 4, `store has ${informer.store.size}`);
  release();
  await settle(20);
  await informer.idle();
  assert.equal(seen.length, 20);
  assert.equal(informer.store.size, 20);
  await informer.stop();
});

Deno.test("resync replays once per period; deleting objects go to the delete path", async () => {
  const cluster = new FakeCluster();
  cluster.create("ns", "a");
  cluster.create("ns", "b", {}, { deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["f"] });
  const clock = new FakeClock(0);
  const informer = make(cluster, clock, { resyncPeriodMs: 1000 });
  const log = record(informer);
  informer.start();
  await informer.ready();
  await settle();
  await informer.idle();
  log.length = 0;
  await clock.tickAsync(999);
  assert.deepEqual(log, []);
  await clock.tickAsync(1);
  await informer.idle();
  assert.deepEqual(log.sort(), ["delete b resync", "resync a"]);
  await clock.tickAsync(1000);
  await informer.idle();
  assert.equal(log.length, 4);
  assert.equal(informer.health().counters.resyncs, 4);
  assert.equal(cluster.listCalls.length, 1, "resync never relists");
  await informer.stop();
});

Deno.test("an external signal stops the informer and ready() rejects when stopped first", async () => {
  const cluster = new FakeCluster();
  cluster.failNext(100, 500, "list");
  const clock = new FakeClock(0);
  const ac = new AbortController();
  const informer = make(cluster, clock, { signal: ac.signal });
  informer.start();
  const ready = informer.ready();
  ac.abort();
  await assert.rejects(ready, InformerStoppedError);
  await informer.stop();
  assert.equal(informer.health().running, false);
});

Deno.test("health reports staleness from the clock", async () => {
  const cluster = new FakeCluster();
  const clock = new FakeClock(1_000);
  const informer = make(cluster, clock);
  informer.start();
  await informer.ready();
  await clock.tickAsync(5_000);
  const h = informer.health();
  assert.equal(h.synced, true);
  assert.equal(h.lastEventAt, 1_000);
  assert.equal(h.stalenessMs, 5_000);
  assert.equal(h.resource, "configmaps");
  await informer.stop();
});

Deno.test("initialListFromCache: only the first LIST asks for resourceVersion 0; relists stay consistent", async () => {
  const cluster = new FakeCluster();
  cluster.create("ns", "a");
  const clock = new FakeClock(0);
  const informer = make(cluster, clock, { initialListFromCache: true });
  informer.start();
  await informer.ready();
  await settle();
  assert.equal(cluster.listCalls[0].resourceVersion, "0");
  cluster.compact(); // 410 on the watch: relist
  cluster.create("ns", "b");
  await settle(10);
  assert.equal(informer.health().relistReasons.expired, 1);
  assert.ok(cluster.listCalls.length >= 2);
  for (const call of cluster.listCalls.slice(1)) assert.equal(call.resourceVersion, undefined);
  assert.deepEqual(informer.store.keys().sort(), ["ns/a", "ns/b"]);
  await informer.stop();

  // The default: every LIST is consistent.
  const plain = new FakeCluster();
  plain.create("ns", "a");
  const informer2 = make(plain, clock);
  informer2.start();
  await informer2.ready();
  assert.equal(plain.listCalls[0].resourceVersion, undefined);
  await informer2.stop();
});

Deno.test("the client may leave managedFields unparsed only under the default transform", async () => {
  const asked: Array<boolean | undefined> = [];
  const lw = (cluster: FakeCluster): ListWatch<Obj> => ({
    type: cluster.type,
    list: (o) => cluster.list(o),
    watch: (o) => cluster.watch(o),
    listPages: async function* (o) {
      asked.push((o as { [_SKIP_MANAGED_FIELDS]?: boolean })[_SKIP_MANAGED_FIELDS]);
      yield await cluster.list(o);
    },
  });
  const clock = new FakeClock(0);
  for (
    const transform of [undefined, dropManagedFields, (o: Obj) => o] as Array<
      InformerOptions<Obj>["transform"]
    >
  ) {
    const informer = make(lw(new FakeCluster()), clock, transform ? { transform } : {});
    informer.start();
    await informer.ready();
    await informer.stop();
  }
  assert.deepEqual(asked, [true, true, undefined]);
});
