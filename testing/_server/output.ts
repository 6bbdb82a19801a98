// Shaping objects and lists for the client: plain JSON, Table (rule 8.4) or metadata only.
import { renderTable } from "../_schema/mod_internal.ts";
import type { ServerCtx } from "./context.ts";
import type { ResourceInfo } from "./registry.ts";
import type { OutputForm, ResourceRequest } from "./request.ts";
import { type Rec, recItemJson, recJson } from "./store.ts";
import type { Obj } from "./util.ts";
import type { WatchRender } from "./watch_hub.ts";

const META_AV = "meta.k8s.io/v1";

function partial(obj: Obj): Obj {
  return { kind: "PartialObjectMetadata", apiVersion: META_AV, metadata: obj.metadata };
}

/** An object as served at `info`'s version (custom resources may be stored at another). */
export function atVersion(info: ResourceInfo, obj: Obj): Obj {
  return obj.apiVersion === info.apiVersion ? obj : { ...obj, apiVersion: info.apiVersion };
}

function objectJson(info: ResourceInfo, rec: Rec): string {
  return rec.obj.apiVersion === info.apiVersion
    ? recJson(rec)
    : JSON.stringify(atVersion(info, rec.obj));
}

function table(ctx: ServerCtx, req: ResourceRequest, objects: Obj[], listMeta: Obj): Obj {
  const info = req.info;
  return renderTable({
    apiVersion: info.apiVersion,
    kind: info.kind,
    objects: objects.map((o) => atVersion(info, o)),
    columns: info.crd?.columns,
    listMeta,
    includeObject: req.params.get("includeObject") ?? undefined,
    now: ctx.clock.now(),
  });
}

/** The body for one object. */
export function objectBody(ctx: ServerCtx, req: ResourceRequest, rec: Rec): string {
  switch (req.output) {
    case "json":
      return objectJson(req.info, rec);
    case "meta":
    case "metalist":
      return JSON.stringify(partial(rec.obj));
    case "table":
      return JSON.stringify(table(ctx, req, [rec.obj], {}));
  }
}

/** The body for an unstored object (dry run, a write's answer). */
export function plainBody(ctx: ServerCtx, req: ResourceRequest, obj: Obj): string {
  return objectBody(ctx, req, { key: "", obj });
}

/** The body for a list (rule 6.1). */
export function listBody(
  ctx: ServerCtx,
  req: ResourceRequest,
  recs: Rec[],
  listMeta: { resourceVersion: string; continue?: string; remainingItemCount?: number },
): string {
  const info = req.info;
  const metaJson = JSON.stringify(listMeta);
  if (req.output === "table") {
    return JSON.stringify(table(ctx, req, recs.map((r) => r.obj), listMeta));
  }
  if (req.output === "meta" || req.output === "metalist") {
    const items = recs.map((r) => JSON.stringify(partial(r.obj))).join(",");
    return `{"kind":"PartialObjectMetadataList","apiVersion":"${META_AV}","metadata":${metaJson},"items":[${items}]}`;
  }
  const items = info.crd
    ? recs.map((r) => objectJson(info, r)).join(",")
    : recs.map((r) => recItemJson(r)).join(",");
  if (info.crd && listMeta.continue === undefined) {
    // unstructured lists always carry `continue`, empty on the last page
    return `{"apiVersion":"${info.apiVersion}","items":[${items}],"kind":"${info.listKind}","metadata":${
      JSON.stringify({ continue: "", ...listMeta })
    }}`;
  }
  return `{"kind":"${info.listKind}","apiVersion":"${info.apiVersion}","metadata":${metaJson},"items":[${items}]}`;
}

/** How a watch renders its events, so watchers with the same form share lines. */
export function watchRender(ctx: ServerCtx, req: ResourceRequest): WatchRender {
  const info = req.info;
  const form: OutputForm = req.output;
  if (form === "meta" || form === "metalist") {
    return {
      variant: "meta",
      encode: (obj) => JSON.stringify(partial(obj)),
      bookmarkKind: "PartialObjectMetadata",
      bookmarkApiVersion: META_AV,
    };
  }
  if (form === "table") {
    const includeObject = req.params.get("includeObject") ?? "";
    return {
      variant: `table|${info.apiVersion}|${includeObject}`,
      encode: (obj) => JSON.stringify(table(ctx, req, [obj], {})),
      bookmarkKind: info.kind,
      bookmarkApiVersion: info.apiVersion,
    };
  }
  const stored = info.crd ? `${info.group}/${info.crd.storageVersion}` : info.apiVersion;
  return {
    variant: `json|${info.apiVersion}`,
    encode: stored === info.apiVersion ? undefined : (obj) => JSON.stringify(atVersion(info, obj)),
    bookmarkKind: info.kind,
    bookmarkApiVersion: info.apiVersion,
  };
}
