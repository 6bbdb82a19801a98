// Your first operator: for every Greeting, keep a ConfigMap holding its message.
// Run it against a cluster (or `deno task apiserver --port 8443 --kubeconfig kc.yaml`):
//   deno run -A examples/first_operator.ts --kubeconfig kc.yaml
// then `kubectl apply` a Greeting and `kubectl get configmap hello-greeting -o yaml`.
import { z } from "zod";
import { ConfigMaps, defineCustomResource, ignoreNotFound } from "../client/mod.ts";
import type { InferCustomResource } from "../client/mod.ts";
import { Controller, controllerReference, type Resource } from "../controller/mod.ts";
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
const greetingConfigMap: Resource<Greeting> = {
  name: "configmap",
  async ensureCreated(greeting, ctx) {
    const { name, namespace } = greeting.metadata;
    // The controller reference: the ConfigMap goes with its Greeting, and a change to it
    // reconciles the Greeting (`owns: [ConfigMaps]` below).
    const owner = controllerReference(greeting);
    await ctx.client.resource(ConfigMaps).apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${name}-greeting`, namespace, ownerReferences: [owner] },
      data: { message: greeting.spec.message },
    }, { force: true, signal: ctx.signal });
  },
  async ensureDeleted(greeting, ctx) {
    const { name, namespace } = greeting.metadata;
    const configMaps = ctx.client.resource(ConfigMaps); // already gone is success:
    await configMaps.delete(`${name}-greeting`, { namespace, signal: ctx.signal })
      .catch(ignoreNotFound);
  },
};

// 3. The process: flags (--help), logging, probes, metrics, leader election, clean shutdown;
// its context (ctx) hands each controller the client, shared informers and an event recorder.
await runOperator({
  name: "greeting-operator",
  customResources: [Greeting],
  controllers: (ctx) => [
    new Controller(ctx, { type: Greeting, resources: [greetingConfigMap], owns: [ConfigMaps] }),
  ],
});
