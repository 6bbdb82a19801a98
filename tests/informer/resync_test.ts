// Resync against a real HTTP API: the informer's timers run on a FakeClock, the list and
// watch are real. Exactly one replay per object per period, rateWait spacing, objects being
// deleted replayed to the delete path, real updates in between never dispatched twice.
import assert from "node:assert/strict";
import { type ConfigMap, ConfigMaps } from "../../client/mod.ts";
import { Informer } from "../../informer/mod.ts";
import { FakeClock } from "../../testing/mod.ts";
import { Recorder, setup, sleep } from "./_env.ts";

const PERIOD = 10_000;
const RATE_WAIT = 100;

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${ms} ms, found not yet`);
    await sleep(5);
  }
}

Deno.test("resync: one replay per period, rateWait spacing, deleting objects to the delete path", async () => {
  await using env = await setup();
  const ns = env.namespace;
  const cms = env.writer.resource(ConfigMaps);
  const names = ["a", "b", "c", "d", "e"];
  for (const name of names) await cms.create({ metadata: { name, namespace: ns } });
  // "e" is being deleted: a finalizer holds it with a deletionTimestamp.
  await cms.patch("e", {
    type: "merge",
    namespace: ns,
    body: { metadata: { finalizers: ["operatorkit.io/test"] } },
  });
  await cms.delete("e", { namespace: ns });

  const clock = new FakeClock(0);
  const informer = new Informer(env.reader.resource(ConfigMaps), {
    namespace: ns,
    clock,
    resyncPeriodMs: PERIOD,
    rateWaitMs: RATE_WAIT,
  });
  const rec = new Recorder<ConfigMap>();
  informer.addHandler(rec.handler);
  const replays: Array<{ at: number; name: string; type: string; rv: string }> = [];
  informer.addHandler({
    onResync: (o) =>
      void replays.push({
        at: clock.now(),
        name: o.metadata.name!,
        type: "resync",
        rv: o.metadata.resourceVersion!,
      }),
    onDelete: (o, info) => {
      if (info.resync) {
        replays.push({
          at: clock.now(),
          name: o.metadata.name!,
          type: "delete",
          rv: o.metadata.resourceVersion!,
        });
      }
    },
  });
  informer.start();
  try {
    await informer.ready();
    await informer.idle();
    assert.equal(informer.store.size, 5);
    assert.ok(informer.store.get(`${ns}/e`)?.metadata.deletionTimestamp);

    // Period 1: nothing before it ends, then the five objects 100 ms apart.
    await clock.tickAsync(PERIOD - 1);
    await informer.idle();
    assert.equal(replays.length, 0);
    await clock.tickAsync(1);
    await informer.idle();
    assert.equal(replays.length, 1, "the first replay goes at once");
    for (let i = 1; i < 5; i++) {
      await clock.tickAsync(RATE_WAIT - 1);
      await informer.idle();
      assert.equal(replays.length, i, "no replay before rateWait has passed");
      await clock.tickAsync(1);
      await informer.idle();
      assert.equal(replays.length, i + 1);
    }
    assert.deepEqual(replays.map((r) => r.at), [0, 1, 2, 3, 4].map((i) => PERIOD + i * RATE_WAIT));
    assert.deepEqual(replays.map((r) => r.name).sort(), names);
    assert.deepEqual(
      replays.filter((r) => r.type === "delete").map((r) => r.name),
      ["e"],
      "the object being deleted is replayed to the delete path",
    );

    // A real update between passes: dispatched once as an update, then replayed with its new
    // version in the next pass, once.
    const updated = await cms.patch("b", {
      type: "merge",
      namespace: ns,
      body: { data: { x: "1" } },
    });
    await until(
      "the update in the cache",
      () =>
        informer.store.get(`${ns}/b`)?.metadata.resourceVersion ===
          updated.metadata.resourceVersion,
    );
    await informer.idle();
    for (let pass = 2; pass <= 3; pass++) {
      await clock.tickAsync(PERIOD - 4 * RATE_WAIT);
      for (let i = 0; i < 4; i++) await clock.tickAsync(RATE_WAIT);
      await informer.idle();
      const inPass = replays.slice((pass - 1) * 5);
      assert.equal(inPass.length, 5, `pass ${pass} replays each object once`);
      assert.deepEqual(inPass.map((r) => r.name).sort(), names);
      assert.equal(inPass[0].at, pass * PERIOD, `pass ${pass} starts on its period`);
      assert.equal(
        inPass.find((r) => r.name === "b")!.rv,
        updated.metadata.resourceVersion,
        "the replay carries the cached (latest) version",
      );
    }
    await clock.tickAsync(PERIOD - 4 * RATE_WAIT - 1);
    await informer.idle();
    assert.equal(replays.length, 15, "no pass starts early");
    await clock.tickAsync(1);
    await informer.idle();
    assert.equal(replays.length, 16, "pass 4 starts on its period");

    const updates = rec.log.filter((e) => e.type === "update");
    assert.deepEqual(updates.map((e) => e.key), [`${ns}/b`], "one real update, once");
    assert.deepEqual(rec.duplicates(), []);
    assert.deepEqual(rec.problems, []);
    const h = informer.health();
    assert.equal(h.counters.resyncs, 15, "three complete passes of five");
    assert.equal(h.counters.relists, 1, "resync never lists from the server");
  } finally {
    await informer.stop();
    await cms.patch("e", { type: "merge", namespace: ns, body: { metadata: { finalizers: null } } })
      .catch(() => {});
  }
});
