import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import type { KubeObject } from "../client/types.ts";
import type { InformerEvent } from "./dispatch.ts";
import { runResync } from "./resync.ts";

function setup(periodMs: number, rateWaitMs: number, names: string[]) {
  const clock = new FakeClock(0);
  const ac = new AbortController();
  const objects = new Map<string, KubeObject>(
    names.map((n) => [n, { metadata: { name: n, resourceVersion: "1" } }]),
  );
  const seen: Array<{ at: number; e: InformerEvent }> = [];
  const passes: number[] = [];
  const done = runResync({
    periodMs,
    rateWaitMs,
    keys: () => objects.keys(),
    get: (k) => objects.get(k),
    emit: (e) => void seen.push({ at: clock.now(), e }),
    onPass: (n) => void passes.push(n),
    clock,
    signal: ac.signal,
  });
  return { clock, ac, objects, seen, passes, done };
}

Deno.test("resync: exactly one replay per period", async () => {
  const t = setup(1000, 0, ["a", "b"]);
  await t.clock.tickAsync(999);
  assert.equal(t.seen.length, 0);
  await t.clock.tickAsync(1);
  assert.deepEqual(t.seen.map((s) => `${s.at} ${s.e.type} ${s.e.object.metadata.name}`), [
    "1000 resync a",
    "1000 resync b",
  ]);
  await t.clock.tickAsync(2999);
  assert.equal(t.seen.length, 6);
  assert.deepEqual(t.passes, [2, 2, 2]);
  t.ac.abort();
  await t.done;
  assert.equal(t.clock.pending, 0, "no timer left behind");
});

Deno.test("resync: rateWait spaces replays and a long pass never overlaps the next", async () => {
  const t = setup(1000, 400, ["a", "b", "c", "d"]);
  await t.clock.tickAsync(1000 + 1200);
  // the pass ended at 2200 > 2000: the next starts at once, and no object twice per period
  assert.deepEqual(t.seen.map((s) => s.at), [1000, 1400, 1800, 2200, 2200]);
  await t.clock.tickAsync(1200);
  assert.deepEqual(t.seen.map((s) => s.at), [1000, 1400, 1800, 2200, 2200, 2600, 3000, 3400, 3400]);
  const perName = new Map<string, number[]>();
  for (const s of t.seen) {
    const n = s.e.object.metadata.name!;
    perName.set(n, [...(perName.get(n) ?? []), s.at]);
  }
  for (const [, times] of perName) {
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 1000);
  }
  t.ac.abort();
  await t.done;
});

Deno.test("resync: deleting objects replay to the delete path; gone objects are skipped", async () => {
  const t = setup(1000, 100, ["a", "b", "c"]);
  t.objects.set("b", { metadata: { name: "b", deletionTimestamp: "2026-01-01T00:00:00Z" } });
  await t.clock.tickAsync(1000);
  t.objects.delete("c"); // goes away while the pass waits
  await t.clock.tickAsync(200);
  assert.deepEqual(
    t.seen.map((s) => s.e.type === "delete" ? `delete ${s.e.resync}` : s.e.type),
    ["resync", "delete true"],
  );
  assert.deepEqual(t.passes, [2]);
  t.ac.abort();
  await t.done;
});

Deno.test("resync: rejects a non-positive period", async () => {
  await assert.rejects(
    runResync({
      periodMs: 0,
      keys: () => [],
      get: () => undefined,
      emit: () => {},
      signal: new AbortController().signal,
    }),
    RangeError,
  );
});
