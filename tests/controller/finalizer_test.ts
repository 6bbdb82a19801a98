// The finalizer lifecycle and "deletion runs at least once and succeeds exactly once",
// against the cluster from testCluster().
import assert from "node:assert/strict";
import { ensureFinalizer, removeFinalizer } from "../../controller/finalizer.ts";
import { primaryApi } from "../../controller/kube.ts";
import { requireFaults } from "../../testing/test_cluster.ts";
import { FAULTS, needs } from "../_tier.ts";
import { countingResource, eventually, keyOf, setup, sleep, type Widget } from "./_helpers.ts";

const FIN = "operatorkit.io/widget-test";

Deno.test("finalizer lifecycle: added by a guarded JSON patch, removed after ensureDeleted", async () => {
  await using env = await setup();
  const order: string[] = [];
  const res = countingResource("r", {
    created: () => void order.push("created"),
    deleted: async (obj) => {
      // ensureDeleted runs while the object still carries our finalizer.
      const fresh = await env.get(obj.metadata.name!);
      assert.ok(fresh?.metadata.deletionTimestamp);
      assert.ok(fresh?.metadata.finalizers?.includes(FIN));
      order.push("deleted");
    },
  });
  const controller = env.controller({ resources: [res] });
  assert.equal(controller.finalizer, FIN);
  await controller.start();
  await env.create("a");
  await eventually("ensureCreated", () => (res.created.get(keyOf(env, "a")) ?? 0) >= 1);
  const a = await env.get("a");
  assert.deepEqual(a?.metadata.finalizers, [FIN]);
  // The add was guarded: a test of the resourceVersion (no finalizers before), then the add.
  assert.equal(env.patches.length, 1);
  assert.equal(env.patches[0][0].op, "test");
  assert.equal(env.patches[0][0].path, "/metadata/resourceVersion");
  assert.deepEqual(env.patches[0][1], { op: "add", path: "/metadata/finalizers", value: [FIN] });

  await env.widgets.delete("a", { namespace: env.namespace });
  await eventually("the Widget gone", async () => (await env.get("a")) === undefined);
  // ensureCreated ran (once more after our own finalizer patch came back as an update event),
  // then ensureDeleted once.
  assert.equal(order.at(-1), "deleted");
  assert.ok(order.slice(0, -1).every((o) => o === "created"));
  assert.equal(res.deleted.get(keyOf(env, "a")), 1);
  const removal = env.patches[1];
  assert.deepEqual(removal, [
    { op: "test", path: "/metadata/finalizers/0", value: FIN },
    { op: "remove", path: "/metadata/finalizers/0" },
  ]);
  assert.equal(controller.stats.errors, 0);
});

Deno.test("guarded finalizer patches: a concurrent change fails the test (422) and the retry reads fresh", async () => {
  await using env = await setup();
  const api = primaryApi(env.widgets);
  const stale = await env.create("a", { finalizers: ["other.io/x"] });
  // Someone else adds a finalizer after we read: our test of the whole list must fail.
  await env.widgets.patch("a", {
    namespace: env.namespace,
    type: "json",
    body: [{ op: "add", path: "/metadata/finalizers/-", value: "other.io/y" }],
  });
  let calls = 0;
  const counted = {
    get: api.get,
    jsonPatch: async (o: Widget, opts: Parameters<typeof api.jsonPatch>[1]) => {
      calls++;
      return await api.jsonPatch(o, opts);
    },
  };
  const added = await ensureFinalizer(counted, stale, { finalizer: FIN });
  assert.equal(calls, 2, "the first (stale) patch fails its test, the second succeeds");
  assert.deepEqual(added?.metadata.finalizers, ["other.io/x", "other.io/y", FIN]);

  // Removal by index: "other.io/x" goes first, so our stale index 2 no longer holds FIN.
  const before = (await env.get("a"))!;
  await env.widgets.patch("a", {
    namespace: env.namespace,
    type: "json",
    body: [{ op: "remove", path: "/metadata/finalizers/0" }],
  });
  calls = 0;
  await removeFinalizer(counted, before, { finalizer: FIN });
  assert.equal(calls, 2);
  assert.deepEqual((await env.get("a"))?.metadata.finalizers, ["other.io/y"]);
  await env.widgets.patch("a", {
    namespace: env.namespace,
    type: "merge",
    body: { metadata: { finalizers: null } },
  });
});

Deno.test("deletion succeeds exactly once despite duplicated events on the terminating object", async () => {
  await using env = await setup();
  const res = countingResource("r");
  const controller = env.controller({ resources: [res], concurrency: 4 });
  await controller.start();
  // A second finalizer keeps the object (terminating) after ours is removed, so more events
  // for the same uid keep arriving.
  await env.create("a", { finalizers: ["test.io/hold"] });
  const key = keyOf(env, "a");
  await eventually("ensureCreated", () => (res.created.get(key) ?? 0) >= 1);
  await env.widgets.delete("a", { namespace: env.namespace });
  await eventually("our finalizer removed", async () => {
    const w = await env.get("a");
    return w !== undefined && !w.metadata.finalizers?.includes(FIN);
  });
  // Duplicates: hand-made enqueues and real update events on the terminating object.
  for (let i = 0; i < 5; i++) {
    controller.queue.add(key);
    await env.widgets.patch("a", {
      namespace: env.namespace,
      type: "merge",
      body: { metadata: { labels: { round: String(i) } } },
    });
  }
  await eventually(
    "the queue idle",
    () => controller.queue.length === 0 && controller.queue.processing === 0,
  );
  await sleep(100);
  assert.equal(res.deleted.get(key), 1);
  await env.widgets.patch("a", {
    namespace: env.namespace,
    type: "merge",
    body: { metadata: { finalizers: null } },
  });
  await eventually("the Widget gone", async () => (await env.get("a")) === undefined);
  assert.equal(res.deleted.get(key), 1);
  assert.equal(controller.stats.errors, 0);
});

