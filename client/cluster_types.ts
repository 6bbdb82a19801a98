/**
 * TypeScript shapes of Leases, CustomResourceDefinitions and RBAC objects.
 *
 * @module
 */
import type { KubeObject } from "./types.ts";
import type { Condition, LabelSelector } from "./builtin_types.ts";

/**
 * coordination.k8s.io/v1 Lease (leader election).
 *
 * @example
 * ```ts
 * import type { Lease } from "./cluster_types.ts";
 * const l: Lease = { metadata: { name: "op" }, spec: { holderIdentity: "pod-a", leaseDurationSeconds: 15 } };
 * ```
 */
export interface Lease extends KubeObject {
  /** Lease spec; times are MicroTime (`2006-01-02T15:04:05.000000Z`). */
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition.
 *
 * @example
 * ```ts
 * import type { CustomResourceDefinition } from "./cluster_types.ts";
 * const crd: CustomResourceDefinition = {
 *   metadata: { name: "websites.demo.io" },
 *   spec: {
 *     group: "demo.io",
 *     scope: "Namespaced",
 *     names: { plural: "websites", singular: "website", kind: "Website" },
 *     versions: [{ name: "v1", served: true, storage: true }],
 *   },
 * };
 * ```
 */
export interface CustomResourceDefinition extends KubeObject {
  /** CRD spec. */
  spec: {
    group: string;
    scope: "Namespaced" | "Cluster";
    names: {
      plural: string;
      singular?: string;
      kind: string;
      listKind?: string;
      shortNames?: string[];
      categories?: string[];
    };
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      schema?: { openAPIV3Schema?: Record<string, unknown> };
      subresources?: { status?: Record<string, never>; scale?: Record<string, string> };
      additionalPrinterColumns?: Array<Record<string, unknown>>;
      [field: string]: unknown;
    }>;
    [field: string]: unknown;
  };
  /** CRD status (conditions NamesAccepted and Established). */
  status?: {
    conditions?: Condition[];
    acceptedNames?: { plural?: string; kind?: string; [field: string]: unknown };
    storedVersions?: string[];
  };
}

/**
 * An RBAC policy rule.
 *
 * @example
 * ```ts
 * import type { PolicyRule } from "./cluster_types.ts";
 * const r: PolicyRule = { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] };
 * ```
 */
export interface PolicyRule {
  /** API groups (`""` for core). */
  apiGroups?: string[];
  /** Resources (plural names, `x/status` for subresources). */
  resources?: string[];
  /** Verbs. */
  verbs: string[];
  /** Restricts to these object names. */
  resourceNames?: string[];
  /** Non-resource URLs (ClusterRoles only). */
  nonResourceURLs?: string[];
}

/**
 * rbac.authorization.k8s.io/v1 Role (namespaced) and ClusterRole (cluster-scoped).
 *
 * @example
 * ```ts
 * import type { Role } from "./cluster_types.ts";
 * const r: Role = { metadata: { name: "reader" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] };
 * ```
 */
export interface Role extends KubeObject {
  /** The rules. */
  rules?: PolicyRule[];
}

/**
 * A ClusterRole: a Role that is cluster-scoped and can aggregate others.
 *
 * @example
 * ```ts
 * import type { ClusterRole } from "./cluster_types.ts";
 * const r: ClusterRole = { metadata: { name: "reader" }, rules: [] };
 * ```
 */
export interface ClusterRole extends Role {
  /** Aggregation of other ClusterRoles by label. */
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] };
}

/**
 * rbac.authorization.k8s.io/v1 RoleBinding and ClusterRoleBinding.
 *
 * @example
 * ```ts
 * import type { RoleBinding } from "./cluster_types.ts";
 * const b: RoleBinding = {
 *   metadata: { name: "op" },
 *   roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
 *   subjects: [{ kind: "ServiceAccount", name: "op", namespace: "default" }],
 * };
 * ```
 */
export interface RoleBinding extends KubeObject {
  /** The role granted. */
  roleRef: { apiGroup: string; kind: "Role" | "ClusterRole" | string; name: string };
  /** Who gets it. */
  subjects?: Array<{ kind: string; name: string; namespace?: string; apiGroup?: string }>;
}
