// The resource types the server serves: the built-ins, plus those CRDs add at run time.
import type { JSONSchemaProps, PrinterColumn } from "../_schema/mod_internal.ts";

/** The scale subresource mapping (rule 4.2). */
export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** Everything the handlers need to know about one served resource at one version. */
export interface ResourceInfo {
  group: string;
  version: string;
  apiVersion: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  verbs: string[];
  /** True when the type has a status subresource (rule 4.1). */
  status: boolean;
  scale?: ScaleSpec;
  /** True when the server maintains metadata.generation (rule 1.4). */
  generation: boolean;
  /** Field selector paths beyond metadata.name/metadata.namespace (rule 6.6). */
  fieldSelectors: string[];
  /** Name rule (rule 2.6). */
  nameRule: "label" | "subdomain";
  /** False for custom resources: PUT needs a resourceVersion (rule 2.9). */
  unconditionalUpdate: boolean;
  /** Storage identity: all versions of one group/plural share one store. */
  storeKey: string;
  /** Set for custom resources. */
  crd?: {
    name: string;
    schema?: JSONSchemaProps;
    columns?: PrinterColumn[];
    /** The version objects are stored at. */
    storageVersion: string;
  };
}

/** The verbs of an ordinary resource. */
export const ALL_VERBS: string[] = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];

type BuiltinSpec = [
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra?: Partial<ResourceInfo>,
];

const REPLICAS: ScaleSpec = {
  specReplicasPath: ".spec.replicas",
  statusReplicasPath: ".status.replicas",
  labelSelectorPath: ".status.selector",
};

const EVENT_FIELDS = [
  "involvedObject.kind",
  "involvedObject.namespace",
  "involvedObject.name",
  "involvedObject.uid",
  "involvedObject.apiVersion",
  "involvedObject.resourceVersion",
  "involvedObject.fieldPath",
  "reason",
  "reportingComponent",
  "source",
  "type",
];

