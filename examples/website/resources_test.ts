import assert from "node:assert/strict";
import type { KubeObject, ResourceType } from "../../client/types.ts";
import { createReconcileContext } from "../../controller/reconcile_context.ts";
import type { ChildApi } from "./resources.ts";
import { websiteResources } from "./resources.ts";
import type { WebsiteLike } from "./children.ts";

class MemoryApi<C extends KubeObject> implements ChildApi<C> {
  objects = new Map<string, C>();
  get(ns: string, name: string) {
    return Promise.resolve(structuredClone(this.objects.get(`${ns}/${name}`)));
  }
  create(obj: C) {
    const k = `${obj.metadata.namespace}/${obj.metadata.name}`;
    if (this.objects.has(k)) {
      return Promise.reject(Object.assign(new Error("exists"), { code: 409 }));
    }
    this.objects.set(k, structuredClone(obj));
    return Promise.resolve(obj);
  }
  replace(obj: C) {
    this.objects.set(`${obj.metadata.namespace}/${obj.metadata.name}`, structuredClone(obj));
    return Promise.resolve(obj);
  }
  delete(ns: string, name: string) {
    if (!this.objects.delete(`${ns}/${name}`)) {
      return Promise.reject(Object.assign(new Error("gone"), { code: 404 }));
    }
    return Promise.resolve();
  }
}

const type: ResourceType<WebsiteLike> = {
  group: "demo.operatorkit.io",
  version: "v1alpha1",
  apiVersion: "demo.operatorkit.io/v1alpha1",
  kind: "Website",
  plural: "websites",
  namespaced: true,
};

Deno.test("website resources create, update, recreate and delete the children", async () => {
  const configMaps = new MemoryApi<KubeObject & { data?: Record<string, string> }>();
  // deno-lint-ignore no-explicit-any
  const deployments = new MemoryApi<any>();
  // deno-lint-ignore no-explicit-any
  const services = new MemoryApi<any>();
  const statuses: unknown[] = [];
  const changes: string[] = [];
  const resources = websiteResources<WebsiteLike>({
    configMaps,
    deployments,
    services,
    status: { patchStatus: (_o, s) => Promise.resolve(void statuses.push(s)) },
    onChange: (c) => changes.push(c),
    now: () => 0,
  });
  const site: WebsiteLike = {
    apiVersion: type.apiVersion,
    kind: "Website",
    metadata: { name: "blog", namespace: "web", uid: "u1", generation: 1 },
    spec: { html: "<h1>hi</h1>", replicas: 2 },
  };
  const ctx = () => createReconcileContext({ controller: "website", key: "web/blog", type });
  for (const r of resources) await r.ensureCreated(site, ctx());
  assert.equal(configMaps.objects.get("web/blog-html")!.data!["index.html"], "<h1>hi</h1>");
  const dep = deployments.objects.get("web/blog");
  assert.equal(dep.spec.replicas, 2);
  assert.equal(dep.spec.template.spec.volumes[0].configMap.name, "blog-html");
  assert.equal(dep.metadata.labels["app.kubernetes.io/managed-by"], "website-operator");
  assert.deepEqual(dep.metadata.ownerReferences[0], {
    apiVersion: type.apiVersion,
    kind: "Website",
    name: "blog",
    uid: "u1",
    controller: true,
    blockOwnerDeletion: true,
  });
  assert.equal(services.objects.get("web/blog").spec.ports[0].port, 80);
  assert.deepEqual(statuses.at(-1), {
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
  const withStatus = { ...site, status: statuses.at(-1) as WebsiteLike["status"] };
  changes.length = 0;
  for (const r of resources) await r.ensureCreated(withStatus, ctx());
  assert.deepEqual(changes, []);
  // A spec change updates; a deleted child is recreated.
  await configMaps.delete("web", "blog-html");
  const changed = {
    ...withStatus,
    metadata: { ...site.metadata, generation: 2 },
    spec: { html: "<h1>v2</h1>", replicas: 3 },
  };
  for (const r of resources) await r.ensureCreated(changed, ctx());
  assert.deepEqual(changes, [
    "created ConfigMap blog-html",
    "updated Deployment blog",
    "status of Website blog: observedGeneration=2, Ready=True",
  ]);
  assert.equal(deployments.objects.get("web/blog").spec.replicas, 3);
  // Deletion in reverse order; running it twice is fine.
  changes.length = 0;
  for (const r of [...resources].reverse()) await r.ensureDeleted(changed, ctx());
  for (const r of [...resources].reverse()) await r.ensureDeleted(changed, ctx());
  assert.deepEqual(changes, [
    "deleted Service blog",
    "deleted Deployment blog",
    "deleted ConfigMap blog-html",
  ]);
  assert.equal(configMaps.objects.size + deployments.objects.size + services.objects.size, 0);
});
