// Reconcile outcomes against the cluster from testCluster(): failure with per-key backoff
// then success, the pause annotation, and each control-flow primitive.
import assert from "node:assert/strict";
import type { Event } from "../../client/builtin_types.ts";
import { Events } from "../../client/builtins.ts";
import { eventSink } from "../../controller/kube.ts";
import { KubeEventRecorder } from "../../controller/event_recorder.ts";
import { crudResource } from "../../controller/crud_resource.ts";
import {
  countingResource,
  eventually,
  keyOf,
  RecordingLogger,
  setup,
  sleep,
  type Widget,
} from "./_helpers.ts";

const FIN = "operatorkit.io/widget-test";

Deno.test("failure, per-key backoff, then success; the backoff resets; a Warning Event is recorded", async () => {
  await using env = await setup();
  const bad = keyOf(env, "bad");
  const good = keyOf(env, "good");
  const times: number[] = [];
  const requeues: number[] = []; // bad's backoff step at each of its reconciles
  let failUntil = 4;
  const res = countingResource("r", {
    created: (_obj, ctx) => {
      if (ctx.key !== bad) return;
      times.push(performance.now());
      requeues.push(controller.queue.numRequeues(bad));
      if (times.length < failUntil) throw new Error("boom");
    },
  });
  const events = new KubeEventRecorder(eventSink(env.client.resource(Events)), {
    component: "widget-test",
    defaultType: { apiVersion: env.widgets.type.apiVersion, kind: env.widgets.type.kind },
  });
  const controller = env.controller({
    resources: [res],
    backoff: { baseDelayMs: 50 },
    events,
    concurrency: 2,
  });
  await controller.start();
  // Created with our finalizer already on it: no finalizer patch, so no update event of our
  // own requeues the key ahead of its backoff.
  await env.create("bad", { finalizers: [FIN] });
  await eventually("bad succeeded", () => times.length === 4);
  // Another key is not held back by bad's backoff.
  const t0 = performance.now();
  await env.create("good");
  await eventually("good reconciled", () => (res.created.get(good) ?? 0) >= 1);
  // A create, its watch event and one reconcile: well under a second normally; the bound is
  // generous because a busy CI machine can stretch API round trips, not because it matters.
  assert.ok(performance.now() - t0 < 5000, `good took ${performance.now() - t0} ms`);
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  assert.ok(gaps[0] >= 48 && gaps[1] >= 98 && gaps[2] >= 198, `gaps ${gaps}`);
  assert.deepEqual(requeues, [0, 1, 2, 3], "bad's backoff doubled per failure");
  assert.equal(controller.stats.errors, 3);

  // The Warning Event, aggregated: one Event with count 3.
  await eventually("the Warning Event", async () => {
    const list = await env.client.resource(Events).list({ namespace: env.namespace });
    const warn = (list.items as Event[]).filter((e) =>
      e.reason === "ReconcileError" && e.involvedObject?.name === "bad"
    );
    return warn.length === 1 && warn[0].type === "Warning" && warn[0].count === 3 &&
      (warn[0].message ?? "").includes("boom");
  });

  // Success reset the backoff: the next failure waits the base delay again, not 400 ms.
  const before = times.length;
  failUntil = before + 2;
  await env.widgets.patch("bad", {
    namespace: env.namespace,
    type: "merge",
    body: { spec: { value: "again" } },
  });
  await eventually("bad recovered again", () => times.length === before + 2);
  const gap = times[before + 1] - times[before];
  assert.ok(gap >= 48, `first retry after a success waited ${gap} ms`);
  // Without the reset the retry would wait 400 ms; a wall-clock upper bound cannot tell that
  // from a slow machine, so the backoff step is read instead: 0 at the new failure (reset),
  // 1 at its retry (so that retry waited the 50 ms base delay).
  assert.deepEqual(
    requeues.slice(before),
    [0, 1],
    `the backoff restarted after the success (${requeues})`,
  );
});

