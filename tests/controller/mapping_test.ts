// `owns` (a child's controller ownerReference -> the owner's key) and `watches` (a mapping
// function) against the cluster from testCluster().
import assert from "node:assert/strict";
import { ConfigMaps, Secrets } from "../../client/builtins.ts";
import type { KubeObject, ResourceType } from "../../client/types.ts";
import type { Controller } from "../../controller/controller.ts";
import { generationChanged } from "../../controller/predicates.ts";
import {
  countingResource,
  type Env,
  eventually,
  keyOf,
  setup,
  type Widget,
  Widgets,
} from "./_helpers.ts";

/**
 * Waits until the controller has absorbed every event for `names` up to their latest write
 * (its own finalizer patch included): the server shows the finalizer, the controller's
 * informer cache holds the server's resourceVersion, its handlers ran, and the queue is
 * idle. Only then are reconcile counts stable; a fixed sleep is not enough on a busy machine.
 */
async function settled(
  env: Env,
  controller: Controller<Widget>,
  names: string[],
  labelSelector?: string,
): Promise<void> {
  // The same shared informer the controller acquired (same type and scope).
  await using lease = env.factory.acquire(Widgets as unknown as ResourceType<Widget>, {
    namespace: env.namespace,
    ...(labelSelector ? { labelSelector } : {}),
  });
  const informer = lease.informer;
  for (const name of names) {
    await eventually(`${name} with its finalizer in the controller's cache`, async () => {
      const live = await env.get(name);
      return !!live?.metadata.finalizers?.length &&
        informer.store.get(keyOf(env, name))?.metadata.resourceVersion ===
          live.metadata.resourceVersion;
    });
  }
  await informer.idle();
  await eventually("idle", () => controller.queue.length + controller.queue.processing === 0);
}

Deno.test("owns: events on a child reconcile its controlling owner, and only that one", async () => {
  await using env = await setup();
  const res = countingResource("r");
  const controller = env.controller({ resources: [res], owns: [ConfigMaps] });
  await controller.start();
  const a = await env.create("a");
  await env.create("b");
  const ka = keyOf(env, "a");
  const kb = keyOf(env, "b");
  await eventually(
    "both reconciled",
    () => (res.created.get(ka) ?? 0) >= 1 && (res.created.get(kb) ?? 0) >= 1,
  );
  await settled(env, controller, ["a", "b"]);
  const before = { a: res.created.get(ka)!, b: res.created.get(kb)! };

  const cms = env.client.resource(ConfigMaps);
  const owner = (name: string, uid: string, kind = "Widget", controller = true) => ({
    apiVersion: env.widgets.type.apiVersion,
    kind,
    name,
    uid,
    controller,
  });
  // Not mapped to b: another kind, a non-controller reference, no reference at all.
  await cms.create({
    metadata: {
      name: "other-kind",
      namespace: env.namespace,
      ownerReferences: [owner("b", "00000000-0000-0000-0000-000000000001", "Gadget")],
    },
  });
  await cms.create({
    metadata: {
      name: "not-controller",
      namespace: env.namespace,
      ownerReferences: [owner("b", "00000000-0000-0000-0000-000000000002", "Widget", false)],
    },
  });
  await cms.create({ metadata: { name: "plain", namespace: env.namespace } });
  // Mapped to a: its controller reference.
  await cms.create({
    metadata: {
      name: "child",
      namespace: env.namespace,
      ownerReferences: [owner("a", a.metadata.uid!)],
    },
  });
  await eventually("a reconciled for its child's add", () => res.created.get(ka)! > before.a);
  const afterAdd = res.created.get(ka)!;
  await cms.patch("child", {
    namespace: env.namespace,
    type: "merge",
    body: { data: { x: "1" } },
  });
  await eventually("a reconciled for its child's update", () => res.created.get(ka)! > afterAdd);
  const afterUpdate = res.created.get(ka)!;
  await cms.delete("child", { namespace: env.namespace });
  await eventually("a reconciled for its child's delete", () => res.created.get(ka)! > afterUpdate);
  await eventually("idle", () => controller.queue.length + controller.queue.processing === 0);
  assert.equal(
    res.created.get(kb),
    before.b,
    "b was never reconciled for the unrelated ConfigMaps",
  );
});

