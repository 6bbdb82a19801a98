// The operatorkit peer of the controller benchmark (bench/peers/README.md): for every primary
// ConfigMap (label bench.operatorkit.dev/primary=true) in one namespace, the Controller adds its
// finalizer (a guarded JSON patch) and one Resource server-side applies a child ConfigMap owned
// by it; the same logic as controller_runtime/main.go. It reports when every primary has both,
// with the process CPU then.
import { type ConfigMap, ConfigMaps, Controller, InformerFactory, KubeClient } from "../../mod.ts";
import { cpuMs, rss } from "./_measure.ts";

const get = (name: string) => {
  const v = Deno.env.get(name);
  if (!v) throw new Error(`expected the environment variable ${name}`);
  return v;
};
const objects = Number(get("PEER_OBJECTS"));
const concurrency = Number(get("PEER_CONCURRENCY"));
const namespace = get("PEER_NAMESPACE");

const t0 = performance.now();
const c0 = cpuMs();
const client = await KubeClient.fromKubeConfig({ path: get("PEER_KUBECONFIG") }, { qps: 0 });
await using factory = new InformerFactory({ listWatch: (t) => client.resource(t) });
const configMaps = client.resource(ConfigMaps);
const done = new Set<string>();
let reconciles = 0;
const { promise: finished, resolve: finish } = Promise.withResolvers<void>();
const controller = new Controller({ client, informers: factory }, {
  name: "bench",
  type: ConfigMaps,
  namespace,
  labelSelector: "bench.operatorkit.dev/primary=true",
  finalizer: "bench.operatorkit.dev/cleanup",
  concurrency,
  resources: [{
    name: "child",
    async ensureCreated(cm: ConfigMap, ctx) {
      reconciles++;
      const { name, uid } = cm.metadata;
      await configMaps.apply({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: `${name}-child`,
          namespace,
          labels: { "bench.operatorkit.dev/child": "true" },
          ownerReferences: [{
            apiVersion: "v1",
            kind: "ConfigMap",
            name: name!,
            uid: uid!,
            controller: true,
          }],
        },
        data: { from: name! },
      }, { force: true, signal: ctx.signal });
      if (!done.has(ctx.key)) {
        done.add(ctx.key);
        if (done.size === objects) finish();
      }
    },
    ensureDeleted: () => Promise.resolve(),
  }],
});
await controller.start();
await finished;
console.log(JSON.stringify({
  quiescenceMs: performance.now() - t0,
  cpuMs: cpuMs() - c0,
  rss: rss(),
  done: done.size,
  reconciles,
}));
await controller.stop();
client.close();
