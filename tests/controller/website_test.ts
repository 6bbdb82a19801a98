// The Website operator end to end on the real InformerFactory, Controller and KubeClient,
// against the cluster from testCluster() (the embedded API server, garbage collection off so
// that every child deletion seen is the operator's own ensureDeleted).
import assert from "node:assert/strict";
import { Namespaces } from "../../client/builtins.ts";
import { ensureCustomResourceDefinition } from "../../client/custom_resource.ts";
import { isAlreadyExists, isConflict } from "../../client/errors.ts";
import { KubeClient } from "../../client/kube_client.ts";
import type { KubeObject, ResourceType } from "../../client/types.ts";
import { InformerFactory } from "../../informer/factory.ts";
import { testCluster } from "../../testing/test_cluster.ts";
import { WEBSITE_FINALIZER, websiteController } from "../../examples/website/operator.ts";
import { Website } from "../../examples/website/website.ts";

const CM: ResourceType = {
  group: "",
  version: "v1",
  apiVersion: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  namespaced: true,
};
const DEP: ResourceType = {
  group: "apps",
  version: "v1",
  apiVersion: "apps/v1",
  kind: "Deployment",
  plural: "deployments",
  namespaced: true,
};
const SVC: ResourceType = { ...CM, kind: "Service", plural: "services" };

async function eventually(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`Expected ${what} within 10 s, it did not happen`);
}

Deno.test("website operator: create, update, recreate a child, delete (test cluster)", async () => {
  await using cluster = await testCluster({ gc: false });
  using client = await KubeClient.fromKubeConfig({ document: cluster.kubeconfig });
  await ensureCustomResourceDefinition(client, Website);
  const ns = `web-${Date.now().toString(36)}`;
  try {
    await client.resource(Namespaces).create({ metadata: { name: ns } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const objects = async (t: ResourceType) =>
    (await client.resource(t).list({ namespace: ns })).items as KubeObject[];
  const changes: string[] = [];
  await using factory = new InformerFactory({
    listWatch: (t) => client.resource(t),
    defaults: { backoff: { initialMs: 5 } },
  });
  const controller = websiteController({ client, informers: factory }, {
    namespace: ns,
    onChange: (c) => changes.push(c),
    concurrency: 2,
  });
  await controller.start();
  try {
    const sites = client.resource(Website);
    await sites.create({
      metadata: { name: "blog", namespace: ns },
      spec: { html: "<h1>v1</h1>", replicas: 2 },
    });
    const get = () => sites.get("blog", { namespace: ns });
    await eventually("Ready=True", async () => {
      const s = await get();
      return s.status?.observedGeneration === 1 &&
        JSON.stringify(s.status?.conditions ?? []).includes('"status":"True"');
    });
    const site = await get();
    assert.deepEqual(site.metadata.finalizers, [WEBSITE_FINALIZER]);
    const [cm] = await objects(CM);
    assert.equal(cm.metadata.name, "blog-html");
    assert.equal(
      (cm as KubeObject & { data: Record<string, string> }).data["index.html"],
      "<h1>v1</h1>",
    );
    const [dep] = await objects(DEP) as Array<KubeObject & { spec: { replicas: number } }>;
    assert.equal(dep.spec.replicas, 2);
    for (const child of [cm, dep, (await objects(SVC))[0]]) {
      assert.equal(child.metadata.labels?.["app.kubernetes.io/managed-by"], "website-operator");
      assert.deepEqual(
        child.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
        [
          ["Website", "blog", site.metadata.uid, true],
        ],
      );
    }

    // A spec change updates the children and observedGeneration. A reconcile that started from
    // a cache without the operator's last status write writes the status again (a new
    // lastTransitionTime), so a read-modify-replace may meet 409 Conflict: read again and
    // retry, as client-go's RetryOnConflict does.
    for (let attempt = 1;; attempt++) {
      const current = await get();
      try {
        await sites.replace({ ...current, spec: { html: "<h1>v2</h1>", replicas: 3 } });
        break;
      } catch (err) {
        if (!isConflict(err) || attempt === 5) throw err;
      }
    }
    await eventually(
      "the Deployment scaled to 3",
      async () =>
        ((await objects(DEP))[0] as KubeObject & { spec: { replicas: number } }).spec
          .replicas === 3,
    );
    await eventually(
      "observedGeneration 2",
      async () => (await get()).status?.observedGeneration === 2,
    );
    assert.equal(
      ((await objects(CM))[0] as KubeObject & { data: Record<string, string> })
        .data["index.html"],
      "<h1>v2</h1>",
    );

    // A deleted child is recreated (owns: its delete event maps to the Website).
    const oldUid = (await objects(CM))[0].metadata.uid;
    await client.resource(CM).delete("blog-html", { namespace: ns });
    await eventually("the ConfigMap recreated", async () => {
      const list = await objects(CM);
      return list.length === 1 && list[0].metadata.uid !== oldUid;
    });

    // Deletion: ensureDeleted removes the children, then the finalizer goes and so does the
    // Website (no garbage collector runs here: the operator did it).
    await sites.delete("blog", { namespace: ns });
    await eventually("the Website gone", async () => (await objects(Website)).length === 0);
    assert.equal(
      (await objects(CM)).length + (await objects(DEP)).length + (await objects(SVC)).length,
      0,
    );
    assert.ok(changes.includes("deleted ConfigMap blog-html"));
    assert.ok(
      changes.indexOf("deleted Service blog") < changes.indexOf("deleted ConfigMap blog-html"),
    );
    assert.equal(controller.stats.errors, 0);
  } finally {
    await controller.stop();
    if (cluster.real) {
      // After a failure, a Website may still hold the operator's finalizer, and with no
      // operator running it would keep the shared Website CRD from ever being deleted.
      const left = await client.resource(Website).list({ namespace: ns }).catch(() => undefined);
      for (const w of left?.items ?? []) {
        await client.resource(Website).patch(w.metadata.name!, {
          namespace: ns,
          type: "merge",
          body: { metadata: { finalizers: null } },
        }).catch(() => {});
      }
      await client.resource(Namespaces).delete(ns).catch(() => {});
    }
  }
});
