// The resource types the server serves: the built-ins, plus those CRDs add at run time.
import type { JSONSchemaProps, PrinterColumn } from "../_schema/mod_internal.ts";
import { type BuiltinResource, builtinResources } from "../_schema/builtin.ts";

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
  /** DELETE answers the deleted object instead of a Status (built-ins with ReturnDeletedObject). */
  returnDeleted?: boolean;
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

// Field selectors beyond metadata.name/namespace (the registries' GetAttrs; rule 6.6), and
// the few resources whose names are DNS labels, keyed by group/plural.
const EXTRAS: Record<string, Partial<ResourceInfo>> = {
  "/namespaces": { nameRule: "label", fieldSelectors: ["status.phase"] },
  "/secrets": { fieldSelectors: ["type"] },
  "/pods": {
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
  },
  "/events": { fieldSelectors: EVENT_FIELDS },
  "events.k8s.io/events": {
    fieldSelectors: ["regarding.kind", "regarding.namespace", "regarding.name", "reason", "type"],
  },
  "batch/jobs": { fieldSelectors: ["status.successful"] },
};

/**
 * True for the built-in resources the embedded server stores and serves. Left out: the
 * virtual ones a real server computes instead of storing (token and access reviews,
 * `bindings`, `componentstatuses`: no `create` plus `get`).
 */
// (webhook configurations are among them; testing/_server/admission.ts calls the webhooks
// they register)
export function isServedBuiltin(r: BuiltinResource): boolean {
  return r.verbs.includes("create") && r.verbs.includes("get");
}

/** The ResourceInfo of a built-in resource of the generated table. */
export function builtinInfo(r: BuiltinResource): ResourceInfo {
  const subs = new Set(r.subresources.map((s) => s.name));
  return resourceInfo(r.group, r.version, r.kind, r.plural, {
    namespaced: r.namespaced,
    verbs: r.verbs,
    shortNames: r.shortNames,
    categories: r.categories,
    status: subs.has("status"),
    generation: r.generation,
    returnDeleted: r.returnDeleted,
    ...(subs.has("scale") ? { scale: REPLICAS } : {}),
    ...EXTRAS[`${r.group}/${r.plural}`],
  });
}

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

/**
 * apimachinery's version priority (CompareKubeAwareVersionStrings): GA before beta before
 * alpha, higher numbers first; other strings last, alphabetically.
 */
export function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = v.match(/^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$/);
    if (!m) return undefined;
    return [m[2] === undefined ? 2 : m[2] === "beta" ? 1 : 0, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (!ra || !rb) return ra ? -1 : rb ? 1 : a.localeCompare(b);
  return rb[0] - ra[0] || rb[1] - ra[1] || rb[2] - ra[2];
}

/** The set of served resources, indexed for routing and discovery. */
export class Registry {
  #byGv = new Map<string, Map<string, ResourceInfo>>();
  /** group -> versions in preference order. */
  #groups = new Map<string, string[]>();

  constructor() {
    for (const r of builtinResources()) if (isServedBuiltin(r)) this.add(builtinInfo(r));
  }

  /** Serves `info` (replacing a previous entry with the same group/version/plural). */
  add(info: ResourceInfo): void {
    const gv = info.apiVersion;
    let m = this.#byGv.get(gv);
    if (!m) this.#byGv.set(gv, m = new Map());
    m.set(info.plural, info);
    const versions = this.#groups.get(info.group) ?? [];
    if (!versions.includes(info.version)) versions.push(info.version);
    // built-in groups prefer their highest GA version (autoscaling/v2); CRD versions keep
    // their own order (the CRD handler adds them by its priority)
    if (!info.crd) versions.sort(compareKubeVersions);
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
