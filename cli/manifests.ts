/**
 * Deployment manifests for an operator, least privilege by construction: its Namespace, its
 * CRDs, a ServiceAccount, RBAC derived from the controllers' types (so it cannot drift from
 * the code), and a Deployment that passes Pod Security "restricted".
 *
 * RBAC comes in three parts (see {@linkcode operatorRbac}):
 * - a Role + RoleBinding in the operator's own namespace: Leases (leader election) and the
 *   Events it records there;
 * - the ClusterRole: what the controllers use across the cluster (all of it without
 *   `--namespace`; with `--namespace`, only cluster-scoped types and the CRDs it owns);
 * - with `--namespace`, a Role + RoleBinding per watched namespace for the namespaced types.
 *
 * The operator's own CRDs are granted by `resourceNames`; users' `extraRules` are copied
 * exactly as written (resourceNames, nonResourceURLs included).
 *
 * Metrics are served over HTTPS with `--metrics-secure` (TokenReview + SubjectAccessReview
 * per scrape, so the ClusterRole may create those), behind a `<name>-metrics` Service; the
 * `<name>-metrics-reader` ClusterRole (`get /metrics`) is what a scraper gets bound to.
 *
 * @module
 */
import type { PolicyRule } from "../client/builtin_types.ts";
import type { ControllerTypes } from "../controller/controller.ts";

const _READ = ["get", "list", "watch"];
const _WRITE = ["create", "update", "patch", "delete"];
const _RBAC = "rbac.authorization.k8s.io";

/**
 * One permission the operator needs: a resource (or subresource) with its verbs, where it
 * is needed, and optionally the only object names it applies to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { operatorRbac, type RequiredAccess } from "./manifests.ts";
 * const rbac = operatorRbac([], { leaderElection: true });
 * const lease: RequiredAccess | undefined = rbac.access.find((a) => a.resource === "leases");
 * assert.equal(lease?.where, "own-namespace");
 * assert.equal(lease?.group, "coordination.k8s.io");
 * ```
 */
export interface RequiredAccess {
  /** API group (`""` for the core group). */
  group: string;
  /** Resource, or `resource/subresource`. */
  resource: string;
  /** Verbs, sorted. */
  verbs: string[];
  /** Limited to these object names (RBAC `resourceNames`). */
  resourceNames?: string[];
  /**
   * `cluster`: every namespace (or a cluster-scoped type); `watched`: each `--namespace`
   * (all namespaces when none is given); `own-namespace`: the operator's namespace only.
   */
  where: "cluster" | "watched" | "own-namespace";
}

/**
 * What {@linkcode operatorRbac} derives: the access list (used by the start-up permission
 * check) and the rules of each RBAC object of the manifests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OperatorRbac, operatorRbac } from "./manifests.ts";
 * const rbac: OperatorRbac = operatorRbac([], { leaderElection: true });
 * assert.deepEqual(rbac.clusterRules, []);
 * assert.ok(rbac.ownNamespaceRules.some((r) => r.resources?.[0] === "leases"));
 * ```
 */
export interface OperatorRbac {
  /** Every permission, merged per resource and place. */
  access: RequiredAccess[];
  /** ClusterRole rules (users' `extraRules` appended exactly as written). */
  clusterRules: PolicyRule[];
  /** Role rules for each watched namespace (empty without `namespaces`). */
  namespaceRules: PolicyRule[];
  /** Role rules for the operator's own namespace (Leases, Events). */
  ownNamespaceRules: PolicyRule[];
}

/**
 * Options of {@linkcode operatorRbac}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { operatorRbac, type RbacOptions } from "./manifests.ts";
 * const o: RbacOptions = { namespaces: ["team-a"], crdNames: ["websites.demo.operatorkit.io"] };
 * const rbac = operatorRbac([], o);
 * const crds = rbac.clusterRules.find((r) => r.resources?.[0] === "customresourcedefinitions");
 * assert.deepEqual(crds?.resourceNames, ["websites.demo.operatorkit.io"]);
 * assert.deepEqual(crds?.verbs, ["get", "update"], "no create: it cannot be limited by name");
 * assert.ok(rbac.ownNamespaceRules.some((r) => r.resources?.[0] === "leases"), "leader election by default");
 * ```
 */
