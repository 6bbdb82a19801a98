// PATCH (rules 5.1-5.6) and the scale subresource (rule 4.2).
import { parse as parseYaml } from "yaml";
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  formatApplyConflicts,
  PatchError,
  serverSideApply,
  strategicMergeSchemaFor,
} from "../_patch/mod_internal.ts";
import type { ServerCtx } from "./context.ts";
import { objectKeyOf } from "./handlers_read.ts";
import type { ResourceInfo } from "./registry.ts";
import { fieldManager, isDryRun, type ResourceRequest } from "./request.ts";
import { badRequest, failure, invalidOptions, notFound } from "./status.ts";
import type { Rec } from "./store.ts";
import { clone, getPath, isObj, type Obj, rfc3339, setPath } from "./util.ts";
import { createObject, updateObject, type WriteResult } from "./write.ts";

const JSON_PATCH = "application/json-patch+json";
const MERGE_PATCH = "application/merge-patch+json";
const STRATEGIC = "application/strategic-merge-patch+json";
const APPLY = "application/apply-patch+yaml";
const APPLY_CBOR = "application/apply-patch+cbor";

function unsupported(types: string[]): Error {
  return failure(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${
      types.join(", ")
    }`,
  );
}

function patchFailure(e: unknown): Error {
  if (e instanceof PatchError) {
    // kube wraps patch application errors in a generic 422 without details
    return e.kind === "BadRequest" ? badRequest(e.message) : failure(
      422,
      "Invalid",
      "the server rejected our request due to an error in our request",
      {},
    );
  }
  return e as Error;
}

const KNOWN = [JSON_PATCH, MERGE_PATCH, STRATEGIC, APPLY];

/** Applies a non-apply patch of `contentType` to `target`. */
export function applyPatch(
  info: ResourceInfo,
  contentType: string,
  target: Obj,
  text: string,
): Obj {
  if (!KNOWN.includes(contentType)) {
    throw failure(415, "UnsupportedMediaType", "415: Unsupported Media Type", {});
  }
  let patch: unknown;
  try {
    patch = JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
  let out: unknown;
  try {
    if (contentType === JSON_PATCH) {
      if (!Array.isArray(patch)) throw badRequest("a JSON patch must be an array of operations");
      out = applyJsonPatch(clone(target), patch);
    } else if (contentType === MERGE_PATCH) {
      if (!isObj(patch)) throw badRequest("a merge patch must be a JSON object");
      out = applyMergePatch(clone(target), patch);
    } else if (contentType === STRATEGIC) {
      const schema = info.crd ? undefined : strategicMergeSchemaFor(info.apiVersion, info.kind);
      if (!schema) throw unsupported([JSON_PATCH, MERGE_PATCH, APPLY]);
      if (!isObj(patch)) throw badRequest("a strategic merge patch must be a JSON object");
      out = applyStrategicMergePatch(clone(target), patch, schema);
    } else {
      throw unsupported(
        info.crd ? [JSON_PATCH, MERGE_PATCH, APPLY] : [JSON_PATCH, MERGE_PATCH, STRATEGIC, APPLY],
      );
    }
  } catch (e) {
    throw patchFailure(e);
  }
  if (!isObj(out)) throw failure(422, "Invalid", "the patched object is not a JSON object");
  return out;
}

/**
 * How an apply at a version other than the stored one reaches the store: the live object is
 * converted to the request's version, applied there, and the result converted back and
 * written as `storage` (kube's field manager works at the request's version too).
 */
export interface ApplyConversion {
  storage: ResourceInfo;
  toRequest(o: Obj): Promise<Obj>;
  toStorage(o: Obj): Promise<Obj>;
}

/** PATCH on an object or its status (rules 5.x). */
export async function handlePatch(
  ctx: ServerCtx,
  req: ResourceRequest,
  conversion?: ApplyConversion,
): Promise<WriteResult> {
  const info = req.info;
  const contentType = (req.request.headers.get("content-type") ?? "").split(";")[0].trim()
    .toLowerCase();
  const dryRun = isDryRun(req.params, "PatchOptions");
  const manager = fieldManager(req);
  const fieldValidation = req.params.get("fieldValidation");
  const forceParam = req.params.get("force");
  const isApply = contentType === APPLY || contentType === APPLY_CBOR;
  if (contentType === APPLY_CBOR) throw unsupported([JSON_PATCH, MERGE_PATCH, STRATEGIC, APPLY]);
  if (forceParam !== null && !isApply) {
    throw invalidOptions("PatchOptions", [{
      reason: "FieldValueForbidden",
      field: "force",
      message: "Forbidden: may not be specified for non-apply patch",
    }]);
  }
  const text = await req.request.text();
  const key = objectKeyOf(req.namespace, req.name!);
  const old = ctx.store.get(info.storeKey, key);
  const sub = req.subresource;
  if (sub === "scale") return patchScale(ctx, req, { old, contentType, text, dryRun, manager });
  const opts = { manager, dryRun, subresource: sub, fieldValidation, fromPatch: true };
  if (!isApply) {
    if (!old) throw notFound(info, req.name!);
    const patched = applyPatch(info, contentType, old.obj, text);
    return updateObject(ctx, info, {
      namespace: req.namespace,
      name: req.name!,
      body: patched,
      old,
    }, opts);
  }
  if (!req.params.get("fieldManager")) {
    throw invalidOptions("PatchOptions", [{
      reason: "FieldValueRequired",
      field: "fieldManager",
      message: "Required value: is required for apply patch",
    }]);
  }
  let applied: unknown;
  try {
    applied = parseYaml(text);
  } catch (e) {
    throw badRequest(`error decoding YAML: ${(e as Error).message}`);
  }
  if (!isObj(applied)) throw badRequest("an apply patch must be an object");
  const am = isObj(applied.metadata) ? applied.metadata : (applied.metadata = {});
  if (am.name === undefined) am.name = req.name;
  if (am.name !== req.name) {
    throw badRequest(
      `the name of the object (${
        String(am.name)
      }) does not match the name on the URL (${req.name})`,
    );
  }
  if (info.namespaced && am.namespace === undefined) am.namespace = req.namespace;
  if (old === undefined && sub) throw notFound(info, req.name!);
  const live = old && conversion ? await conversion.toRequest(old.obj) : old?.obj;
  const result = serverSideApply({
    live,
    applied: applied as Obj,
    manager,
    force: forceParam === "true",
    apiVersion: info.apiVersion,
    now: rfc3339(ctx.clock.now()),
    subresource: sub,
  });
  if (result.conflicts) {
    throw failure(409, "Conflict", formatApplyConflicts(result.conflicts), {
      causes: result.conflicts.map((c) => ({
        reason: "FieldManagerConflict",
        message: c.message ?? `conflict with ${JSON.stringify(c.manager)}`,
        field: c.field,
      })),
    });
  }
  const applyOpts = { ...opts, managedFieldsDone: true };
  const target = conversion?.storage ?? info;
  const written = conversion ? await conversion.toStorage(result.object) : result.object;
  if (!old) {
    const obj = { ...written };
    if (isObj(obj.metadata)) {
      obj.metadata = { ...obj.metadata };
      delete (obj.metadata as Obj).resourceVersion;
    }
    return createObject(ctx, target, { namespace: req.namespace, body: obj }, applyOpts);
  }
  return updateObject(ctx, target, {
    namespace: req.namespace,
    name: req.name!,
    body: written,
    old,
  }, applyOpts);
}

/** The autoscaling/v1 Scale of an object (rule 4.2). */
export function scaleOf(info: ResourceInfo, obj: Obj): Obj {
  const s = info.scale!;
  const m = obj.metadata as Obj;
  const status: Obj = { replicas: getPath(obj, s.statusReplicasPath) ?? 0 };
  const selector = s.labelSelectorPath ? getPath(obj, s.labelSelectorPath) : undefined;
  if (typeof selector === "string") status.selector = selector;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: getPath(obj, s.specReplicasPath) ?? 0 },
    status,
  };
}

/** PUT of a Scale: writes spec replicas into the object. */
export function writeScale(
  ctx: ServerCtx,
  req: ResourceRequest,
  target: { old: Rec | undefined; scale: unknown; dryRun: boolean; manager: string },
): WriteResult {
  const info = req.info;
  if (!target.old) throw notFound(info, req.name!);
  if (!isObj(target.scale)) throw badRequest("expected a Scale object");
  const rv = (target.scale.metadata as Obj | undefined)?.resourceVersion;
  const replicas = (target.scale.spec as Obj | undefined)?.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    throw failure(
      422,
      "Invalid",
      `Scale.autoscaling "${req.name}" is invalid: spec.replicas: Invalid value: ${
        JSON.stringify(replicas)
      }: must be a non-negative integer`,
    );
  }
  const next = clone(target.old.obj);
  setPath(next, info.scale!.specReplicasPath, replicas);
  if (rv) (next.metadata as Obj).resourceVersion = rv;
  const result = updateObject(ctx, info, {
    namespace: req.namespace,
    name: req.name!,
    body: next,
    old: target.old,
  }, {
    manager: target.manager,
    dryRun: target.dryRun,
    subresource: "scale",
    fromPatch: true,
  });
  return { ...result, obj: scaleOf(info, result.obj) };
}

function patchScale(
  ctx: ServerCtx,
  req: ResourceRequest,
  args: {
    old: Rec | undefined;
    contentType: string;
    text: string;
    dryRun: boolean;
    manager: string;
  },
): WriteResult {
  if (!args.old) throw notFound(req.info, req.name!);
  const scale = scaleOf(req.info, args.old.obj);
  const ct = args.contentType === STRATEGIC ? MERGE_PATCH : args.contentType;
  const patched = applyPatch(req.info, ct, scale, args.text);
  return writeScale(ctx, req, {
    old: args.old,
    scale: patched,
    dryRun: args.dryRun,
    manager: args.manager,
  });
}
