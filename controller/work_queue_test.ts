import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { WorkQueue } from "./work_queue.ts";
import { ExponentialBackoffRateLimiter } from "./rate_limiter.ts";

Deno.test("WorkQueue dedups queued keys and keeps FIFO order", () => {
  const q = new WorkQueue<string>({ clock: new FakeClock(0) });
  for (const k of ["a", "b", "a", "c", "b"]) q.add(k);
  assert.equal(q.length, 3);
  assert.deepEqual([q.tryGet(), q.tryGet(), q.tryGet(), q.tryGet()], ["a", "b", "c", undefined]);
});

Deno.test("WorkQueue never hands out a processing key; re-queues it after done", () => {
  const q = new WorkQueue<string>({ clock: new FakeClock(0) });
  q.add("a");
  assert.equal(q.tryGet(), "a");
  q.add("a");
  q.add("a");
  assert.equal(q.length, 0);
  assert.equal(q.tryGet(), undefined);
  q.done("a");
  assert.equal(q.length, 1);
  assert.equal(q.tryGet(), "a");
  q.done("a");
  assert.equal(q.length, 0);
  assert.equal(q.processing, 0);
});

Deno.test("WorkQueue get waits for an add and resolves undefined on shutdown", async () => {
  const q = new WorkQueue<string>({ clock: new FakeClock(0) });
  const p = q.get();
  q.add("x");
  assert.equal(await p, "x");
  assert.equal(q.processing, 1);
  const p2 = q.get();
  q.shutdown();
  assert.equal(await p2, undefined);
  q.add("y");
  assert.equal(q.length, 0);
  assert.equal(await q.get(), undefined);
  let drained = false;
  const d = q.drain().then(() => drained = true);
  await Promise.resolve();
  assert.equal(drained, false);
  q.done("x");
  await d;
  assert.equal(drained, true);
});

Deno.test("WorkQueue get rejects on abort and leaves no waiter behind", async () => {
  const q = new WorkQueue<string>({ clock: new FakeClock(0) });
  const ac = new AbortController();
  const p = q.get({ signal: ac.signal });
  ac.abort(new Error("stop"));
  await assert.rejects(p, /stop/);
  q.add("a");
  assert.equal(q.length, 1, "the aborted getter must not swallow the key");
});

Deno.test("WorkQueue addAfter delays, keeps the earliest deadline, and dedups", async () => {
  const clock = new FakeClock(0);
  const q = new WorkQueue<string>({ clock });
  q.addAfter("a", 100);
  q.addAfter("a", 500);
  q.addAfter("a", 50);
  assert.equal(q.delayed, 1);
  assert.equal(clock.pending, 1);
  clock.tick(49);
  assert.equal(q.length, 0);
  clock.tick(1);
  assert.equal(q.length, 1);
  assert.equal(q.delayed, 0);
  assert.equal(clock.pending, 0);
  q.addAfter("b", 0);
  assert.equal(q.length, 2);
  await q[Symbol.asyncDispose]();
});

Deno.test("WorkQueue addRateLimited backs off exponentially per key and forget resets", () => {
  const clock = new FakeClock(0);
  const q = new WorkQueue<string>({
    clock,
    rateLimiter: new ExponentialBackoffRateLimiter({ baseDelayMs: 5, maxDelayMs: 40 }),
  });
  const delays = [];
  for (let i = 0; i < 6; i++) {
    delays.push(q.addRateLimited("k"));
    clock.tick(1000);
    assert.equal(q.tryGet(), "k");
    q.done("k");
  }
  assert.deepEqual(delays, [5, 10, 20, 40, 40, 40]);
  assert.equal(q.numRequeues("k"), 6);
  q.forget("k");
  assert.equal(q.numRequeues("k"), 0);
  assert.equal(q.addRateLimited("k"), 5);
  assert.equal(q.addRateLimited("other"), 5, "backoff is per key");
  q.shutdown();
  assert.equal(clock.pending, 0, "shutdown clears delayed timers");
});

Deno.test("WorkQueue stays O(1) over many keys (compaction keeps order)", () => {
  const q = new WorkQueue<number>({ clock: new FakeClock(0) });
  const n = 50_000;
  for (let i = 0; i < n; i++) q.add(i);
  for (let i = 0; i < n; i++) {
    const k = q.tryGet();
    assert.equal(k, i);
    q.done(k!);
    if (i % 3 === 0) q.add(n + i);
  }
  let count = 0;
  while (q.tryGet() !== undefined) count++;
  assert.equal(count, Math.ceil(n / 3));
});

Deno.test("work queue counts adds, retries and time waited", async () => {
  const clock = new FakeClock(0);
  await using q = new WorkQueue<string>({ clock });
  q.add("a");
  q.add("a");
  q.add("b");
  clock.tick(10);
  assert.equal(q.tryGet(), "a");
  clock.tick(5);
  assert.equal(q.tryGet(), "b");
  q.done("a");
  q.addRateLimited("a");
  assert.deepEqual(q.counters, { adds: 2, retries: 1, waitCount: 2, waitSumMs: 25 });
  q.done("b");
});

Deno.test("WorkQueue tells the oldest key's age, each handed-out key's wait, and delayed keys", () => {
  const clock = new FakeClock(1000);
  const q = new WorkQueue<string>({ clock });
  assert.equal(q.oldestQueuedAt, undefined);
  q.add("a");
  clock.tick(10);
  q.add("b");
  assert.equal(q.oldestQueuedAt, 1000);
  clock.tick(5);
  assert.equal(q.tryGet(), "a");
  assert.equal(q.waitedMs("a"), 15);
  assert.equal(q.oldestQueuedAt, 1010);
  q.done("a");
  assert.equal(q.waitedMs("a"), undefined);
  q.addAfter("c", 50);
  q.addAfter("d", 20);
  assert.deepEqual(q.delayedKeys(), [{ key: "d", at: 1035 }, { key: "c", at: 1065 }]);
  q.shutdown();
  assert.deepEqual(q.delayedKeys(), []);
});