const BUILTINS: BuiltinSpec[] = [
  ["", "v1", "Namespace", "namespaces", false, {
    shortNames: ["ns"],
    status: true,
    nameRule: "label",
    fieldSelectors: ["status.phase"],
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  }],
  ["", "v1", "ConfigMap", "configmaps", true, { shortNames: ["cm"] }],
  ["", "v1", "Secret", "secrets", true, { fieldSelectors: ["type"] }],
  ["", "v1", "Service", "services", true, {
    shortNames: ["svc"],
    status: true,
    categories: ["all"],
  }],
  ["", "v1", "ServiceAccount", "serviceaccounts", true, { shortNames: ["sa"] }],
  ["", "v1", "Pod", "pods", true, {
    shortNames: ["po"],
    status: true,
    categories: ["all"],
    fieldSelectors: [
      "spec.nodeName",
      "spec.restartPolicy",
      "spec.schedulerName",
      "spec.serviceAccountName",
      "spec.hostNetwork",
      "status.phase",
      "status.podIP",
      "status.nominatedNodeName",
    ],
  }],
  ["", "v1", "Event", "events", true, { shortNames: ["ev"], fieldSelectors: EVENT_FIELDS }],
  ["apps", "v1", "Deployment", "deployments", true, {
    shortNames: ["deploy"],
    status: true,
    scale: REPLICAS,
    generation: true,
    categories: ["all"],
  }],
  ["apps", "v1", "StatefulSet", "statefulsets", true, {
    shortNames: ["sts"],
    status: true,
    scale: REPLICAS,
    generation: true,
    categories: ["all"],
  }],
  ["apps", "v1", "DaemonSet", "daemonsets", true, {
    shortNames: ["ds"],
    status: true,
    generation: true,
    categories: ["all"],
  }],
  ["apps", "v1", "ReplicaSet", "replicasets", true, {
    shortNames: ["rs"],
    status: true,
    scale: REPLICAS,
    generation: true,
    categories: ["all"],
  }],
  ["coordination.k8s.io", "v1", "Lease", "leases", true],
  // Stored and served; testing/_server/admission.ts calls the webhooks they register.
  [
    "admissionregistration.k8s.io",
    "v1",
    "ValidatingWebhookConfiguration",
    "validatingwebhookconfigurations",
    false,
    { generation: true },
  ],
  [
    "admissionregistration.k8s.io",
    "v1",
    "MutatingWebhookConfiguration",
    "mutatingwebhookconfigurations",
    false,
    { generation: true },
  ],
  ["events.k8s.io", "v1", "Event", "events", true, {
    shortNames: ["ev"],
    fieldSelectors: ["regarding.kind", "regarding.namespace", "regarding.name", "reason", "type"],
  }],
  ["rbac.authorization.k8s.io", "v1", "Role", "roles", true],
  ["rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true],
  ["rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false],
  ["rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false],
  ["apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, {
    shortNames: ["crd", "crds"],
    status: true,
    generation: true,
    categories: ["api-extensions"],
  }],
];

/** Builds a ResourceInfo with defaults filled in. */
export function resourceInfo(
  group: string,
  version: string,
  kind: string,
  plural: string,
  extra: Partial<ResourceInfo> & { namespaced: boolean },
): ResourceInfo {
  return {
    group,
    version,
    apiVersion: group ? `${group}/${version}` : version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    status: false,
    generation: false,
    fieldSelectors: [],
    nameRule: "subdomain",
    unconditionalUpdate: true,
    storeKey: `${group}/${plural}`,
    ...extra,
  };
}

/** The set of served resources, indexed for routing and discovery. */
export class Registry {
  #byGv = new Map<string, Map<string, ResourceInfo>>();
  /** group -> versions in preference order. */
  #groups = new Map<string, string[]>();

  constructor() {
    for (const [g, v, kind, plural, namespaced, extra] of BUILTINS) {
      this.add(resourceInfo(g, v, kind, plural, { namespaced, ...extra }));
    }
  }

  /** Serves `info` (replacing a previous entry with the same group/version/plural). */
  add(info: ResourceInfo): void {
    const gv = info.apiVersion;
    let m = this.#byGv.get(gv);
    if (!m) this.#byGv.set(gv, m = new Map());
    m.set(info.plural, info);
    const versions = this.#groups.get(info.group) ?? [];
    if (!versions.includes(info.version)) versions.push(info.version);
    this.#groups.set(info.group, versions);
  }

  /** Stops serving `plural` in `group` at every version. */
  remove(group: string, plural: string): void {
    for (const v of this.#groups.get(group) ?? []) {
      const gv = group ? `${group}/${v}` : v;
      const m = this.#byGv.get(gv);
      m?.delete(plural);
      if (m && m.size === 0) {
        this.#byGv.delete(gv);
        const left = (this.#groups.get(group) ?? []).filter((x) => x !== v);
        if (left.length) this.#groups.set(group, left);
        else this.#groups.delete(group);
      }
    }
  }

  /** The resource at `apiVersion` named `plural`. */
  get(apiVersion: string, plural: string): ResourceInfo | undefined {
    return this.#byGv.get(apiVersion)?.get(plural);
  }

  /** True when `apiVersion` is served. */
  hasGroupVersion(apiVersion: string): boolean {
    return this.#byGv.has(apiVersion);
  }

  /** The resources of one group/version. */
  resources(apiVersion: string): ResourceInfo[] {
    return [...(this.#byGv.get(apiVersion)?.values() ?? [])];
  }

  /** Every served resource at every version. */
  all(): ResourceInfo[] {
    return [...this.#byGv.values()].flatMap((m) => [...m.values()]);
  }

  /** The resource for an apiVersion + kind, e.g. for ownerReferences. */
  byKind(apiVersion: string, kind: string): ResourceInfo | undefined {
    for (const r of this.#byGv.get(apiVersion)?.values() ?? []) if (r.kind === kind) return r;
    return undefined;
  }

  /** Groups (core excluded) with their versions, preferred first. */
  groups(): Array<{ name: string; versions: string[] }> {
    return [...this.#groups].filter(([g]) => g !== "").map(([name, versions]) => ({
      name,
      versions: [...versions],
    }));
  }

  /** Every served group/version string, core first. */
  groupVersions(): string[] {
    return [...this.#byGv.keys()];
  }
}
