/**
 * Webhooks for operators: validating and mutating admission handlers typed by a resource's
 * schema, CRD conversion between versions (hub and spoke), an HTTPS server over
 * `Deno.serve`, and its certificate from a directory (reloaded on change) or self-managed
 * (generated, shared through a Secret, CA bundle kept in the configurations).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deny, handleAdmissionReview, validatingWebhook } from "./mod.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 *
 * const noSecrets = validatingWebhook(ConfigMaps, {
 *   validate: ({ request }) =>
 *     request.object?.data?.password ? deny("use a Secret for passwords") : { allowed: true },
 * });
 * const review = await handleAdmissionReview(noSecrets, {
 *   apiVersion: "admission.k8s.io/v1",
 *   kind: "AdmissionReview",
 *   request: {
 *     uid: "u1",
 *     kind: { group: "", version: "v1", kind: "ConfigMap" },
 *     resource: { group: "", version: "v1", resource: "configmaps" },
 *     operation: "CREATE",
 *     userInfo: {},
 *     object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { password: "x" } },
 *   },
 * });
 * assert.equal(review.response?.status?.message, "use a Secret for passwords");
 * ```
 *
 * @module
 */
export * from "./review_types.ts";
export * from "./admission.ts";
export * from "./conversion.ts";
export * from "./certificates.ts";
export * from "./self_managed.ts";
export * from "./configurations.ts";
export * from "./server.ts";
export {
  CONVERSION_DATA_ANNOTATION,
  ConversionError,
  convertObject,
  type CustomResourceConversion,
  type VersionConversion,
  versionType,
  type WebhookClientConfig,
  withConversionWebhook,
} from "../client/conversion.ts";
