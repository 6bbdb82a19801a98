// The controller on the real informer (InformerFactory) and KubeClient, against the embedded
// API server.
import assert from "node:assert/strict";
import type { ConfigMap } from "../client/builtin_types.ts";
import { ConfigMaps } from "../client/builtins.ts";
import { KubeClient } from "../client/kube_client.ts";
import { InformerFactory } from "../informer/factory.ts";
import { startApiServer } from "../testing/api_server.ts";
import { Controller } from "./controller.ts";
import type { JsonPatchOperation } from "./finalizer.ts";
import { primaryApi } from "./kube.ts";

Deno.test("Controller runs on InformerFactory and releases its informers on stop", async () => {
  await using server = await startApiServer();
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  const cms = client.resource(ConfigMaps);
  for (const name of ["a", "b", "c"]) {
    await cms.create({ metadata: { name, namespace: "default", labels: { app: "x" } } });
  }
  await using factory = new InformerFactory({ listWatch: (t) => client.resource(t) });
  const patched: string[] = [];
  const seen = new Set<string>();
  const api = primaryApi(cms);
  const controller = new Controller<ConfigMap>({ client, informers: factory }, {
    name: "things",
    type: ConfigMaps,
    namespace: "default",
    labelSelector: "app=x",
    resyncPeriodMs: 0,
    api: {
      get: api.get,
      jsonPatch: (o, opts: { operations: JsonPatchOperation[] }) => {
        patched.push(`${o.metadata.name}:${opts.operations.map((op) => op.op).join(",")}`);
        return api.jsonPatch(o, opts);
      },
    },
    resources: [{
      name: "record",
      ensureCreated: (o, ctx) => {
        seen.add(`${ctx.key} ${o.metadata.finalizers?.[0]}`);
        assert.equal(ctx.cache.get(ConfigMaps)?.get(ctx.key)?.metadata.uid, o.metadata.uid);
        return Promise.resolve();
      },
      ensureDeleted: () => Promise.resolve(),
    }],
  });
  await controller.start();
  const start = Date.now();
  while (seen.size < 3 && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 5));
  await controller.stop();
  assert.deepEqual([...seen].sort(), [
    "default/a operatorkit.io/things",
    "default/b operatorkit.io/things",
    "default/c operatorkit.io/things",
  ]);
  assert.deepEqual(patched.sort(), ["a:test,add", "b:test,add", "c:test,add"]);
  for (const name of ["a", "b", "c"]) {
    const cm = await cms.get(name, { namespace: "default" });
    assert.deepEqual(cm.metadata.finalizers, ["operatorkit.io/things"]);
  }
  assert.equal(factory.size, 0, "the controller released its informer");
});
