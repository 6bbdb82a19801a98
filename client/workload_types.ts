/**
 * TypeScript shapes of pod specs and workloads (Deployments, StatefulSets, DaemonSets,
 * ReplicaSets) and the autoscaling/v1 Scale subresource.
 *
 * @module
 */
import type { KubeObject, ObjectMeta } from "./types.ts";
import type { Condition, LabelSelector } from "./builtin_types.ts";

/**
 * A container of a pod template.
 *
 * @example
 * ```ts
 * import type { Container } from "./workload_types.ts";
 * const c: Container = { name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] };
 * ```
 */
export interface Container {
  /** Container name. */
  name: string;
  /** Image reference. */
  image?: string;
  /** Entrypoint override. */
  command?: string[];
  /** Arguments. */
  args?: string[];
  /** Environment variables. */
  env?: Array<{ name: string; value?: string; valueFrom?: Record<string, unknown> }>;
  /** Environment from ConfigMaps/Secrets. */
  envFrom?: Array<Record<string, unknown>>;
  /** Exposed ports. */
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  /** Resource requests and limits. */
  resources?: {
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  };
  /** Volume mounts. */
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean; subPath?: string }>;
  /** Probes and other fields. */
  [field: string]: unknown;
}

/**
 * A pod spec (also the `template.spec` of workloads).
 *
 * @example
 * ```ts
 * import type { PodSpec } from "./workload_types.ts";
 * const s: PodSpec = { containers: [{ name: "web", image: "nginx" }] };
 * ```
 */
export interface PodSpec {
  /** The containers. */
  containers: Container[];
  /** Init containers. */
  initContainers?: Container[];
  /** Volumes. */
  volumes?: Array<{ name: string; [source: string]: unknown }>;
  /** Service account to run as. */
  serviceAccountName?: string;
  /** Node the pod is bound to. */
  nodeName?: string;
  /** Restart policy. */
  restartPolicy?: "Always" | "OnFailure" | "Never";
  /** Node selector. */
  nodeSelector?: Record<string, string>;
  /** Other fields (affinity, tolerations, securityContext, ...). */
  [field: string]: unknown;
}

/**
 * A pod template (`spec.template` of workloads).
 *
 * @example
 * ```ts
 * import type { PodTemplateSpec } from "./workload_types.ts";
 * const t: PodTemplateSpec = { metadata: { labels: { app: "web" } }, spec: { containers: [] } };
 * ```
 */
export interface PodTemplateSpec {
  /** Template metadata (labels must match the selector). */
  metadata?: ObjectMeta;
  /** The pod spec. */
  spec: PodSpec;
}

/**
 * Replica counts common to workload statuses.
 *
 * @example
 * ```ts
 * import type { WorkloadStatus } from "./workload_types.ts";
 * const s: WorkloadStatus = { replicas: 2, readyReplicas: 1 };
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
  conditions?: Condition[];
}

/**
 * apps/v1 Deployment.
 *
 * @example
 * ```ts
 * import type { Deployment } from "./workload_types.ts";
 * const d: Deployment = {
 *   metadata: { name: "web" },
 *   spec: {
 *     replicas: 2,
 *     selector: { matchLabels: { app: "web" } },
 *     template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web" }] } },
 *   },
 * };
 * ```
 */
export interface Deployment extends KubeObject {
  /** Deployment spec. */
  spec?: {
    replicas?: number;
    selector: LabelSelector;
    template: PodTemplateSpec;
    strategy?: { type?: "RollingUpdate" | "Recreate"; rollingUpdate?: Record<string, unknown> };
    paused?: boolean;
    [field: string]: unknown;
  };
  /** Deployment status. */
  status?: WorkloadStatus & { updatedReplicas?: number; unavailableReplicas?: number };
}

/**
 * apps/v1 StatefulSet.
 *
 * @example
 * ```ts
 * import type { StatefulSet } from "./workload_types.ts";
 * const s: StatefulSet = {
 *   metadata: { name: "db" },
 *   spec: { serviceName: "db", selector: {}, template: { spec: { containers: [] } } },
 * };
 * ```
 */
export interface StatefulSet extends KubeObject {
  /** StatefulSet spec. */
  spec?: {
    replicas?: number;
    serviceName?: string;
    selector: LabelSelector;
    template: PodTemplateSpec;
    volumeClaimTemplates?: KubeObject[];
    [field: string]: unknown;
  };
  /** StatefulSet status. */
  status?: WorkloadStatus & { currentReplicas?: number; updatedReplicas?: number };
}

/**
 * apps/v1 DaemonSet.
 *
 * @example
 * ```ts
 * import type { DaemonSet } from "./workload_types.ts";
 * const d: DaemonSet = { metadata: { name: "agent" }, spec: { selector: {}, template: { spec: { containers: [] } } } };
 * ```
 */
export interface DaemonSet extends KubeObject {
  /** DaemonSet spec. */
  spec?: { selector: LabelSelector; template: PodTemplateSpec; [field: string]: unknown };
  /** DaemonSet status. */
  status?: {
    desiredNumberScheduled?: number;
    currentNumberScheduled?: number;
    numberReady?: number;
    observedGeneration?: number;
    [field: string]: unknown;
  };
}

/**
 * apps/v1 ReplicaSet.
 *
 * @example
 * ```ts
 * import type { ReplicaSet } from "./workload_types.ts";
 * const r: ReplicaSet = { metadata: { name: "web-1" }, spec: { selector: {}, replicas: 1 } };
 * ```
 */
export interface ReplicaSet extends KubeObject {
  /** ReplicaSet spec. */
  spec?: { replicas?: number; selector: LabelSelector; template?: PodTemplateSpec };
  /** ReplicaSet status. */
  status?: WorkloadStatus;
}

/**
 * autoscaling/v1 Scale, the shape of the `scale` subresource.
 *
 * @example
 * ```ts
 * import type { Scale } from "./workload_types.ts";
 * const s: Scale = { metadata: { name: "web" }, spec: { replicas: 3 } };
 * ```
 */
export interface Scale extends KubeObject {
  /** Desired replicas. */
  spec?: { replicas?: number };
  /** Observed replicas and selector. */
  status?: { replicas: number; selector?: string };
}
