import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import {
  addFinalizerPatch,
  CompletedDeletions,
  FinalizerConflictError,
  hasFinalizer,
  type PrimaryApi,
  removeFinalizer,
  removeFinalizerPatch,
} from "./finalizer.ts";
import { KubeClient } from "../client/kube_client.ts";
import type { KubeObject } from "../client/types.ts";
import { primaryApi } from "./kube.ts";
import { startServerEnv, Thing } from "./_server_test_util.ts";

Deno.test("finalizer patches are guarded by test operations", () => {
  assert.deepEqual(addFinalizerPatch({ metadata: { resourceVersion: "7" } }, "a.io/f"), [
    { op: "test", path: "/metadata/resourceVersion", value: "7" },
    { op: "add", path: "/metadata/finalizers", value: ["a.io/f"] },
  ]);
  assert.deepEqual(addFinalizerPatch({ metadata: { finalizers: ["x.io/y"] } }, "a.io/f"), [
    { op: "test", path: "/metadata/finalizers", value: ["x.io/y"] },
    { op: "add", path: "/metadata/finalizers/-", value: "a.io/f" },
  ]);
  assert.deepEqual(
    removeFinalizerPatch({ metadata: { finalizers: ["x.io/y", "a.io/f"] } }, "a.io/f"),
    [
      { op: "test", path: "/metadata/finalizers/1", value: "a.io/f" },
      { op: "remove", path: "/metadata/finalizers/1" },
    ],
  );
  assert.equal(removeFinalizerPatch({ metadata: {} }, "a.io/f"), undefined);
  assert.equal(hasFinalizer({ metadata: { finalizers: ["a.io/f"] } }, "a.io/f"), true);
  assert.equal(hasFinalizer({ metadata: {} }, "a.io/f"), false);
});

Deno.test("removeFinalizer gives up after repeated conflicts with a typed error", async () => {
  // A real server and a concurrent writer that shifts our finalizer's index before each of
  // our patches, so every index `test` fails (422).
  await using env = await startServerEnv();
  const obj = await env.create("a", { finalizers: ["a.io/f"] });
  const real = primaryApi(env.things);
  let patches = 0;
  let front = false;
  const api: PrimaryApi<KubeObject> = {
    get: real.get,
    async jsonPatch(o, opts) {
      patches++;
      front = !front;
      await env.merge("a", {
        metadata: { finalizers: front ? ["p.io/k", "a.io/f"] : ["a.io/f"] },
      });
      return await real.jsonPatch(o, opts);
    },
  };
  const err = await removeFinalizer(api, obj, { finalizer: "a.io/f", attempts: 3 }).catch((e) => e);
  assert.ok(err instanceof FinalizerConflictError);
  assert.equal(err.name, "FinalizerConflictError");
  assert.match(err.message, /default\/a/);
  assert.equal((err.cause as { code?: number }).code, 422);
  assert.equal(patches, 3);
  assert.ok((await env.get("a"))?.metadata.finalizers?.includes("a.io/f"));
  // Other errors pass through at once; a 404 means the job is done.
  using noRetry = await KubeClient.fromKubeConfig({ document: env.server.kubeconfig }, {
    retries: 0,
  });
  const direct = primaryApi(noRetry.resource(Thing) as never) as PrimaryApi<KubeObject>;
  const fresh = (await env.get("a"))!;
  env.server.faults.failNext(1, { status: 500, verb: "patch" });
  await assert.rejects(
    removeFinalizer(direct, fresh, { finalizer: "a.io/f" }),
    (e: { code?: number }) => e.code === 500,
  );
  await env.merge("a", { metadata: { finalizers: null } });
  await env.things.delete("a", { namespace: "default" });
  await removeFinalizer(direct, fresh, { finalizer: "a.io/f" });
  assert.equal(await env.get("a"), undefined);
});

Deno.test("CompletedDeletions remembers uids for the TTL and prunes expired ones", () => {
  const clock = new FakeClock(0);
  const d = new CompletedDeletions({ ttlMs: 100, clock });
  d.add("a");
  clock.tick(50);
  d.add("b");
  assert.equal(d.has("a"), true);
  clock.tick(50);
  assert.equal(d.has("a"), false);
  assert.equal(d.has("b"), true);
  clock.tick(100);
  d.add("c");
  assert.equal(d.size, 1, "expired entries are pruned on add");
});