Deno.test("watches: a mapping function turns events on another type into primary keys", async () => {
  await using env = await setup();
  const res = countingResource("r");
  const mapped: string[] = [];
  const controller = env.controller({
    resources: [res],
    watches: [{
      type: Secrets as never,
      map: (s: KubeObject) => {
        const site = s.metadata.labels?.widget;
        mapped.push(s.metadata.name!);
        return site ? [`${s.metadata.namespace}/${site}`] : [];
      },
    }],
  });
  await controller.start();
  await env.create("a");
  await env.create("b");
  const ka = keyOf(env, "a");
  const kb = keyOf(env, "b");
  await eventually(
    "both reconciled",
    () => (res.created.get(ka) ?? 0) >= 1 && (res.created.get(kb) ?? 0) >= 1,
  );
  await settled(env, controller, ["a", "b"]);
  const before = { a: res.created.get(ka)!, b: res.created.get(kb)! };
  const secrets = env.client.resource(Secrets);
  await secrets.create({ metadata: { name: "unlabelled", namespace: env.namespace } });
  await secrets.create({
    metadata: { name: "for-a", namespace: env.namespace, labels: { widget: "a" } },
  });
  await eventually("a reconciled for its Secret", () => res.created.get(ka)! > before.a);
  assert.ok(mapped.includes("unlabelled") && mapped.includes("for-a"));
  // Relabelling to b reconciles b (new mapping) and a again (the old one).
  const a1 = res.created.get(ka)!;
  await secrets.patch("for-a", {
    namespace: env.namespace,
    type: "merge",
    body: { metadata: { labels: { widget: "b" } } },
  });
  await eventually("b reconciled", () => res.created.get(kb)! > before.b);
  await eventually("a reconciled for the old mapping", () => res.created.get(ka)! > a1);
});

Deno.test("labelSelector and predicates: only matching objects, status-only writes ignored", async () => {
  await using env = await setup();
  const res = countingResource("r");
  const controller = env.controller({
    resources: [res],
    labelSelector: "tier=web",
    predicates: [generationChanged],
  });
  await controller.start();
  await env.widgets.create({
    metadata: { name: "web", namespace: env.namespace, labels: { tier: "web" } },
    spec: { value: "" },
  });
  await env.widgets.create({
    metadata: { name: "db", namespace: env.namespace, labels: { tier: "db" } },
    spec: { value: "" },
  });
  const kw = keyOf(env, "web");
  await eventually("web reconciled", () => (res.created.get(kw) ?? 0) >= 1);
  await settled(env, controller, ["web"], "tier=web");
  const n = res.created.get(kw)!;
  // A status write changes neither generation nor finalizers: filtered out.
  await env.widgets.status.patch("web", {
    namespace: env.namespace,
    type: "merge",
    body: { status: { observedGeneration: 1 } },
  });
  // Its event reached the controller (and was filtered) once the cache holds its RV.
  await settled(env, controller, ["web"], "tier=web");
  assert.equal(res.created.get(kw), n, "the status write did not reconcile");
  // A spec change bumps the generation: passes.
  await env.widgets.patch("web", {
    namespace: env.namespace,
    type: "merge",
    body: { spec: { value: "x" } },
  });
  await eventually("web reconciled for the spec change", () => res.created.get(kw)! > n);
  await eventually("idle", () => controller.queue.length + controller.queue.processing === 0);
  assert.equal(res.created.get(kw), n + 1);
  assert.equal(res.created.get(keyOf(env, "db")), undefined, "db is outside the selector");
  assert.equal((await env.get("db"))?.metadata.finalizers, undefined);
});
