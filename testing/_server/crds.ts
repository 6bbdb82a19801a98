// CustomResourceDefinitions (rules 9.x): validating and accepting a CRD, serving its resource,
// schema pruning, defaulting and validation of custom objects, removal with its objects.
import {
  applyDefaults,
  type JSONSchemaProps,
  prune,
  validateAgainstSchema,
  validateCustomResourceDefinition,
} from "../_schema/mod_internal.ts";
import type { PrinterColumn } from "../_schema/mod_internal.ts";
import type { ServerCtx } from "./context.ts";
import { type ResourceInfo, resourceInfo, type ScaleSpec } from "./registry.ts";
import { badRequest, failure, invalid } from "./status.ts";
import type { Rec } from "./store.ts";
import { deepEqual, isObj, type Obj, rfc3339 } from "./util.ts";
import { recordUpdate } from "../_patch/mod_internal.ts";

const CRD_STORE = "apiextensions.k8s.io/customresourcedefinitions";

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: unknown; scale?: ScaleSpec };
  additionalPrinterColumns?: PrinterColumn[];
  selectableFields?: Array<{ jsonPath: string }>;
}

interface CrdSpec {
  group: string;
  names: {
    plural: string;
    singular?: string;
    kind: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  scope: "Namespaced" | "Cluster";
  versions: CrdVersion[];
}

const CRD_NAMES = {
  group: "apiextensions.k8s.io",
  plural: "customresourcedefinitions",
  kind: "CustomResourceDefinition",
};

function condition(type: string, status: string, reason: string, message: string, at: string): Obj {
  return { type, status, lastTransitionTime: at, reason, message };
}

/** Names another accepted CRD already uses (rule 9.2: NamesAccepted=False). */
function nameConflict(ctx: ServerCtx, crdName: string, spec: CrdSpec): string | undefined {
  const snap = ctx.store.snapshot(CRD_STORE);
  for (const key of snap.keys) {
    if (key === crdName) continue;
    const other = snap.map.get(key)!.obj.spec as CrdSpec;
    if (other.group !== spec.group) continue;
    if (other.names.plural === spec.names.plural) return `"${spec.names.plural}" is already in use`;
    if (other.names.kind === spec.names.kind) return `"${spec.names.kind}" is already in use`;
  }
  return undefined;
}

/** Validates a CRD before it is stored (rule 9.1). */
export function prepareCrd(_ctx: ServerCtx, obj: Obj): Obj {
  const name = String((obj.metadata as Obj).name);
  const causes = validateCustomResourceDefinition(obj);
  if (causes.length) throw invalid(CRD_NAMES, name, causes);
  const spec = obj.spec as CrdSpec;
  if (!isObj(spec) || !isObj(spec.names) || !Array.isArray(spec.versions)) {
    throw invalid(CRD_NAMES, name, [{
      reason: "FieldValueRequired",
      field: "spec",
      message: "Required value: group, names, scope and versions",
    }]);
  }
  return obj;
}

/**
 * The status a CRD is stored with: on create not yet accepted (the names controller runs right
 * after, rule 9.2), on update the old status with the storage version recorded.
 */
export function initialCrdStatus(obj: Obj, old: Obj | undefined): Obj {
  const spec = obj.spec as CrdSpec;
  const storage = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]?.name;
  const prev = old?.status as Obj | undefined;
  const stored = new Set<string>((prev?.storedVersions as string[] | undefined) ?? []);
  if (storage) stored.add(storage);
  if (prev) return { ...prev, storedVersions: [...stored] };
  return { conditions: null, acceptedNames: { plural: "", kind: "" }, storedVersions: [...stored] };
}

function acceptedStatus(ctx: ServerCtx, obj: Obj): Obj {
  const spec = obj.spec as CrdSpec;
  const at = rfc3339(ctx.clock.now());
  const conflictMsg = nameConflict(ctx, String((obj.metadata as Obj).name), spec);
  const status = (obj.status ?? {}) as Obj;
  const oldConds = (status.conditions as Obj[] | null | undefined) ?? [];
  const keep = (c: Obj) => {
    const prev = oldConds.find((o) => o.type === c.type && o.status === c.status);
    return prev ? { ...c, lastTransitionTime: prev.lastTransitionTime } : c;
  };
  const conditions = conflictMsg
    ? [
      keep(condition("NamesAccepted", "False", "PluralConflict", conflictMsg, at)),
      keep(condition("Established", "False", "NotAccepted", "not all names are accepted", at)),
    ]
    : [
      keep(condition("NamesAccepted", "True", "NoConflicts", "no conflicts found", at)),
      keep(
        condition(
          "Established",
          "True",
          "InitialNamesAccepted",
          "the initial names have been accepted",
          at,
        ),
      ),
    ];
  if ((obj.metadata as Obj).deletionTimestamp) {
    conditions.push(
      keep(
        condition(
          "Terminating",
          "True",
          "InstanceDeletionInProgress",
          "CustomResource deletion is in progress",
          at,
        ),
      ),
    );
  }
  const names: Obj = {
    ...spec.names,
    singular: spec.names.singular || spec.names.kind.toLowerCase(),
    listKind: spec.names.listKind || `${spec.names.kind}List`,
  };
  return { ...status, conditions, acceptedNames: conflictMsg ? status.acceptedNames : names };
}

