// Every verb of the client, against the embedded API server or the real one named by
// OPERATORKIT_TEST_KUBECONFIG (testCluster()). Each test works in its own namespace and uses
// unique labels and CRD groups, so it never depends on what else is on a shared cluster.
import assert from "node:assert/strict";
import {
  ApiError,
  type ConfigMap,
  ConfigMaps,
  CustomResourceDefinitions,
  Deployments,
  fieldSelector,
  isAlreadyExists,
  isConflict,
  isNotFound,
  type KubeObject,
  labelSelector,
  Namespaces,
  type Status,
} from "../../client/mod.ts";

import { clusterEnv, uniqueName } from "./_cluster.ts";

const setup = () => clusterEnv("verbs");

const deployment = (name: string, replicas = 1) => ({
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
    },
  },
});

Deno.test("create, get, list, replace, patch and delete a ConfigMap", async () => {
  await using env = await setup();
  const ns = env.namespace;
  const cms = env.client.resource(ConfigMaps);
  const created = await cms.create({
    metadata: { name: "a", labels: { app: "web" } },
    data: { k: "1" },
  });
  assert.equal(created.metadata.namespace, ns); // the client's default namespace
  assert.ok(created.metadata.uid);
  await assert.rejects(() => cms.create({ metadata: { name: "a" } }), isAlreadyExists);
  const got = await cms.get("a");
  assert.deepEqual(got.data, { k: "1" });
  await assert.rejects(
    () => cms.get("missing"),
    (e: Error) => isNotFound(e) && e instanceof ApiError,
  );

  const dry = await cms.create({ metadata: { name: "dry" } }, { dryRun: true });
  assert.equal(dry.metadata.name, "dry");
  await assert.rejects(() => cms.get("dry"), isNotFound);

  const replaced = await cms.replace({ ...got, data: { k: "2" } });
  assert.equal(replaced.data?.k, "2");
  await assert.rejects(() => cms.replace({ ...got, data: { k: "3" } }), isConflict); // stale RV

  const merged = await cms.patch("a", { type: "merge", body: { data: { m: "x" } } });
  assert.deepEqual(merged.data, { k: "2", m: "x" });
  const jsonPatched = await cms.patch("a", {
    type: "json",
    body: [{ op: "test", path: "/data/m", value: "x" }, { op: "remove", path: "/data/m" }],
  });
  assert.deepEqual(jsonPatched.data, { k: "2" });
  const mf = jsonPatched.metadata.managedFields ?? [];
  assert.ok(mf.some((e) => e.manager === "operatorkit"), "default field manager");

  await cms.create({ metadata: { name: "b", labels: { app: "db" } } });
  const web = await cms.list({ namespace: ns, labelSelector: labelSelector({ app: "web" }) });
  assert.deepEqual(web.items.map((i) => i.metadata.name), ["a"]);
  const byName = await cms.list({
    namespace: ns,
    fieldSelector: fieldSelector({ "metadata.name": "b" }),
  });
  assert.deepEqual(byName.items.map((i) => i.metadata.name), ["b"]);
  assert.ok(web.metadata.resourceVersion);

  const gone = await cms.delete("b") as Status;
  assert.equal(gone.kind, "Status");
  assert.equal(gone.status, "Success");
  await assert.rejects(() => cms.get("b"), isNotFound);
});

