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
 * import assert from "node:assert/strict";
 * import { type WebhookEntry, webhookConfigurations } from "./configurations.ts";
 * import { allow, validatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const hook = validatingWebhook(ConfigMaps, { operations: ["DELETE"], validate: () => allow() });
 * const [config] = webhookConfigurations([hook], {
 *   name: "op",
 *   clientConfig: (path) => ({ url: `https://127.0.0.1:9443${path}` }),
 *   excludeNamespace: "ops",
 * });
 * const w: WebhookEntry = config.webhooks![0];
 * assert.deepEqual(w.rules, [{
 *   apiGroups: [""],
 *   apiVersions: ["v1"],
 *   resources: ["configmaps"],
 *   operations: ["DELETE"],
 *   scope: "Namespaced",
 * }]);
 * assert.equal(w.matchPolicy, "Equivalent");
 * assert.deepEqual(w.admissionReviewVersions, ["v1"]);
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
 * import assert from "node:assert/strict";
 * import { type WebhookConfiguration, webhookConfigurations } from "./configurations.ts";
 * import { mutatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const configs: WebhookConfiguration[] = webhookConfigurations(
 *   [mutatingWebhook(ConfigMaps, { mutate: () => undefined })],
 *   { name: "op", clientConfig: (path) => ({ url: `https://127.0.0.1:9443${path}` }), labels: { app: "op" } },
 * );
 * assert.equal(configs.length, 1);
 * assert.equal(configs[0].kind, "MutatingWebhookConfiguration");
 * assert.deepEqual(configs[0].metadata, { name: "op", labels: { app: "op" } });
 * assert.equal(configs[0].webhooks?.[0].reinvocationPolicy, "Never");
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
 * import assert from "node:assert/strict";
 * import { ValidatingWebhookConfigurations } from "./configurations.ts";
 * assert.equal(ValidatingWebhookConfigurations.plural, "validatingwebhookconfigurations");
 * assert.equal(ValidatingWebhookConfigurations.kind, "ValidatingWebhookConfiguration");
 * assert.equal(ValidatingWebhookConfigurations.group, "admissionregistration.k8s.io");
 * assert.equal(ValidatingWebhookConfigurations.namespaced, false);
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
 * import assert from "node:assert/strict";
 * import { MutatingWebhookConfigurations } from "./configurations.ts";
 * assert.equal(MutatingWebhookConfigurations.plural, "mutatingwebhookconfigurations");
 * assert.equal(MutatingWebhookConfigurations.kind, "MutatingWebhookConfiguration");
 * assert.equal(MutatingWebhookConfigurations.version, "v1");
 * assert.equal(MutatingWebhookConfigurations.namespaced, false);
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
 * import assert from "node:assert/strict";
 * import { type WebhookConfigurationOptions, webhookConfigurations } from "./configurations.ts";
 * import { allow, validatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const o: WebhookConfigurationOptions = {
 *   name: "op",
 *   clientConfig: (path) => ({ service: { namespace: "ops", name: "op-webhook", path, port: 443 } }),
 *   excludeNamespace: "ops",
 * };
 * const hook = validatingWebhook(ConfigMaps, { validate: () => allow() });
 * const entry = webhookConfigurations([hook], o)[0].webhooks![0];
 * assert.deepEqual(entry.clientConfig, {
 *   service: { namespace: "ops", name: "op-webhook", path: "/validate--v1-configmap", port: 443 },
 * });
 * // The operator's own namespace is never sent to its webhooks.
 * assert.deepEqual(entry.namespaceSelector, {
 *   matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["ops"] }],
 * });
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
