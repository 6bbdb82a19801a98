/**
 * The Website operator's admission webhook: a rule the CRD's OpenAPI schema cannot express
 * (its RE2 patterns have no "must not contain"): a Website's page may not carry scripts.
 * With `matchPolicy: Equivalent`, v1 writes are converted to v1alpha1 before the handler
 * sees them, so one handler covers both versions.
 *
 * @module
 */
import { allow, deny, validatingWebhook } from "../../webhook/admission.ts";
import type { AdmissionWebhook } from "../../webhook/admission.ts";
import { Website } from "./website.ts";

/** The message an invalid Website is denied with. */
export const NO_SCRIPTS = "spec.html must not contain <script> elements";

/** Denies Websites whose html contains a script element; warns about many replicas. */
export const websiteValidator: AdmissionWebhook = validatingWebhook(Website, {
  operations: ["CREATE", "UPDATE"],
  validate: ({ request }) => {
    const site = request.object!;
    if (/<script[\s>]/i.test(site.spec.html)) return deny(NO_SCRIPTS);
    return site.spec.replicas > 5 ? allow("more than 5 replicas: is that load expected?") : allow();
  },
});

/** Every webhook of the Website operator. */
export const websiteWebhooks: AdmissionWebhook[] = [websiteValidator];