Deno.test("delete with finalizers, preconditions and dryRun; deleteCollection; all namespaces", async () => {
  await using env = await setup();
  const cms = env.client.resource(ConfigMaps);
  const held = await cms.create({ metadata: { name: "held", finalizers: ["example.com/x"] } });
  await assert.rejects(() => cms.delete("held", { preconditions: { uid: "wrong" } }), isConflict);
  await cms.delete("held", { dryRun: true });
  assert.equal((await cms.get("held")).metadata.deletionTimestamp, undefined);
  const terminating = await cms.delete("held", {
    preconditions: { uid: held.metadata.uid! },
    propagationPolicy: "Background",
  }) as ConfigMap;
  assert.ok(terminating.metadata.deletionTimestamp, "stays with a deletionTimestamp");
  await cms.patch("held", { type: "merge", body: { metadata: { finalizers: null } } });
  await assert.rejects(() => cms.get("held"), isNotFound);

  // A second namespace, and a label value no other test uses: the all-namespaces list sees
  // exactly this test's objects even on a shared cluster.
  const ns = env.namespace;
  const other = `${ns}-other`;
  const namespaces = env.client.resource(Namespaces);
  await namespaces.create({ metadata: { name: other } });
  try {
    const group = `g-${ns}`;
    for (const [where, name] of [[ns, "x1"], [ns, "x2"], [other, "y1"]]) {
      await cms.create({ metadata: { name, labels: { group } } }, { namespace: where });
    }
    const everywhere = await cms.list({ labelSelector: `group=${group}` });
    // In key order: "<namespace>/<name>" compared as strings (so `${ns}-other/` comes first).
    assert.deepEqual(
      everywhere.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`),
      [`${ns}/x1`, `${ns}/x2`, `${other}/y1`].sort(),
    );
    await cms.deleteCollection({ namespace: ns, labelSelector: `group=${group}` });
    const left = await cms.list({ labelSelector: `group=${group}` });
    assert.deepEqual(left.items.map((i) => i.metadata.name), ["y1"]);
  } finally {
    await namespaces.delete(other).catch(() => {});
  }
});

Deno.test("server-side apply, strategic merge, status and scale subresources", async () => {
  await using env = await setup();
  const deps = env.client.resource(Deployments);
  const applied = await deps.apply(deployment("web", 2), { fieldManager: "team-a" });
  assert.equal(applied.spec?.replicas, 2);
  assert.ok(
    applied.metadata.managedFields?.some((m) => m.manager === "team-a" && m.operation === "Apply"),
  );
  // Another manager changing an owned field conflicts, unless it forces.
  await assert.rejects(
    () => deps.apply(deployment("web", 3), { fieldManager: "team-b" }),
    (e: Error) => isConflict(e),
  );
  const forced = await deps.apply(deployment("web", 3), { fieldManager: "team-b", force: true });
  assert.equal(forced.spec?.replicas, 3);

  const smp = await deps.patch("web", {
    type: "strategic",
    body: { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } } },
  });
  assert.equal(smp.spec?.template.spec?.containers.length, 1);
  assert.equal(smp.spec?.template.spec?.containers[0].image, "nginx:1.28");

  const st = await deps.status.patch("web", {
    type: "merge",
    // kube-apiserver validates a Deployment's status: readyReplicas <= replicas.
    body: { status: { replicas: 1, readyReplicas: 1, observedGeneration: 1 } },
  });
  assert.equal(st.status?.readyReplicas, 1);
  assert.equal((await deps.status.get("web")).status?.readyReplicas, 1);
  const withStatus = await deps.get("web");
  const replacedStatus = await deps.status.replace({
    ...withStatus,
    status: { ...withStatus.status, replicas: 3, readyReplicas: 3 },
  });
  assert.equal(replacedStatus.status?.readyReplicas, 3);

  const scale = await deps.scale.get("web");
  assert.equal(scale.spec?.replicas, 3);
  const scaled = await deps.scale.patch("web", { type: "merge", body: { spec: { replicas: 5 } } });
  assert.equal(scaled.spec?.replicas, 5);
  assert.equal((await deps.get("web")).spec?.replicas, 5);
  const sub = deps.subresource("scale");
  assert.equal((await sub.get("web")).metadata.name, "web");
});

Deno.test("cluster-scoped types and discovery of a CRD created later", async () => {
  await using env = await setup();
  const ns = await env.client.resource(Namespaces).get("kube-system");
  assert.equal(ns.metadata.name, "kube-system");
  assert.equal((await env.client.discovery.resolve("apps/v1", "Deployment")).plural, "deployments");
  // A group of its own: the CRD is cluster-wide, and no other test (or earlier run against the
  // same cluster) may have made it.
  const group = `${uniqueName("w")}.verbs.operatorkit.io`;
  const apiVersion = `${group}/v1`;
  await assert.rejects(() => env.client.resourceFor(apiVersion, "Widget"), isNotFound);
  const crds = env.client.resource(CustomResourceDefinitions);
  await crds.create({
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget" },
      versions: [{
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        },
      }],
    },
  });
  try {
    // Not found until the CRD is established and served (milliseconds on the embedded server,
    // a second or two on kube-apiserver); anything else is a real failure.
    let widgets;
    let w: KubeObject | undefined;
    const deadline = Date.now() + 30_000;
    while (!w && Date.now() < deadline) {
      try {
        widgets = await env.client.resourceFor<KubeObject & { spec?: unknown }>(
          apiVersion,
          "Widget",
        );
        w = await widgets.create({ metadata: { name: "w" }, spec: { size: 1 } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.ok(widgets && w, "found and served after the CRD was created");
    assert.equal(widgets.type.namespaced, true);
    assert.equal(w.metadata.namespace, env.namespace);
    assert.equal((await env.client.version()).major !== undefined, true);
  } finally {
    await crds.delete(`widgets.${group}`).catch(() => {});
  }
});
