// Workers against the cluster from testCluster(): the concurrency limit, never two reconciles
// of one key at once, and graceful shutdown.
import assert from "node:assert/strict";
import { countingResource, eventually, keyOf, setup, sleep } from "./_helpers.ts";

Deno.test("concurrency: at most N reconciles at once, never two of one key", async () => {
  await using env = await setup();
  let inFlight = 0;
  let maxInFlight = 0;
  const perKey = new Map<string, number>();
  let overlapped = 0;
  const res = countingResource("r", {
    created: async (_obj, ctx) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const k = (perKey.get(ctx.key) ?? 0) + 1;
      perKey.set(ctx.key, k);
      if (k > 1) overlapped++;
      await sleep(40);
      perKey.set(ctx.key, perKey.get(ctx.key)! - 1);
      inFlight--;
    },
  });
  const controller = env.controller({ resources: [res], concurrency: 3 });
  await controller.start();
  const names = Array.from({ length: 8 }, (_, i) => `w${i}`);
  await Promise.all(names.map((n) => env.create(n)));
  // Hammer one key with updates and hand-made adds while it reconciles.
  const hot = keyOf(env, "w0");
  for (let i = 0; i < 10; i++) {
    await env.widgets.patch("w0", {
      namespace: env.namespace,
      type: "merge",
      body: { spec: { value: `v${i}` } },
    });
    controller.queue.add(hot);
    await sleep(5);
  }
  await eventually("all reconciled", () => names.every((n) => res.created.has(keyOf(env, n))));
  await eventually("idle", () => controller.queue.length + controller.queue.processing === 0);
  assert.equal(maxInFlight, 3, "the limit was reached and never exceeded");
  assert.equal(overlapped, 0, "one key never ran twice at once");
  // The updates during w0's reconciles were not lost: it ran again after them.
  assert.ok(res.created.get(hot)! >= 2);
  assert.equal(controller.stats.errors, 0);
});

Deno.test("graceful shutdown: an in-flight reconcile finishes within the grace period", async () => {
  await using env = await setup();
  let finished = false;
  let aborted = false;
  let started = false;
  const res = countingResource("r", {
    created: async (_obj, ctx) => {
      if (started) return;
      started = true;
      await sleep(150);
      aborted = ctx.signal.aborted;
      finished = true;
    },
  });
  const controller = env.controller({ resources: [res], shutdownGracePeriodMs: 2000 });
  await controller.start();
  await env.create("a");
  await eventually("started", () => started);
  const t0 = performance.now();
  await controller.stop();
  assert.ok(finished, "stop() waited for the reconcile");
  assert.equal(aborted, false, "its signal was not aborted");
  assert.ok(performance.now() - t0 < 1500);
  // No new work after stop: a new object is not reconciled.
  await env.create("b");
  await sleep(100);
  assert.equal(res.created.get(keyOf(env, "b")), undefined);
});

Deno.test("graceful shutdown: a reconcile still running after the grace period is aborted", async () => {
  await using env = await setup();
  let sawAbort: unknown;
  let started = false;
  const res = countingResource("r", {
    created: async (_obj, ctx) => {
      started = true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          sawAbort = ctx.signal.reason;
          resolve();
        }, { once: true });
      });
      ctx.signal.throwIfAborted();
    },
  });
  const controller = env.controller({ resources: [res], shutdownGracePeriodMs: 100 });
  await controller.start();
  await env.create("a");
  await eventually("started", () => started);
  const t0 = performance.now();
  await controller.stop();
  const took = performance.now() - t0;
  assert.ok(took >= 95 && took < 2000, `stop took ${took} ms`);
  assert.ok(sawAbort instanceof Error);
  assert.match((sawAbort as Error).message, /widget-test stopped/);
  assert.equal(controller.stats.inFlight, 0);
});
