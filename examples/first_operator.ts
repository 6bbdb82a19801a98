// Your first operator: for every Greeting, keep a ConfigMap holding its message.
// Run it against a cluster (or `deno task apiserver --port 8443 --kubeconfig kc.yaml`):
//   deno run -A examples/first_operator.ts --kubeconfig kc.yaml
// then `kubectl apply` a Greeting and `kubectl get configmap hello-greeting -o yaml`.
import { z } from "zod";
import { ConfigMaps, defineCustomResource, isNotFound, type KubeClient } from "../client/mod.ts";
import type { InferCustomResource } from "../client/mod.ts";
import { Controller, primaryApi, type Resource } from "../controller/mod.ts";
import { runOperator } from "../cli/mod.ts";

// 1. The custom resource, defined once with zod: its CRD is generated from the schema.
const Greeting = defineCustomResource({
  group: "example.operatorkit.io",
  version: "v1",
  kind: "Greeting",
  scope: "Namespaced",
  spec: z.object({ message: z.string().min(1).describe("What to say") }),
});
type Greeting = InferCustomResource<typeof Greeting>;

// 2. One Resource: what the operator keeps in place for each Greeting. Both methods are
// idempotent: they may run any number of times and must converge.
function greetingConfigMap(client: KubeClient): Resource<Greeting> {
  const configMaps = client.resource(ConfigMaps);
  return {
    name: "configmap",
    async ensureCreated(greeting, ctx) {
      const { name, namespace } = greeting.metadata;
      await configMaps.apply({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `${name}-greeting`, namespace },
        data: { message: greeting.spec.message },
      }, { force: true, signal: ctx.signal });
    },
    async ensureDeleted(greeting, ctx) {
      const { name, namespace } = greeting.metadata;
      // Already gone is success.
      await configMaps.delete(`${name}-greeting`, { namespace, signal: ctx.signal })
        .catch((err) => isNotFound(err) || Promise.reject(err));
    },
  };
}

// 3. The process: flags (--help), logging, probes, metrics, leader election, clean shutdown.
await runOperator({
  name: "greeting-operator",
  customResources: [Greeting],
  controllers: ({ client, informers }) => [
    new Controller<Greeting>({
      name: "greeting",
      type: Greeting,
      api: primaryApi(client.resource(Greeting)),
      informers,
      resources: [greetingConfigMap(client)],
      owns: [ConfigMaps],
    }),
  ],
});
