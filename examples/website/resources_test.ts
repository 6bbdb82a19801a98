// The Website resources on their own (no controller), against the embedded API server through
// KubeClient: create, idempotence, update, recreate, delete (twice).
import assert from "node:assert/strict";
import type { ConfigMap, Deployment, Service } from "../../client/builtin_types.ts";
import { ConfigMaps, Deployments, Services } from "../../client/builtins.ts";
import { ensureCustomResourceDefinition } from "../../client/custom_resource.ts";
import { ignoreNotFound } from "../../client/errors.ts";
import { KubeClient } from "../../client/kube_client.ts";
import type { KubeObject, ResourceType } from "../../client/types.ts";
import { createReconcileContext } from "../../controller/reconcile_context.ts";
import { startApiServer } from "../../testing/api_server.ts";
import { websiteResources } from "./resources.ts";
import { Website } from "./website.ts";

function reader<C extends KubeObject>(client: KubeClient, type: ResourceType<C>) {
  const h = client.resource(type);
  return {
    get: (namespace: string, name: string) => h.get(name, { namespace }).catch(ignoreNotFound),
    delete: async (namespace: string, name: string) => void await h.delete(name, { namespace }),
  };
}

Deno.test("website resources create, update, recreate and delete the children", async () => {
  // No garbage collector: every deletion seen is the resources' own.
  await using server = await startApiServer({ gc: false });
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  await ensureCustomResourceDefinition(client, Website);
  const sites = client.resource(Website);
  const configMaps = reader<ConfigMap>(client, ConfigMaps);
  const deployments = reader<Deployment>(client, Deployments);
  const services = reader<Service>(client, Services);
  const changes: string[] = [];
  const resources = websiteResources(client, { onChange: (c) => changes.push(c), now: () => 0 });
  const site = await sites.create({
    metadata: { name: "blog", namespace: "default" },
    spec: { html: "<h1>hi</h1>", replicas: 2 },
  });
  const type = Website;
  const ctx = () =>
    createReconcileContext({ controller: "website", key: "default/blog", type, client });
  for (const r of resources) await r.ensureCreated(site, ctx());
  assert.equal((await configMaps.get("default", "blog-html"))!.data!["index.html"], "<h1>hi</h1>");
  const dep = (await deployments.get("default", "blog"))!;
  assert.equal(dep.spec!.replicas, 2);
  assert.equal(
    dep.spec!.template.spec!.volumes![0].configMap?.name,
    "blog-html",
  );
  assert.equal(dep.metadata.labels!["app.kubernetes.io/managed-by"], "website-operator");
  assert.deepEqual(dep.metadata.ownerReferences![0], {
    apiVersion: type.apiVersion,
    kind: "Website",
    name: "blog",
    uid: site.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  });
  assert.equal((await services.get("default", "blog"))!.spec!.ports![0].port, 80);
  const written = await sites.get("blog", { namespace: "default" });
  assert.deepEqual(written.status, {
    observedGeneration: 1,
    conditions: [{
      type: "Ready",
      status: "True",
      reason: "ChildrenExist",
      message: "ConfigMap, Deployment and Service exist",
      observedGeneration: 1,
      lastTransitionTime: "1970-01-01T00:00:00Z",
    }],
  });
  // Idempotent: nothing changes on a second pass with the written status.
  changes.length = 0;
  for (const r of resources) await r.ensureCreated(written, ctx());
  assert.deepEqual(changes, []);
  // A spec change updates; a deleted child is recreated.
  await configMaps.delete("default", "blog-html");
  const changed = await sites.replace({
    ...written,
    spec: { html: "<h1>v2</h1>", replicas: 3 },
  });
  assert.equal(changed.metadata.generation, 2);
  for (const r of resources) await r.ensureCreated(changed, ctx());
  assert.deepEqual(changes, [
    "created ConfigMap blog-html",
    "updated Deployment blog",
    "status of Website blog: observedGeneration=2, Ready=True",
  ]);
  assert.equal((await deployments.get("default", "blog"))!.spec!.replicas, 3);
  assert.equal((await configMaps.get("default", "blog-html"))!.data!["index.html"], "<h1>v2</h1>");
  // Deletion in reverse order; running it twice is fine.
  changes.length = 0;
  for (const r of [...resources].reverse()) await r.ensureDeleted(changed, ctx());
  for (const r of [...resources].reverse()) await r.ensureDeleted(changed, ctx());
  assert.deepEqual(changes, [
    "deleted Service blog",
    "deleted Deployment blog",
    "deleted ConfigMap blog-html",
  ]);
  for (const t of [ConfigMaps, Deployments, Services] as ResourceType[]) {
    assert.equal((await client.resource(t).list({ namespace: "default" })).items.length, 0);
  }
});