Deno.test(
  needs(
    "deletion exactly once: a late event while the cache still shows our finalizer is ignored",
    FAULTS,
  ),
  async (t) => {
    await using env = await setup();
    const faults = requireFaults(t, env.cluster);
    const key = keyOf(env, "a");
    const res = countingResource("r", {
      // The watch goes silent before our finalizer is removed: the cache keeps the old object.
      deleted: () => faults.silenceWatches(),
    });
    const controller = env.controller({ resources: [res] });
    await controller.start();
    await env.create("a", { finalizers: ["test.io/hold"] });
    await eventually("ensureCreated", () => (res.created.get(key) ?? 0) >= 1);
    await env.widgets.delete("a", { namespace: env.namespace });
    await eventually("our finalizer removed on the server", async () => {
      const w = await env.get("a");
      return w !== undefined && !w.metadata.finalizers?.includes(FIN);
    });
    await eventually("the reconcile finished", () => controller.queue.processing === 0);
    // The cache still holds the terminating object with our finalizer (stale).
    const cached = env.factory.acquire(env.widgets.type, { namespace: env.namespace });
    try {
      assert.ok(cached.informer.store.get(key)?.metadata.finalizers?.includes(FIN));
    } finally {
      await cached.release();
    }
    for (let i = 0; i < 3; i++) {
      controller.queue.add(key);
      await eventually(
        "the duplicate handled",
        () => controller.queue.length === 0 && controller.queue.processing === 0,
      );
    }
    assert.equal(res.deleted.get(key), 1, "the completed uid is remembered");
    faults.dropWatches(); // the informer re-lists and catches up
    await env.widgets.patch("a", {
      namespace: env.namespace,
      type: "merge",
      body: { metadata: { finalizers: null } },
    });
    await eventually("the Widget gone", async () => (await env.get("a")) === undefined);
    assert.equal(res.deleted.get(key), 1);
  },
);

Deno.test("deletion at least once: a controller stopped mid-deletion keeps the finalizer; a new one finishes", async () => {
  await using env = await setup();
  const key = keyOf(env, "a");
  let sawAbort = false;
  const first = countingResource("r", {
    deleted: async (_obj, ctx) => {
      // Hangs until the controller aborts it at the end of its grace period.
      await new Promise<void>((resolve) => {
        ctx.signal.addEventListener("abort", () => {
          sawAbort = true;
          resolve();
        }, { once: true });
      });
      throw ctx.signal.reason;
    },
  });
  const c1 = env.controller({ resources: [first], shutdownGracePeriodMs: 50 });
  await c1.start();
  await env.create("a");
  await eventually("ensureCreated", () => (first.created.get(key) ?? 0) >= 1);
  await env.widgets.delete("a", { namespace: env.namespace });
  await eventually("ensureDeleted started", () => first.deleted.get(key) === 1);
  await c1.stop();
  assert.ok(sawAbort);
  const w = await env.get("a");
  assert.ok(w?.metadata.deletionTimestamp);
  assert.deepEqual(w?.metadata.finalizers, [FIN], "the finalizer stays after an aborted deletion");

  // "Restart": a fresh controller (empty completed-deletion memory) runs deletion again.
  const second = countingResource("r");
  const c2 = env.controller({ resources: [second] });
  await c2.start();
  await eventually("the Widget gone", async () => (await env.get("a")) === undefined);
  assert.equal(second.deleted.get(key), 1);
  assert.equal(second.created.get(key), undefined);
});

Deno.test("a failing ensureDeleted keeps the finalizer and is retried with backoff until it succeeds", async () => {
  await using env = await setup();
  const key = keyOf(env, "a");
  const times: number[] = [];
  const finalizersSeen: Array<string[] | undefined> = [];
  const res = countingResource("r", {
    deleted: async (obj) => {
      times.push(performance.now());
      finalizersSeen.push((await env.get(obj.metadata.name!))?.metadata.finalizers);
      if (times.length < 4) throw new Error(`cleanup failed (attempt ${times.length})`);
    },
  });
  const controller = env.controller({ resources: [res], backoff: { baseDelayMs: 40 } });
  await controller.start();
  await env.create("a");
  await eventually("ensureCreated", () => (res.created.get(key) ?? 0) >= 1);
  await env.widgets.delete("a", { namespace: env.namespace });
  await eventually("the Widget gone", async () => (await env.get("a")) === undefined);
  assert.equal(times.length, 4);
  for (const f of finalizersSeen) assert.deepEqual(f, [FIN]);
  assert.equal(controller.stats.errors, 3);
  // Backoff 40, 80, 160 ms (each gap at least the delay; timers may only fire late).
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  assert.ok(gaps[0] >= 38, `gap 1 ${gaps[0]}`);
  assert.ok(gaps[1] >= 78, `gap 2 ${gaps[1]}`);
  assert.ok(gaps[2] >= 158, `gap 3 ${gaps[2]}`);
});
