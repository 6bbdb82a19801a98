// deno-lint-ignore-file require-await
// The reconcile algorithm against the embedded API server: the store is a cache filled from
// the server by `sync()` (as an informer would), the API is the real primaryApi, so guarded
// patches, deletion with finalizers and conflicts are the server's own behaviour.
import assert from "node:assert/strict";
import type { KubeObject } from "../client/types.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import type { JsonPatchOperation, PrimaryApi } from "./finalizer.ts";
import { primaryApi } from "./kube.ts";
import { ReconcileError, Reconciler, type ReconcilerOptions } from "./reconciler.ts";
import type { Resource } from "./resource.ts";
import { type ServerEnv, startServerEnv, Thing } from "./_server_test_util.ts";

const FIN = "test.operatorkit.io/cleanup";

function recorder(trace: string[], name: string, hooks: Partial<Resource> = {}): Resource {
  return {
    name,
    ensureCreated: hooks.ensureCreated ?? (async () => void trace.push(`create:${name}`)),
    ensureDeleted: hooks.ensureDeleted ?? (async () => void trace.push(`delete:${name}`)),
  };
}

interface Setup extends AsyncDisposable {
  env: ServerEnv;
  clock: FakeClock;
  reconciler: Reconciler<KubeObject>;
  cache: Map<string, KubeObject>;
  patches: JsonPatchOperation[][];
  /** Runs once before the next finalizer patch is sent (a concurrent writer). */
  beforePatch?: () => Promise<void>;
  /** Copies Thing `a` from the server into the cache (or drops it when gone). */
  sync(): Promise<void>;
  /** sync(), then reconcile `default/a`. */
  reconcile(): ReturnType<Reconciler<KubeObject>["reconcile"]>;
  /** Deletes Thing `a` (it stays, terminating, while it has finalizers). */
  markDeleted(): Promise<void>;
}

async function setup(
  resources: Resource[],
  extra: Partial<ReconcilerOptions<KubeObject>> = {},
): Promise<Setup> {
  const env = await startServerEnv();
  const clock = new FakeClock(0);
  const cache = new Map<string, KubeObject>();
  const patches: JsonPatchOperation[][] = [];
  const real = primaryApi(env.things);
  const t: Setup = {
    env,
    clock,
    cache,
    patches,
    reconciler: undefined as never,
    async sync() {
      const o = await env.get("a");
      if (o) cache.set("default/a", o);
      else cache.delete("default/a");
    },
    async reconcile() {
      await t.sync();
      return await t.reconciler.reconcile("default/a");
    },
    async markDeleted() {
      await env.things.delete("a", { namespace: "default" });
    },
    [Symbol.asyncDispose]: () => env[Symbol.asyncDispose](),
  };
  const api: PrimaryApi<KubeObject> = {
    get: real.get,
    async jsonPatch(o, opts) {
      const hook = t.beforePatch;
      t.beforePatch = undefined;
      await hook?.();
      patches.push(opts.operations);
      return await real.jsonPatch(o, opts);
    },
  };
  t.reconciler = new Reconciler<KubeObject>({
    controller: "test",
    type: Thing as never,
    resources,
    finalizer: FIN,
    store: { get: (k) => cache.get(k), list: () => [...cache.values()] },
    api,
    clock,
    completedDeletionTtlMs: 30_000,
    ...extra,
  });
  await env.create("a");
  return t;
}

Deno.test("reconcile adds the finalizer with a guarded patch, then ensureCreated in order", async () => {
  const trace: string[] = [];
  await using t = await setup([recorder(trace, "one"), recorder(trace, "two")]);
  const r = await t.reconcile();
  assert.deepEqual(r, { action: "created", cancelled: false });
  assert.deepEqual(trace, ["create:one", "create:two"]);
  assert.deepEqual((await t.env.get("a"))!.metadata.finalizers, [FIN]);
  assert.equal(t.patches[0][0].op, "test");
  await t.reconcile();
  assert.equal(t.patches.length, 1, "no patch when the finalizer is present");
  assert.deepEqual(trace, ["create:one", "create:two", "create:one", "create:two"]);
});

Deno.test("reconcile of a missing key does nothing", async () => {
  const trace: string[] = [];
  await using t = await setup([recorder(trace, "one")]);
  assert.deepEqual(await t.reconciler.reconcile("default/missing"), { action: "gone" });
  assert.deepEqual(trace, []);
});

