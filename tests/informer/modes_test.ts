// Informer modes against a real HTTP API: streaming lists and the fallback to LIST,
// metadata-only, transforms, and stopping that releases every stream and timer.
import assert from "node:assert/strict";
import { type ConfigMap, ConfigMaps } from "../../client/mod.ts";
import { Informer } from "../../informer/mod.ts";
import { requireFaults } from "../../testing/mod.ts";
import { FAULTS, needs } from "../_tier.ts";
import { Recorder, setup, sleep, TrackingFetch } from "./_env.ts";

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${ms} ms, found not yet`);
    await sleep(5);
  }
}

Deno.test("streaming list: sendInitialEvents syncs without a LIST, then watches on", async () => {
  const tracker = new TrackingFetch();
  await using env = await setup({ reader: { fetch: tracker.fetch } });
  const ns = env.namespace;
  const cms = env.writer.resource(ConfigMaps);
  for (const name of ["a", "b", "c"]) await cms.create({ metadata: { name, namespace: ns } });
  const informer = new Informer(env.reader.resource(ConfigMaps), {
    namespace: ns,
    useStreamingList: true,
  });
  const rec = new Recorder<ConfigMap>();
  informer.addHandler(rec.handler);
  informer.start();
  try {
    await informer.ready();
    assert.deepEqual(informer.store.keys().sort(), ["a", "b", "c"].map((n) => `${ns}/${n}`));
    await cms.create({ metadata: { name: "d", namespace: ns } });
    await until("d in the cache", () => informer.store.size === 4);
    await informer.idle();
    assert.deepEqual(tracker.verbs("configmaps"), ["stream"], "one streaming watch, no LIST");
    assert.deepEqual(rec.log.map((e) => `${e.type} ${e.key.split("/")[1]}`).sort(), [
      "add a",
      "add b",
      "add c",
      "add d",
    ]);
    assert.equal(informer.health().relistReasons.initial, 1);
  } finally {
    await informer.stop();
  }
});

Deno.test("streaming list refused (an older server): falls back to a paged LIST", async () => {
  const tracker = new TrackingFetch();
  // kube-apiserver without WatchList answers 400/422 to sendInitialEvents.
  tracker.refuse = (u) => u.searchParams.get("sendInitialEvents") === "true" ? 422 : undefined;
  await using env = await setup({ reader: { fetch: tracker.fetch } });
  const ns = env.namespace;
  const cms = env.writer.resource(ConfigMaps);
  for (let i = 0; i < 5; i++) await cms.create({ metadata: { name: `cm-${i}`, namespace: ns } });
  const informer = new Informer(env.reader.resource(ConfigMaps), {
    namespace: ns,
    useStreamingList: true,
    pageSize: 2,
  });
  informer.start();
  try {
    await informer.ready();
    assert.equal(informer.store.size, 5);
    await cms.create({ metadata: { name: "late", namespace: ns } });
    await until("late in the cache", () => informer.store.size === 6);
    assert.deepEqual(tracker.verbs("configmaps"), ["stream", "list", "list", "list", "watch"]);
    const h = informer.health();
    assert.equal(h.relistReasons["streaming-refused"], 1);
    assert.equal(h.counters.errors, 0, "a refusal is a fallback, not an error");
  } finally {
    await informer.stop();
  }
});

Deno.test(
  needs("streaming list: a 500 is retried as a streaming list, not a fallback", FAULTS),
  async (t) => {
    const tracker = new TrackingFetch();
    await using env = await setup({ reader: { fetch: tracker.fetch, retries: 0 } });
    const faults = requireFaults(t, env.cluster);
    faults.failNext(1, { status: 500, verb: "watch", resource: "configmaps" });
    const informer = new Informer(env.reader.resource(ConfigMaps), {
      namespace: env.namespace,
      useStreamingList: true,
      backoff: { initialMs: 10 },
    });
    informer.start();
    try {
      await informer.ready();
      assert.deepEqual(tracker.verbs("configmaps"), ["stream", "stream"]);
      assert.equal(informer.health().counters.errors, 1);
    } finally {
      await informer.stop();
    }
  },
);

Deno.test("metadata-only: the store holds PartialObjectMetadata, from the list and the watch", async () => {
  const tracker = new TrackingFetch();
  await using env = await setup({ reader: { fetch: tracker.fetch } });
  const ns = env.namespace;
  const cms = env.writer.resource(ConfigMaps);
  await cms.create({
    metadata: { name: "a", namespace: ns, labels: { x: "1" } },
    data: { k: "v" },
  });
  const informer = new Informer(env.reader.resource(ConfigMaps), {
    namespace: ns,
    metadataOnly: true,
  });
  informer.start();
  try {
    await informer.ready();
    await cms.create({ metadata: { name: "b", namespace: ns }, data: { k: "v" } });
    await until("b in the cache", () => informer.store.size === 2);
    for (const o of informer.store.list()) {
      assert.equal(o.kind, "PartialObjectMetadata", `${o.metadata.name} is metadata only`);
      assert.equal(o.data, undefined);
      assert.ok(o.metadata.uid && o.metadata.resourceVersion);
    }
    assert.deepEqual(informer.store.get(`${ns}/a`)?.metadata.labels, { x: "1" });
  } finally {
    await informer.stop();
  }
});

Deno.test("transform: managedFields are dropped by default; a custom transform runs before caching", async () => {
  await using env = await setup();
  const ns = env.namespace;
  const cms = env.writer.resource(ConfigMaps);
  await cms.create({ metadata: { name: "a", namespace: ns }, data: { big: "x".repeat(100) } });
  const raw = await cms.get("a", { namespace: ns });
  assert.ok(raw.metadata.managedFields?.length, "the server sends managedFields");

  const plain = new Informer(env.reader.resource(ConfigMaps), { namespace: ns });
  const custom = new Informer(env.reader.resource(ConfigMaps), {
    namespace: ns,
    transform: (o) => {
      delete o.data;
      o.metadata.labels = { ...o.metadata.labels, transformed: "yes" };
      return o;
    },
  });
  plain.start();
  custom.start();
  try {
    await Promise.all([plain.ready(), custom.ready()]);
    // The listed object (its managedFields left unparsed by the client) is the object the
    // server sent, less managedFields (list items carry no kind or apiVersion).
    const listed = plain.store.get(`${ns}/a`)!;
    assert.deepEqual(listed.data, raw.data);
    assert.deepEqual(listed.metadata, { ...raw.metadata, managedFields: undefined });
    assert.ok("managedFields" in listed.metadata, "dropped as the default transform drops it");
    await cms.create({ metadata: { name: "b", namespace: ns }, data: { big: "y" } });
    await until("b in both caches", () => plain.store.size === 2 && custom.store.size === 2);
    for (const o of plain.store.list()) {
      assert.equal(o.metadata.managedFields, undefined);
      assert.ok(o.data?.big, "the default transform keeps the data");
    }
    for (const o of custom.store.list()) {
      assert.equal(o.data, undefined);
      assert.equal(o.metadata.labels?.transformed, "yes");
      assert.ok(o.metadata.managedFields?.length, "a custom transform replaces the default");
    }
  } finally {
    await plain.stop();
    await custom.stop();
  }
});

Deno.test("stop releases every stream and timer (resync, drift audit, idle watchdog, watch)", async () => {
  const tracker = new TrackingFetch();
  await using env = await setup({ reader: { fetch: tracker.fetch } });
  const ns = env.namespace;
  await env.writer.resource(ConfigMaps).create({ metadata: { name: "a", namespace: ns } });
  const ac = new AbortController();
  const informer = new Informer(env.reader.resource(ConfigMaps), {
    namespace: ns,
    resyncPeriodMs: 20,
    driftAudit: { periodMs: 30 },
    idleTimeoutMs: 5_000,
    signal: ac.signal,
  });
  let resyncs = 0;
  informer.addHandler({ onResync: () => void resyncs++ });
  const iterated: string[] = [];
  const iterating = (async () => {
    for await (const e of informer.events()) iterated.push(e.type);
  })();
  informer.start();
  await informer.ready();
  await until(
    "resyncs and a drift audit",
    () => resyncs >= 2 && tracker.verbs("configmaps").filter((v) => v === "list").length >= 2,
  );
  assert.equal(tracker.openWatches, 1);
  ac.abort();
  await informer.stop();
  await iterating; // the iterator ends when the informer stops
  assert.equal(tracker.openWatches, 0, "the watch body is released");
  assert.ok(iterated.includes("add") && iterated.includes("resync"));
  assert.equal(informer.health().running, false);
  const requests = tracker.urls.length;
  await sleep(100);
  assert.equal(tracker.urls.length, requests, "no request after stop");
});

Deno.test(
  needs("stop during the initial list: ready() rejects and nothing is left running", FAULTS),
  async (t) => {
    await using env = await setup();
    const faults = requireFaults(t, env.cluster);
    faults.setLatency(200);
    const informer = new Informer(env.reader.resource(ConfigMaps), { namespace: env.namespace });
    informer.start();
    const rejected = assert.rejects(
      informer.ready(),
      (e: Error) => e.name === "InformerStoppedError",
    );
    await sleep(50);
    await informer.stop();
    await rejected;
    assert.equal(informer.hasSynced, false);
    faults.setLatency(0);
  },
);
