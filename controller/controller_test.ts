// deno-lint-ignore-file require-await
// The Controller against the embedded API server, through KubeClient and the real
// InformerFactory. The controller runs on a FakeClock, so backoff, requeue, resync and the
// shutdown grace period are driven by the test; events from the server arrive in real time.
import assert from "node:assert/strict";
import { ConfigMaps, Secrets } from "../client/builtins.ts";
import type { KubeObject } from "../client/types.ts";
import { InformerFactory } from "../informer/factory.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { Controller, type ControllerOptions, defaultFinalizer } from "./controller.ts";
import type { Event } from "../client/builtin_types.ts";
import { Events } from "../client/builtins.ts";
import { KubeEventRecorder } from "./event_recorder.ts";
import { eventSink } from "./kube.ts";
import { generationChanged } from "./predicates.ts";
import type { Resource } from "./resource.ts";
import { type ServerEnv, startServerEnv, Thing, until } from "./_server_test_util.ts";

const FIN = "operatorkit.io/things";

interface Setup extends AsyncDisposable {
  env: ServerEnv;
  clock: FakeClock;
  factory: InformerFactory;
  controller: Controller<KubeObject>;
}

async function setup(
  resource: Resource,
  extra: Partial<ControllerOptions<KubeObject>> = {},
): Promise<Setup> {
  const env = await startServerEnv({ gc: false });
  const clock = new FakeClock(0);
  const factory = new InformerFactory({ listWatch: (t) => env.client.resource(t) });
  const controller = new Controller<KubeObject>({ client: env.client, informers: factory }, {
    name: "things",
    type: Thing as never,
    resources: [resource],
    namespace: "default",
    clock,
    resyncPeriodMs: 0,
    ...extra,
  });
  return {
    env,
    clock,
    factory,
    controller,
    async [Symbol.asyncDispose]() {
      await controller.stop();
      await factory[Symbol.asyncDispose]();
      await env[Symbol.asyncDispose]();
    },
  };
}

