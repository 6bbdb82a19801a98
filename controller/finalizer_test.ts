import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import {
  addFinalizerPatch,
  CompletedDeletions,
  FinalizerConflictError,
  hasFinalizer,
  removeFinalizer,
  removeFinalizerPatch,
} from "./finalizer.ts";

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
  const obj = { metadata: { name: "a", namespace: "ns", finalizers: ["a.io/f"] } };
  let patches = 0;
  const api = {
    get: () => Promise.resolve(structuredClone(obj)),
    jsonPatch: () => {
      patches++;
      return Promise.reject(Object.assign(new Error("conflict"), { code: 409 }));
    },
  };
  const err = await removeFinalizer(api, obj, { finalizer: "a.io/f", attempts: 3 }).catch((e) => e);
  assert.ok(err instanceof FinalizerConflictError);
  assert.equal(err.name, "FinalizerConflictError");
  assert.match(err.message, /ns\/a/);
  assert.equal(patches, 3);
  // Other errors pass through at once; a 404 means the job is done.
  const boom = { ...api, jsonPatch: () => Promise.reject(new Error("boom")) };
  await assert.rejects(removeFinalizer(boom, obj, { finalizer: "a.io/f" }), /boom/);
  const gone = {
    ...api,
    jsonPatch: () => Promise.reject(Object.assign(new Error(), { code: 404 })),
  };
  await removeFinalizer(gone, obj, { finalizer: "a.io/f" });
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
