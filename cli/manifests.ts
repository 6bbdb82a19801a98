/**
 * Deployment manifests for an operator: its CRDs, a ServiceAccount, a ClusterRole with
 * exactly the verbs and resources its controllers use, the binding, and a Deployment with
 * the probes wired. The RBAC rules are derived from the controllers' types, so they cannot
 * drift from the code.
 *
 * @module
 */
import { stringify } from "yaml";
import type { PolicyRule } from "../client/builtin_types.ts";
import type { ResourceType } from "../client/types.ts";
import type { ControllerTypes } from "../controller/controller.ts";

const _READ = ["get", "list", "watch"];
const _WRITE = ["create", "update", "patch", "delete"];

/**
 * The rules a set of controllers needs: read and patch their primary types (status and
 * finalizers too), full access to owned child types, read access to watched types, Event
 * writes, and Lease access for leader election. Rules are merged per group and resource.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rbacRules } from "./manifests.ts";
 * const cm = { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true };
 * const rules = rbacRules([{ primary: cm, owns: [], watches: [] }], { leaderElection: false });
 * assert.deepEqual(rules.find((r) => r.resources?.[0] === "configmaps")?.verbs, ["get", "list", "patch", "update", "watch"]);
 * ```
 */
export function rbacRules(
  controllers: readonly ControllerTypes[],
  options: { leaderElection?: boolean; installCrds?: boolean; extra?: PolicyRule[] } = {},
): PolicyRule[] {
  const byKey = new Map<string, Set<string>>();
  const add = (group: string, resource: string, verbs: string[]) => {
    const key = `${group}\u0000${resource}`;
    const set = byKey.get(key) ?? new Set<string>();
    for (const v of verbs) set.add(v);
    byKey.set(key, set);
  };
  const type = (t: ResourceType, verbs: string[]) => add(t.group, t.plural, verbs);
  for (const c of controllers) {
    type(c.primary, [..._READ, "update", "patch"]);
    add(c.primary.group, `${c.primary.plural}/status`, ["get", "update", "patch"]);
    add(c.primary.group, `${c.primary.plural}/finalizers`, ["update"]);
    for (const t of c.owns) type(t, [..._READ, ..._WRITE]);
    for (const t of c.watches) type(t, _READ);
  }
  add("", "events", ["create", "patch"]);
  add("events.k8s.io", "events", ["create", "patch"]);
  if (options.leaderElection ?? true) {
    add("coordination.k8s.io", "leases", ["get", "create", "update"]);
  }
  if (options.installCrds) {
    add("apiextensions.k8s.io", "customresourcedefinitions", ["get", "create", "update"]);
  }
  for (const r of options.extra ?? []) {
    for (const g of r.apiGroups ?? [""]) for (const res of r.resources ?? []) add(g, res, r.verbs);
  }
  return [...byKey.entries()]
    .map(([key, verbs]) => {
      const [group, resource] = key.split("\u0000");
      return { apiGroups: [group], resources: [resource], verbs: [...verbs].sort() };
    })
    .sort((a, b) =>
      a.apiGroups[0].localeCompare(b.apiGroups[0]) || a.resources[0].localeCompare(b.resources[0])
    );
}

/**
 * Options of {@linkcode operatorManifests}.
 *
 * @example
 * ```ts
 * import type { ManifestOptions } from "./manifests.ts";
 * const o: ManifestOptions = { name: "website", namespace: "website", image: "website:1", rules: [] };
 * ```
 */
export interface ManifestOptions {
  /** Operator name: ServiceAccount, ClusterRole, binding and Deployment names. */
  name: string;
  /** Namespace to deploy into (must exist). */
  namespace: string;
  /** Container image. */
  image: string;
  /** ClusterRole rules (see {@linkcode rbacRules}). */
  rules: PolicyRule[];
  /** CustomResourceDefinitions to print first. */
  crds?: Record<string, unknown>[];
  /** Container arguments (default: leader election on, probes and metrics on their ports). */
  args?: string[];
  /** Replicas (default 2: one leads, one stands by). */
  replicas?: number;
}

/**
 * The manifests as objects, in apply order.
 *
 * @example
 * ```ts
 * import { operatorManifests } from "./manifests.ts";
 * const docs = operatorManifests({ name: "op", namespace: "ops", image: "op:1", rules: [] });
 * docs.map((d) => d.kind); // ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment"]
 * ```
 */
export function operatorManifests(options: ManifestOptions): Record<string, unknown>[] {
  const { name, namespace } = options;
  const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "operatorkit" };
  const probe = (path: string) => ({
    httpGet: { path, port: "probes" },
    initialDelaySeconds: 5,
    periodSeconds: 10,
  });
  return [
    ...(options.crds ?? []),
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name, namespace, labels },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name, labels },
      rules: options.rules,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace, labels },
      spec: {
        replicas: options.replicas ?? 2,
        selector: { matchLabels: { "app.kubernetes.io/name": name } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            securityContext: { runAsNonRoot: true },
            containers: [{
              name: "operator",
              image: options.image,
              args: options.args ?? [
                "--leader-elect",
                "--log-format=json",
                "--metrics-bind-address=:8080",
                "--health-probe-bind-address=:8081",
              ],
              env: [{
                name: "POD_NAMESPACE",
                valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
              }],
              ports: [
                { name: "metrics", containerPort: 8080 },
                { name: "probes", containerPort: 8081 },
              ],
              livenessProbe: probe("/healthz"),
              readinessProbe: probe("/readyz"),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
            }],
          },
        },
      },
    },
  ];
}

/**
 * The manifests as one multi-document YAML string.
 *
 * @example
 * ```ts
 * import { manifestsYaml, operatorManifests } from "./manifests.ts";
 * const yaml = manifestsYaml(operatorManifests({ name: "op", namespace: "ops", image: "op:1", rules: [] }));
 * yaml.startsWith("apiVersion: v1\nkind: ServiceAccount"); // true
 * ```
 */
export function manifestsYaml(docs: readonly Record<string, unknown>[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
}
