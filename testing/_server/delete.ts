// DELETE of one object and of a collection (rules 3.1-3.9, 2.4 protected namespaces).
import type { Status } from "../../client/types.ts";
import type { ServerCtx } from "./context.ts";
import { handleListItems } from "./handlers_read.ts";
import type { ResourceInfo } from "./registry.ts";
import { conflict, failure, forbidden, notFound } from "./status.ts";
import { isObj, type Obj, rfc3339 } from "./util.ts";

/** DeleteOptions as the body or query parameters give them. */
export interface DeleteOpts {
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

const PROTECTED = new Set(["default", "kube-system", "kube-public"]);

/** Parses DeleteOptions from an optional JSON body and the query (rules 3.6-3.8). */
export function parseDeleteOptions(
  body: unknown,
  params: URLSearchParams,
  dryRun: boolean,
): DeleteOpts {
  const b = isObj(body) ? body : {};
  let policy = (b.propagationPolicy as string | undefined) ?? params.get("propagationPolicy") ??
    undefined;
  const orphan = b.orphanDependents ?? params.get("orphanDependents");
  if (policy === undefined && orphan !== undefined && orphan !== null) {
    policy = orphan === true || orphan === "true" ? "Orphan" : "Foreground";
  }
  if (policy !== undefined && !["Foreground", "Background", "Orphan"].includes(policy)) {
    const message =
      `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`;
    throw failure(
      422,
      "Invalid",
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: ${message}`,
      {
        kind: "DeleteOptions",
        group: "meta.k8s.io",
        causes: [{ reason: "FieldValueNotSupported", field: "propagationPolicy", message }],
      },
    );
  }
  const bodyDry = Array.isArray(b.dryRun) && b.dryRun.length > 0;
  if (bodyDry && !(b.dryRun as unknown[]).every((v) => v === "All")) {
    throw failure(
      422,
      "Invalid",
      `dryRun: Unsupported value: ${JSON.stringify(b.dryRun)}: supported values: "All"`,
    );
  }
  const pre = isObj(b.preconditions) ? b.preconditions as DeleteOpts["preconditions"] : undefined;
  return { propagationPolicy: policy, preconditions: pre, dryRun: dryRun || bodyDry };
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
    throw conflict(
      info,
      target.name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(m.uid)}`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
    throw conflict(
      info,
      target.name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${
        String(m.resourceVersion)
      }`,
    );
  }
  if (m.deletionTimestamp) return { obj: rec.obj, gone: false };
  const finalizers = [...((m.finalizers as string[] | undefined) ?? [])];
  if (opts.propagationPolicy === "Foreground" && !finalizers.includes("foregroundDeletion")) {
    finalizers.push("foregroundDeletion");
  }
  if (opts.propagationPolicy === "Orphan" && !finalizers.includes("orphan")) {
    finalizers.push("orphan");
  }
  const specFinalizers = isNs
    ? ((rec.obj.spec as Obj | undefined)?.finalizers as string[] | undefined) ?? []
    : [];
  if (finalizers.length === 0 && specFinalizers.length === 0) {
    if (opts.dryRun) return { obj: rec.obj, gone: true };
    const removed = ctx.store.remove(info.storeKey, target.key)!;
    return { obj: removed.obj, gone: true };
  }
  const meta: Obj = {
    ...m,
    deletionTimestamp: rfc3339(ctx.clock.now()),
    deletionGracePeriodSeconds: 0,
  };
  if (finalizers.length) meta.finalizers = finalizers;
  if (typeof m.generation === "number" && m.generation > 0) meta.generation = m.generation + 1;
  const next: Obj = { ...rec.obj, metadata: meta };
  if (isNs) next.status = { ...(rec.obj.status as Obj | undefined), phase: "Terminating" };
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
    metadata: { resourceVersion: String(ctx.store.rv) },
    items,
  };
}
