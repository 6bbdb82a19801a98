// deno-lint-ignore-file require-await
import assert from "node:assert/strict";
import type { KubeObject, ResourceType } from "../client/types.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { Controller, type ControllerOptions, defaultFinalizer } from "./controller.ts";
import type { CoreEvent } from "./event_recorder.ts";
import { KubeEventRecorder } from "./event_recorder.ts";
import { generationChanged } from "./predicates.ts";
import type { Resource } from "./resource.ts";
import { TestType } from "./_test_util.ts";
import { FakeApi, FakeInformers, settle } from "./_fake_informer_test_util.ts";

const Child: ResourceType = {
  group: "",
  version: "v1",
  apiVersion: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  namespaced: true,
};
const Other: ResourceType = { ...Child, kind: "Secret", plural: "secrets" };

function thing(name: string, extra: Partial<KubeObject["metadata"]> = {}): KubeObject {
  return {
    apiVersion: TestType.apiVersion,
    kind: TestType.kind,
    metadata: { name, namespace: "ns", uid: `uid-${name}`, generation: 1, ...extra },
  };
}

function setup(resource: Resource, extra: Partial<ControllerOptions<KubeObject>> = {}) {
  const clock = new FakeClock(0);
  const informers = new FakeInformers();
  const primary = informers.for(TestType);
  const api = new FakeApi(primary);
  const controller = new Controller<KubeObject>({
    name: "things",
    type: TestType,
    resources: [resource],
    api,
    informers,
    clock,
    resyncPeriodMs: 0,
    ...extra,
  });
  return { clock, informers, primary, controller };
}

function counting(trace: string[]): Resource {
  return {
    name: "count",
    ensureCreated: async (o) => void trace.push(`create ${o.metadata.name}`),
    ensureDeleted: async (o) => void trace.push(`delete ${o.metadata.name}`),
  };
}

Deno.test("defaultFinalizer derives a qualified name from the controller name", () => {
  assert.equal(defaultFinalizer("website"), "operatorkit.io/website");
  assert.equal(defaultFinalizer("My Controller!"), "operatorkit.io/My-Controller");
  assert.throws(() => setup(counting([]), { concurrency: 0 }), RangeError);
});

Deno.test("controller reconciles adds, adds its finalizer, and handles deletion once", async () => {
  const trace: string[] = [];
  const { primary, controller } = setup(counting(trace));
  primary.upsert(thing("a"));
  await controller.start();
  await settle();
  assert.deepEqual(primary.map.get("ns/a")!.metadata.finalizers, ["operatorkit.io/things"]);
  // The finalizer patch is itself an update event: one more (idempotent) reconcile.
  assert.ok(trace.every((t) => t === "create a") && trace.length >= 1);
  trace.length = 0;
  const o = structuredClone(primary.map.get("ns/a")!);
  o.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
  primary.upsert(o);
  await settle();
  assert.deepEqual(trace, ["delete a"]);
  assert.equal(primary.map.has("ns/a"), false);
  // A duplicated, late delete event for the same uid (stale state with the finalizer).
  primary.upsert(o);
  await settle();
  assert.deepEqual(trace, ["delete a"], "deletion succeeds exactly once");
  await controller.stop();
  assert.equal(controller.stats.inFlight, 0);
});

