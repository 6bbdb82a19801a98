// deno-lint-ignore-file require-await
import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import {
  logging,
  metrics,
  ResourceMetrics,
  ResourceTimeoutError,
  retry,
  timeout,
} from "./middlewares.ts";
import type { Resource } from "./resource.ts";
import { wrap } from "./wrap.ts";
import { obj, testContext } from "./_test_util.ts";

function failing(times: number, calls: { n: number }): Resource {
  return {
    name: "flaky",
    ensureCreated: () => {
      calls.n++;
      return calls.n <= times ? Promise.reject(new Error(`fail ${calls.n}`)) : Promise.resolve();
    },
    ensureDeleted: () => Promise.resolve(),
  };
}

Deno.test("retry retries with doubling delays on the injected clock, then gives up", async () => {
  const clock = new FakeClock(0);
  const calls = { n: 0 };
  const r = wrap(failing(10, calls), retry({ attempts: 3, baseDelayMs: 100, clock }));
  const { ctx } = testContext();
  const p = r.ensureCreated(obj, ctx);
  const settled = p.then(() => "ok", (e) => e.message);
  await clock.tickAsync(99);
  assert.equal(calls.n, 1);
  await clock.tickAsync(1);
  assert.equal(calls.n, 2);
  await clock.tickAsync(199);
  assert.equal(calls.n, 2);
  await clock.tickAsync(1);
  assert.equal(await settled, "fail 3");
  assert.equal(calls.n, 3);
  assert.equal(clock.pending, 0);
});

Deno.test("retry succeeds after transient failures and skips non-retryable errors", async () => {
  const clock = new FakeClock(0);
  const calls = { n: 0 };
  const r = wrap(failing(1, calls), retry({ attempts: 3, baseDelayMs: 10, clock }));
  const { ctx } = testContext();
  const p = r.ensureCreated(obj, ctx);
  await clock.runAll();
  await p;
  assert.equal(calls.n, 2);
  const calls2 = { n: 0 };
  const r2 = wrap(failing(5, calls2), retry({ attempts: 5, shouldRetry: () => false, clock }));
  await assert.rejects(r2.ensureCreated(obj, ctx), /fail 1/);
  assert.equal(calls2.n, 1);
});

Deno.test("retry stops when the resource was cancelled", async () => {
  const r: Resource = {
    name: "x",
    ensureCreated: (_o, ctx) => {
      ctx.cancelResource();
      return Promise.reject(new Error("cancelled and failed"));
    },
    ensureDeleted: () => Promise.resolve(),
  };
  const { ctx } = testContext();
  await assert.rejects(wrap(r, retry({ attempts: 5 })).ensureCreated(obj, ctx), /cancelled/);
});

Deno.test("metrics counts calls, errors and duration per resource and operation", async () => {
  const clock = new FakeClock(0);
  const registry = new ResourceMetrics();
  const slow: Resource = {
    name: "slow",
    ensureCreated: async () => void clock.tick(25),
    ensureDeleted: () => Promise.reject(new Error("no")),
  };
  const r = wrap(slow, metrics(registry, { clock }));
  const { ctx } = testContext();
  await r.ensureCreated(obj, ctx);
  await r.ensureCreated(obj, ctx);
  await assert.rejects(r.ensureDeleted(obj, ctx));
  const s = registry.samples().sort((a, b) => a.operation.localeCompare(b.operation));
  // 25 ms twice: both in the 0.025 s bucket and every bucket above it.
  const created = s[0].durations!;
  assert.equal(created.count, 2);
  assert.equal(created.cumulative[created.bounds.indexOf(0.01)], 0);
  assert.equal(created.cumulative[created.bounds.indexOf(0.025)], 2);
  assert.equal(s[1].durations!.cumulative[0], 1);
  for (const x of s) delete x.durations;
  assert.deepEqual(s, [
    {
      resource: "slow",
      operation: "ensureCreated",
      count: 2,
      errors: 0,
      durationSumMs: 50,
      durationMaxMs: 25,
    },
    {
      resource: "slow",
      operation: "ensureDeleted",
      count: 1,
      errors: 1,
      durationSumMs: 0,
      durationMaxMs: 0,
    },
  ]);
  const text = registry.toPrometheus();
  assert.match(
    text,
    /operatorkit_resource_operations_total\{resource="slow",operation="ensureCreated"\} 2/,
  );
  assert.match(
    text,
    /operatorkit_resource_errors_total\{resource="slow",operation="ensureDeleted"\} 1/,
  );
});

Deno.test("logging passes results and errors through unchanged", async () => {
  const calls = { n: 0 };
  const r = wrap(failing(1, calls), logging());
  const { ctx } = testContext();
  await assert.rejects(r.ensureCreated(obj, ctx), /fail 1/);
  await r.ensureCreated(obj, ctx);
  assert.equal(calls.n, 2);
});

Deno.test("timeout aborts the operation's signal and fails with ResourceTimeoutError", async () => {
  const clock = new FakeClock(0);
  const seen: { abort?: unknown } = {};
  const hang: Resource = {
    name: "hang",
    ensureCreated: (_o, ctx) =>
      new Promise<void>((_, reject) => {
        ctx.signal.addEventListener("abort", () => {
          seen.abort = ctx.signal.reason;
          reject(ctx.signal.reason);
        });
      }),
    ensureDeleted: () => Promise.resolve(),
  };
  const r = wrap(hang, timeout(1000, { clock }));
  const { ctx, flow } = testContext();
  const p = r.ensureCreated(obj, ctx);
  const result = p.catch((e) => e);
  await clock.tickAsync(999);
  assert.equal(typeof seen.abort, "undefined");
  await clock.tickAsync(1);
  const err = await result;
  assert.ok(err instanceof ResourceTimeoutError);
  assert.equal(err.name, "ResourceTimeoutError");
  assert.ok(seen.abort instanceof ResourceTimeoutError);
  assert.equal(clock.pending, 0);
  // The derived context shares the control-flow state with the original.
  const canceller: Resource = {
    name: "c",
    ensureCreated: async (_o, c) => c.requeueAfter(7),
    ensureDeleted: () => Promise.resolve(),
  };
  await wrap(canceller, timeout(1000, { clock })).ensureCreated(obj, ctx);
  assert.equal(flow.requeueAfterMs, 7);
  assert.equal(clock.pending, 0, "a finished operation leaves no timer");
});
