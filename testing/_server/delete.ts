// DELETE of one object and of a collection (rules 3.1-3.9, 2.4 protected namespaces).
import type { Status } from "../../client/types.ts";
import type { ServerCtx } from "./context.ts";
import { handleListItems } from "./handlers_read.ts";
import type { ResourceInfo } from "./registry.ts";
import { failure, forbidden, invalidOptions, notFound } from "./status.ts";
import { checkDryRun } from "./request.ts";
import { deepEqual, isObj, type Obj, rfc3339 } from "./util.ts";

/** DeleteOptions as the body or query parameters give them. */
export interface DeleteOpts {
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

const PROTECTED = new Set(["default", "kube-system", "kube-public"]);
const CRD_KEY = "apiextensions.k8s.io/customresourcedefinitions";
/** The finalizer kube puts on a deleted CRD until its objects are gone (rule 9.3). */
export const CRD_CLEANUP = "customresourcecleanup.apiextensions.k8s.io";

function preconditionFailed(info: ResourceInfo, name: string, why: string): Error {
  return failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${info.kind} "${name}": ${why}`,
    {
      name,
      group: info.group,
      kind: info.kind,
    },
  );
}

/** Parses DeleteOptions from an optional JSON body and the query (rules 3.6-3.8). */
export function parseDeleteOptions(body: unknown, params: URLSearchParams): DeleteOpts {
  const b = isObj(body) ? body : {};
  let policy = (b.propagationPolicy as string | undefined) ?? params.get("propagationPolicy") ??
    undefined;
  const orphan = b.orphanDependents ?? params.get("orphanDependents");
  if (policy === undefined && orphan !== undefined && orphan !== null) {
    policy = orphan === true || orphan === "true" ? "Orphan" : "Foreground";
  }
  if (policy !== undefined && !["Foreground", "Background", "Orphan"].includes(policy)) {
    const message =
      `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`;
    throw invalidOptions("DeleteOptions", [{
      reason: "FieldValueNotSupported",
      field: "propagationPolicy",
      message,
    }]);
  }
  const dry = [...params.getAll("dryRun"), ...(Array.isArray(b.dryRun) ? b.dryRun : [])];
  if (dry.length) checkDryRun(dry, "DeleteOptions");
  const pre = isObj(b.preconditions) ? b.preconditions as DeleteOpts["preconditions"] : undefined;
  return { propagationPolicy: policy, preconditions: pre, dryRun: dry.length > 0 };
}

/** The finalizers a deletion with `policy` leaves on an object (kube's GC finalizers). */
function policyFinalizers(current: string[], policy: string | undefined): string[] {
  let out = [...current];
  if (policy === "Foreground") {
    out = out.filter((f) => f !== "orphan");
    if (!out.includes("foregroundDeletion")) out.push("foregroundDeletion");
  } else if (policy === "Orphan") {
    out = out.filter((f) => f !== "foregroundDeletion");
    if (!out.includes("orphan")) out.push("orphan");
  } else if (policy === "Background") {
    out = out.filter((f) => f !== "orphan" && f !== "foregroundDeletion");
  }
  return out;
}

/** The outcome of deleting one object: still there (terminating) or gone. */
export type DeleteOutcome = { obj: Obj; gone: boolean };

/** Deletes one object by key (rules 3.1-3.7). */
export function deleteOne(
  ctx: ServerCtx,
  info: ResourceInfo,
  target: { key: string; name: string },
  opts: DeleteOpts,
): DeleteOutcome {
  const rec = ctx.store.get(info.storeKey, target.key);
  if (!rec) throw notFound(info, target.name);
  const isNs = info.plural === "namespaces" && info.group === "";
  if (isNs && PROTECTED.has(target.name)) {
    throw forbidden(`namespaces "${target.name}" is forbidden: this namespace may not be deleted`, {
      name: target.name,
      kind: "namespaces",
    });
  }
  const m = rec.obj.metadata as Obj;
  const pre = opts.preconditions;
  if (pre?.uid && pre.uid !== m.uid) {
    throw preconditionFailed(
      info,
      target.name,
      `the UID in the precondition (${pre.uid}) does not match the UID in record (${
        String(m.uid)
      }). The object might have been deleted and then recreated`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
    throw preconditionFailed(
      info,
      target.name,
      `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${
        String(m.resourceVersion)
      }). The object might have been modified`,
    );
  }
  const current = (m.finalizers as string[] | undefined) ?? [];
  if (m.deletionTimestamp) {
    // 3.3: nothing changes unless the propagation policy asks for other GC finalizers
    const wanted = opts.propagationPolicy
      ? policyFinalizers(current, opts.propagationPolicy)
      : current;
    if (deepEqual(wanted, current) || opts.dryRun) return { obj: rec.obj, gone: false };
    const meta: Obj = { ...m, finalizers: wanted };
    return {
      obj: ctx.store.put(info.storeKey, target.key, { ...rec.obj, metadata: meta }).obj,
      gone: false,
    };
  }
  const finalizers = policyFinalizers(
    current,
    opts.propagationPolicy === "Background" ? undefined : opts.propagationPolicy,
  );
  if (info.storeKey === CRD_KEY && !finalizers.includes(CRD_CLEANUP)) finalizers.push(CRD_CLEANUP);
  const specFinalizers = isNs
    ? ((rec.obj.spec as Obj | undefined)?.finalizers as string[] | undefined) ?? []
    : [];
  if (finalizers.length === 0 && specFinalizers.length === 0) {
    if (opts.dryRun) return { obj: rec.obj, gone: true };
    const removed = ctx.store.remove(info.storeKey, target.key)!;
    return { obj: removed.obj, gone: true };
  }
  const meta: Obj = { ...m, deletionTimestamp: rfc3339(ctx.clock.now()) };
  if (!isNs) meta.deletionGracePeriodSeconds = 0;
  if (finalizers.length) meta.finalizers = finalizers;
  if (typeof m.generation === "number" && m.generation > 0) meta.generation = m.generation + 1;
  const next: Obj = { ...rec.obj, metadata: meta };
  if (isNs) next.status = { ...(rec.obj.status as Obj | undefined), phase: "Terminating" };
  if (info.storeKey === CRD_KEY) {
    const status = (rec.obj.status ?? {}) as Obj;
    const conditions = ((status.conditions as Obj[] | null | undefined) ?? []).filter((c) =>
      c.type !== "Terminating"
    );
    conditions.push({
      type: "Terminating",
      status: "True",
      lastTransitionTime: meta.deletionTimestamp,
      reason: "InstanceDeletionPending",
      message:
        "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
    });
    next.status = { ...status, conditions };
  }
  if (opts.dryRun) return { obj: next, gone: false };
  return { obj: ctx.store.put(info.storeKey, target.key, next).obj, gone: false };
}

/** The Success Status of an immediate delete (rule 3.1). */
export function deletedStatus(info: ResourceInfo, obj: Obj): Status {
  const m = obj.metadata as Obj;
  const details: Status["details"] = {
    name: String(m.name),
    kind: info.plural,
    uid: String(m.uid),
  };
  if (info.group) details.group = info.group;
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}

/** DELETE on a collection: the matched items as a `<Kind>List` (rule 3.9). */
export function deleteCollection(
  ctx: ServerCtx,
  info: ResourceInfo,
  target: { namespace?: string; params: URLSearchParams },
  opts: DeleteOpts,
): Obj {
  const listRv = ctx.store.rv;
  const recs = handleListItems(ctx, info, target);
  const items: Obj[] = [];
  for (const rec of recs) {
    const name = String((rec.obj.metadata as Obj).name);
    try {
      items.push(deleteOne(ctx, info, { key: rec.key, name }, opts).obj);
    } catch (e) {
      if ((e as { status?: Status }).status?.code !== 404) throw e;
    }
  }
  return {
    kind: info.listKind,
    apiVersion: info.apiVersion,
    metadata: { resourceVersion: String(listRv) },
    items,
  };
}
