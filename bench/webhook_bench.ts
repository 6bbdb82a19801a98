// Admission and conversion webhook handling, in process: one AdmissionReview of a Website
// through a validating handler, a mutating handler (JSONPatch computed) and a conversion
// review of 10 objects, against the bare baseline (JSON.parse of the review and
// JSON.stringify of an allowed answer), in the same run. Over HTTPS the TLS and HTTP cost is
// the same for every webhook server and is left out.
//
// Run: deno bench -A bench/webhook_bench.ts
import { handleAdmissionReview, handleConversionReview } from "../webhook/mod.ts";
import { websiteValidator } from "../examples/website/webhooks.ts";
import { mutatingWebhook } from "../webhook/admission.ts";
import { Website } from "../examples/website/website.ts";

const site = {
  apiVersion: "demo.operatorkit.io/v1alpha1",
  kind: "Website",
  metadata: {
    name: "site",
    namespace: "default",
    labels: { app: "web" },
    annotations: { note: "x".repeat(200) },
  },
  spec: { html: "<h1>hello</h1>".repeat(20), replicas: 3 },
};
const admission = JSON.stringify({
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: {
    uid: "u",
    kind: { group: "demo.operatorkit.io", version: "v1alpha1", kind: "Website" },
    resource: { group: "demo.operatorkit.io", version: "v1alpha1", resource: "websites" },
    operation: "UPDATE",
    userInfo: { username: "admin" },
    object: site,
    oldObject: site,
  },
});
const conversion = JSON.stringify({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "ConversionReview",
  request: {
    uid: "c",
    desiredAPIVersion: "demo.operatorkit.io/v1",
    objects: Array.from({ length: 10 }, (_, i) => ({
      ...site,
      metadata: { ...site.metadata, name: `s${i}` },
    })),
  },
});
const stamp = mutatingWebhook(Website, {
  mutate: ({ object }) => ({
    ...object,
    metadata: { ...object.metadata, labels: { ...object.metadata.labels, stamped: "yes" } },
  }),
});

Deno.bench("baseline: parse the AdmissionReview, stringify an answer", {
  group: "admission",
  baseline: true,
}, () => {
  const r = JSON.parse(admission);
  JSON.stringify({
    apiVersion: r.apiVersion,
    kind: r.kind,
    response: { uid: r.request.uid, allowed: true },
  });
});
Deno.bench(
  "validating webhook (zod decode of object and oldObject)",
  { group: "admission" },
  async () => {
    JSON.stringify(await handleAdmissionReview(websiteValidator, JSON.parse(admission)));
  },
);
Deno.bench("mutating webhook (decode, handler, JSONPatch)", { group: "admission" }, async () => {
  JSON.stringify(await handleAdmissionReview(stamp, JSON.parse(admission)));
});
Deno.bench("baseline: parse and stringify the ConversionReview", {
  group: "conversion",
  baseline: true,
}, () => {
  JSON.stringify(JSON.parse(conversion));
});
Deno.bench("conversion webhook, 10 objects v1alpha1 -> v1", { group: "conversion" }, () => {
  JSON.stringify(handleConversionReview([Website], JSON.parse(conversion)));
});