Deno.test("a failing reconcile backs off per key, records a Warning, then succeeds", async () => {
  let failures = 3;
  const attempts: number[] = [];
  const events: CoreEvent[] = [];
  const clockRef: { c?: FakeClock } = {};
  const { clock, primary, controller } = setup({
    name: "flaky",
    ensureCreated: async () => {
      attempts.push(clockRef.c!.now());
      if (failures-- > 0) throw new Error("backend unavailable");
    },
    ensureDeleted: async () => {},
  }, {
    predicates: [generationChanged],
    events: new KubeEventRecorder({
      create: async (_ns, e) => void events.push(e),
      patch: async (_ns, name, body) =>
        void Object.assign(events.find((e) => e.metadata.name === name)!, body),
    }, { component: "things", instance: "test", clock: new FakeClock(0) }),
  });
  clockRef.c = clock;
  primary.upsert(thing("a", { finalizers: ["operatorkit.io/things"] }));
  await controller.start();
  await settle();
  assert.deepEqual(attempts, [0]);
  await clock.tickAsync(4);
  await settle();
  assert.deepEqual(attempts, [0]);
  await clock.tickAsync(1);
  await settle();
  assert.deepEqual(attempts, [0, 5]);
  await clock.tickAsync(10);
  await settle();
  await clock.tickAsync(20);
  await settle();
  assert.deepEqual(attempts, [0, 5, 15, 35], "5, 10, 20 ms backoff");
  assert.equal(controller.queue.numRequeues("ns/a"), 0, "success resets the backoff");
  assert.equal(controller.stats.errors, 3);
  assert.equal(events.length, 1);
  assert.equal(events[0].type, "Warning");
  assert.equal(events[0].reason, "ReconcileError");
  assert.equal(events[0].count, 3);
  assert.match(events[0].message, /backend unavailable/);
  await controller.stop();
});

Deno.test("concurrency bounds parallel reconciles and one key never overlaps itself", async () => {
  let running = 0;
  let maxRunning = 0;
  const perKey = new Map<string, number>();
  let overlap = false;
  const gates: Array<() => void> = [];
  const runs: string[] = [];
  const { primary, controller } = setup({
    name: "slow",
    ensureCreated: async (o) => {
      const k = o.metadata.name!;
      runs.push(k);
      perKey.set(k, (perKey.get(k) ?? 0) + 1);
      if (perKey.get(k)! > 1) overlap = true;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((r) => gates.push(r));
      running--;
      perKey.set(k, perKey.get(k)! - 1);
    },
    ensureDeleted: async () => {},
  }, { concurrency: 3 });
  for (let i = 0; i < 8; i++) {
    primary.upsert(thing(`o${i}`, { finalizers: ["operatorkit.io/things"] }));
  }
  await controller.start();
  await settle();
  assert.equal(running, 3);
  // Events for a key that is being reconciled queue it again for afterwards.
  primary.upsert(thing("o0", { finalizers: ["operatorkit.io/things"], generation: 2 }));
  primary.upsert(thing("o0", { finalizers: ["operatorkit.io/things"], generation: 3 }));
  while (gates.length > 0) {
    gates.shift()!();
    await settle();
  }
  assert.equal(maxRunning, 3);
  assert.equal(overlap, false);
  assert.equal(runs.length, 9, "8 keys plus one re-run of o0 (two events deduplicated)");
  assert.equal(runs.filter((r) => r === "o0").length, 2);
  await controller.stop();
});

Deno.test("owns maps children to their controlling owner; watches use the mapper", async () => {
  const trace: string[] = [];
  const { informers, primary, controller } = setup(counting(trace), {
    owns: [Child],
    watches: [{ type: Other, map: (o) => [`ns/${o.metadata.labels?.owner}`] }],
  });
  primary.upsert(thing("a", { finalizers: ["operatorkit.io/things"] }));
  primary.upsert(thing("b", { finalizers: ["operatorkit.io/things"] }));
  await controller.start();
  await settle();
  trace.length = 0;
  const child = informers.for(Child);
  child.upsert({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "a-html",
      namespace: "ns",
      ownerReferences: [
        { apiVersion: "other.io/v1", kind: "Thing", name: "b", uid: "x" },
        {
          apiVersion: "demo.operatorkit.io/v2",
          kind: "Thing",
          name: "a",
          uid: "uid-a",
          controller: true,
        },
      ],
    },
  });
  await settle();
  assert.deepEqual(trace, ["create a"]);
  child.upsert({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "foreign",
      namespace: "ns",
      ownerReferences: [{
        apiVersion: "apps/v1",
        kind: "Thing",
        name: "b",
        uid: "y",
        controller: true,
      }],
    },
  });
  child.remove(child.map.get("ns/a-html")!);
  await settle();
  assert.deepEqual(
    trace,
    ["create a", "create a"],
    "a foreign owner group is ignored; delete maps",
  );
  informers.for(Other).upsert({ metadata: { name: "s", namespace: "ns", labels: { owner: "b" } } });
  await settle();
  assert.deepEqual(trace, ["create a", "create a", "create b"]);
  await controller.stop();
  assert.equal(informers.released, 3);
});

