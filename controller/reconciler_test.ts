// deno-lint-ignore-file require-await
import assert from "node:assert/strict";
import type { KubeObject } from "../client/types.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import type { JsonPatchOperation, PrimaryApi } from "./finalizer.ts";
import { ReconcileError, Reconciler, type ReconcilerOptions } from "./reconciler.ts";
import type { Resource } from "./resource.ts";
import { TestType } from "./_test_util.ts";

const FIN = "test.operatorkit.io/cleanup";

class FakeCluster implements PrimaryApi<KubeObject> {
  objects = new Map<string, KubeObject>();
  patches: JsonPatchOperation[][] = [];
  rv = 10;
  beforePatch?: (key: string) => void;

  put(o: KubeObject): KubeObject {
    const copy = structuredClone(o);
    copy.metadata.resourceVersion = String(++this.rv);
    this.objects.set(`${o.metadata.namespace}/${o.metadata.name}`, copy);
    return copy;
  }
  store() {
    return {
      get: (k: string) => this.objects.get(k),
      list: () => [...this.objects.values()],
    };
  }
  async get(o: KubeObject) {
    return structuredClone(this.objects.get(`${o.metadata.namespace}/${o.metadata.name}`));
  }
  async jsonPatch(o: KubeObject, opts: { operations: JsonPatchOperation[] }) {
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    this.beforePatch?.(key);
    this.patches.push(opts.operations);
    const cur = this.objects.get(key);
    if (!cur) throw Object.assign(new Error("not found"), { code: 404 });
    const next = structuredClone(cur) as unknown as Record<string, unknown>;
    for (const op of opts.operations) _apply(next, op);
    const obj = next as unknown as KubeObject;
    if (obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).length === 0) {
      this.objects.delete(key);
      return obj;
    }
    return this.put(obj);
  }
}

function _apply(doc: Record<string, unknown>, op: JsonPatchOperation) {
  const parts = op.path.split("/").slice(1);
  const last = parts.pop()!;
  // deno-lint-ignore no-explicit-any
  let parent: any = doc;
  for (const p of parts) parent = parent?.[p];
  const invalid = () => Object.assign(new Error(`test failed at ${op.path}`), { code: 422 });
  if (op.op === "test") {
    if (JSON.stringify(parent?.[last]) !== JSON.stringify(op.value)) throw invalid();
  } else if (op.op === "add") {
    if (Array.isArray(parent)) {
      parent.splice(last === "-" ? parent.length : Number(last), 0, op.value);
    } else parent[last] = op.value;
  } else if (op.op === "remove") {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = op.value;
}

function recorder(trace: string[], name: string, hooks: Partial<Resource> = {}): Resource {
  return {
    name,
    ensureCreated: hooks.ensureCreated ?? (async () => void trace.push(`create:${name}`)),
    ensureDeleted: hooks.ensureDeleted ?? (async () => void trace.push(`delete:${name}`)),
  };
}

function setup(resources: Resource[], extra: Partial<ReconcilerOptions<KubeObject>> = {}) {
  const cluster = new FakeCluster();
  const clock = new FakeClock(0);
  const reconciler = new Reconciler<KubeObject>({
    controller: "test",
    type: TestType,
    resources,
    finalizer: FIN,
    store: cluster.store(),
    api: cluster,
    clock,
    completedDeletionTtlMs: 30_000,
    ...extra,
  });
  const o = cluster.put({
    apiVersion: TestType.apiVersion,
    kind: TestType.kind,
    metadata: { name: "a", namespace: "ns", uid: "uid-a", generation: 1 },
  });
  return { cluster, clock, reconciler, o };
}

function markDeleted(cluster: FakeCluster) {
  const o = cluster.objects.get("ns/a")!;
  o.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
}

Deno.test("reconcile adds the finalizer with a guarded patch, then ensureCreated in order", async () => {
  const trace: string[] = [];
  const { cluster, reconciler } = setup([recorder(trace, "one"), recorder(trace, "two")]);
  const r = await reconciler.reconcile("ns/a");
  assert.deepEqual(r, { action: "created", cancelled: false });
  assert.deepEqual(trace, ["create:one", "create:two"]);
  assert.deepEqual(cluster.objects.get("ns/a")!.metadata.finalizers, [FIN]);
  assert.equal(cluster.patches[0][0].op, "test");
  await reconciler.reconcile("ns/a");
  assert.equal(cluster.patches.length, 1, "no patch when the finalizer is present");
  assert.deepEqual(trace, ["create:one", "create:two", "create:one", "create:two"]);
});

Deno.test("reconcile of a missing key does nothing", async () => {
  const trace: string[] = [];
  const { reconciler } = setup([recorder(trace, "one")]);
  assert.deepEqual(await reconciler.reconcile("ns/missing"), { action: "gone" });
  assert.deepEqual(trace, []);
});

Deno.test("deletion runs ensureDeleted in reverse order, removes the finalizer once", async () => {
  const trace: string[] = [];
  const { cluster, reconciler } = setup([recorder(trace, "one"), recorder(trace, "two")]);
  await reconciler.reconcile("ns/a");
  trace.length = 0;
  cluster.objects.get("ns/a")!.metadata.finalizers!.push("other.io/keep");
  markDeleted(cluster);
  const stale = structuredClone(cluster.objects.get("ns/a")!);
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "deleted" });
  assert.deepEqual(trace, ["delete:two", "delete:one"]);
  assert.deepEqual(cluster.objects.get("ns/a")!.metadata.finalizers, ["other.io/keep"]);
  // A late event from a stale cache still shows our finalizer: the uid memory skips it.
  cluster.objects.set("ns/a", stale);
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "ignored" });
  assert.deepEqual(trace, ["delete:two", "delete:one"]);
  assert.equal(reconciler.deletionCompleted("uid-a"), true);
});

