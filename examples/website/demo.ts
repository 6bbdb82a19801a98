// The Website operator demo: starts a cluster, runs the operator, creates two Websites,
// changes one, deletes one, and prints what happened at each step. Exits 0 on success.
//
//   deno run -A examples/website/demo.ts
//
// The cluster is the in-process MemoryCluster (examples/website/_memory_cluster.ts): the
// embedded API server (testing/api_server.ts) and the client it needs had not landed when
// this was written. The operator code is the same either way (operator.ts).
import type { KubeObject, ListWatch, ResourceType } from "../../client/types.ts";
import { InformerFactory } from "../../informer/factory.ts";
import { runDemoSteps } from "./_demo_steps.ts";
import { MemoryCluster } from "./_memory_cluster.ts";

if (import.meta.main) {
  const cluster = new MemoryCluster();
  console.log("operatorkit website demo (in-process memory cluster)");
  await using factory = new InformerFactory({
    listWatch: <T extends KubeObject>(t: ResourceType<T>) =>
      cluster.resource(t) as unknown as ListWatch<T>,
  });
  await runDemoSteps(cluster, { informers: factory, namespace: "demo", print: console.log });
  console.log("done");
}