Deno.test("predicates filter primary updates; resync enqueues every key each period", async () => {
  const trace: string[] = [];
  const { clock, primary, controller } = setup(counting(trace), {
    predicates: [generationChanged],
    resyncPeriodMs: 60_000,
  });
  primary.upsert(thing("a", { finalizers: ["operatorkit.io/things"] }));
  await controller.start();
  await settle();
  assert.deepEqual(trace, ["create a"]);
  primary.upsert(
    { ...thing("a", { finalizers: ["operatorkit.io/things"] }), status: { x: 1 } } as KubeObject,
  );
  await settle();
  assert.deepEqual(trace, ["create a"], "a status-only update is filtered");
  primary.upsert(thing("a", { finalizers: ["operatorkit.io/things"], generation: 2 }));
  await settle();
  assert.deepEqual(trace, ["create a", "create a"]);
  await clock.tickAsync(59_999);
  await settle();
  assert.equal(trace.length, 2);
  await clock.tickAsync(1);
  await settle();
  assert.equal(trace.length, 3, "resync bypasses predicates");
  await clock.tickAsync(60_000);
  await settle();
  assert.equal(trace.length, 4);
  await controller.stop();
  assert.equal(clock.pending, 0, "stop clears the resync timer");
});

Deno.test("requeueAfter schedules another reconcile", async () => {
  const times: number[] = [];
  const clockRef: { c?: FakeClock } = {};
  const { clock, primary, controller } = setup({
    name: "poll",
    ensureCreated: async (_o, ctx) => {
      times.push(clockRef.c!.now());
      if (times.length < 3) ctx.requeueAfter(1000);
    },
    ensureDeleted: async () => {},
  });
  clockRef.c = clock;
  primary.upsert(thing("a", { finalizers: ["operatorkit.io/things"] }));
  await controller.start();
  await settle();
  await clock.tickAsync(1000);
  await settle();
  await clock.tickAsync(1000);
  await settle();
  await clock.tickAsync(5000);
  await settle();
  assert.deepEqual(times, [0, 1000, 2000]);
  await controller.stop();
});

Deno.test("shutdown lets in-flight reconciles finish, aborting them after the grace period", async () => {
  const seen: string[] = [];
  let releaseQuick!: () => void;
  const quickGate = new Promise<void>((r) => releaseQuick = r);
  const { clock, primary, controller } = setup({
    name: "stuck",
    ensureCreated: (o, ctx) =>
      new Promise<void>((resolve, reject) => {
        seen.push(`start ${o.metadata.name}`);
        if (o.metadata.name === "quick") return void quickGate.then(resolve);
        ctx.signal.addEventListener("abort", () => {
          seen.push(`aborted ${o.metadata.name}`);
          reject(ctx.signal.reason);
        });
      }),
    ensureDeleted: async () => {},
  }, { concurrency: 2, shutdownGracePeriodMs: 5000 });
  primary.upsert(thing("quick", { finalizers: ["operatorkit.io/things"] }));
  primary.upsert(thing("stuck", { finalizers: ["operatorkit.io/things"] }));
  primary.upsert(thing("never", { finalizers: ["operatorkit.io/things"] }));
  await controller.start();
  await new Promise((r) => setTimeout(r, 0));
  let stopped = false;
  const stopping = controller.stop().then(() => stopped = true);
  releaseQuick();
  await settle();
  assert.equal(stopped, false);
  assert.ok(seen.includes("start quick") && !seen.includes("aborted quick"));
  await clock.tickAsync(4999);
  await settle();
  assert.equal(stopped, false);
  await clock.tickAsync(1);
  await stopping;
  assert.ok(seen.includes("aborted stuck"));
  assert.ok(!seen.includes("start never"), "no new work after stop");
  assert.equal(controller.queue.delayed, 0, "an aborted reconcile is not re-queued");
});

