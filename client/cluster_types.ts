/**
 * Leases, CustomResourceDefinitions and RBAC objects: the generated types of
 * `api/coordination/v1`, `api/apiextensions/v1` and `api/rbac/v1`, re-exported under the names
 * the client always had.
 *
 * @example
 * ```ts
 * import type { Role } from "./cluster_types.ts";
 * import assert from "node:assert/strict";
 * const role: Role = {
 *   metadata: { name: "reader" },
 *   rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
 * };
 * assert.deepEqual(role.rules?.[0].verbs, ["get", "list", "watch"]);
 * ```
 *
 * @module
 */
export type { Lease, LeaseSpec } from "../api/coordination/v1/mod.ts";
export type {
  CustomResourceDefinition,
  CustomResourceDefinitionSpec,
  CustomResourceDefinitionVersion,
} from "../api/apiextensions/v1/mod.ts";
export type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  RoleRef,
  Subject,
} from "../api/rbac/v1/mod.ts";