Deno.test("deletion runs ensureDeleted in reverse order, removes the finalizer once", async () => {
  const trace: string[] = [];
  await using t = await setup([recorder(trace, "one"), recorder(trace, "two")]);
  await t.reconcile();
  trace.length = 0;
  await t.env.merge("a", { metadata: { finalizers: [FIN, "other.io/keep"] } });
  await t.markDeleted();
  await t.sync();
  const stale = structuredClone(t.cache.get("default/a")!);
  assert.deepEqual(await t.reconcile(), { action: "deleted" });
  assert.deepEqual(trace, ["delete:two", "delete:one"]);
  assert.deepEqual((await t.env.get("a"))!.metadata.finalizers, ["other.io/keep"]);
  // A late event from a stale cache still shows our finalizer: the uid memory skips it.
  t.cache.set("default/a", stale);
  assert.deepEqual(await t.reconciler.reconcile("default/a"), { action: "ignored" });
  assert.deepEqual(trace, ["delete:two", "delete:one"]);
  await t.env.merge("a", { metadata: { finalizers: null } });
});

Deno.test("the completed-deletion memory expires after its TTL", async () => {
  const trace: string[] = [];
  await using t = await setup([recorder(trace, "one")]);
  await t.reconcile();
  await t.markDeleted();
  await t.sync();
  const stale = structuredClone(t.cache.get("default/a")!);
  await t.reconcile();
  assert.equal(await t.env.get("a"), undefined, "finalizer removed, object gone");
  t.clock.tick(30_000);
  t.cache.set("default/a", stale); // like a restarted process seeing it again
  assert.deepEqual(await t.reconciler.reconcile("default/a"), { action: "deleted" });
  assert.deepEqual(trace, ["create:one", "delete:one", "delete:one"]);
});

Deno.test("a deleting object without our finalizer is ignored", async () => {
  const trace: string[] = [];
  await using t = await setup([recorder(trace, "one")]);
  await t.env.merge("a", { metadata: { finalizers: ["other.io/keep"] } });
  await t.markDeleted();
  assert.deepEqual(await t.reconcile(), { action: "ignored" });
  assert.deepEqual(trace, []);
  assert.equal(t.patches.length, 0);
  await t.env.merge("a", { metadata: { finalizers: null } });
});

Deno.test("a failing ensureDeleted keeps the finalizer and throws ReconcileError", async () => {
  const trace: string[] = [];
  let fail = true;
  await using t = await setup([
    recorder(trace, "one"),
    recorder(trace, "two", {
      ensureDeleted: async () => {
        trace.push("delete:two");
        if (fail) throw new Error("cloud API down");
      },
    }),
  ]);
  await t.reconcile();
  await t.markDeleted();
  const err = await t.reconcile().catch((e) => e);
  assert.ok(err instanceof ReconcileError);
  assert.equal(err.resource, "two");
  assert.equal(err.operation, "ensureDeleted");
  assert.match(err.message, /cloud API down/);
  assert.equal((err.cause as Error).message, "cloud API down");
  assert.deepEqual((await t.env.get("a"))!.metadata.finalizers, [FIN]);
  fail = false;
  assert.deepEqual(await t.reconcile(), { action: "deleted" });
  assert.equal(await t.env.get("a"), undefined, "finalizer gone, object gone");
});

Deno.test("pause annotations (default and configured, exact value) stop everything", async () => {
  const trace: string[] = [];
  await using t = await setup([recorder(trace, "one")], {
    pauseAnnotations: { "example.com/hold": "yes" },
  });
  await t.env.merge("a", { metadata: { annotations: { "operatorkit.io/paused": "true" } } });
  assert.deepEqual(await t.reconcile(), { action: "paused" });
  assert.deepEqual(await t.reconcile(), { action: "paused" });
  await t.env.merge("a", {
    metadata: { annotations: { "operatorkit.io/paused": null, "example.com/hold": "yes" } },
  });
  assert.deepEqual(await t.reconcile(), { action: "paused" });
  assert.equal(t.patches.length, 0);
  assert.deepEqual(trace, []);
  // Another value is no pause.
  await t.env.merge("a", {
    metadata: { annotations: { "operatorkit.io/paused": "false", "example.com/hold": "YES" } },
  });
  assert.equal((await t.reconcile()).action, "created");
  assert.deepEqual(trace, ["create:one"]);
  // Paused while being deleted: nothing runs, our finalizer stays.
  await t.env.merge("a", { metadata: { annotations: { "operatorkit.io/paused": "true" } } });
  await t.markDeleted();
  assert.deepEqual(await t.reconcile(), { action: "paused" });
  assert.deepEqual(trace, ["create:one"]);
  assert.deepEqual((await t.env.get("a"))!.metadata.finalizers, [FIN]);
  await t.env.merge("a", { metadata: { finalizers: null } });
});