Deno.test("a restarted controller runs an unfinished deletion again", async () => {
  const trace: string[] = [];
  let fail = true;
  const informers = new FakeInformers();
  const primary = informers.for(TestType);
  const api = new FakeApi(primary);
  const make = () =>
    new Controller<KubeObject>({
      name: "things",
      type: TestType,
      resources: [{
        name: "cleanup",
        ensureCreated: async () => {},
        ensureDeleted: async (o) => {
          trace.push(`delete ${o.metadata.name}`);
          if (fail) throw new Error("crash mid-deletion");
        },
      }],
      api,
      informers,
      clock: new FakeClock(0),
      resyncPeriodMs: 0,
    });
  primary.upsert(thing("a", {
    finalizers: ["operatorkit.io/things"],
    deletionTimestamp: "2026-01-01T00:00:00Z",
  }));
  const first = make();
  await first.start();
  await settle();
  await first.stop();
  assert.deepEqual(trace, ["delete a"]);
  assert.ok(primary.map.has("ns/a"), "the finalizer stays after a failed ensureDeleted");
  fail = false;
  const second = make();
  await second.start();
  await settle();
  await second.stop();
  assert.deepEqual(trace, ["delete a", "delete a"]);
  assert.equal(primary.map.has("ns/a"), false);
});

Deno.test("random event storms: no key overlaps itself and each deletion succeeds once", async () => {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const active = new Set<string>();
  let overlap = false;
  const deletions = new Map<string, number>();
  const { primary, controller } = setup({
    name: "storm",
    ensureCreated: async (o) => {
      const k = o.metadata.name!;
      if (active.has(k)) overlap = true;
      active.add(k);
      await new Promise((r) => setTimeout(r, 0));
      active.delete(k);
    },
    ensureDeleted: async (o) => {
      const k = o.metadata.uid!;
      if (active.has(k)) overlap = true;
      active.add(k);
      await new Promise((r) => setTimeout(r, 0));
      active.delete(k);
      deletions.set(k, (deletions.get(k) ?? 0) + 1);
    },
  }, { concurrency: 8 });
  await controller.start();
  const names = Array.from({ length: 30 }, (_, i) => `o${i}`);
  const deleted = new Set<string>();
  for (let step = 0; step < 400; step++) {
    const name = names[Math.floor(rand() * names.length)];
    const cur = primary.map.get(`ns/${name}`);
    const r = rand();
    if (!cur && !deleted.has(name)) primary.upsert(thing(name));
    else if (cur && r < 0.1 && !cur.metadata.deletionTimestamp) {
      primary.upsert({
        ...cur,
        metadata: { ...cur.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" },
      });
      deleted.add(name);
    } else if (cur && r < 0.2 && cur.metadata.deletionTimestamp) {
      // A duplicated (stale) event for an object being deleted.
      primary.upsert(structuredClone(cur));
    } else if (cur) {
      primary.upsert({
        ...cur,
        metadata: { ...cur.metadata, generation: (cur.metadata.generation ?? 1) + 1 },
      });
    }
    if (step % 10 === 0) await settle(1);
  }
  for (let i = 0; i < 50 && controller.stats.inFlight + controller.queue.length > 0; i++) {
    await settle();
  }
  await controller.stop();
  assert.equal(overlap, false, `seed 42: a key overlapped itself`);
  assert.ok(deletions.size >= 3, `seed 42: only ${deletions.size} deletions ran`);
  for (const [uid, n] of deletions) assert.equal(n, 1, `seed 42: ${uid} deleted ${n} times`);
  for (const name of deleted) {
    const o = primary.map.get(`ns/${name}`);
    // Deleted objects that had our finalizer are gone; ones deleted before the finalizer
    // was added are ignored (nothing was created for them).
    if (o) assert.ok(!o.metadata.finalizers?.includes("operatorkit.io/things"));
  }
});