export interface RbacOptions {
  /** The `--namespace`s the controllers are limited to (empty: all). */
  namespaces?: readonly string[];
  /**
   * Leader election on a Lease in the operator's namespace.
   * @default {true}
   */
  leaderElection?: boolean;
  /**
   * Names of the CRDs the operator installs at start: `get` and `update` on exactly those.
   * No `create`: the manifests carry the CRDs, and `create` cannot be limited by name.
   */
  crdNames?: readonly string[];
  /**
   * Metrics served with `--metrics-secure`: `create` on TokenReviews and
   * SubjectAccessReviews, to authenticate and authorize each scrape.
   */
  metricsAuth?: boolean;
  /**
   * The user's own rules, copied into the ClusterRole exactly as written. This is how to
   * declare what the SDK cannot see from the controllers' types: verbs such as
   * `deletecollection`, `bind`, `escalate` or `impersonate`, `resourceNames`, and
   * `nonResourceURLs`.
   */
  extraRules?: readonly PolicyRule[];
}

/**
 * The RBAC a set of controllers needs: read, update and patch of their primary types (status
 * and finalizers too), full access to owned child types, read access to watched types,
 * Events where their objects live, Leases for leader election, and the owned CRDs by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { operatorRbac } from "./manifests.ts";
 * const cm = { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true };
 * const rbac = operatorRbac([{ primary: cm, owns: [], watches: [] }], { leaderElection: false });
 * assert.deepEqual(
 *   rbac.clusterRules.find((r) => r.resources?.[0] === "configmaps")?.verbs,
 *   ["get", "list", "patch", "update", "watch"],
 * );
 * ```
 */
export function operatorRbac(
  controllers: readonly ControllerTypes[],
  options: RbacOptions = {},
): OperatorRbac {
  const byKey = new Map<string, RequiredAccess>();
  const add = (
    where: RequiredAccess["where"],
    group: string,
    resource: string,
    verbs: readonly string[],
    resourceNames?: readonly string[],
  ) => {
    const key = JSON.stringify([where, group, resource, resourceNames ?? null]);
    const a = byKey.get(key) ??
      {
        group,
        resource,
        verbs: [],
        where,
        ...(resourceNames ? { resourceNames: [...resourceNames] } : {}),
      };
    a.verbs = [...new Set([...a.verbs, ...verbs])].sort();
    byKey.set(key, a);
  };
  const place = (namespaced: boolean) => namespaced ? "watched" as const : "cluster" as const;
  for (const c of controllers) {
    const p = c.primary;
    add(place(p.namespaced), p.group, p.plural, [..._READ, "update", "patch"]);
    add(place(p.namespaced), p.group, `${p.plural}/status`, ["get", "update", "patch"]);
    add(place(p.namespaced), p.group, `${p.plural}/finalizers`, ["update"]);
    for (const t of c.owns) add(place(t.namespaced), t.group, t.plural, [..._READ, ..._WRITE]);
    for (const t of c.watches) add(place(t.namespaced), t.group, t.plural, _READ);
    // Events are recorded in the namespace of the object they are about.
    add(place(p.namespaced), "", "events", ["create", "patch"]);
    add(place(p.namespaced), "events.k8s.io", "events", ["create", "patch"]);
  }
  if (options.leaderElection ?? true) {
    add("own-namespace", "coordination.k8s.io", "leases", ["get", "create", "update"]);
    add("own-namespace", "", "events", ["create", "patch"]);
    add("own-namespace", "events.k8s.io", "events", ["create", "patch"]);
  }
  if (options.metricsAuth) {
    add("cluster", "authentication.k8s.io", "tokenreviews", ["create"]);
    add("cluster", "authorization.k8s.io", "subjectaccessreviews", ["create"]);
  }
  if (options.crdNames?.length) {
    add(
      "cluster",
      "apiextensions.k8s.io",
      "customresourcedefinitions",
      ["get", "update"],
      [
        ...options.crdNames,
      ].sort(),
    );
  }
  const access = [...byKey.values()].sort((a, b) =>
    a.where.localeCompare(b.where) || a.group.localeCompare(b.group) ||
    a.resource.localeCompare(b.resource)
  );
  const limited = (options.namespaces?.length ?? 0) > 0;
  const rules = (keep: (a: RequiredAccess) => boolean): PolicyRule[] =>
    access.filter(keep).map((a) => ({
      apiGroups: [a.group],
      resources: [a.resource],
      ...(a.resourceNames ? { resourceNames: [...a.resourceNames] } : {}),
      verbs: [...a.verbs],
    }));
  return {
    access,
    clusterRules: [
      ...rules((a) => a.where === "cluster" || (a.where === "watched" && !limited)),
      ...(options.extraRules ?? []).map((r) => structuredClone(r)),
    ],
    namespaceRules: limited ? rules((a) => a.where === "watched") : [],
    ownNamespaceRules: rules((a) => a.where === "own-namespace"),
  };
}

