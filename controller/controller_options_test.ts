// deno-lint-ignore-file require-await
// What a controller takes from its context (client, shared informers, event recorder,
// defaults) and its options (owned types with selectors and predicates, middleware for every
// resource), against the embedded API server.
import assert from "node:assert/strict";
import { ConfigMaps, Events } from "../client/builtins.ts";
import type { KubeObject } from "../client/types.ts";
import { InformerFactory } from "../informer/factory.ts";
import { Controller } from "./controller.ts";
import type { EventInput } from "./event_recorder.ts";
import { controllerReference } from "./ownership.ts";
import type { Resource } from "./resource.ts";
import type { Middleware } from "./wrap.ts";
import { startServerEnv, Thing, until } from "./_server_test_util.ts";

Deno.test("an owned type with a label selector caches only matching objects; predicates filter its events", async () => {
  await using env = await startServerEnv({ gc: false });
  await using factory = new InformerFactory({ listWatch: (t) => env.client.resource(t) });
  const cms = env.client.resource(ConfigMaps);
  const owner = await env.create("a");
  const ref = controllerReference(owner, Thing);
  const mk = (name: string, labels: Record<string, string>) =>
    cms.create({ metadata: { name, namespace: "default", labels, ownerReferences: [ref] } });
  await mk("mine", { "managed-by": "things" });
  await mk("other", { "managed-by": "someone-else" });
  const reconciled: string[] = [];
  const recorded: string[] = [];
  const wrapped: string[] = [];
  const trace: Middleware = (next, info) => async (obj, ctx) => {
    wrapped.push(`${info.resource}.${info.operation}`);
    await next(obj, ctx);
  };
  const resource = (name: string): Resource<KubeObject> => ({
    name,
    ensureCreated: async (o, ctx) => {
      reconciled.push(`${name} ${o.metadata.name}`);
      // The client comes from the context, typed.
      assert.equal(ctx.client, env.client);
    },
    ensureDeleted: async () => {},
  });
  const controller = new Controller<KubeObject>({
    client: env.client,
    informers: factory,
    eventRecorder: (name) => ({
      record: async (_obj, e: EventInput) => void recorded.push(`${name}: ${e.reason}`),
    }),
  }, {
    type: Thing as never,
    resources: [resource("one"), resource("two")],
    middleware: [trace],
    owns: [{
      type: ConfigMaps,
      labelSelector: "managed-by=things",
      // Only label changes of owned ConfigMaps reconcile the owner.
      predicates: [
        (e) => e.type !== "update" || e.old?.metadata.labels?.x !== e.object.metadata.labels?.x,
      ],
    }],
  });
  assert.equal(controller.name, "thing", "the name defaults to the kind in lower case");
  await controller.start({
    defaults: { namespaces: ["default"], resyncPeriodMs: 0, concurrency: 2 },
  });
  await until(() => reconciled.length >= 2);
  await until(() => controller.queue.length + controller.queue.processing === 0);
  const cached = factory.health().find((h) => h.resource.includes("configmaps"));
  assert.ok(cached, "an informer for ConfigMaps");
  assert.equal(cached.scope.labelSelector, "managed-by=things");
  assert.equal(cached.scope.namespace, "default", "the start defaults' namespace");
  assert.deepEqual(
    factory.acquire(ConfigMaps, cached.scope).informer.store.list().map((o) => o.metadata.name),
    ["mine"],
    "the cache holds only the selected ConfigMaps",
  );
  await factory.acquire(ConfigMaps, cached.scope).release();
  assert.ok(wrapped.includes("one.ensureCreated") && wrapped.includes("two.ensureCreated"));

  // Wait for the echo of our finalizer patch (an update of the primary) to be handled.
  const things = factory.acquire(Thing as never, { namespace: "default" });
  await until(() => things.informer.store.get("default/a")?.metadata.finalizers?.length === 1);
  await things.release();
  await until(() => controller.queue.length + controller.queue.processing === 0);
  // A data change of an owned ConfigMap fails the predicate: no reconcile.
  reconciled.length = 0;
  await cms.patch("mine", { namespace: "default", type: "merge", body: { data: { k: "v" } } });
  // A label change passes it: the owner is reconciled.
  await cms.patch("mine", {
    namespace: "default",
    type: "merge",
    body: { metadata: { labels: { x: "1" } } },
  });
  await until(() => reconciled.length >= 2);
  await until(() => controller.queue.length + controller.queue.processing === 0);
  assert.deepEqual(reconciled, ["one a", "two a"], "one reconcile, for the label change");
  // An unselected ConfigMap never reaches the controller.
  await cms.patch("other", {
    namespace: "default",
    type: "merge",
    body: { metadata: { labels: { x: "2" } } },
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(reconciled, ["one a", "two a"]);
  await controller.stop();
  assert.deepEqual(recorded, [], "no errors, no Warning events");
});

Deno.test("with only a client, the controller keeps its own informers and writes Warning events through it", async () => {
  await using env = await startServerEnv({ gc: false });
  await env.create("a");
  let fail = true;
  const controller = new Controller<KubeObject>({ client: env.client }, {
    name: "things",
    type: Thing as never,
    namespace: "default",
    resyncPeriodMs: 0,
    backoff: { baseDelayMs: 60_000 },
    resources: [{
      name: "r",
      ensureCreated: async () => {
        if (fail) throw new Error("backend down");
      },
      ensureDeleted: async () => {},
    }],
  });
  await controller.start();
  await until(async () => {
    const events = await env.client.resource(Events).list({ namespace: "default" });
    return events.items.some((e) =>
      e.reason === "ReconcileError" && e.source?.component === "things" &&
      /backend down/.test(e.message ?? "")
    );
  });
  fail = false;
  await controller.stop();
  assert.ok(controller.stats.errors >= 1);
});