Deno.test("cancelResource skips the rest of one resource only", async () => {
  const trace: string[] = [];
  await using t = await setup([
    recorder(trace, "one", {
      ensureCreated: async (_o, ctx) => {
        ctx.cancelResource();
        trace.push(`canceled:${ctx.resourceCanceled}`);
      },
    }),
    recorder(trace, "two", {
      ensureCreated: async (_o, ctx) =>
        void trace.push(`two sees canceled:${ctx.resourceCanceled}`),
    }),
  ]);
  await t.reconcile();
  assert.deepEqual(trace, ["canceled:true", "two sees canceled:false"]);
});

Deno.test("cancelReconciliation stops the loop; on deletion it keeps the finalizer", async () => {
  const trace: string[] = [];
  const stopper = recorder(trace, "stopper", {
    ensureCreated: async (_o, ctx) => {
      trace.push("create:stopper");
      ctx.cancelReconciliation();
    },
    ensureDeleted: async (_o, ctx) => {
      trace.push("delete:stopper");
      ctx.cancelReconciliation();
    },
  });
  await using t = await setup(
    [recorder(trace, "one"), stopper, recorder(trace, "three")],
    { keepFinalizerRequeueMs: 1234 },
  );
  assert.deepEqual(await t.reconcile(), { action: "created", cancelled: true });
  assert.deepEqual(trace, ["create:one", "create:stopper"]);
  trace.length = 0;
  await t.markDeleted();
  assert.deepEqual(await t.reconcile(), {
    action: "finalizerKept",
    cancelled: true,
    requeueAfterMs: 1234,
  });
  assert.deepEqual(trace, ["delete:three", "delete:stopper"]);
  assert.deepEqual((await t.env.get("a"))!.metadata.finalizers, [FIN]);
  await t.env.merge("a", { metadata: { finalizers: null } });
});

Deno.test("keepFinalizer repeats deletion later without an error; requeueAfter is reported", async () => {
  const trace: string[] = [];
  let keep = true;
  await using t = await setup([
    recorder(trace, "one", {
      ensureCreated: async (_o, ctx) => {
        ctx.requeueAfter(500);
        ctx.requeueAfter(200);
      },
      ensureDeleted: async (_o, ctx) => {
        trace.push("delete:one");
        if (keep) {
          ctx.keepFinalizer();
          ctx.requeueAfter(5000);
        }
      },
    }),
  ]);
  assert.deepEqual(await t.reconcile(), {
    action: "created",
    cancelled: false,
    requeueAfterMs: 200,
  });
  await t.markDeleted();
  assert.deepEqual(await t.reconcile(), {
    action: "finalizerKept",
    cancelled: false,
    requeueAfterMs: 5000,
  });
  assert.ok(await t.env.get("a"));
  keep = false;
  assert.deepEqual(await t.reconcile(), { action: "deleted" });
  assert.deepEqual(trace, ["delete:one", "delete:one"]);
  assert.equal(await t.env.get("a"), undefined);
});

Deno.test("a concurrent finalizer change makes the guarded patch fail; it retries from a fresh read", async () => {
  const trace: string[] = [];
  await using t = await setup([recorder(trace, "one")]);
  // Someone adds a finalizer between our read and our patch: the resourceVersion test fails.
  t.beforePatch = async () =>
    void await t.env.merge("a", { metadata: { finalizers: ["someone.else/fin"] } });
  await t.reconcile();
  assert.deepEqual((await t.env.get("a"))!.metadata.finalizers, ["someone.else/fin", FIN]);
  assert.equal(t.patches.length, 2);
  // Removal: someone removes a finalizer before ours, so our index shifts; the test fails,
  // then a fresh read finds it at its new index.
  await t.env.merge("a", { metadata: { finalizers: ["first.io/x", "someone.else/fin", FIN] } });
  await t.markDeleted();
  t.beforePatch = async () =>
    void await t.env.things.patch("a", {
      namespace: "default",
      type: "json",
      body: [{ op: "remove", path: "/metadata/finalizers/0" }],
    });
  assert.deepEqual(await t.reconcile(), { action: "deleted" });
  assert.deepEqual((await t.env.get("a"))!.metadata.finalizers, ["someone.else/fin"]);
  assert.equal(t.patches.length, 4);
  await t.env.merge("a", { metadata: { finalizers: null } });
});

Deno.test("deletion starting during the finalizer add leads to an immediate retry", async () => {
  const trace: string[] = [];
  await using t = await setup([recorder(trace, "one")]);
  t.beforePatch = async () => {
    await t.env.merge("a", { metadata: { finalizers: ["x.io/y"] } });
    await t.markDeleted();
  };
  assert.deepEqual(await t.reconcile(), { action: "retry", requeueAfterMs: 0 });
  assert.deepEqual(trace, []);
  assert.deepEqual((await t.env.get("a"))!.metadata.finalizers, ["x.io/y"], "no finalizer added");
  await t.env.merge("a", { metadata: { finalizers: null } });
});