/**
 * Options of {@linkcode operatorManifests}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ManifestOptions, operatorManifests } from "./manifests.ts";
 * const o: ManifestOptions = {
 *   name: "website",
 *   namespace: "web",
 *   image: "website:1",
 *   includeNamespace: false,
 *   replicas: 3,
 * };
 * const docs = operatorManifests(o);
 * assert.ok(!docs.some((d) => d.kind === "Namespace"));
 * const deployment = docs.find((d) => d.kind === "Deployment") as {
 *   metadata: { namespace: string };
 *   spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } };
 * };
 * assert.equal(deployment.metadata.namespace, "web");
 * assert.equal(deployment.spec.replicas, 3);
 * assert.equal(deployment.spec.template.spec.containers[0].image, "website:1");
 * ```
 */
export interface ManifestOptions {
  /** Operator name: ServiceAccount, roles, bindings and Deployment names. */
  name: string;
  /** Namespace to deploy into. */
  namespace: string;
  /** Container image. */
  image: string;
  /**
   * The RBAC (see {@linkcode operatorRbac}).
   * @default {leader election only}
   */
  rbac?: OperatorRbac;
  /** The `--namespace`s the operator is limited to: a Role + RoleBinding in each. */
  watchNamespaces?: readonly string[];
  /**
   * Print the Namespace object (false when it is managed elsewhere).
   * @default {true}
   */
  includeNamespace?: boolean;
  /** CustomResourceDefinitions to print first. */
  crds?: Record<string, unknown>[];
  /**
   * Container arguments. Give `rbac` `metricsAuth: true` with secure metrics.
   * @default {leader election on, JSON logs, secure metrics on :8443, probes on :8081, and the `watchNamespaces`}
   */
  args?: string[];
  /**
   * Replicas.
   * @default {2 (one leads, one stands by)}
   */
  replicas?: number;
  /**
   * Container resources.
   * @default {requests 10m CPU / 64Mi, limits 500m / 256Mi}
   */
  resources?: { requests: Record<string, string>; limits: Record<string, string> };
}

/**
 * The manifests as objects, in apply order: Namespace, CRDs, ServiceAccount, RBAC,
 * Deployment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { operatorManifests } from "./manifests.ts";
 * const docs = operatorManifests({ name: "op", namespace: "ops", image: "op:1" });
 * assert.deepEqual(docs.map((d) => d.kind), [
 *   "Namespace", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "Service", "Deployment",
 * ]);
 * ```
 */
