// The router's one hook for webhooks: requests that need a conversion webhook (a custom
// resource read or written at a version other than storage) or may meet an admission webhook
// are handled here; everything else goes the usual way (undefined).
import type { ServerCtx } from "./context.ts";
import { deletedStatus, deleteOne, parseDeleteOptions } from "./delete.ts";
import { handleGet, handleList, handleWatch, objectKeyOf } from "./handlers_read.ts";
import { plainBody } from "./output.ts";
import { builtinStorageVersion, convertBuiltinObjects } from "./builtin_conversion.ts";
import { decodeBuiltin } from "./builtin_decode.ts";
import { applyPatch, handlePatch } from "./patch.ts";
import type { ResourceInfo } from "./registry.ts";
import { fieldManager, isDryRun, readJson, type ResourceRequest } from "./request.ts";
import { jsonResponse, notFound } from "./status.ts";
import { isObj, type Obj } from "./util.ts";
import {
  admitDelete,
  admitWrite,
  convertObjects,
  convertResponse,
  convertWatch,
  hasAdmission,
  needsConversion,
  storageVersionOf,
} from "./webhooks.ts";
import { createObject, updateObject, type WriteResult } from "./write.ts";

type WriteResponse = (ctx: ServerCtx, req: ResourceRequest, r: WriteResult) => Response;

const APPLY = "application/apply-patch+yaml";

function options(kind: string, req: ResourceRequest, dryRun: boolean): Obj {
  return {
    kind,
    apiVersion: "meta.k8s.io/v1",
    ...(dryRun ? { dryRun: ["All"] } : {}),
    ...(req.params.get("fieldManager") ? { fieldManager: req.params.get("fieldManager") } : {}),
  };
}

/** Handles the request when webhooks are involved; undefined otherwise. */
export async function dispatchWebhooks(
  ctx: ServerCtx,
  req: ResourceRequest,
  writeResponse: WriteResponse,
): Promise<Response | undefined> {
  const info = req.info;
  const convert = needsConversion(ctx, info, info.version);
  const sub = req.subresource;
  if (sub === "scale") return undefined;
  switch (req.verb) {
    case "get":
      return convert ? await convertResponse(ctx, req, (r) => handleGet(ctx, r)) : undefined;
    case "list":
      return convert ? await convertResponse(ctx, req, (r) => handleList(ctx, r)) : undefined;
    case "watch":
      return convert ? convertWatch(ctx, req, await handleWatch(ctx, req)) : undefined;
    case "create":
    case "update":
    case "patch":
      if (!convert && !hasAdmission(ctx)) return undefined;
      return writeResponse(ctx, req, await write(ctx, req, convert));
    case "delete": {
      if (sub || !hasAdmission(ctx)) return undefined;
      const dOpts = parseDeleteOptions(await optionalJson(req.request), req.params);
      const key = objectKeyOf(req.namespace, req.name!);
      const old = ctx.store.get(info.storeKey, key);
      if (!old) throw notFound(info, req.name!);
      const dryRun = isDryRun(req.params, "DeleteOptions");
      const warnings = await admitDelete(ctx, req, {
        operation: "DELETE",
        ...(req.namespace ? { namespace: req.namespace } : {}),
        name: req.name!,
        oldObject: old.obj,
        dryRun,
        options: options("DeleteOptions", req, dryRun),
      });
      const headers = new Headers();
      for (const w of warnings) headers.append("warning", `299 - ${JSON.stringify(w)}`);
      const out = deleteOne(ctx, info, { key, name: req.name! }, dOpts);
      if (out.gone && !info.returnDeleted) {
        return jsonResponse(deletedStatus(info, out.obj), 200, headers);
      }
      return jsonResponse(plainBody(ctx, req, out.obj), 200, headers);
    }
  }
  return undefined;
}

async function optionalJson(request: Request): Promise<unknown> {
  const text = await request.text();
  return text.trim() ? JSON.parse(text) : undefined;
}

function storageInfo(ctx: ServerCtx, info: ResourceInfo): ResourceInfo {
  return ctx.registry.get(`${info.group}/${storageVersionOf(info)}`, info.plural) ?? info;
}

/**
 * For a built-in converted by the server (autoscaling/v1): managedFields are tracked at the
 * request's version, and a body is decoded at that version before conversion (so errors and
 * unknown-field warnings name it).
 */
function builtinConversion(info: ResourceInfo, stored: string) {
  if (info.crd || builtinStorageVersion(info) === undefined) return undefined;
  return {
    managedView: {
      apiVersion: info.apiVersion,
      view: (o: Obj, apiVersion = info.apiVersion) =>
        convertBuiltinObjects(
          info,
          [{ ...o, apiVersion: stored }],
          apiVersion.slice(apiVersion.indexOf("/") + 1),
          false,
        )[0],
    },
    decode: (body: Obj, fieldValidation: string | null, warnings: string[]) =>
      decodeBuiltin(
        info,
        { ...body, apiVersion: info.apiVersion, kind: info.kind },
        fieldValidation,
        warnings,
      ),
  };
}

