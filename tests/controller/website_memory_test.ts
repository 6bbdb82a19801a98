// The Website operator end to end on the real InformerFactory and Controller, against the
// in-process MemoryCluster (the embedded API server had not landed when this was written).
import assert from "node:assert/strict";
import type { KubeObject, ListWatch, ResourceType } from "../../client/types.ts";
import { InformerFactory } from "../../informer/factory.ts";
import { WEBSITE_FINALIZER, websiteController } from "../../examples/website/operator.ts";
import { WebsiteType } from "../../examples/website/_website_type.ts";
import type { WebsiteLike } from "../../examples/website/children.ts";
import { MemoryCluster } from "../../examples/website/_memory_cluster.ts";

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

Deno.test("website operator: create, update, recreate a child, delete (in-memory cluster)", async () => {
  const cluster = new MemoryCluster();
  const changes: string[] = [];
  await using factory = new InformerFactory({
    listWatch: <T extends KubeObject>(t: ResourceType<T>) =>
      cluster.resource(t) as unknown as ListWatch<T>,
    defaults: { backoff: { initialMs: 5 } },
  });
  const controller = websiteController({
    client: cluster,
    informers: factory,
    onChange: (c) => changes.push(c),
    concurrency: 2,
  });
  await controller.start();
  try {
    const sites = cluster.resource(WebsiteType);
    await sites.create({
      metadata: { name: "blog", namespace: "web" },
      spec: { html: "<h1>v1</h1>", replicas: 2 },
    } as WebsiteLike);
    const get = () => sites.get("blog", { namespace: "web" });
    await eventually("Ready=True", async () => {
      const s = await get();
      return s.status?.observedGeneration === 1 &&
        JSON.stringify(s.status?.conditions ?? []).includes('"status":"True"');
    });
    const site = await get();
    assert.deepEqual(site.metadata.finalizers, [WEBSITE_FINALIZER]);
    const [cm] = cluster.objects(CM, "web");
    assert.equal(cm.metadata.name, "blog-html");
    assert.equal(
      (cm as KubeObject & { data: Record<string, string> }).data["index.html"],
      "<h1>v1</h1>",
    );
    const [dep] = cluster.objects(DEP, "web") as Array<KubeObject & { spec: { replicas: number } }>;
    assert.equal(dep.spec.replicas, 2);
    for (const child of [cm, dep, cluster.objects(SVC, "web")[0]]) {
      assert.equal(child.metadata.labels?.["app.kubernetes.io/managed-by"], "website-operator");
      assert.deepEqual(
        child.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
        [
          ["Website", "blog", site.metadata.uid, true],
        ],
      );
    }

    // A spec change updates the children and observedGeneration.
    await sites.replace({ ...site, spec: { html: "<h1>v2</h1>", replicas: 3 } });
    await eventually(
      "the Deployment scaled to 3",
      () =>
        (cluster.objects(DEP, "web")[0] as KubeObject & { spec: { replicas: number } }).spec
          .replicas === 3,
    );
    await eventually(
      "observedGeneration 2",
      async () => (await get()).status?.observedGeneration === 2,
    );
    assert.equal(
      (cluster.objects(CM, "web")[0] as KubeObject & { data: Record<string, string> })
        .data["index.html"],
      "<h1>v2</h1>",
    );

    // A deleted child is recreated (owns: its delete event maps to the Website).
    await cluster.resource(CM).delete("blog-html", { namespace: "web" });
    await eventually("the ConfigMap recreated", () => cluster.objects(CM, "web").length === 1);

    // Deletion: ensureDeleted removes the children, then the finalizer goes and so does the Website.
    await sites.delete("blog", { namespace: "web" });
    await eventually("the Website gone", () => cluster.objects(WebsiteType, "web").length === 0);
    assert.equal(
      cluster.objects(CM, "web").length + cluster.objects(DEP, "web").length +
        cluster.objects(SVC, "web").length,
      0,
    );
    assert.ok(changes.includes("deleted ConfigMap blog-html"));
    assert.ok(
      changes.indexOf("deleted Service blog") < changes.indexOf("deleted ConfigMap blog-html"),
    );
    assert.equal(controller.stats.errors, 0);
  } finally {
    await controller.stop();
  }
});