Deno.test('pause: operatorkit.io/paused: "true" runs nothing and is logged once; unpausing resumes', async () => {
  await using env = await setup();
  const logger = new RecordingLogger();
  const res = countingResource("r");
  const controller = env.controller({
    resources: [res],
    logger,
    pauseAnnotations: { "example.io/hold": "yes" },
  });
  await controller.start();
  const key = keyOf(env, "a");
  await env.create("a", { annotations: { "operatorkit.io/paused": "true" } });
  for (let i = 0; i < 3; i++) {
    await env.widgets.patch("a", {
      namespace: env.namespace,
      type: "merge",
      body: { spec: { value: `v${i}` } },
    });
    controller.queue.add(key);
  }
  await eventually("reconciles done", () => controller.stats.reconciles >= 2);
  await eventually("queue idle", () => controller.queue.length + controller.queue.processing === 0);
  await sleep(100);
  assert.equal(res.created.get(key), undefined, "nothing ran");
  assert.equal((await env.get("a"))?.metadata.finalizers, undefined, "no finalizer added");
  const paused = logger.lines.filter((l) => l.message.includes("is paused"));
  assert.equal(paused.length, 1, "logged once");
  assert.match(paused[0].message, /operatorkit\.io\/paused/);

  // Another value is not a pause.
  await env.widgets.patch("a", {
    namespace: env.namespace,
    type: "merge",
    body: { metadata: { annotations: { "operatorkit.io/paused": "false" } } },
  });
  await eventually("reconciled once unpaused", () => (res.created.get(key) ?? 0) >= 1);
  assert.deepEqual((await env.get("a"))?.metadata.finalizers, [FIN]);
  assert.ok(logger.lines.some((l) => l.message.includes("no longer paused")));

  // A configured pause annotation (exact key and value).
  await env.widgets.patch("a", {
    namespace: env.namespace,
    type: "merge",
    body: { metadata: { annotations: { "example.io/hold": "yes" } } },
  });
  await eventually(
    "paused again",
    () => logger.lines.filter((l) => l.message.includes("is paused")).length === 2,
  );
  const n = res.created.get(key);
  await env.widgets.patch("a", {
    namespace: env.namespace,
    type: "merge",
    body: { spec: { value: "while held" } },
  });
  await sleep(150);
  assert.equal(res.created.get(key), n);
  assert.match(
    logger.lines.filter((l) => l.message.includes("is paused"))[1].message,
    /example\.io\/hold/,
  );
});

Deno.test("cancelResource skips the rest of the resource (crudResource honours it), later resources run", async () => {
  await using env = await setup();
  const applied: string[] = [];
  const first = crudResource<Widget, string>({
    name: "first",
    getCurrentState: (obj, ctx) => {
      if (obj.spec.value === "skip") ctx.cancelResource();
      return Promise.resolve("current");
    },
    getDesiredState: () => Promise.resolve("desired"),
    newUpdatePatch: () => Promise.resolve({ update: "desired" }),
    newDeletePatch: () => Promise.resolve({}),
    applyCreateChange: () => Promise.resolve(),
    applyUpdateChange: (obj) => {
      applied.push(`first:${obj.metadata.name}`);
      return Promise.resolve();
    },
    applyDeleteChange: () => Promise.resolve(),
  });
  const second = countingResource("second");
  const controller = env.controller({ resources: [first, second] });
  await controller.start();
  await env.create("skipped", { value: "skip" });
  await env.create("normal", { value: "x" });
  await eventually(
    "second ran for both",
    () =>
      (second.created.get(keyOf(env, "skipped")) ?? 0) >= 1 &&
      (second.created.get(keyOf(env, "normal")) ?? 0) >= 1,
  );
  assert.ok(applied.includes("first:normal"));
  assert.ok(!applied.includes("first:skipped"));
});