async function write(
  ctx: ServerCtx,
  req: ResourceRequest,
  convert: boolean,
): Promise<WriteResult> {
  const info = req.info;
  const p = req.params;
  const kind = req.verb === "create"
    ? "CreateOptions"
    : req.verb === "update"
    ? "UpdateOptions"
    : "PatchOptions";
  const dryRun = isDryRun(p, kind);
  const manager = fieldManager(req);
  // At a non-storage version the body is converted to storage and written there.
  const wInfo = convert ? storageInfo(ctx, info) : info;
  const builtin = convert ? builtinConversion(info, wInfo.apiVersion) : undefined;
  const base = {
    manager,
    subresource: req.subresource,
    fieldValidation: p.get("fieldValidation"),
    ...(builtin ? { managedView: builtin.managedView } : {}),
  };
  const toStorage = async (o: Obj): Promise<Obj> =>
    convert ? (await convertObjects(ctx, info, [o], storageVersionOf(info)))[0] : o;
  const early: string[] = [];
  const decode = (o: Obj): Obj => builtin ? builtin.decode(o, p.get("fieldValidation"), early) : o;

  let run: (body: Obj | undefined, dry: boolean) => WriteResult | Promise<WriteResult>;
  let operation: "CREATE" | "UPDATE";
  const key = objectKeyOf(req.namespace, req.name ?? "");
  const old = req.verb === "create" ? undefined : ctx.store.get(info.storeKey, key);
  if (req.verb === "create" || req.verb === "update") {
    const raw = await readJson(req.request, info.kind);
    const body = isObj(raw) && convert
      ? await toStorage(decode({ ...raw, apiVersion: raw.apiVersion ?? info.apiVersion }))
      : raw;
    operation = req.verb === "create" ? "CREATE" : "UPDATE";
    run = (b, dry) =>
      req.verb === "create"
        ? createObject(ctx, wInfo, { namespace: req.namespace, body: b ?? body }, {
          ...base,
          dryRun: dry,
        })
        : updateObject(ctx, wInfo, { namespace: req.namespace, name: req.name!, body: b ?? body }, {
          ...base,
          dryRun: dry,
        });
  } else {
    const text = await req.request.text();
    const contentType = (req.request.headers.get("content-type") ?? "").split(";")[0].trim();
    operation = old ? "UPDATE" : "CREATE";
    if (convert && contentType !== APPLY) {
      // The patch applies to the object at the request's version.
      if (!old) throw notFound(info, req.name!);
      const at = (await convertObjects(ctx, info, [old.obj], info.version))[0];
      const patched = await toStorage(decode(applyPatch(info, contentType, at, text)));
      run = (b, dry) =>
        updateObject(ctx, wInfo, {
          namespace: req.namespace,
          name: req.name!,
          body: b ?? patched,
          old: ctx.store.get(info.storeKey, key),
        }, { ...base, dryRun: dry, fromPatch: true });
    } else {
      run = (b, dry) => {
        if (b) {
          return updateObject(ctx, wInfo, {
            namespace: req.namespace,
            name: req.name!,
            body: b,
          }, { ...base, dryRun: dry, fromPatch: true });
        }
        const params = new URLSearchParams(p);
        if (dry) params.set("dryRun", "All");
        const request = new Request(req.request.url, {
          method: req.request.method,
          headers: req.request.headers,
          body: text,
        });
        const conversion = builtin && {
          storage: wInfo,
          toRequest: async (o: Obj) =>
            (await convertObjects(
              ctx,
              info,
              [{ ...o, apiVersion: wInfo.apiVersion }],
              info.version,
            ))[0],
          toStorage: (o: Obj) => toStorage(decode({ ...o, apiVersion: info.apiVersion })),
        };
        return handlePatch(ctx, { ...req, params, request }, conversion || undefined);
      };
    }
  }
  const result = hasAdmission(ctx)
    ? await admitWrite(ctx, req, {
      operation,
      ...(req.namespace ? { namespace: req.namespace } : {}),
      ...(req.name ? { name: req.name } : {}),
      ...(old ? { oldObject: old.obj } : {}),
      dryRun,
      options: options(kind, req, dryRun),
    }, run)
    : await run(undefined, dryRun);
  if (!convert) return result;
  const back = (await convertObjects(ctx, info, [result.obj], info.version))[0];
  return { ...result, obj: back, warnings: [...early, ...result.warnings] };
}
