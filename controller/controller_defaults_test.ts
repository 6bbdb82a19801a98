// Start defaults (what runOperator passes from its flags): namespaces restrict every
// namespaced informer, concurrency/resync/grace fill unset options, explicit options win.
import assert from "node:assert/strict";
import type { ConfigMap } from "../client/builtin_types.ts";
import { ConfigMaps, Namespaces } from "../client/builtins.ts";
import { KubeClient } from "../client/kube_client.ts";
import { InformerFactory } from "../informer/factory.ts";
import { startApiServer } from "../testing/api_server.ts";
import { Controller, type ControllerOptions } from "./controller.ts";
import { until } from "./_server_test_util.ts";

async function setUp(client: KubeClient): Promise<void> {
  for (const ns of ["a", "b", "c"]) {
    await client.resource(Namespaces).create({ metadata: { name: ns } });
    await client.resource(ConfigMaps).create({ metadata: { name: "cm", namespace: ns } });
  }
}

/** A ConfigMap controller recording the keys it reconciles; `gate` holds every reconcile. */
function recorder(
  client: KubeClient,
  informers: InformerFactory,
  seen: string[],
  options: Partial<ControllerOptions<ConfigMap>> & { gate?: Promise<void> } = {},
): Controller<ConfigMap> {
  const { gate, ...rest } = options;
  return new Controller<ConfigMap>({ client, informers }, {
    name: "cms",
    type: ConfigMaps,
    resources: [{
      name: "record",
      ensureCreated: async (o, ctx) => {
        // The cache answers for every watched namespace.
        assert.equal(ctx.cache.get(ConfigMaps)?.get(ctx.key)?.metadata.uid, o.metadata.uid);
        seen.push(ctx.key);
        await gate;
      },
      ensureDeleted: () => Promise.resolve(),
    }],
    ...rest,
  });
}

Deno.test("Controller start defaults: namespaces a and b get one informer each, c is never seen", async () => {
  await using server = await startApiServer();
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  await setUp(client);
  await using factory = new InformerFactory({ listWatch: (t) => client.resource(t) });
  const seen: string[] = [];
  const c = recorder(client, factory, seen, { resyncPeriodMs: 0 });
  await c.start({ defaults: { namespaces: ["a", "b"] } });
  try {
    assert.deepEqual(factory.health().map((h) => h.scope.namespace).sort(), ["a", "b"]);
    await until(() => seen.length >= 2);
    // A change in c (not watched), then one in b (watched): only b is reconciled again.
    const cms = client.resource(ConfigMaps);
    await cms.patch("cm", { namespace: "c", type: "merge", body: { data: { x: "1" } } });
    await cms.patch("cm", { namespace: "b", type: "merge", body: { data: { x: "1" } } });
    await until(() => seen.filter((k) => k === "b/cm").length >= 2);
    assert.deepEqual([...new Set(seen)].sort(), ["a/cm", "b/cm"]);
  } finally {
    await c.stop();
  }
  assert.equal(factory.size, 0, "both namespaced informers released");
});

Deno.test("Controller start defaults: concurrency fills an unset option; an explicit namespace wins", async () => {
  await using server = await startApiServer();
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  await setUp(client);
  await using factory = new InformerFactory({ listWatch: (t) => client.resource(t) });
  let open!: () => void;
  const gate = new Promise<void>((r) => open = r);
  const seen: string[] = [];
  const c = recorder(client, factory, seen, { gate, resyncPeriodMs: 0 });
  await c.start({ defaults: { namespaces: ["a", "b", "c"], concurrency: 3 } });
  try {
    // All three reconciles run at once: the default concurrency 1 would hold two back.
    await until(() => c.stats.inFlight === 3);
  } finally {
    open();
    await c.stop();
  }
  const seen2: string[] = [];
  const explicit = recorder(client, factory, seen2, { namespace: "c", concurrency: 1 });
  await explicit.start({ defaults: { namespaces: ["a", "b"], concurrency: 3 } });
  try {
    assert.deepEqual(factory.health().map((h) => h.scope.namespace), ["c"]);
    await until(() => seen2.length >= 1);
    assert.deepEqual(seen2, ["c/cm"]);
  } finally {
    await explicit.stop();
  }
});
