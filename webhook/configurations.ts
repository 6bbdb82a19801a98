/**
 * The admissionregistration.k8s.io/v1 objects that register admission webhooks with the API
 * server, built from the webhook declarations: `webhookConfigurations()` gives the
 * ValidatingWebhookConfiguration and MutatingWebhookConfiguration with the defaults
 * controller-runtime users expect (`sideEffects: None`, `matchPolicy: Equivalent`,
 * `admissionReviewVersions: [v1]`, `failurePolicy: Fail`, `timeoutSeconds: 10`) and a
 * namespaceSelector that keeps the operator's own namespace out, so a broken webhook can
 * never block the operator from repairing itself.
 *
 * @module
 */
import type { KubeObject, ResourceType } from "../client/types.ts";
import { defineResource } from "../client/define_resource.ts";
import type { WebhookClientConfig } from "../client/conversion.ts";
import type { AdmissionWebhook } from "./admission.ts";

/**
 * One webhook entry of a configuration.
 *
 * @example
 * ```ts
 * import type { WebhookEntry } from "./configurations.ts";
 * const w: WebhookEntry = { name: "vwebsite.demo.io", clientConfig: { url: "https://127.0.0.1:9443/v" }, admissionReviewVersions: ["v1"], sideEffects: "None" };
 * ```
 */
export interface WebhookEntry {
  /** Fully qualified name (e.g. `vwebsite.demo.operatorkit.io`). */
  name: string;
  /** Where the API server calls. */
  clientConfig: WebhookClientConfig;
  /** Which requests are sent. */
  rules?: Array<{
    apiGroups: string[];
    apiVersions: string[];
    resources: string[];
    operations: string[];
    scope?: "Namespaced" | "Cluster" | "*";
  }>;
  /** `Fail` or `Ignore`. */
  failurePolicy?: "Fail" | "Ignore";
  /** `Exact` or `Equivalent`. */
  matchPolicy?: "Exact" | "Equivalent";
  /** Namespaces whose objects are sent. */
  namespaceSelector?: Record<string, unknown>;
  /** Objects that are sent. */
  objectSelector?: Record<string, unknown>;
  /** `None` or `NoneOnDryRun`. */
  sideEffects: string;
  /** 1..30. */
  timeoutSeconds?: number;
  /** `["v1"]`. */
  admissionReviewVersions: string[];
  /** Mutating only: `Never` or `IfNeeded`. */
  reinvocationPolicy?: "Never" | "IfNeeded";
  /** Further fields the server keeps. */
  [field: string]: unknown;
}

/**
 * A Validating- or MutatingWebhookConfiguration.
 *
 * @example
 * ```ts
 * import type { WebhookConfiguration } from "./configurations.ts";
 * const c: WebhookConfiguration = { metadata: { name: "op" }, webhooks: [] };
 * ```
 */
export interface WebhookConfiguration extends KubeObject {
  /** The webhooks. */
  webhooks?: WebhookEntry[];
}

/**
 * admissionregistration.k8s.io/v1 ValidatingWebhookConfigurations.
 *
 * @example
 * ```ts
 * import { ValidatingWebhookConfigurations } from "./configurations.ts";
 * ValidatingWebhookConfigurations.plural; // "validatingwebhookconfigurations"
 * ```
 */
export const ValidatingWebhookConfigurations: ResourceType<WebhookConfiguration> = defineResource<
  WebhookConfiguration
>({
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingWebhookConfiguration",
  plural: "validatingwebhookconfigurations",
  namespaced: false,
});

/**
 * admissionregistration.k8s.io/v1 MutatingWebhookConfigurations.
 *
 * @example
 * ```ts
 * import { MutatingWebhookConfigurations } from "./configurations.ts";
 * MutatingWebhookConfigurations.plural; // "mutatingwebhookconfigurations"
 * ```
 */
export const MutatingWebhookConfigurations: ResourceType<WebhookConfiguration> = defineResource<
  WebhookConfiguration
>({
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "MutatingWebhookConfiguration",
  plural: "mutatingwebhookconfigurations",
  namespaced: false,
});

/**
 * Options of {@linkcode webhookConfigurations}.
 *
 * @example
 * ```ts
 * import type { WebhookConfigurationOptions } from "./configurations.ts";
 * const o: WebhookConfigurationOptions = { name: "op", clientConfig: (path) => ({ url: `https://127.0.0.1:9443${path}` }) };
 * ```
 */
export interface WebhookConfigurationOptions {
  /** The configurations' name (the operator's name). */
  name: string;
  /** Where each webhook path is reached (a Service in the cluster, or a URL). */
  clientConfig: (path: string) => WebhookClientConfig;
  /** The operator's namespace: its objects are never sent to the webhooks. */
  excludeNamespace?: string;
  /** Labels of the configurations. */
  labels?: Record<string, string>;
}

/**
 * The configurations for `hooks` (absent kinds are left out), in apply order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { webhookConfigurations } from "./configurations.ts";
 * import { allow, validatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const docs = webhookConfigurations([validatingWebhook(ConfigMaps, { validate: () => allow() })], {
 *   name: "op",
 *   clientConfig: (path) => ({ service: { namespace: "ops", name: "op-webhook", path, port: 443 } }),
 *   excludeNamespace: "ops",
 * });
 * assert.equal(docs.length, 1);
 * assert.equal(docs[0].webhooks?.[0].sideEffects, "None");
 * ```
 */
export function webhookConfigurations(
  hooks: ReadonlyArray<AdmissionWebhook & { path?: string; name?: string }>,
  options: WebhookConfigurationOptions,
): WebhookConfiguration[] {
  const entry = (h: AdmissionWebhook & { path?: string; name?: string }): WebhookEntry => ({
    name: h.name ??
      `${h.kind === "validating" ? "v" : "m"}${h.type.kind.toLowerCase()}.${
        h.type.group || "core"
      }.operatorkit.io`,
    admissionReviewVersions: ["v1"],
    clientConfig: options.clientConfig(h.path ?? "/"),
    rules: [{
      apiGroups: [h.type.group],
      apiVersions: [h.type.version],
      resources: [h.type.plural],
      operations: [...(h.operations ?? ["CREATE", "UPDATE"])],
      scope: h.type.namespaced ? "Namespaced" : "Cluster",
    }],
    failurePolicy: h.failurePolicy ?? "Fail",
    matchPolicy: "Equivalent",
    sideEffects: "None",
    timeoutSeconds: h.timeoutSeconds ?? 10,
    ...(options.excludeNamespace
      ? {
        namespaceSelector: {
          matchExpressions: [{
            key: "kubernetes.io/metadata.name",
            operator: "NotIn",
            values: [options.excludeNamespace],
          }],
        },
      }
      : {}),
    ...(h.kind === "mutating" ? { reinvocationPolicy: "Never" as const } : {}),
  });
  const out: WebhookConfiguration[] = [];
  const metadata = {
    name: options.name,
    ...(options.labels ? { labels: { ...options.labels } } : {}),
  };
  const mutating = hooks.filter((h) => h.kind === "mutating");
  const validating = hooks.filter((h) => h.kind === "validating");
  if (mutating.length) {
    out.push({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata,
      webhooks: mutating.map(entry),
    });
  }
  if (validating.length) {
    out.push({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata,
      webhooks: validating.map(entry),
    });
  }
  return out;
}
