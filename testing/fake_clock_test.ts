import assert from "node:assert/strict";
import { FakeClock } from "./fake_clock.ts";
import { sleep } from "../client/clock.ts";

Deno.test("FakeClock fires timers in deadline order, ties in creation order", () => {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push("b"), 20);
  clock.setTimeout(() => fired.push("a"), 10);
  clock.setTimeout(() => fired.push("a2"), 10);
  clock.tick(15);
  assert.deepEqual(fired, ["a", "a2"]);
  assert.equal(clock.now(), 15);
  clock.tick(5);
  assert.deepEqual(fired, ["a", "a2", "b"]);
  assert.equal(clock.pending, 0);
});

Deno.test("FakeClock clearTimeout cancels; timers scheduled while ticking fire when due", () => {
  const clock = new FakeClock(0);
  const fired: number[] = [];
  const h = clock.setTimeout(() => fired.push(1), 5);
  clock.clearTimeout(h);
  clock.setTimeout(() => {
    fired.push(2);
    clock.setTimeout(() => fired.push(3), 5);
  }, 5);
  clock.tick(10);
  assert.deepEqual(fired, [2, 3]);
});

Deno.test("sleep on a FakeClock resolves only when time passes, and abort leaves no timer", async () => {
  const clock = new FakeClock(0);
  let done = false;
  const p = sleep(100, { clock }).then(() => done = true);
  await clock.tickAsync(99);
  assert.equal(done, false);
  await clock.tickAsync(1);
  await p;
  assert.equal(done, true);

  const ac = new AbortController();
  const q = sleep(100, { clock, signal: ac.signal });
  ac.abort(new Error("stop"));
  await assert.rejects(q, /stop/);
  assert.equal(clock.pending, 0);
});