function counting(trace: string[]): Resource {
  return {
    name: "count",
    ensureCreated: async (o) => void trace.push(`create ${o.metadata.name}`),
    ensureDeleted: async (o) => void trace.push(`delete ${o.metadata.name}`),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function idle(c: Controller<KubeObject>): Promise<void> {
  await until(() => c.queue.length + c.queue.processing === 0);
}

Deno.test("defaultFinalizer derives a qualified name from the controller name", async () => {
  assert.equal(defaultFinalizer("website"), "operatorkit.io/website");
  assert.equal(defaultFinalizer("My Controller!"), "operatorkit.io/My-Controller");
  await using t = await setup(counting([]));
  assert.throws(
    () =>
      new Controller<KubeObject>({ client: t.env.client, informers: t.factory }, {
        name: "x",
        type: Thing as never,
        resources: [],
        concurrency: 0,
      }),
    /Expected concurrency to be an integer >= 1, found 0/,
  );
});

Deno.test("controller reconciles adds, adds its finalizer, and handles deletion once", async () => {
  const trace: string[] = [];
  await using t = await setup(counting(trace));
  await t.env.create("a");
  await t.controller.start();
  await until(async () => (await t.env.get("a"))?.metadata.finalizers?.[0] === FIN);
  await until(() => trace.length >= 1);
  await idle(t.controller);
  // The finalizer patch is itself an update event: maybe one more (idempotent) reconcile.
  assert.ok(trace.every((x) => x === "create a"));
  trace.length = 0;
  await t.env.things.delete("a", { namespace: "default" });
  await until(async () => (await t.env.get("a")) === undefined);
  await idle(t.controller);
  assert.deepEqual(trace, ["delete a"]);
  // A duplicated, late event for the key: the object is gone, nothing runs.
  t.controller.queue.add("default/a");
  await idle(t.controller);
  assert.deepEqual(trace, ["delete a"], "deletion succeeds exactly once");
  await t.controller.stop();
  assert.equal(t.controller.stats.inFlight, 0);
});

Deno.test("a failing reconcile backs off per key, records a Warning, then succeeds", async () => {
  let failures = 3;
  const ref: { recorder?: KubeEventRecorder } = {};
  const attempts: number[] = [];
  const clockRef: { c?: FakeClock } = {};
  await using t = await setup({
    name: "flaky",
    ensureCreated: async () => {
      attempts.push(clockRef.c!.now());
      if (failures-- > 0) throw new Error("backend unavailable");
    },
    ensureDeleted: async () => {},
  }, {
    predicates: [generationChanged],
    events: {
      record: (obj, e) => ref.recorder!.record(obj, e),
    },
  });
  // The recorder needs the server's client, which exists only now; the controller's
  // `events` forwards to it.
  ref.recorder = new KubeEventRecorder(
    eventSink(t.env.client.resource(Events)),
    { component: "things", instance: "test", clock: new FakeClock(0) },
  );
  clockRef.c = t.clock;
  await t.env.create("a", { finalizers: [FIN] });
  await t.controller.start();
  await until(() => attempts.length === 1 && t.controller.queue.delayed === 1);
  await t.clock.tickAsync(4);
  await sleep(30);
  assert.deepEqual(attempts, [0]);
  await t.clock.tickAsync(1);
  await until(() => attempts.length === 2 && t.controller.queue.delayed === 1);
  await t.clock.tickAsync(10);
  await until(() => attempts.length === 3 && t.controller.queue.delayed === 1);
  await t.clock.tickAsync(20);
  await until(() => attempts.length === 4);
  await idle(t.controller);
  assert.deepEqual(attempts, [0, 5, 15, 35], "5, 10, 20 ms backoff");
  assert.equal(t.controller.queue.numRequeues("default/a"), 0, "success resets the backoff");
  assert.equal(t.controller.stats.errors, 3);
  // Warnings are written in the background, after the reconcile that failed.
  let events: Event[] = [];
  await until(async () => {
    events = (await t.env.client.resource(Events).list({ namespace: "default" })).items as Event[];
    return events[0]?.count === 3;
  });
  assert.equal(events.length, 1);
  assert.equal(events[0].type, "Warning");
  assert.equal(events[0].reason, "ReconcileError");
  assert.equal(events[0].count, 3);
  assert.equal(events[0].involvedObject.name, "a");
  assert.match(events[0].message ?? "", /backend unavailable/);
});

Deno.test("concurrency bounds parallel reconciles and one key never overlaps itself", async () => {
  let running = 0;
  let maxRunning = 0;
  const perKey = new Map<string, number>();
  let overlap = false;
  const gates: Array<() => void> = [];
  const runs: string[] = [];
  await using t = await setup({
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
  for (let i = 0; i < 8; i++) await t.env.create(`o${i}`, { finalizers: [FIN] });
  await t.controller.start();
  await until(() => running === 3);
  await sleep(30);
  assert.equal(running, 3);
  // Two events for a key being reconciled queue it again, once, for afterwards.
  const busy = runs[0];
  await t.env.merge(busy, { spec: { n: 2 } });
  await t.env.merge(busy, { spec: { n: 3 } });
  await sleep(100); // both watch events delivered while `busy` still runs
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (gates.length > 0) gates.shift()!();
    else if (
      Number(running) === 0 && t.controller.queue.length + t.controller.queue.processing === 0
    ) {
      break;
    }
    await sleep(2);
  }
  assert.equal(maxRunning, 3);
  assert.equal(overlap, false);
  assert.equal(runs.length, 9, "8 keys plus one re-run of the busy key (two events deduplicated)");
  assert.equal(runs.filter((r) => r === busy).length, 2);
});

Deno.test("owns maps children to their controlling owner; watches use the mapper", async () => {
  const trace: string[] = [];
  await using t = await setup(counting(trace), {
    owns: [ConfigMaps],
    watches: [{ type: Secrets as never, map: (o) => [`default/${o.metadata.labels?.owner}`] }],
  });
  const a = await t.env.create("a", { finalizers: [FIN] });
  await t.env.create("b", { finalizers: [FIN] });
  await t.controller.start();
  await until(() => trace.length === 2);
  await idle(t.controller);
  trace.length = 0;
  const cms = t.env.client.resource(ConfigMaps);
  await cms.create({
    metadata: {
      name: "a-html",
      namespace: "default",
      ownerReferences: [
        { apiVersion: "other.io/v1", kind: "Thing", name: "b", uid: "x" },
        // Another version of the same group: still the owner.
        {
          apiVersion: "unit.operatorkit.io/v2",
          kind: "Thing",
          name: "a",
          uid: a.metadata.uid!,
          controller: true,
        },
      ],
    },
  });
  await until(() => trace.length === 1);
  await idle(t.controller);
  assert.deepEqual(trace, ["create a"]);
  await cms.create({
    metadata: {
      name: "foreign",
      namespace: "default",
      ownerReferences: [{
        apiVersion: "apps/v1",
        kind: "Thing",
        name: "b",
        uid: "y",
        controller: true,
      }],
    },
  });
  await cms.delete("a-html", { namespace: "default" });
  await until(() => trace.length === 2);
  await sleep(50);
  await idle(t.controller);
  assert.deepEqual(
    trace,
    ["create a", "create a"],
    "a foreign owner group is ignored; delete maps",
  );
  await t.env.client.resource(Secrets).create({
    metadata: { name: "s", namespace: "default", labels: { owner: "b" } },
  });
  await until(() => trace.length === 3);
  assert.deepEqual(trace, ["create a", "create a", "create b"]);
  await t.controller.stop();
  assert.equal(t.factory.size, 0, "the controller released its three informers");
});

Deno.test("predicates filter primary updates; resync enqueues every key each period", async () => {
  const trace: string[] = [];
  await using t = await setup(counting(trace), {
    predicates: [generationChanged],
    resyncPeriodMs: 60_000,
  });
  await t.env.create("a", { finalizers: [FIN] });
  await t.controller.start();
  await until(() => trace.length === 1);
  await t.env.things.status.patch("a", {
    namespace: "default",
    type: "merge",
    body: { status: { seen: 1 } },
  });
  await sleep(50);
  await idle(t.controller);
  assert.deepEqual(trace, ["create a"], "a status-only update is filtered");
  await t.env.merge("a", { spec: { n: 2 } });
  await until(() => trace.length === 2);
  await t.clock.tickAsync(59_999);
  await sleep(30);
  assert.equal(trace.length, 2);
  await t.clock.tickAsync(1);
  await until(() => trace.length === 3);
  await t.clock.tickAsync(60_000);
  await until(() => trace.length === 4);
  await t.controller.stop();
  assert.equal(t.clock.pending, 0, "stop clears the resync timer");
});

Deno.test("requeueAfter schedules another reconcile", async () => {
  const times: number[] = [];
  const clockRef: { c?: FakeClock } = {};
  await using t = await setup({
    name: "poll",
    ensureCreated: async (_o, ctx) => {
      times.push(clockRef.c!.now());
      if (times.length < 3) ctx.requeueAfter(1000);
    },
    ensureDeleted: async () => {},
  });
  clockRef.c = t.clock;
  await t.env.create("a", { finalizers: [FIN] });
  await t.controller.start();
  await until(() => times.length === 1 && t.controller.queue.delayed === 1);
  await t.clock.tickAsync(1000);
  await until(() => times.length === 2 && t.controller.queue.delayed === 1);
  await t.clock.tickAsync(1000);
  await until(() => times.length === 3);
  await t.clock.tickAsync(5000);
  await sleep(30);
  assert.deepEqual(times, [0, 1000, 2000]);
});

Deno.test("shutdown lets in-flight reconciles finish, aborting them after the grace period", async () => {
  const seen: string[] = [];
  let releaseQuick!: () => void;
  const quickGate = new Promise<void>((r) => releaseQuick = r);
  await using t = await setup({
    name: "stuck",
    ensureCreated: (o, ctx) =>
      new Promise<void>((resolve, reject) => {
        seen.push(`start ${o.metadata.name}`);
        if (o.metadata.name === "a-quick") return void quickGate.then(resolve);
        ctx.signal.addEventListener("abort", () => {
          seen.push(`aborted ${o.metadata.name}`);
          reject(ctx.signal.reason);
        });
      }),
    ensureDeleted: async () => {},
  }, { concurrency: 2, shutdownGracePeriodMs: 5000 });
  for (const n of ["a-quick", "b-stuck", "c-never"]) await t.env.create(n, { finalizers: [FIN] });
  await t.controller.start();
  await until(() => seen.length === 2);
  let stopped = false;
  const stopping = t.controller.stop().then(() => stopped = true);
  releaseQuick();
  await sleep(30);
  assert.equal(stopped, false);
  assert.ok(seen.includes("start a-quick") && !seen.includes("aborted a-quick"));
  await t.clock.tickAsync(4999);
  await sleep(30);
  assert.equal(stopped, false);
  await t.clock.tickAsync(1);
  await stopping;
  assert.ok(seen.includes("aborted b-stuck"));
  assert.ok(!seen.includes("start c-never"), "no new work after stop");
  assert.equal(t.controller.queue.delayed, 0, "an aborted reconcile is not re-queued");
});

Deno.test("a restarted controller runs an unfinished deletion again", async () => {
  const trace: string[] = [];
  let fail = true;
  const resource: Resource = {
    name: "cleanup",
    ensureCreated: async () => {},
    ensureDeleted: async (o) => {
      trace.push(`delete ${o.metadata.name}`);
      if (fail) throw new Error("crash mid-deletion");
    },
  };
  await using t = await setup(resource);
  await t.env.create("a", { finalizers: [FIN] });
  await t.env.things.delete("a", { namespace: "default" });
  await t.controller.start();
  await until(() => trace.length === 1 && t.controller.queue.processing === 0);
  await t.controller.stop();
  assert.deepEqual(trace, ["delete a"]);
  assert.deepEqual((await t.env.get("a"))?.metadata.finalizers, [FIN], "kept after a failure");
  fail = false;
  const second = new Controller<KubeObject>({ client: t.env.client, informers: t.factory }, {
    name: "things",
    type: Thing as never,
    resources: [resource],
    namespace: "default",
    clock: new FakeClock(0),
    resyncPeriodMs: 0,
  });
  await second.start();
  await until(async () => (await t.env.get("a")) === undefined);
  await second.stop();
  assert.deepEqual(trace, ["delete a", "delete a"]);
});
