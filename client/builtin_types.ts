/**
 * TypeScript shapes of the built-in objects operators commonly touch. They cover the fields
 * operators use, not every field of the API; unknown fields pass through untouched.
 *
 * @module
 */
import type { KubeObject, ObjectMeta } from "./types.ts";

/**
 * A label selector as objects carry it (`spec.selector` of workloads).
 *
 * @example
 * ```ts
 * import type { LabelSelector } from "./builtin_types.ts";
 * const s: LabelSelector = { matchLabels: { app: "web" } };
 * ```
 */
export interface LabelSelector {
  /** Exact label matches. */
  matchLabels?: Record<string, string>;
  /** Set-based requirements. */
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/**
 * A standard condition (`status.conditions[]`).
 *
 * @example
 * ```ts
 * import type { Condition } from "./builtin_types.ts";
 * const c: Condition = { type: "Ready", status: "True" };
 * ```
 */
export interface Condition {
  /** Condition type, e.g. `Ready`, `Available`. */
  type: string;
  /** `True`, `False` or `Unknown`. */
  status: "True" | "False" | "Unknown" | string;
  /** Machine-readable reason. */
  reason?: string;
  /** Human-readable message. */
  message?: string;
  /** When the status last changed. */
  lastTransitionTime?: string;
  /** The generation the condition was computed for. */
  observedGeneration?: number;
}

/**
 * A container of a pod template.
 *
 * @example
 * ```ts
 * import type { Container } from "./builtin_types.ts";
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
 * import type { PodSpec } from "./builtin_types.ts";
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
 * import type { PodTemplateSpec } from "./builtin_types.ts";
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
 * core/v1 ConfigMap.
 *
 * @example
 * ```ts
 * import type { ConfigMap } from "./builtin_types.ts";
 * const cm: ConfigMap = { metadata: { name: "a" }, data: { key: "value" } };
 * ```
 */
export interface ConfigMap extends KubeObject {
  /** UTF-8 entries. */
  data?: Record<string, string>;
  /** Binary entries, base64. */
  binaryData?: Record<string, string>;
  /** Immutable ConfigMaps reject updates to data. */
  immutable?: boolean;
}

/**
 * core/v1 Secret.
 *
 * @example
 * ```ts
 * import type { Secret } from "./builtin_types.ts";
 * const s: Secret = { metadata: { name: "a" }, type: "Opaque", stringData: { password: "x" } };
 * ```
 */
export interface Secret extends KubeObject {
  /** Entries, base64-encoded. */
  data?: Record<string, string>;
  /** Write-only plain-text entries, merged into `data` by the server. */
  stringData?: Record<string, string>;
  /** Secret type, e.g. `Opaque`, `kubernetes.io/tls`. */
  type?: string;
  /** Immutable Secrets reject updates to data. */
  immutable?: boolean;
}

/**
 * core/v1 Namespace.
 *
 * @example
 * ```ts
 * import type { Namespace } from "./builtin_types.ts";
 * const ns: Namespace = { metadata: { name: "team-a" } };
 * ```
 */
export interface Namespace extends KubeObject {
  /** Namespace spec. */
  spec?: { finalizers?: string[] };
  /** `Active` or `Terminating`. */
  status?: { phase?: "Active" | "Terminating"; conditions?: Condition[] };
}

/**
 * A port of a Service.
 *
 * @example
 * ```ts
 * import type { ServicePort } from "./builtin_types.ts";
 * const p: ServicePort = { name: "http", port: 80, targetPort: 8080 };
 * ```
 */
export interface ServicePort {
  /** Port name (required with several ports). */
  name?: string;
  /** TCP (default), UDP or SCTP. */
  protocol?: string;
  /** The Service port. */
  port: number;
  /** The pod port (number or name). */
  targetPort?: number | string;
  /** Node port for NodePort/LoadBalancer Services. */
  nodePort?: number;
}

/**
 * core/v1 Service.
 *
 * @example
 * ```ts
 * import type { Service } from "./builtin_types.ts";
 * const s: Service = { metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } };
 * ```
 */
export interface Service extends KubeObject {
  /** Service spec. */
  spec?: {
    type?: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    externalName?: string;
    [field: string]: unknown;
  };
  /** Load balancer status. */
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

/**
 * core/v1 ServiceAccount.
 *
 * @example
 * ```ts
 * import type { ServiceAccount } from "./builtin_types.ts";
 * const sa: ServiceAccount = { metadata: { name: "operator" } };
 * ```
 */
export interface ServiceAccount extends KubeObject {
  /** Secrets usable by pods running as this account. */
  secrets?: Array<{ name?: string }>;
  /** Image pull secrets. */
  imagePullSecrets?: Array<{ name?: string }>;
  /** Whether tokens are mounted by default. */
  automountServiceAccountToken?: boolean;
}

/**
 * core/v1 Pod.
 *
 * @example
 * ```ts
 * import type { Pod } from "./builtin_types.ts";
 * const p: Pod = { metadata: { name: "web-0" }, spec: { containers: [{ name: "web" }] } };
 * ```
 */
export interface Pod extends KubeObject {
  /** Pod spec. */
  spec?: PodSpec;
  /** Pod status. */
  status?: {
    phase?: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
    conditions?: Condition[];
    podIP?: string;
    hostIP?: string;
    startTime?: string;
    containerStatuses?: Array<{
      name: string;
      ready: boolean;
      restartCount: number;
      image?: string;
      state?: Record<string, unknown>;
    }>;
    [field: string]: unknown;
  };
}

/**
 * core/v1 Event.
 *
 * @example
 * ```ts
 * import type { Event } from "./builtin_types.ts";
 * const e: Event = {
 *   metadata: { name: "web.1", namespace: "default" },
 *   involvedObject: { kind: "Pod", name: "web", namespace: "default" },
 *   reason: "Started",
 *   type: "Normal",
 * };
 * ```
 */
export interface Event extends KubeObject {
  /** The object this event is about. */
  involvedObject: {
    kind?: string;
    namespace?: string;
    name?: string;
    uid?: string;
    apiVersion?: string;
    resourceVersion?: string;
    fieldPath?: string;
  };
  /** Short machine-readable reason. */
  reason?: string;
  /** Human-readable message. */
  message?: string;
  /** The reporting component. */
  source?: { component?: string; host?: string };
  /** First occurrence. */
  firstTimestamp?: string;
  /** Last occurrence. */
  lastTimestamp?: string;
  /** How many times it occurred. */
  count?: number;
  /** `Normal` or `Warning`. */
  type?: "Normal" | "Warning" | string;
  /** Controller that emitted it. */
  reportingComponent?: string;
  /** Instance of the controller. */
  reportingInstance?: string;
}

/**
 * apps/v1 Deployment.
 *
 * @example
 * ```ts
 * import type { Deployment } from "./builtin_types.ts";
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
 * Replica counts common to workload statuses.
 *
 * @example
 * ```ts
 * import type { WorkloadStatus } from "./builtin_types.ts";
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
 * apps/v1 StatefulSet.
 *
 * @example
 * ```ts
 * import type { StatefulSet } from "./builtin_types.ts";
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
 * import type { DaemonSet } from "./builtin_types.ts";
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
 * import type { ReplicaSet } from "./builtin_types.ts";
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
 * coordination.k8s.io/v1 Lease (leader election).
 *
 * @example
 * ```ts
 * import type { Lease } from "./builtin_types.ts";
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
 * import type { CustomResourceDefinition } from "./builtin_types.ts";
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
 * import type { PolicyRule } from "./builtin_types.ts";
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
 * import type { Role } from "./builtin_types.ts";
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
 * import type { ClusterRole } from "./builtin_types.ts";
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
 * import type { RoleBinding } from "./builtin_types.ts";
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

/**
 * autoscaling/v1 Scale, the shape of the `scale` subresource.
 *
 * @example
 * ```ts
 * import type { Scale } from "./builtin_types.ts";
 * const s: Scale = { metadata: { name: "web" }, spec: { replicas: 3 } };
 * ```
 */
export interface Scale extends KubeObject {
  /** Desired replicas. */
  spec?: { replicas?: number };
  /** Observed replicas and selector. */
  status?: { replicas: number; selector?: string };
}
