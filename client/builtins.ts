/**
 * Resource types for the built-in objects operators use most, ready for
 * `client.resource(...)`.
 *
 * @module
 */
import type {
  ConfigMap,
  Event,
  Namespace,
  Pod,
  Secret,
  Service,
  ServiceAccount,
} from "./builtin_types.ts";
import type {
  ClusterRole,
  CustomResourceDefinition,
  Lease,
  Role,
  RoleBinding,
} from "./cluster_types.ts";
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "./workload_types.ts";
import { defineResource } from "./define_resource.ts";
import type { ResourceType } from "./types.ts";

/**
 * core/v1 ConfigMaps.
 *
 * @example
 * ```ts
 * import { ConfigMaps } from "./builtins.ts";
 * ConfigMaps.plural; // "configmaps"
 * ```
 */
export const ConfigMaps: ResourceType<ConfigMap> = defineResource<ConfigMap>({
  apiVersion: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
});

/**
 * core/v1 Secrets.
 *
 * @example
 * ```ts
 * import { Secrets } from "./builtins.ts";
 * Secrets.kind; // "Secret"
 * ```
 */
export const Secrets: ResourceType<Secret> = defineResource<Secret>({
  apiVersion: "v1",
  kind: "Secret",
  plural: "secrets",
});

/**
 * core/v1 Namespaces (cluster-scoped).
 *
 * @example
 * ```ts
 * import { Namespaces } from "./builtins.ts";
 * Namespaces.namespaced; // false
 * ```
 */
export const Namespaces: ResourceType<Namespace> = defineResource<Namespace>({
  apiVersion: "v1",
  kind: "Namespace",
  plural: "namespaces",
  namespaced: false,
});

/**
 * core/v1 Services.
 *
 * @example
 * ```ts
 * import { Services } from "./builtins.ts";
 * Services.plural; // "services"
 * ```
 */
export const Services: ResourceType<Service> = defineResource<Service>({
  apiVersion: "v1",
  kind: "Service",
  plural: "services",
});

/**
 * core/v1 ServiceAccounts.
 *
 * @example
 * ```ts
 * import { ServiceAccounts } from "./builtins.ts";
 * ServiceAccounts.plural; // "serviceaccounts"
 * ```
 */
export const ServiceAccounts: ResourceType<ServiceAccount> = defineResource<ServiceAccount>({
  apiVersion: "v1",
  kind: "ServiceAccount",
  plural: "serviceaccounts",
});

/**
 * core/v1 Pods.
 *
 * @example
 * ```ts
 * import { Pods } from "./builtins.ts";
 * Pods.plural; // "pods"
 * ```
 */
export const Pods: ResourceType<Pod> = defineResource<Pod>({
  apiVersion: "v1",
  kind: "Pod",
  plural: "pods",
});

/**
 * core/v1 Events.
 *
 * @example
 * ```ts
 * import { Events } from "./builtins.ts";
 * Events.plural; // "events"
 * ```
 */
export const Events: ResourceType<Event> = defineResource<Event>({
  apiVersion: "v1",
  kind: "Event",
  plural: "events",
});

/**
 * apps/v1 Deployments.
 *
 * @example
 * ```ts
 * import { Deployments } from "./builtins.ts";
 * Deployments.apiVersion; // "apps/v1"
 * ```
 */
export const Deployments: ResourceType<Deployment> = defineResource<Deployment>({
  apiVersion: "apps/v1",
  kind: "Deployment",
  plural: "deployments",
});

/**
 * apps/v1 StatefulSets.
 *
 * @example
 * ```ts
 * import { StatefulSets } from "./builtins.ts";
 * StatefulSets.plural; // "statefulsets"
 * ```
 */
export const StatefulSets: ResourceType<StatefulSet> = defineResource<StatefulSet>({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  plural: "statefulsets",
});

/**
 * apps/v1 DaemonSets.
 *
 * @example
 * ```ts
 * import { DaemonSets } from "./builtins.ts";
 * DaemonSets.plural; // "daemonsets"
 * ```
 */
export const DaemonSets: ResourceType<DaemonSet> = defineResource<DaemonSet>({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  plural: "daemonsets",
});

/**
 * apps/v1 ReplicaSets.
 *
 * @example
 * ```ts
 * import { ReplicaSets } from "./builtins.ts";
 * ReplicaSets.plural; // "replicasets"
 * ```
 */
export const ReplicaSets: ResourceType<ReplicaSet> = defineResource<ReplicaSet>({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  plural: "replicasets",
});

/**
 * coordination.k8s.io/v1 Leases.
 *
 * @example
 * ```ts
 * import { Leases } from "./builtins.ts";
 * Leases.group; // "coordination.k8s.io"
 * ```
 */
export const Leases: ResourceType<Lease> = defineResource<Lease>({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  plural: "leases",
});

/**
 * apiextensions.k8s.io/v1 CustomResourceDefinitions (cluster-scoped).
 *
 * @example
 * ```ts
 * import { CustomResourceDefinitions } from "./builtins.ts";
 * CustomResourceDefinitions.namespaced; // false
 * ```
 */
export const CustomResourceDefinitions: ResourceType<CustomResourceDefinition> = defineResource<
  CustomResourceDefinition
>({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  plural: "customresourcedefinitions",
  namespaced: false,
});

/**
 * rbac.authorization.k8s.io/v1 Roles.
 *
 * @example
 * ```ts
 * import { Roles } from "./builtins.ts";
 * Roles.plural; // "roles"
 * ```
 */
export const Roles: ResourceType<Role> = defineResource<Role>({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "Role",
  plural: "roles",
});

/**
 * rbac.authorization.k8s.io/v1 RoleBindings.
 *
 * @example
 * ```ts
 * import { RoleBindings } from "./builtins.ts";
 * RoleBindings.plural; // "rolebindings"
 * ```
 */
export const RoleBindings: ResourceType<RoleBinding> = defineResource<RoleBinding>({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "RoleBinding",
  plural: "rolebindings",
});

/**
 * rbac.authorization.k8s.io/v1 ClusterRoles (cluster-scoped).
 *
 * @example
 * ```ts
 * import { ClusterRoles } from "./builtins.ts";
 * ClusterRoles.namespaced; // false
 * ```
 */
export const ClusterRoles: ResourceType<ClusterRole> = defineResource<ClusterRole>({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRole",
  plural: "clusterroles",
  namespaced: false,
});

/**
 * rbac.authorization.k8s.io/v1 ClusterRoleBindings (cluster-scoped).
 *
 * @example
 * ```ts
 * import { ClusterRoleBindings } from "./builtins.ts";
 * ClusterRoleBindings.namespaced; // false
 * ```
 */
export const ClusterRoleBindings: ResourceType<RoleBinding> = defineResource<RoleBinding>({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRoleBinding",
  plural: "clusterrolebindings",
  namespaced: false,
});
