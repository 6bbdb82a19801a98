/**
 * The Website operator's webhooks against the embedded API server, which calls the
 * operator's validating and conversion webhooks on 127.0.0.1 as kube-apiserver does (the
 * same scenario as website_real_test.ts).
 */
import { startApiServer } from "../../testing/api_server.ts";
import { KUBECTL, requireKubectl } from "../apiserver/_kubectl.ts";
import { needs } from "../_tier.ts";
import { websiteWebhookScenario } from "./_website_scenario.ts";

Deno.test(
  needs(
    "webhooks on the embedded API server: Website v1/v1alpha1 conversion and validation",
    KUBECTL,
  ),
  async (t) => {
    requireKubectl("webhooks on the embedded API server");
    await using server = await startApiServer();
    await websiteWebhookScenario(server.kubeconfigYaml, "web", t);
  },
);
