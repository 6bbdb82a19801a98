/**
 * TypeScript shapes of the core built-in objects operators commonly touch. They cover the
 * fields operators use, not every field of the API; unknown fields pass through untouched.
 * Workload, Lease, CRD and RBAC shapes live in `workload_types.ts` and `cluster_types.ts` and
 * are re-exported here.
 *
 * @module
 */
import type { KubeObject } from "./types.ts";
import type { PodSpec } from "./workload_types.ts";
export type * from "./workload_types.ts";
export type * from "./cluster_types.ts";

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