Deno.test("the completed-deletion memory expires after its TTL", async () => {
  const trace: string[] = [];
  const { cluster, reconciler, clock } = setup([recorder(trace, "one")]);
  await reconciler.reconcile("ns/a");
  markDeleted(cluster);
  const stale = structuredClone(cluster.objects.get("ns/a")!);
  await reconciler.reconcile("ns/a");
  clock.tick(30_000);
  assert.equal(reconciler.deletionCompleted("uid-a"), false);
  cluster.objects.set("ns/a", stale); // like a restarted process seeing it again
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "deleted" });
  assert.deepEqual(trace, ["create:one", "delete:one", "delete:one"]);
});

Deno.test("a deleting object without our finalizer is ignored", async () => {
  const trace: string[] = [];
  const { cluster, reconciler } = setup([recorder(trace, "one")]);
  markDeleted(cluster);
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "ignored" });
  assert.deepEqual(trace, []);
  assert.equal(cluster.patches.length, 0);
});

Deno.test("a failing ensureDeleted keeps the finalizer and throws ReconcileError", async () => {
  const trace: string[] = [];
  let fail = true;
  const { cluster, reconciler } = setup([
    recorder(trace, "one"),
    recorder(trace, "two", {
      ensureDeleted: async () => {
        trace.push("delete:two");
        if (fail) throw new Error("cloud API down");
      },
    }),
  ]);
  await reconciler.reconcile("ns/a");
  markDeleted(cluster);
  const err = await reconciler.reconcile("ns/a").catch((e) => e);
  assert.ok(err instanceof ReconcileError);
  assert.equal(err.resource, "two");
  assert.equal(err.operation, "ensureDeleted");
  assert.match(err.message, /cloud API down/);
  assert.equal((err.cause as Error).message, "cloud API down");
  assert.deepEqual(cluster.objects.get("ns/a")!.metadata.finalizers, [FIN]);
  fail = false;
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "deleted" });
  assert.equal(cluster.objects.has("ns/a"), false, "finalizer gone, object gone");
});

