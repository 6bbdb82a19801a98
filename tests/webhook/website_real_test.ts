/**
 * The Website operator's webhooks against a real kube-apiserver (OPERATORKIT_TEST_KUBECONFIG,
 * else an envtest pair this file starts, else ignored with the reason): kube-apiserver calls
 * the operator's validating and conversion webhooks on 127.0.0.1.
 */
import { connectRealServer, realServer, resolveRealTarget } from "../envtest/_target.ts";
import { needs } from "../_tier.ts";
import { KUBECTL, requireKubectl } from "../apiserver/_kubectl.ts";
import { uniqueName } from "../client/_cluster.ts";
import { websiteWebhookScenario } from "./_website_scenario.ts";

const target = await resolveRealTarget();

Deno.test({
  ...needs(
    "webhooks on a real kube-apiserver: Website v1/v1alpha1 conversion and validation",
    realServer(target),
    KUBECTL,
  ),
  async fn(t) {
    requireKubectl("webhooks on a real kube-apiserver");
    const server = await connectRealServer(target);
    try {
      const kubeconfigYaml = await Deno.readTextFile(server.kubeconfigPath);
      await websiteWebhookScenario(kubeconfigYaml, uniqueName("wh"), t);
    } finally {
      await server.close();
    }
  },
});
