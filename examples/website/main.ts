/**
 * The Website operator as a process: `deno run -A examples/website/main.ts --help`.
 *
 * It runs against the configured cluster (`--kubeconfig`, KUBECONFIG, ~/.kube/config, or
 * in-cluster), installs the Website CRD, and reconciles Websites in every namespace or in
 * the `--namespace`s given. `manifests` prints what deploying it takes.
 *
 * @module
 */
import { runOperator } from "../../cli/run_operator.ts";
import { websiteController } from "./operator.ts";
import { Website } from "./website.ts";
import { websiteWebhooks } from "./webhooks.ts";

if (import.meta.main) {
  await runOperator({
    name: "website-operator",
    description: "keeps a ConfigMap, a Deployment and a Service for every Website",
    version: "0.1.0",
    customResources: [Website],
    webhooks: websiteWebhooks,
    // --namespace, --concurrency, --resync-period and --shutdown-grace-period reach the
    // controller through the runtime: nothing to pass on here.
    controllers: (ctx) => [
      websiteController(ctx, { metrics: ctx.resourceMetrics("website-operator") }),
    ],
  });
}
