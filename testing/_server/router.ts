// One HTTP request in, one Response out: auth, faults, routing to the handlers, errors as Status.
import type { ServerCtx } from "./context.ts";
import { deleteCollection, deletedStatus, deleteOne, parseDeleteOptions } from "./delete.ts";
import { handleDiscovery } from "./discovery.ts";
import type { FaultState } from "./faults.ts";
import { handleGet, handleList, handleWatch, objectKeyOf } from "./handlers_read.ts";
import { listBody, plainBody } from "./output.ts";
import { handlePatch, scaleOf, writeScale } from "./patch.ts";
import {
  fieldManager,
  isDryRun,
  parseResourcePath,
  readJson,
  type ResourceRequest,
} from "./request.ts";
import {
  ApiStatusError,
  failure,
  jsonResponse,
  methodNotSupported,
  notFound,
  pageNotFound,
  statusResponse,
} from "./status.ts";
import { delay } from "./util.ts";

// DefaultGarbageCollectionPolicy of batch/v1 Jobs and v1 ReplicationControllers is
// OrphanDependents "for back compatibility" (pkg/registry/batch/job/strategy.go,
// pkg/registry/core/replicationcontroller/strategy.go).
const ORPHAN_BY_DEFAULT = ["batch/jobs", "/replicationcontrollers"];
import { createObject, updateObject, type WriteResult } from "./write.ts";
import { dispatchWebhooks } from "./webhook_dispatch.ts";

/** What the router needs besides the shared state. */
export interface RouterDeps {
  ctx: ServerCtx;
  faults: FaultState;
  token?: string;
}

function writeResponse(ctx: ServerCtx, req: ResourceRequest, r: WriteResult): Response {
  const headers = new Headers();
  for (const w of r.warnings) headers.append("warning", `299 - ${JSON.stringify(w)}`);
  const body = req.subresource === "scale" ? JSON.stringify(r.obj) : plainBody(ctx, req, r.obj);
  return jsonResponse(body, r.code, headers);
}

async function optionalJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw failure(400, "BadRequest", `couldn't decode DeleteOptions: ${(e as Error).message}`);
  }
}

async function dispatch(ctx: ServerCtx, req: ResourceRequest): Promise<Response> {
  const info = req.info;
  const p = req.params;
  const opts = (optionsKind = "CreateOptions") => ({
    manager: fieldManager(req),
    dryRun: isDryRun(p, optionsKind),
    subresource: req.subresource,
    fieldValidation: p.get("fieldValidation"),
  });
  // Conversion and admission webhooks (testing/_server/webhooks.ts).
  const hooked = await dispatchWebhooks(ctx, req, writeResponse);
  if (hooked) return hooked;
  switch (req.verb) {
    case "get": {
      if (req.subresource === "scale") {
        const rec = ctx.store.get(info.storeKey, objectKeyOf(req.namespace, req.name!));
        if (!rec) throw notFound(info, req.name!);
        return jsonResponse(scaleOf(info, rec.obj));
      }
      return handleGet(ctx, req);
    }
    case "list":
      return await handleList(ctx, req);
    case "watch":
      return await handleWatch(ctx, req);
    case "create": {
      const body = await readJson(req.request, info.kind);
      return writeResponse(
        ctx,
        req,
        createObject(ctx, info, { namespace: req.namespace, body }, opts()),
      );
    }
    case "update": {
      const body = await readJson(req.request, info.kind);
      const o = opts("UpdateOptions");
      if (req.subresource === "scale") {
        const old = ctx.store.get(info.storeKey, objectKeyOf(req.namespace, req.name!));
        return writeResponse(
          ctx,
          req,
          writeScale(ctx, req, { old, scale: body, dryRun: o.dryRun, manager: o.manager }),
        );
      }
      return writeResponse(
        ctx,
        req,
        updateObject(ctx, info, { namespace: req.namespace, name: req.name!, body }, o),
      );
    }
    case "patch":
      return writeResponse(ctx, req, await handlePatch(ctx, req));
    case "delete": {
      if (req.subresource) throw methodNotSupported(info, "delete");
      let dOpts = parseDeleteOptions(await optionalJson(req.request), p);
      if (dOpts.propagationPolicy === undefined && ORPHAN_BY_DEFAULT.includes(info.storeKey)) {
        dOpts = { ...dOpts, propagationPolicy: "Orphan" };
      }
      const key = objectKeyOf(req.namespace, req.name!);
      const out = deleteOne(ctx, info, { key, name: req.name! }, dOpts);
      if (out.gone && !info.returnDeleted) return jsonResponse(deletedStatus(info, out.obj));
      return jsonResponse(plainBody(ctx, req, out.obj));
    }
    case "deletecollection": {
      if (!info.verbs.includes("deletecollection")) {
        throw methodNotSupported(info, "deletecollection");
      }
      const dOpts = parseDeleteOptions(await optionalJson(req.request), p);
      const list = deleteCollection(ctx, info, { namespace: req.namespace, params: p }, dOpts);
      const items = list.items as Array<Record<string, unknown>>;
      if (req.output !== "json") {
        return jsonResponse(listBody(ctx, req, items.map((obj) => ({ key: "", obj })), {
          resourceVersion: String(ctx.store.rv),
        }));
      }
      return jsonResponse(list);
    }
    default:
      throw methodNotSupported(info, req.request.method);
  }
}

/** Handles one request. Never throws: every failure becomes a Status (rule 0.2). */
export async function route(deps: RouterDeps, request: Request): Promise<Response> {
  const { ctx, faults } = deps;
  try {
    if (faults.latencyMs > 0) await delay(faults.latencyMs, ctx.signal);
    if (deps.token !== undefined) {
      const auth = request.headers.get("authorization");
      if (auth !== `Bearer ${deps.token}`) {
        return statusResponse(failure(401, "Unauthorized", "Unauthorized"));
      }
    }
    const url = new URL(request.url);
    let req: ResourceRequest | undefined;
    try {
      req = parseResourcePath(request, url, ctx.registry);
    } catch (e) {
      const injected = faults.check(undefined, undefined);
      if (injected) return injected;
      throw e;
    }
    // A path the server does not serve (SelfSubjectAccessReview, SelfSubjectReview) still
    // matches a rule naming its resource and verb, so clients' handling of them can be tested.
    const injected = req
      ? faults.check(req.verb, req.info.plural)
      : faults.check(_UNSERVED_VERBS[request.method], _unservedPlural(url.pathname));
    if (injected) return injected;
    if (!req) {
      const accept = request.headers.get("accept");
      return (await handleDiscovery(ctx.registry, url.pathname, accept)) ?? pageNotFound();
    }
    const res = await dispatch(ctx, req);
    if (request.method === "HEAD") {
      return new Response(null, { status: res.status, headers: res.headers });
    }
    return res;
  } catch (e) {
    if (e instanceof ApiStatusError) return statusResponse(e);
    const message = e instanceof Error ? e.message : String(e);
    return statusResponse(failure(500, "InternalError", `Internal error occurred: ${message}`));
  }
}

const _UNSERVED_VERBS: Record<string, string | undefined> = {
  GET: "get",
  POST: "create",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

// The resource of /api/v1/... or /apis/<group>/<version>/..., namespaced or not.
function _unservedPlural(path: string): string | undefined {
  return /^\/(?:api|apis\/[^/]+)\/[^/]+\/(?:namespaces\/[^/]+\/)?([^/]+)/.exec(path)?.[1];
}
