// The Website example end to end, driven and checked with kubectl: the operator runs in this
// process against the embedded API server (garbage collection off, so every child deletion is
// the operator's own ensureDeleted); kubectl talks to the same server through a temp
// kubeconfig. Reported as ignored (reason in its name) when kubectl is missing, unless
// OPERATORKIT_REQUIRE_KUBECTL=1.
import assert from "node:assert/strict";
import { ensureCustomResourceDefinition } from "../../client/custom_resource.ts";
import { KubeClient } from "../../client/kube_client.ts";
import type { KubeObject } from "../../client/types.ts";
import { InformerFactory } from "../../informer/factory.ts";
import { testCluster } from "../../testing/test_cluster.ts";
import { WEBSITE_FINALIZER, websiteController } from "../../examples/website/operator.ts";
import { Website } from "../../examples/website/website.ts";
import { KUBECTL, Kubectl, requireKubectl } from "../apiserver/_kubectl.ts";
import { needs } from "../_tier.ts";

async function eventually(what: string, check: () => Promise<boolean>, ms = 20_000) {
  const start = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - start > ms) {
      throw new Error(`Expected ${what} within ${ms} ms, it did not happen`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Site = KubeObject & {
  spec: { html: string; replicas: number };
  status?: {
    observedGeneration?: number;
    conditions?: Array<{ type: string; status: string }>;
  };
};
type Child = KubeObject & {
  data?: Record<string, string>;
  spec?: { replicas?: number; ports?: Array<{ port: number }> };
};

const SITE_YAML = (html: string) =>
  `apiVersion: demo.operatorkit.io/v1alpha1
kind: Website
metadata:
  name: shop
  namespace: default
spec:
  html: "${html}"
  replicas: 2
`;

Deno.test(
  needs("website example end to end with kubectl: apply, recreate a child, patch, delete", KUBECTL),
  async (t) => {
    requireKubectl(t.name);
    await using cluster = await testCluster({ gc: false, realKubeconfig: null });
    await using kubectl = await Kubectl.for(cluster);
    using client = await KubeClient.fromKubeConfig({
      path: kubectl.kubeconfig,
      mode: "kubeconfig",
    });
    await ensureCustomResourceDefinition(client, Website);
    await using factory = new InformerFactory({ listWatch: (t) => client.resource(t) });
    const changes: string[] = [];
    const controller = websiteController({ client, informers: factory }, {
      onChange: (l) => changes.push(l),
    });
    await controller.start();
    try {
      assert.match(
        await kubectl.ok(["apply", "-f", "-"], SITE_YAML("<h1>shop</h1>")),
        /website.demo.operatorkit.io\/shop created/,
      );
      // Ready=True with observedGeneration 1.
      await eventually("Ready=True", async () => {
        const s = await kubectl.json<Site>(["website", "shop", "-n", "default"]);
        return s?.status?.observedGeneration === 1 &&
          s.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
      });
      const site = (await kubectl.json<Site>(["website", "shop", "-n", "default"]))!;
      assert.deepEqual(site.metadata.finalizers, [WEBSITE_FINALIZER]);
      const children = [
        ["configmap", "shop-html"],
        ["deployment", "shop"],
        ["service", "shop"],
      ] as const;
      for (const [kind, name] of children) {
        const c = await kubectl.json<Child>([kind, name, "-n", "default"]);
        assert.ok(c, `${kind}/${name} exists`);
        assert.equal(c.metadata.labels?.["app.kubernetes.io/managed-by"], "website-operator");
        assert.deepEqual(c.metadata.ownerReferences, [{
          apiVersion: "demo.operatorkit.io/v1alpha1",
          kind: "Website",
          name: "shop",
          uid: site.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        }]);
      }
      const cm = (await kubectl.json<Child>(["configmap", "shop-html", "-n", "default"]))!;
      assert.equal(cm.data?.["index.html"], "<h1>shop</h1>");
      const dep = (await kubectl.json<Child>(["deployment", "shop", "-n", "default"]))!;
      assert.equal(dep.spec?.replicas, 2);
      const svc = (await kubectl.json<Child>(["service", "shop", "-n", "default"]))!;
      assert.deepEqual(svc.spec?.ports?.map((p) => p.port), [80]);
      // kubectl's table shows the Website with its printer column.
      assert.match(await kubectl.ok(["get", "websites", "-n", "default"]), /shop\s+2\s/);

      // kubectl delete configmap shop-html -> recreated (a new uid).
      await kubectl.ok(["delete", "configmap", "shop-html", "-n", "default"]);
      await eventually("the ConfigMap recreated", async () => {
        const c = await kubectl.json<Child>(["configmap", "shop-html", "-n", "default"]);
        return c !== undefined && c.metadata.uid !== cm.metadata.uid;
      });

      // kubectl patch website (spec change) -> children updated, observedGeneration 2.
      await kubectl.ok([
        "patch",
        "website",
        "shop",
        "-n",
        "default",
        "--type=merge",
        "-p",
        JSON.stringify({ spec: { html: "<h1>shop v2</h1>", replicas: 4 } }),
      ]);
      await eventually("children updated", async () => {
        const c = await kubectl.json<Child>(["configmap", "shop-html", "-n", "default"]);
        const d = await kubectl.json<Child>(["deployment", "shop", "-n", "default"]);
        return c?.data?.["index.html"] === "<h1>shop v2</h1>" && d?.spec?.replicas === 4;
      });
      await eventually("observedGeneration 2", async () => {
        const s = await kubectl.json<Site>(["website", "shop", "-n", "default"]);
        return s?.status?.observedGeneration === 2;
      });

      // kubectl delete website -> children deleted by ensureDeleted, finalizer removed, gone.
      await kubectl.ok(["delete", "website", "shop", "-n", "default", "--wait=true"]);
      assert.equal(await kubectl.json(["website", "shop", "-n", "default"]), undefined);
      for (const [kind, name] of children) {
        assert.equal(
          await kubectl.json([kind, name, "-n", "default"]),
          undefined,
          `${kind}/${name}`,
        );
      }
      for (
        const line of [
          "deleted Service shop",
          "deleted Deployment shop",
          "deleted ConfigMap shop-html",
        ]
      ) {
        assert.ok(changes.includes(line), `${line} in ${JSON.stringify(changes)}`);
      }
      assert.equal(controller.stats.errors, 0);
    } finally {
      await controller.stop();
    }
  },
);
