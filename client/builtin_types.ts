/**
 * The built-in object types the client always exported by name (ConfigMap, Secret, Pod,
 * Deployment, Lease, Role, ...): since issue 14 they are the types generated from the
 * Kubernetes OpenAPI documents (`api/<group>/<version>`), re-exported here. Every other
 * built-in kind is in its `api/` module, e.g. `@operatorkit/operatorkit/api/batch/v1`.
 *
 * @example
 * ```ts
 * import type { ConfigMap, Pod } from "./builtin_types.ts";
 * import assert from "node:assert/strict";
 * const cm: ConfigMap = { metadata: { name: "a" }, data: { key: "value" } };
 * const pod: Pod = { metadata: { name: "web-0" }, spec: { containers: [{ name: "web" }] } };
 * assert.equal(cm.data?.key, "value");
 * assert.equal(pod.spec?.containers.length, 1);
 * ```
 *
 * @module
 */
export type * from "./workload_types.ts";
export type * from "./cluster_types.ts";
export type {
  ConfigMap,
  Event,
  Namespace,
  Pod,
  Secret,
  Service,
  ServiceAccount,
  ServicePort,
} from "../api/core/v1/mod.ts";
export type { LabelSelector } from "../api/meta/v1/mod.ts";

/**
 * A standard condition (`status.conditions[]`) as the SDK's helpers take it: the generated
 * `api/meta/v1` `Condition` with only `type` and `status` required (the server requires the
 * rest; `setCondition()` in the controller fills lastTransitionTime).
 *
 * @example
 * ```ts
 * import type { Condition } from "./builtin_types.ts";
 * import { setCondition } from "../controller/mod.ts";
 * import assert from "node:assert/strict";
 * const ready: Condition = { type: "Ready", status: "False", reason: "Pending" };
 * const conditions = setCondition([], ready, { now: Date.UTC(2026, 0, 1) });
 * assert.equal(conditions[0].reason, "Pending");
 * assert.equal(conditions[0].lastTransitionTime, "2026-01-01T00:00:00Z");
 * ```
 */
export interface Condition {
  /** Condition type, e.g. `Ready`, `Available`. */
  type: string;
  /** `True`, `False` or `Unknown`. */
  status: "True" | "False" | "Unknown";
  /** Machine-readable reason. */
  reason?: string;
  /** Human-readable message. */
  message?: string;
  /** When the status last changed. */
  lastTransitionTime?: string;
  /** The generation the condition was computed for. */
  observedGeneration?: number;
}