Deno.test("pause annotations (default and configured, exact value) stop everything", async () => {
  const trace: string[] = [];
  const { cluster, reconciler } = setup([recorder(trace, "one")], {
    pauseAnnotations: { "example.com/hold": "yes" },
  });
  const meta = cluster.objects.get("ns/a")!.metadata;
  meta.annotations = { "operatorkit.io/paused": "true" };
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "paused" });
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "paused" });
  meta.annotations = { "example.com/hold": "yes" };
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "paused" });
  markDeleted(cluster);
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "paused" });
  assert.equal(cluster.patches.length, 0);
  assert.deepEqual(trace, []);
  delete meta.deletionTimestamp;
  meta.annotations = { "operatorkit.io/paused": "false", "example.com/hold": "YES" };
  assert.equal((await reconciler.reconcile("ns/a")).action, "created");
  assert.deepEqual(trace, ["create:one"]);
});

Deno.test("cancelResource skips the rest of one resource only", async () => {
  const trace: string[] = [];
  const { reconciler } = setup([
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
  await reconciler.reconcile("ns/a");
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
  const { cluster, reconciler } = setup(
    [recorder(trace, "one"), stopper, recorder(trace, "three")],
    {
      keepFinalizerRequeueMs: 1234,
    },
  );
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "created", cancelled: true });
  assert.deepEqual(trace, ["create:one", "create:stopper"]);
  trace.length = 0;
  markDeleted(cluster);
  assert.deepEqual(await reconciler.reconcile("ns/a"), {
    action: "finalizerKept",
    cancelled: true,
    requeueAfterMs: 1234,
  });
  assert.deepEqual(trace, ["delete:three", "delete:stopper"]);
  assert.deepEqual(cluster.objects.get("ns/a")!.metadata.finalizers, [FIN]);
});

Deno.test("keepFinalizer repeats deletion later without an error; requeueAfter is reported", async () => {
  const trace: string[] = [];
  let keep = true;
  const { cluster, reconciler } = setup([
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
  assert.deepEqual(await reconciler.reconcile("ns/a"), {
    action: "created",
    cancelled: false,
    requeueAfterMs: 200,
  });
  markDeleted(cluster);
  assert.deepEqual(await reconciler.reconcile("ns/a"), {
    action: "finalizerKept",
    cancelled: false,
    requeueAfterMs: 5000,
  });
  assert.ok(cluster.objects.has("ns/a"));
  keep = false;
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "deleted" });
  assert.deepEqual(trace, ["delete:one", "delete:one"]);
  assert.equal(cluster.objects.has("ns/a"), false);
});

Deno.test("a concurrent finalizer change makes the guarded patch fail; it retries from a fresh read", async () => {
  const trace: string[] = [];
  const { cluster, reconciler } = setup([recorder(trace, "one")]);
  let raced = false;
  cluster.beforePatch = (key) => {
    if (raced) return;
    raced = true;
    const o = cluster.objects.get(key)!;
    o.metadata.finalizers = ["someone.else/fin"];
    cluster.put(o);
  };
  await reconciler.reconcile("ns/a");
  assert.deepEqual(cluster.objects.get("ns/a")!.metadata.finalizers, ["someone.else/fin", FIN]);
  assert.equal(cluster.patches.length, 2);
  // Removal: someone prepends a finalizer concurrently; the index test fails, then retries.
  markDeleted(cluster);
  raced = false;
  cluster.beforePatch = (key) => {
    if (raced) return;
    raced = true;
    const o = cluster.objects.get(key)!;
    o.metadata.finalizers = ["first.io/x", ...o.metadata.finalizers!];
    cluster.put(o);
  };
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "deleted" });
  assert.deepEqual(cluster.objects.get("ns/a")!.metadata.finalizers, [
    "first.io/x",
    "someone.else/fin",
  ]);
});

Deno.test("deletion starting during the finalizer add leads to an immediate retry", async () => {
  const trace: string[] = [];
  const { cluster, reconciler } = setup([recorder(trace, "one")]);
  cluster.beforePatch = (key) => {
    cluster.beforePatch = undefined;
    const o = cluster.objects.get(key)!;
    o.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
    o.metadata.finalizers = ["x.io/y"];
    cluster.put(o);
  };
  assert.deepEqual(await reconciler.reconcile("ns/a"), { action: "retry", requeueAfterMs: 0 });
  assert.deepEqual(trace, []);
});
