import assert from "node:assert/strict";
import type { InferCustomResource } from "../../client/custom_resource.ts";
import { Website } from "../../examples/website/website.ts";

const version = () => {
  // v1alpha1 first (storage); v1 is the converted version, tested in tests/webhook.
  assert.deepEqual(Website.crd.spec.versions.map((v) => v.name), ["v1alpha1", "v1"]);
  return Website.crd.spec.versions[0];
};
// deno-lint-ignore no-explicit-any
const root = () => version().schema!.openAPIV3Schema as Record<string, any>;

Deno.test("Website CRD: identity and names", () => {
  const crd = Website.crd;
  assert.equal(crd.apiVersion, "apiextensions.k8s.io/v1");
  assert.equal(crd.kind, "CustomResourceDefinition");
  assert.equal(crd.metadata.name, "websites.demo.operatorkit.io");
  assert.equal(crd.spec.group, "demo.operatorkit.io");
  assert.equal(crd.spec.scope, "Namespaced");
  assert.deepEqual(crd.spec.names, {
    kind: "Website",
    listKind: "WebsiteList",
    plural: "websites",
    singular: "website",
    shortNames: ["ws"],
  });
  assert.equal(Website.apiVersion, "demo.operatorkit.io/v1alpha1");
  assert.equal(Website.plural, "websites");
  assert.equal(Website.namespaced, true);
});

Deno.test("Website CRD: version v1alpha1, served, storage, status subresource, columns", () => {
  const v = version();
  assert.equal(v.name, "v1alpha1");
  assert.equal(v.served, true);
  assert.equal(v.storage, true);
  assert.deepEqual(v.subresources, { status: {} });
  assert.deepEqual(v.additionalPrinterColumns, [
    { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ]);
});

Deno.test("Website CRD: root schema", () => {
  const r = root();
  assert.equal(r.type, "object");
  assert.deepEqual(r.required, ["spec"]);
  assert.deepEqual(Object.keys(r.properties), ["apiVersion", "kind", "metadata", "spec", "status"]);
  assert.deepEqual(r.properties.apiVersion, { type: "string" });
  assert.deepEqual(r.properties.kind, { type: "string" });
  assert.deepEqual(r.properties.metadata, { type: "object" });
});

Deno.test("Website CRD: spec.html is a required string", () => {
  const spec = root().properties.spec;
  assert.equal(spec.type, "object");
  assert.deepEqual(spec.required, ["html"]);
  assert.deepEqual(spec.properties.html, { description: "The page served at /", type: "string" });
});

Deno.test("Website CRD: spec.replicas is an integer 1..10 defaulting to 1", () => {
  const replicas = root().properties.spec.properties.replicas;
  assert.deepEqual(replicas, {
    description: "Number of nginx pods",
    type: "integer",
    default: 1,
    minimum: 1,
    maximum: 10,
  });
});

Deno.test("Website CRD: status has observedGeneration and conditions", () => {
  const status = root().properties.status;
  assert.equal(status.type, "object");
  assert.equal(status.required, undefined);
  assert.deepEqual(status.properties.observedGeneration, { type: "integer", minimum: 0 });
  const conditions = status.properties.conditions;
  assert.equal(conditions.type, "array");
  assert.equal(conditions.items.type, "object");
  assert.deepEqual(conditions.items.required, ["type", "status"]);
  assert.deepEqual(conditions.items.properties.type, {
    description: "Condition type, e.g. Ready",
    type: "string",
    minLength: 1,
  });
  assert.deepEqual(conditions.items.properties.status, {
    type: "string",
    enum: ["True", "False", "Unknown"],
  });
  assert.deepEqual(conditions.items.properties.reason, { type: "string" });
  assert.deepEqual(conditions.items.properties.message, { type: "string" });
  // date-time, plus zod's RFC 3339 pattern so the server refuses what the decoder refuses.
  const ltt = conditions.items.properties.lastTransitionTime;
  assert.deepEqual(Object.keys(ltt), ["type", "format", "pattern"]);
  assert.equal(ltt.type, "string");
  assert.equal(ltt.format, "date-time");
  const re = new RegExp(ltt.pattern);
  assert.ok(re.test("2026-11-25T02:30:00Z"));
  assert.ok(re.test("2026-11-25T02:30:00.123+02:00"));
  assert.ok(!re.test("2026-11-25T02:30:00"));
  assert.ok(!re.test("2026-11-25"));
  assert.deepEqual(conditions.items.properties.observedGeneration, { type: "integer", minimum: 0 });
});

Deno.test("Website: the decoder applies zod's default and refuses bad objects", () => {
  const site = Website.schema.parse({
    apiVersion: "demo.operatorkit.io/v1alpha1",
    kind: "Website",
    metadata: { name: "home", namespace: "default" },
    spec: { html: "<h1>home</h1>" },
  });
  assert.equal(site.spec.replicas, 1);
  type W = InferCustomResource<typeof Website>;
  const typed: W = site;
  assert.equal(typed.spec.html, "<h1>home</h1>");
  for (const spec of [{ html: "x", replicas: 0 }, { html: "x", replicas: 11 }, { replicas: 2 }]) {
    const r = Website.schema.safeParse({ metadata: { name: "x" }, spec });
    assert.equal(r.success, false, JSON.stringify(spec));
  }
  const badStatus = Website.schema.safeParse({
    metadata: { name: "x" },
    spec: { html: "x" },
    status: { conditions: [{ type: "Ready", status: "Maybe" }] },
  });
  assert.equal(badStatus.success, false);
  assert.deepEqual(badStatus.error?.issues[0].path, ["status", "conditions", 0, "status"]);
});