Deno.test("after a failure only finally resources run, told the failure; the reconcile still fails", async () => {
  const trace: string[] = [];
  const seen: string[] = [];
  const status: Resource = {
    name: "status",
    finally: true,
    ensureCreated: async (_o, ctx) => {
      trace.push("create:status");
      seen.push(
        ctx.failure ? `${ctx.failure.resource}: ${(ctx.failure.cause as Error).message}` : "ok",
      );
    },
    ensureDeleted: async () => {},
  };
  await using t = await setup([
    recorder(trace, "one", {
      ensureCreated: async () => {
        trace.push("create:one");
        throw new Error("name too long");
      },
    }),
    recorder(trace, "two"),
    status,
  ]);
  const err = await t.reconcile().catch((e) => e);
  assert.ok(err instanceof ReconcileError);
  assert.equal(err.resource, "one", "the first failure is the reconcile's");
  assert.deepEqual(trace, ["create:one", "create:status"], "two is skipped, status runs");
  assert.deepEqual(seen, ["one: name too long"]);
});

Deno.test("an object the server removed with our finalizer on (a DELETE racing the finalizer) gets ensureDeleted once, from its last state", async () => {
  const trace: string[] = [];
  let failDelete = true;
  await using t = await setup([
    recorder(trace, "one"),
    recorder(trace, "two", {
      ensureDeleted: async (o) => {
        trace.push(`delete:two:${o.metadata.uid}`);
        if (failDelete) throw new Error("external system down");
      },
    }),
  ]);
  await t.reconcile();
  const last = structuredClone((await t.env.get("a"))!);
  assert.deepEqual(last.metadata.finalizers, [FIN]);
  trace.length = 0;
  // kube-apiserver's race, reproduced: the object leaves with our finalizer and no
  // deletionTimestamp (here by stripping the finalizer and deleting it on the server).
  await t.env.merge("a", { metadata: { finalizers: null } });
  await t.markDeleted();
  await t.sync();
  assert.equal(t.cache.get("default/a"), undefined);
  assert.equal(t.reconciler.vanished(last), true);
  await assert.rejects(t.reconciler.reconcile("default/a"), ReconcileError);
  assert.deepEqual(trace, [`delete:two:${last.metadata.uid}`], "reverse order; a failure stops");
  failDelete = false;
  assert.deepEqual(await t.reconciler.reconcile("default/a"), { action: "deleted" });
  assert.deepEqual(trace, [
    `delete:two:${last.metadata.uid}`,
    `delete:two:${last.metadata.uid}`,
    "delete:one",
  ]);
  // Once succeeded: neither the same last state again nor another reconcile runs it.
  assert.equal(t.reconciler.vanished(last), false);
  assert.deepEqual(await t.reconciler.reconcile("default/a"), { action: "gone" });
  assert.equal(trace.length, 3);
  assert.equal(t.patches.length, 1, "only the finalizer's addition: nothing left to remove");
});

Deno.test("vanished: objects deleted the normal way, or never ours, need no deletion pass", async () => {
  const trace: string[] = [];
  await using t = await setup([recorder(trace, "one")]);
  const ours = { metadata: { namespace: "default", name: "b", uid: "u1", finalizers: [FIN] } };
  const deleting = {
    metadata: { ...ours.metadata, uid: "u2", deletionTimestamp: "2026-01-01T00:00:00Z" },
  };
  const notOurs = { metadata: { namespace: "default", name: "c", uid: "u3" } };
  assert.equal(t.reconciler.vanished(deleting), false, "its deletion went through the finalizer");
  assert.equal(t.reconciler.vanished(notOurs), false, "no finalizer of ours: nothing promised");
  assert.equal(t.reconciler.vanished(ours), true);
  assert.deepEqual(await t.reconciler.reconcile("default/b"), { action: "deleted" });
  assert.deepEqual(trace, ["delete:one"]);
  assert.deepEqual(await t.reconciler.reconcile("default/c"), { action: "gone" });
});

Deno.test("vanished: an object that only left the cache (no longer matching a selector) gets no deletion pass", async () => {
  const trace: string[] = [];
  await using t = await setup([recorder(trace, "one")]);
  await t.reconcile();
  const live = structuredClone((await t.env.get("a"))!);
  assert.deepEqual(live.metadata.finalizers, [FIN]);
  trace.length = 0;
  // A label-selected informer reports an object whose labels changed as deleted.
  t.cache.delete("default/a");
  assert.equal(t.reconciler.vanished(live), true);
  assert.deepEqual(await t.reconciler.reconcile("default/a"), { action: "gone" });
  assert.deepEqual(trace, [], "the object still exists: nothing deleted");
  assert.deepEqual((await t.env.get("a"))!.metadata.finalizers, [FIN]);
  await t.env.merge("a", { metadata: { finalizers: null } });
});
