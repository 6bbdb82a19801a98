// A Website whose 253-character name makes its ConfigMap's name (`<name>-html`) invalid: the
// API answers 422, which neither retry() nor the queue retries; the `finally` status resource
// still records Ready=False with the reason, and the key is not requeued (no hot loop).
import assert from "node:assert/strict";
import { Namespaces } from "../../client/builtins.ts";
import { ensureCustomResourceDefinition } from "../../client/custom_resource.ts";
import { isAlreadyExists } from "../../client/errors.ts";
import { KubeClient } from "../../client/kube_client.ts";
import { InformerFactory } from "../../informer/factory.ts";
import { testCluster } from "../../testing/test_cluster.ts";
import { websiteController } from "../../examples/website/operator.ts";
import { Website } from "../../examples/website/website.ts";
import { eventually } from "./_helpers.ts";

Deno.test("website operator: a 253-character name gets Ready=False with the reason, and no retry loop", async () => {
  await using cluster = await testCluster({ gc: false });
  using client = await KubeClient.fromKubeConfig({ document: cluster.kubeconfig });
  await ensureCustomResourceDefinition(client, Website);
  const ns = `long-${Date.now().toString(36)}`;
  await client.resource(Namespaces).create({ metadata: { name: ns } }).catch((err) => {
    if (!isAlreadyExists(err)) throw err;
  });
  await using factory = new InformerFactory({ listWatch: (t) => client.resource(t) });
  const controller = websiteController({ client, informers: factory }, {
    namespace: ns,
    resyncPeriodMs: 0,
  });
  await controller.start();
  try {
    const name = "w" + "x".repeat(251) + "w";
    assert.equal(name.length, 253);
    const sites = client.resource(Website);
    await sites.create({
      metadata: { name, namespace: ns },
      spec: { html: "<h1>long</h1>", replicas: 1 },
    });
    let ready: { status?: string; reason?: string; message?: string } | undefined;
    await eventually("a Ready condition", async () => {
      const site = await sites.get(name, { namespace: ns });
      ready = site.status?.conditions?.find((c) => c.type === "Ready");
      return ready !== undefined;
    });
    assert.equal(ready?.status, "False");
    assert.equal(ready?.reason, "ReconcileFailed");
    assert.match(ready?.message ?? "", /resource configmap/);
    assert.match(ready?.message ?? "", /422/);
    assert.match(ready?.message ?? "", /-html/);
    // No hot loop: a few seconds later the controller ran only the first reconciles (the
    // create, and the echo of its finalizer patch), and nothing waits in backoff.
    await eventually(
      "the queue to be idle",
      () => controller.queue.length + controller.queue.processing === 0,
    );
    const settled = controller.stats.reconciles;
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(controller.stats.reconciles <= 3, `reconciles: ${controller.stats.reconciles}`);
    assert.equal(controller.stats.reconciles, settled, "no reconcile after the status was written");
    assert.equal(controller.queue.delayed, 0, "no key waits in backoff");
    assert.equal(controller.queue.length, 0);
  } finally {
    await controller.stop();
    // The Website keeps the operator's finalizer, and a bare kube-apiserver never empties a
    // deleted namespace: strip it and delete the Website, so nothing holds the shared CRD.
    const sites = client.resource(Website);
    for (const site of (await sites.list({ namespace: ns })).items) {
      const name = site.metadata.name!;
      await sites.patch(name, {
        namespace: ns,
        type: "merge",
        body: { metadata: { finalizers: null } },
      }).catch(() => {});
      await sites.delete(name, { namespace: ns }).catch(() => {});
    }
    await client.resource(Namespaces).delete(ns).catch(() => {});
  }
});
