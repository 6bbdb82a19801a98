// Decode failures of a zod-typed custom resource (objects the server accepts but the
// informer's schema rejects), and InformerFactory sharing and release, against a real API.
import assert from "node:assert/strict";
import { z } from "zod";
import {
  ConfigMaps,
  type DecodeFailure,
  defineCustomResource,
  ensureCustomResourceDefinition,
} from "../../client/mod.ts";
import { Informer, InformerFactory } from "../../informer/mod.ts";
import { requireFaults } from "../../testing/mod.ts";
import { FAULTS, needs } from "../_tier.ts";
import { setup, sleep, TrackingFetch } from "./_env.ts";

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${ms} ms, found not yet`);
    await sleep(5);
  }
}

const base = {
  group: "informer-test.operatorkit.io",
  version: "v1",
  kind: "Gadget",
  scope: "Namespaced",
} as const;
// The CRD the server enforces: any integer size.
const LooseGadgets = defineCustomResource({ ...base, spec: z.object({ size: z.int() }) });
// What the informer decodes with: sizes above 10 fail.
const Gadgets = defineCustomResource({ ...base, spec: z.object({ size: z.int().max(10) }) });

Deno.test(
  needs(
    "decode failures: not cached, reported once per (uid, resourceVersion); the informer runs on",
    FAULTS,
  ),
  async (t) => {
    const tracker = new TrackingFetch();
    await using env = await setup({ reader: { fetch: tracker.fetch } });
    const faults = requireFaults(t, env.cluster);
    const ns = env.namespace;
    await ensureCustomResourceDefinition(env.writer, LooseGadgets, { timeoutMs: 10_000 });
    const loose = env.writer.resource(LooseGadgets);
    await loose.create({ metadata: { name: "good", namespace: ns }, spec: { size: 1 } });
    const bad = await loose.create({
      metadata: { name: "bad", namespace: ns },
      spec: { size: 50 },
    });

    const failures: Array<{ key: string; id: string; failure: DecodeFailure }> = [];
    const informer = new Informer(env.reader.resource(Gadgets), {
      namespace: ns,
      backoff: { initialMs: 10 },
      onDecodeFailure: (failure, raw) =>
        void failures.push({
          key: failure.key,
          id: `${raw.metadata.uid}@${raw.metadata.resourceVersion}`,
          failure,
        }),
    });
    const adds: string[] = [];
    informer.addHandler({ onAdd: (o) => void adds.push(o.metadata.name!) });
    informer.start();
    try {
      await informer.ready();
      assert.deepEqual(informer.store.keys(), [`${ns}/good`], "the invalid object is not cached");
      assert.deepEqual(failures.map((f) => f.id), [
        `${bad.metadata.uid}@${bad.metadata.resourceVersion}`,
      ]);
      assert.equal(failures[0].key, `${ns}/bad`);
      assert.ok(failures[0].failure.issues.some((i) => i.path.join(".") === "spec.size"));

      // A relist (410 after a stall) lists the same invalid version again: not reported again.
      await until("the watch open", () => tracker.openWatches === 1);
      faults.silenceWatches();
      await loose.create({ metadata: { name: "other", namespace: ns }, spec: { size: 2 } });
      faults.compact();
      faults.dropWatches();
      await until("the relist", () => informer.health().relistReasons.expired === 1).catch((e) => {
        console.log(JSON.stringify(informer.health()));
        throw e;
      });
      await until("other in the cache", () => informer.store.size === 2);
      assert.equal(failures.length, 1, "the same (uid, resourceVersion) is reported once");

      // A new invalid version is a new report (from the watch); a valid one is cached.
      const bad2 = await loose.patch("bad", {
        type: "merge",
        namespace: ns,
        body: { spec: { size: 51 } },
      });
      await until("the second report", () => failures.length === 2);
      assert.equal(failures[1].id, `${bad.metadata.uid}@${bad2.metadata.resourceVersion}`);
      await loose.patch("bad", { type: "merge", namespace: ns, body: { spec: { size: 5 } } });
      await until("bad, now valid, in the cache", () => informer.store.size === 3);
      assert.equal(informer.store.get(`${ns}/bad`)?.spec.size, 5);
      await informer.idle();
      assert.deepEqual(adds.sort(), ["bad", "good", "other"]);
      const h = informer.health();
      assert.equal(h.counters.decodeFailures, 2);
      assert.equal(h.running, true);
    } finally {
      await informer.stop();
    }
  },
);

Deno.test("metadata-only over a zod-typed resource: PartialObjectMetadata is cached, not a decode failure", async () => {
  await using env = await setup();
  const ns = env.namespace;
  await ensureCustomResourceDefinition(env.writer, LooseGadgets, { timeoutMs: 10_000 });
  const loose = env.writer.resource(LooseGadgets);
  await loose.create({ metadata: { name: "listed", namespace: ns }, spec: { size: 1 } });
  const failures: string[] = [];
  for (const useStreamingList of [false, true]) {
    const informer = new Informer(env.reader.resource(Gadgets), {
      namespace: ns,
      metadataOnly: true,
      useStreamingList,
      onDecodeFailure: (f) => void failures.push(f.key),
    });
    informer.start();
    try {
      await informer.ready();
      const name = `watched-${useStreamingList}`;
      await loose.create({ metadata: { name, namespace: ns }, spec: { size: 50 } });
      await until(`${name} in the cache`, () => informer.store.get(`${ns}/${name}`) !== undefined);
      for (const o of informer.store.list()) {
        assert.equal(o.kind, "PartialObjectMetadata");
        assert.equal((o as { spec?: unknown }).spec, undefined);
      }
      assert.equal(informer.health().counters.decodeFailures, 0);
    } finally {
      await informer.stop();
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("InformerFactory: one informer per scope, shared, stopped by its last release", async () => {
  const tracker = new TrackingFetch();
  await using env = await setup({ reader: { fetch: tracker.fetch } });
  const ns = env.namespace;
  const cms = env.writer.resource(ConfigMaps);
  await cms.create({ metadata: { name: "web", namespace: ns, labels: { app: "web" } } });
  await cms.create({ metadata: { name: "db", namespace: ns, labels: { app: "db" } } });
  const factory = new InformerFactory({ listWatch: (type) => env.reader.resource(type) });
  try {
    const a = factory.acquire(ConfigMaps, { namespace: ns });
    const b = factory.acquire(ConfigMaps, { namespace: ns });
    const web = factory.acquire(ConfigMaps, { namespace: ns, labelSelector: "app=web" });
    assert.equal(a.informer, b.informer, "the same scope shares one informer");
    assert.notEqual(a.informer, web.informer);
    assert.equal(factory.size, 2);
    await Promise.all([a.informer.ready(), web.informer.ready()]);
    assert.equal(a.informer.store.size, 2);
    assert.deepEqual(web.informer.store.keys(), [`${ns}/web`]);
    await until("both watches open", () => tracker.openWatches === 2);
    assert.equal(tracker.verbs("configmaps").filter((v) => v === "list").length, 2);

    await a.release();
    await a.release(); // twice is harmless
    assert.equal(b.informer.health().running, true, "still held by b");
    await cms.create({ metadata: { name: "cache", namespace: ns, labels: { app: "cache" } } });
    await until("cache seen by b", () => b.informer.store.size === 3);

    await b.release();
    assert.equal(b.informer.health().running, false, "the last release stops it");
    assert.equal(factory.size, 1);
    assert.equal(tracker.openWatches, 1);

    // A new acquire after the last release starts a fresh informer.
    const c = factory.acquire(ConfigMaps, { namespace: ns });
    assert.notEqual(c.informer, b.informer);
    await c.informer.ready();
    assert.equal(c.informer.store.size, 3);
    assert.equal(factory.health().length, 2);
  } finally {
    await factory[Symbol.asyncDispose]();
  }
  assert.equal(factory.size, 0);
  assert.equal(tracker.openWatches, 0, "disposing the factory stops every informer");
});