export function operatorManifests(options: ManifestOptions): Record<string, unknown>[] {
  const { name, namespace } = options;
  const rbac = options.rbac ?? operatorRbac([], {});
  const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "operatorkit" };
  const subjects = [{ kind: "ServiceAccount", name, namespace }];
  const probe = (path: string) => ({
    httpGet: { path, port: "probes" },
    initialDelaySeconds: 5,
    periodSeconds: 10,
  });
  const role = (ns: string, roleName: string, rules: PolicyRule[]) => [
    {
      apiVersion: `${_RBAC}/v1`,
      kind: "Role",
      metadata: { name: roleName, namespace: ns, labels },
      rules,
    },
    {
      apiVersion: `${_RBAC}/v1`,
      kind: "RoleBinding",
      metadata: { name: roleName, namespace: ns, labels },
      roleRef: { apiGroup: _RBAC, kind: "Role", name: roleName },
      subjects,
    },
  ];
  const watched = [...new Set(options.watchNamespaces ?? [])];
  const args = options.args ?? [
    "--leader-elect",
    "--log-format=json",
    "--metrics-secure",
    "--metrics-bind-address=:8443",
    "--health-probe-bind-address=:8081",
    ...watched.map((ns) => `--namespace=${ns}`),
  ];
  return [
    ...(options.includeNamespace ?? true
      ? [{
        apiVersion: "v1",
        kind: "Namespace",
        // The operator's pod passes Pod Security "restricted": enforce it for the namespace.
        metadata: {
          name: namespace,
          labels: { ...labels, "pod-security.kubernetes.io/enforce": "restricted" },
        },
      }]
      : []),
    ...(options.crds ?? []),
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace, labels } },
    ...(rbac.ownNamespaceRules.length
      ? role(namespace, `${name}-leader-election`, rbac.ownNamespaceRules)
      : []),
    ...(rbac.namespaceRules.length
      ? watched.flatMap((ns) => role(ns, name, rbac.namespaceRules))
      : []),
    ...(rbac.clusterRules.length
      ? [
        {
          apiVersion: `${_RBAC}/v1`,
          kind: "ClusterRole",
          metadata: { name, labels },
          rules: rbac.clusterRules,
        },
        {
          apiVersion: `${_RBAC}/v1`,
          kind: "ClusterRoleBinding",
          metadata: { name, labels },
          roleRef: { apiGroup: _RBAC, kind: "ClusterRole", name },
          subjects,
        },
      ]
      : []),
    // Who may scrape: bind this ClusterRole to Prometheus's ServiceAccount.
    {
      apiVersion: `${_RBAC}/v1`,
      kind: "ClusterRole",
      metadata: { name: `${name}-metrics-reader`, labels },
      rules: [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }],
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: `${name}-metrics`, namespace, labels },
      spec: {
        selector: { "app.kubernetes.io/name": name },
        ports: [{ name: "https", port: 8443, targetPort: "metrics", protocol: "TCP" }],
      },
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
            // Pod Security "restricted": non-root, RuntimeDefault seccomp, no escalation,
            // no capabilities; a read-only root with a small writable /tmp.
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [{
              name: "operator",
              image: options.image,
              args,
              env: [
                {
                  name: "POD_NAMESPACE",
                  valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
                },
                { name: "DENO_DIR", value: "/tmp/deno" },
                // A 2 MB young generation: less RSS after an informer's initial list at about
                // the same CPU (bench/peers/README.md); Deno reads DENO_V8_FLAGS at start.
                { name: "DENO_V8_FLAGS", value: "--max-semi-space-size=2" },
                // Two glibc malloc arenas instead of up to eight per core (one per contending thread): about
                // 1 MB less RSS idle and 2 to 3 MB less after the initial list, CPU unchanged
                // in the peer benchmark (bench/peers/README.md).
                { name: "MALLOC_ARENA_MAX", value: "2" },
                // `deno run` otherwise looks up dl.deno.land in the background on every start
                // for an upgrade notice: egress a restricted cluster denies and no operator needs.
                { name: "DENO_NO_UPDATE_CHECK", value: "1" },
              ],
              // Metrics over HTTPS behind TokenReview + SubjectAccessReview; probes (plain
              // HTTP, for the kubelet) on their own port.
              ports: [
                { name: "metrics", containerPort: 8443 },
                { name: "probes", containerPort: 8081 },
              ],
              livenessProbe: probe("/healthz"),
              readinessProbe: probe("/readyz"),
              resources: options.resources ?? {
                requests: { cpu: "10m", memory: "64Mi" },
                limits: { cpu: "500m", memory: "256Mi" },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            }],
            volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
          },
        },
      },
    },
  ];
}

/**
 * The manifests as one multi-document YAML string. Asynchronous because it loads the YAML
 * library on first use (an operator that never prints its manifests does not keep it in memory).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestsYaml, operatorManifests } from "./manifests.ts";
 * const yaml = await manifestsYaml(operatorManifests({ name: "op", namespace: "ops", image: "op:1" }));
 * assert.ok(yaml.startsWith("apiVersion: v1\nkind: Namespace"));
 * ```
 */
export async function manifestsYaml(docs: readonly Record<string, unknown>[]): Promise<string> {
  const { stringify } = await import("yaml");
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
}
