// A seeded random storm of creates, spec changes, deletions and duplicated events against the
// cluster from testCluster(): one key never overlaps itself, and every object whose
// ensureCreated ran (so it carried our finalizer) has ensureDeleted succeed exactly once.
// On kube-apiserver a delete racing the finalizer's addition sometimes removes an object with
// our finalizer on (more often on a loaded machine); the controller's deletion pass on its last
// state (Reconciler.vanished) is what keeps this test's promise there.
import assert from "node:assert/strict";
import { countingResource, eventually, keyOf, setup, sleep } from "./_helpers.ts";

const HOLD = "test.io/hold";

Deno.test("random event storm: no key overlaps itself; each deletion succeeds exactly once", async () => {
  await using env = await setup();
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const active = new Set<string>();
  const overlaps: string[] = [];
  const createdUids = new Map<string, string>(); // name -> uid
  const deletions = new Map<string, number>();
  const guard = async (key: string, work: () => void) => {
    if (active.has(key)) overlaps.push(key);
    active.add(key);
    await sleep(Math.floor(rand() * 3));
    work();
    active.delete(key);
  };
  const res = countingResource("r", {
    created: (o, ctx) => guard(ctx.key, () => createdUids.set(o.metadata.name!, o.metadata.uid!)),
    deleted: (o, ctx) =>
      guard(ctx.key, () => {
        const uid = o.metadata.uid!;
        deletions.set(uid, (deletions.get(uid) ?? 0) + 1);
      }),
  });
  const controller = env.controller({ resources: [res], concurrency: 8 });
  await controller.start();

  const names = Array.from({ length: 24 }, (_, i) => `s${i}`);
  const state = new Map<string, "live" | "deleting">();
  for (let step = 0; step < 240; step++) {
    const name = names[Math.floor(rand() * names.length)];
    const r = rand();
    const s = state.get(name);
    if (s === undefined) {
      // Some objects carry a second finalizer, so they linger after our deletion completes
      // and keep producing events for the same uid.
      await env.create(name, { value: "0", ...(r < 0.4 ? { finalizers: [HOLD] } : {}) });
      state.set(name, "live");
    } else if (s === "live" && r < 0.2) {
      await env.widgets.delete(name, { namespace: env.namespace });
      state.set(name, "deleting");
    } else if (r < 0.6) {
      controller.queue.add(keyOf(env, name)); // a duplicated event
    } else {
      await env.widgets.patch(name, {
        namespace: env.namespace,
        type: "merge",
        body: { metadata: { labels: { step: String(step) } } },
      }).catch((err) => {
        // A deleted object without a lingering finalizer is gone already.
        if ((err as { code?: number }).code !== 404) throw err;
      });
    }
  }
  await eventually(
    "the queue idle",
    () => controller.queue.length + controller.queue.processing + controller.queue.delayed === 0,
    20_000,
  );
  // Release the lingering objects; every deleted one must then disappear. An idle queue does
  // not mean every deletion event has arrived (a real server's watch lags behind its writes),
  // and `finalizers: null` would strip ours too: wait until our deletion ran first.
  for (const [name, s] of state) {
    if (s !== "deleting") continue;
    await eventually(`${name} released by the controller`, async () => {
      const w = await env.get(name);
      return !w?.metadata.finalizers?.includes("operatorkit.io/widget-test");
    });
    await env.widgets.patch(name, {
      namespace: env.namespace,
      type: "merge",
      body: { metadata: { finalizers: null } },
    }).catch((err) => {
      if ((err as { code?: number }).code !== 404) throw err;
    });
  }
  for (const [name, s] of state) {
    if (s === "deleting") {
      await eventually(`${name} gone`, async () => (await env.get(name)) === undefined);
    }
  }
  await eventually(
    "the queue idle again",
    () => controller.queue.length + controller.queue.processing === 0,
  );
  await sleep(50);

  assert.deepEqual(overlaps, [], "seed 42: a key overlapped itself");
  const deleting = [...state.values()].filter((s) => s === "deleting").length;
  assert.ok(deleting >= 5, `seed 42: only ${deleting} deletions happened`);
  for (const [uid, n] of deletions) assert.equal(n, 1, `seed 42: ${uid} deleted ${n} times`);
  // Every object that reached ensureCreated and was deleted ran ensureDeleted once.
  for (const [name, s] of state) {
    if (s !== "live") continue;
    const w = await env.get(name);
    assert.ok(w?.metadata.finalizers?.includes("operatorkit.io/widget-test"), `${name} finalizer`);
  }
  let checked = 0;
  for (const [name, s] of state) {
    const uid = createdUids.get(name);
    if (s !== "deleting" || uid === undefined) continue;
    assert.equal(deletions.get(uid), 1, `seed 42: ${name} reached ensureCreated, then deletion`);
    checked++;
  }
  assert.ok(checked >= 3, `seed 42: only ${checked} deletions of reconciled objects`);
  assert.equal(controller.stats.errors, 0);
});
