/**
 * Resource types for the built-in objects operators use most, ready for
 * `client.resource(...)`: the descriptors generated into `api/<group>/<version>`, re-exported
 * under the names the client always had. Every other built-in resource has its descriptor in
 * its `api/` module (e.g. `Jobs` in `@operatorkit/operatorkit/api/batch/v1`).
 *
 * @example
 * ```ts
 * import { ConfigMaps, Deployments, Namespaces } from "./builtins.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ConfigMaps.plural, "configmaps");
 * assert.equal(Deployments.apiVersion, "apps/v1");
 * assert.equal(Namespaces.namespaced, false);
 * assert.ok(Deployments.subresources?.includes("scale"));
 * ```
 *
 * @module
 */
// From each group version's `_resources.ts` (what its mod.ts re-exports): the descriptors
// without the module's type declarations, which a process would otherwise load and keep.
export {
  ConfigMaps,
  Events,
  Namespaces,
  Pods,
  Secrets,
  ServiceAccounts,
  Services,
} from "../api/core/v1/_resources.ts";
export { DaemonSets, Deployments, ReplicaSets, StatefulSets } from "../api/apps/v1/_resources.ts";
export { Leases } from "../api/coordination/v1/_resources.ts";
export { CustomResourceDefinitions } from "../api/apiextensions/v1/_resources.ts";
export {
  ClusterRoleBindings,
  ClusterRoles,
  RoleBindings,
  Roles,
} from "../api/rbac/v1/_resources.ts";
