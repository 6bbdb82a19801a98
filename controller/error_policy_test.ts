// deno-lint-ignore-file require-await
// The error policy: which failures retry() and the controller's queue retry, and the
// errorPolicy hook deciding requeue and delay, on a FakeClock against the embedded server.
import assert from "node:assert/strict";
import { ApiError } from "../client/errors.ts";
import type { KubeObject } from "../client/types.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { Controller } from "./controller.ts";
import {
  type ErrorPolicy,
  type ErrorPolicyInput,
  isRetryable,
  TerminalError,
} from "./error_policy.ts";
import { retry } from "./middlewares.ts";
import { createReconcileContext } from "./reconcile_context.ts";
import type { Resource } from "./resource.ts";
import { wrap } from "./wrap.ts";
import { startServerEnv, Thing, until } from "./_server_test_util.ts";

function apiError(code: number, reason: string): ApiError {
  return ApiError.fromStatus({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    reason,
    message: reason,
    code,
  });
}

Deno.test("isRetryable: 400, 403, 404, 409 AlreadyExists, 422 and TerminalError are permanent, on the cause chain too", () => {
  for (
    const [code, reason] of [[400, "BadRequest"], [403, "Forbidden"], [404, "NotFound"], [
      409,
      "AlreadyExists",
    ], [422, "Invalid"]] as const
  ) {
    assert.equal(isRetryable(apiError(code, reason)), false, `${code} ${reason}`);
    assert.equal(isRetryable(new Error("wrapped", { cause: apiError(code, reason) })), false);
  }
  for (
    const [code, reason] of [[409, "Conflict"], [410, "Expired"], [429, "TooManyRequests"], [
      500,
      "InternalError",
    ], [504, "Timeout"]] as const
  ) {
    assert.equal(isRetryable(apiError(code, reason)), true, `${code} ${reason}`);
  }
  assert.equal(isRetryable(new TerminalError("no")), false);
  assert.equal(isRetryable(new Error("x", { cause: new TerminalError("no") })), false);
  assert.equal(isRetryable(new TypeError("fetch failed")), true);
  const e = new TerminalError("bad spec", { reason: "InvalidSpec", cause: new Error("root") });
  assert.equal(e.name, "TerminalError");
  assert.equal((e.cause as Error).message, "root");
});

Deno.test("retry() does not retry permanent failures unless told", async () => {
  const ctx = createReconcileContext({ controller: "c", key: "a", type: Thing as never });
  for (
    const err of [apiError(422, "Invalid"), apiError(403, "Forbidden"), new TerminalError("x")]
  ) {
    let calls = 0;
    const r: Resource = {
      name: "r",
      ensureCreated: async () => {
        calls++;
        throw err;
      },
      ensureDeleted: async () => {},
    };
    await assert.rejects(
      wrap(r, retry({ attempts: 3, baseDelayMs: 1 })).ensureCreated({ metadata: {} }, ctx),
    );
    assert.equal(calls, 1, `${err.message}: one attempt`);
    calls = 0;
    const told = retry({ attempts: 3, baseDelayMs: 1, shouldRetry: () => true });
    await assert.rejects(wrap(r, told).ensureCreated({ metadata: {} }, ctx));
    assert.equal(calls, 3, `${err.message}: retried when told`);
  }
  let calls = 0;
  const flaky: Resource = {
    name: "flaky",
    ensureCreated: async () => {
      if (++calls < 3) throw apiError(409, "Conflict");
    },
    ensureDeleted: async () => {},
  };
  await wrap(flaky, retry({ attempts: 3, baseDelayMs: 1 })).ensureCreated({ metadata: {} }, ctx);
  assert.equal(calls, 3, "a conflict is retried");
});

Deno.test("the controller: a terminal failure is not requeued; errorPolicy decides requeue and delay", async () => {
  await using env = await startServerEnv({ gc: false });
  const clock = new FakeClock(0);
  let error: unknown = new TerminalError("spec.size must be even", { reason: "InvalidSpec" });
  const attempts: number[] = [];
  const inputs: ErrorPolicyInput[] = [];
  const make = (policy?: ErrorPolicy) =>
    new Controller<KubeObject>({ client: env.client }, {
      name: "things",
      type: Thing as never,
      namespace: "default",
      clock,
      resyncPeriodMs: 0,
      backoff: { baseDelayMs: 5 },
      ...(policy ? { errorPolicy: policy } : {}),
      resources: [{
        name: "r",
        ensureCreated: async () => {
          attempts.push(clock.now());
          if (error) throw error;
        },
        ensureDeleted: async () => {},
      }],
    });
  await env.create("a", { finalizers: ["operatorkit.io/things"] });
  // Default policy: a TerminalError waits for the next change.
  const first = make();
  await first.start();
  await until(() => attempts.length === 1 && first.queue.processing === 0);
  assert.equal(first.queue.delayed, 0, "nothing in backoff");
  await clock.tickAsync(60_000);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(attempts.length, 1, "not retried");
  // The next change of the object reconciles it again.
  await env.merge("a", { metadata: { labels: { touched: "1" } } });
  await until(() => attempts.length === 2 && first.queue.processing === 0);
  await first.stop();

  // A policy: a fixed 30 s delay for a retryable error, told the consecutive failures.
  attempts.length = 0;
  error = new Error("backend down");
  const second = make((err, input) => {
    inputs.push(input);
    assert.equal((err as Error).message.includes("backend down"), true);
    return { requeue: true, afterMs: 30_000 };
  });
  await second.start();
  await until(() => attempts.length === 1 && second.queue.delayed === 1);
  await clock.tickAsync(29_999);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(attempts.length, 1);
  await clock.tickAsync(1);
  await until(() => attempts.length === 2 && second.queue.delayed === 1);
  assert.deepEqual(inputs.map((i) => [i.key, i.failures, i.object?.metadata.name]), [
    ["default/a", 1, "a"],
    ["default/a", 2, "a"],
  ]);
  error = undefined;
  await clock.tickAsync(30_000);
  await until(() => attempts.length === 3 && second.queue.delayed === 0);
  await second.stop();
});