Deno.test("cancelReconciliation stops the loop; on the delete path the finalizer is kept", async () => {
  await using env = await setup();
  const key = keyOf(env, "a");
  let cancelDeletes = 2;
  const first = countingResource("first", {
    created: (obj, ctx) => {
      if (obj.spec.value === "stop") ctx.cancelReconciliation();
    },
  });
  // Deletion runs in reverse order: "last" is deleted first.
  const last = countingResource("last", {
    deleted: (_obj, ctx) => {
      if (cancelDeletes-- > 0) {
        ctx.cancelReconciliation();
        ctx.requeueAfter(30);
      }
    },
  });
  const controller = env.controller({ resources: [first, last] });
  await controller.start();
  await env.create("a", { value: "stop" });
  await eventually("first ran", () => (first.created.get(key) ?? 0) >= 1);
  await sleep(100);
  assert.equal(last.created.get(key), undefined, "the loop stopped after first");
  await env.widgets.patch("a", {
    namespace: env.namespace,
    type: "merge",
    body: { spec: { value: "go" } },
  });
  await eventually("last ran", () => (last.created.get(key) ?? 0) >= 1);

  await env.widgets.delete("a", { namespace: env.namespace });
  await eventually("the first cancelled deletion", () => (last.deleted.get(key) ?? 0) >= 1);
  const w = await env.get("a");
  assert.deepEqual(w?.metadata.finalizers, [FIN], "finalizer kept after cancelReconciliation");
  await eventually("the Widget gone", async () => (await env.get("a")) === undefined);
  assert.equal(last.deleted.get(key), 3);
  // The two cancelled runs stopped before "first"; only the completing run reached it.
  assert.equal(first.deleted.get(key), 1);
  assert.equal(controller.stats.errors, 0);
});

Deno.test("keepFinalizer: deletion repeats later without an error", async () => {
  await using env = await setup();
  const key = keyOf(env, "a");
  let keep = 2;
  const res = countingResource("r", {
    deleted: (_obj, ctx) => {
      if (keep-- > 0) ctx.keepFinalizer();
    },
  });
  // Without requeueAfter a kept finalizer is retried after the resync period.
  const controller = env.controller({ resources: [res], resyncPeriodMs: 100 });
  await controller.start();
  await env.create("a");
  await eventually("ensureCreated", () => (res.created.get(key) ?? 0) >= 1);
  const t0 = performance.now();
  await env.widgets.delete("a", { namespace: env.namespace });
  await eventually("first deletion", () => (res.deleted.get(key) ?? 0) >= 1);
  assert.deepEqual((await env.get("a"))?.metadata.finalizers, [FIN]);
  await eventually("the Widget gone", async () => (await env.get("a")) === undefined);
  assert.equal(res.deleted.get(key), 3);
  // Each kept round waits for the requeue (the resync period, 100 ms) or the next resync tick
  // (every 100 ms), so the three runs span at least one period.
  assert.ok(performance.now() - t0 >= 95, "kept rounds wait for the requeue");
  assert.equal(controller.stats.errors, 0);
});

Deno.test("requeueAfter reconciles the key again after the delay without any event", async () => {
  await using env = await setup();
  const times: number[] = [];
  const res = countingResource("r", {
    created: (_obj, ctx) => {
      times.push(performance.now());
      if (times.length < 4) ctx.requeueAfter(60);
    },
  });
  const controller = env.controller({ resources: [res] });
  await controller.start();
  // Created with our finalizer on it: no finalizer patch, so no update event of our own runs
  // the key between two requeues.
  await env.create("a", { finalizers: [FIN] });
  await eventually("four runs", () => times.length >= 4);
  await sleep(200);
  assert.equal(times.length, 4, "no requeue once it stops asking");
  const waited = times.slice(1).map((t, i) => t - times[i]).filter((g) => g >= 58);
  assert.ok(waited.length >= 2, `gaps ${times.slice(1).map((t, i) => t - times[i])}`);
  assert.equal(controller.stats.errors, 0);
});
