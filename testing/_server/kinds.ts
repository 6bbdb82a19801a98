// What kube-apiserver's typed decoding and strategies do to particular kinds, reproduced so
// objects read back as they would from a real server: Go's omitempty on typed fields, the
// namespace name label, namespace spec/status, CRD conversion defaults, core Event zero values.
import type { ResourceInfo } from "./registry.ts";
import { isObj, type Obj } from "./util.ts";

const META_OMIT_EMPTY = ["labels", "annotations", "finalizers", "ownerReferences"];
const DATA_FIELDS: Record<string, string[]> = {
  "/configmaps": ["data", "binaryData"],
  "/secrets": ["data", "stringData"],
};

function isEmpty(v: unknown): boolean {
  return v === null || (Array.isArray(v) && v.length === 0) ||
    (isObj(v) && Object.keys(v).length === 0);
}

/** True for the core/v1 type `plural`. */
export function isCore(info: ResourceInfo, plural: string): boolean {
  return info.group === "" && info.plural === plural;
}

/** Drops empty maps and lists that typed Go fields marked omitempty would never serialize. */
export function omitEmpty(info: ResourceInfo, obj: Obj): void {
  const m = obj.metadata as Obj;
  for (const f of META_OMIT_EMPTY) if (f in m && isEmpty(m[f])) delete m[f];
  for (const f of DATA_FIELDS[info.storeKey] ?? []) if (f in obj && isEmpty(obj[f])) delete obj[f];
}

/** Server defaults that precede field tracking (they show up in managedFields). */
export function defaultsBeforeRecord(info: ResourceInfo, obj: Obj): void {
  const m = obj.metadata as Obj;
  if (isCore(info, "namespaces")) {
    m.labels = { ...(m.labels as Obj | undefined), "kubernetes.io/metadata.name": m.name };
  }
  if (isCore(info, "secrets")) {
    // v1 -> internal conversion: stringData is merged into data (base64) and never stored
    if (isObj(obj.stringData)) {
      const data: Obj = { ...(isObj(obj.data) ? obj.data : {}) };
      for (const [k, v] of Object.entries(obj.stringData)) data[k] = base64(String(v));
      obj.data = data;
    }
    delete obj.stringData;
    if (obj.type === undefined || obj.type === "") obj.type = "Opaque";
  }
  if (
    info.plural === "customresourcedefinitions" && isObj(obj.spec) &&
    obj.spec.conversion === undefined
  ) {
    obj.spec = { ...obj.spec, conversion: { strategy: "None" } };
  }
}

/** Fields a strategy sets on create after field tracking (never in managedFields). */
export function defaultsAfterRecord(info: ResourceInfo, obj: Obj): void {
  if (isCore(info, "namespaces")) {
    obj.spec = { finalizers: ["kubernetes"] };
    obj.status = { phase: "Active" };
  }
  if (isCore(info, "events")) {
    if (!("eventTime" in obj)) obj.eventTime = null;
    if (!("reportingComponent" in obj)) obj.reportingComponent = "";
    if (!("reportingInstance" in obj)) obj.reportingInstance = "";
  }
}

function base64(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}