/** After a CRD is stored: accept its names and set its conditions (9.2), then serve it (9.3). */
export function crdWritten(ctx: ServerCtx, rec: Rec): void {
  let obj = rec.obj;
  const status = acceptedStatus(ctx, obj);
  if (!deepEqual(status, obj.status)) {
    const next: Obj = { ...obj, metadata: { ...(obj.metadata as Obj) }, status };
    const managedFields = recordUpdate({
      old: obj,
      updated: next,
      manager: "kube-apiserver",
      apiVersion: "apiextensions.k8s.io/v1",
      now: rfc3339(ctx.clock.now()),
      subresource: "status",
    });
    if (managedFields.length) (next.metadata as Obj).managedFields = managedFields;
    obj = ctx.store.put(CRD_STORE, rec.key, next).obj;
  }
  register(ctx, obj);
}

function register(ctx: ServerCtx, obj: Obj): void {
  const spec = obj.spec as CrdSpec;
  const established = ((obj.status as Obj)?.conditions as Obj[] | null | undefined)?.some((c) =>
    c.type === "Established" && c.status === "True"
  );
  if (!established) return;
  ctx.registry.remove(spec.group, spec.names.plural);
  const storage = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0].name;
  for (const v of spec.versions) {
    if (v.served === false) continue;
    ctx.registry.add(resourceInfo(spec.group, v.name, spec.names.kind, spec.names.plural, {
      namespaced: spec.scope !== "Cluster",
      singular: spec.names.singular || spec.names.kind.toLowerCase(),
      listKind: spec.names.listKind || `${spec.names.kind}List`,
      shortNames: spec.names.shortNames ?? [],
      categories: spec.names.categories ?? [],
      status: v.subresources?.status !== undefined && v.subresources?.status !== null,
      scale: v.subresources?.scale ?? undefined,
      generation: true,
      unconditionalUpdate: false,
      fieldSelectors: (v.selectableFields ?? []).map((f) => f.jsonPath.replace(/^\./, "")),
      crd: {
        name: String((obj.metadata as Obj).name),
        schema: v.schema?.openAPIV3Schema,
        columns: v.additionalPrinterColumns,
        storageVersion: storage,
      },
    }));
  }
}

/** The store key of a CRD's objects. */
export function crdStoreKey(crd: Obj): string {
  const spec = crd.spec as CrdSpec;
  return `${spec.group}/${spec.names.plural}`;
}

/** Stops serving a CRD's resource and drops whatever objects are left (rule 9.3). */
export function removeCrdResource(ctx: ServerCtx, crd: Obj): void {
  const spec = crd.spec as CrdSpec;
  const storeKey = crdStoreKey(crd);
  ctx.registry.remove(spec.group, spec.names.plural);
  const snap = ctx.store.snapshot(storeKey);
  for (const key of [...snap.keys]) ctx.store.remove(storeKey, key);
  ctx.hub.closeType(storeKey);
}

/** Re-serves every stored CRD (after a restart that kept state). */
export function reloadCrds(ctx: ServerCtx): void {
  const snap = ctx.store.snapshot(CRD_STORE);
  for (const key of snap.keys) register(ctx, snap.map.get(key)!.obj);
}

function restoreRoot(from: Obj, to: unknown): Obj {
  const out = isObj(to) ? { ...to } : {};
  out.apiVersion = from.apiVersion;
  out.kind = from.kind;
  out.metadata = from.metadata;
  return out;
}

/** Prunes, defaults and validates a custom object (rules 9.4-9.6, fieldValidation). */
export function applyCustomSchema(
  info: ResourceInfo,
  obj: Obj,
  fieldValidation: string | null | undefined,
  warnings: string[],
): Obj {
  const schema = info.crd?.schema;
  if (!schema) return obj;
  const fv = fieldValidation || "Warn";
  if (fv !== "Strict" && fv !== "Warn" && fv !== "Ignore") {
    throw badRequest(
      `fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`,
    );
  }
  const { value, pruned } = prune(schema, obj);
  if (pruned.length) {
    if (fv === "Strict") {
      const version = info.apiVersion.split("/")[1];
      const fields = pruned.map((p) => `unknown field "${p}"`).join(", ");
      throw failure(
        400,
        "BadRequest",
        `${info.kind} in version "${version}" cannot be handled as a ${info.kind}: strict decoding error: ${fields}`,
      );
    }
    if (fv === "Warn") { for (const p of pruned) warnings.push(`unknown field "${p}"`); }
  }
  const out = restoreRoot(obj, applyDefaults(schema, restoreRoot(obj, value)));
  const causes = validateAgainstSchema(schema, out);
  if (causes.length) throw invalid(info, String((obj.metadata as Obj).name ?? ""), causes);
  return out;
}
