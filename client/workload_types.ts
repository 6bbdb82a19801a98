/**
 * Pod specs, workloads (Deployments, StatefulSets, DaemonSets, ReplicaSets) and the
 * autoscaling/v1 Scale subresource: the generated types of `api/core/v1`, `api/apps/v1` and
 * `api/autoscaling/v1`, re-exported under the names the client always had.
 *
 * @example
 * ```ts
 * import type { Deployment } from "./workload_types.ts";
 * import assert from "node:assert/strict";
 * const d: Deployment = {
 *   metadata: { name: "web" },
 *   spec: {
 *     replicas: 2,
 *     selector: { matchLabels: { app: "web" } },
 *     template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web" }] } },
 *   },
 * };
 * assert.equal(d.spec?.template.spec?.containers[0].name, "web");
 * ```
 *
 * @module
 */
export type { Container, PodSpec, PodTemplateSpec } from "../api/core/v1/mod.ts";
export type {
  DaemonSet,
  DaemonSetStatus,
  Deployment,
  DeploymentStatus,
  ReplicaSet,
  ReplicaSetStatus,
  StatefulSet,
  StatefulSetStatus,
} from "../api/apps/v1/mod.ts";
export type { Scale } from "../api/autoscaling/v1/mod.ts";

/**
 * Replica counts common to workload statuses (a subset of `DeploymentStatus`,
 * `StatefulSetStatus` and `ReplicaSetStatus`, for code handling any of them).
 *
 * @example
 * ```ts
 * import type { DeploymentStatus, WorkloadStatus } from "./workload_types.ts";
 * import assert from "node:assert/strict";
 * const status: DeploymentStatus = { replicas: 2, readyReplicas: 1 };
 * const s: WorkloadStatus = status;
 * assert.equal(s.readyReplicas, 1);
 * ```
 */
export interface WorkloadStatus {
  /** Generation the status was computed for. */
  observedGeneration?: number;
  /** Current replicas. */
  replicas?: number;
  /** Ready replicas. */
  readyReplicas?: number;
  /** Available replicas. */
  availableReplicas?: number;
  /** Conditions. */
  conditions?: Array<{ type: string; status: string }>;
}
