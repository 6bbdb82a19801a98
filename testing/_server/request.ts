// Turning an HTTP request into a resource request: path, verb, output form, field manager.
import type { Registry, ResourceInfo } from "./registry.ts";
import { decodeProtobuf } from "./protobuf.ts";
import { failure, invalidOptions, notFound } from "./status.ts";

/** How the client wants objects back (rule 0.1, 8.4, metadata-only). */
export type OutputForm = "json" | "table" | "meta" | "metalist";

/** A request for a resource (not discovery). */
export interface ResourceRequest {
  request: Request;
  params: URLSearchParams;
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
  output: OutputForm;
}

/** The outcome of path parsing: a resource request, or undefined for "not a resource path". */
export function parseResourcePath(
  request: Request,
  url: URL,
  registry: Registry,
): ResourceRequest | undefined {
  const segs = url.pathname.split("/").filter((s) => s !== "").map(decodeURIComponent);
  let apiVersion: string;
  let rest: string[];
  if (segs[0] === "api" && segs.length >= 3) {
    apiVersion = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === "apis" && segs.length >= 4) {
    apiVersion = `${segs[1]}/${segs[2]}`;
    rest = segs.slice(3);
  } else {
    return undefined;
  }
  if (!registry.hasGroupVersion(apiVersion)) return undefined;
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const inner = registry.get(apiVersion, rest[2]);
    if (inner?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    } else if (
      !(apiVersion === "v1" && rest.length === 3 && ["status", "finalize"].includes(rest[2]))
    ) {
      if (!registry.resources(apiVersion).some((r) => !r.crd)) return undefined;
      throw failure(404, "NotFound", "the server could not find the requested resource", {});
    }
  }
  if (rest.length === 0 || rest.length > 3 || !registry.hasGroupVersion(apiVersion)) {
    return undefined;
  }
  const info = registry.get(apiVersion, rest[0]);
  if (!info || (namespace !== undefined && !info.namespaced)) {
    // kube v1.36: built-in group versions answer unknown resources with a Status; paths the
    // CRD handler owns fall through to the plain-text 404
    if (registry.resources(apiVersion).some((r) => !r.crd)) {
      throw failure(404, "NotFound", "the server could not find the requested resource", {});
    }
    return undefined;
  }
  const name = rest[1];
  const subresource = rest[2];
  if (subresource !== undefined) {
    const ok = (subresource === "status" && info.status) ||
      (subresource === "scale" && info.scale) ||
      (subresource === "finalize" && info.plural === "namespaces" && info.group === "");
    if (!ok) throw notFound(info, name!);
  }
  const params = url.searchParams;
  const watchParam = params.get("watch");
  const watch = watchPath || watchParam === "true" || watchParam === "1";
  const m = request.method;
  let verb: string;
  if (m === "GET" || m === "HEAD") verb = watch ? "watch" : name === undefined ? "list" : "get";
  else if (m === "POST") verb = name === undefined ? "create" : "post-named";
  else if (m === "PUT") verb = name === undefined ? "put-collection" : "update";
  else if (m === "PATCH") verb = name === undefined ? "patch-collection" : "patch";
  else if (m === "DELETE") verb = name === undefined ? "deletecollection" : "delete";
  else verb = m.toLowerCase();
  return {
    request,
    params,
    info,
    namespace,
    name,
    subresource,
    verb,
    output: outputForm(request.headers.get("accept")),
  };
}

/** Chooses the output form from the Accept header; 406 when nothing acceptable (rule 0.1). */
export function outputForm(accept: string | null): OutputForm {
  if (!accept || !accept.trim()) return "json";
  for (const range of accept.split(",")) {
    const [type, ...rawParams] = range.split(";").map((s) => s.trim());
    const t = type.toLowerCase();
    if (t !== "application/json" && t !== "*/*" && t !== "application/*") continue;
    const p = new Map(rawParams.map((kv) => {
      const i = kv.indexOf("=");
      return [kv.slice(0, i).trim().toLowerCase(), kv.slice(i + 1).trim()] as const;
    }));
    const as = p.get("as");
    if (!as) return "json";
    if (p.get("g") !== "meta.k8s.io") continue;
    if (as === "Table" && (p.get("v") === "v1" || p.get("v") === "v1beta1")) return "table";
    if (as === "PartialObjectMetadata" && p.get("v") === "v1") return "meta";
    if (as === "PartialObjectMetadataList" && p.get("v") === "v1") return "metalist";
  }
  throw failure(
    406,
    "NotAcceptable",
    "406: Not Acceptable\n\nAvailable representations: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io, application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
    {},
  );
}

/** The field manager: `fieldManager`, else the User-Agent up to its first `/` (rule 1.5). */
export function fieldManager(req: ResourceRequest): string {
  const fm = req.params.get("fieldManager");
  if (fm) return fm;
  const ua = req.request.headers.get("user-agent") ?? "unknown";
  return ua.split("/")[0] || "unknown";
}

/** Reads a JSON body; 400 when it does not decode. */
export async function readJson(request: Request, kind: string): Promise<unknown> {
  const ct = (request.headers.get("content-type") ?? "application/json").split(";")[0].trim();
  if (ct === "application/vnd.kubernetes.protobuf") {
    return decodeProtobuf(new Uint8Array(await request.arrayBuffer()));
  }
  if (ct !== "application/json" && ct !== "*/*" && ct !== "") {
    await request.body?.cancel();
    throw failure(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: application/json`,
    );
  }
  const text = await request.text();
  if (!text.trim()) {
    throw failure(400, "BadRequest", "the request body is empty; expected a JSON object");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw failure(
      400,
      "BadRequest",
      `the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${
        (e as Error).message
      }`,
    );
  }
}

/** `dryRun` (rule 3.8): absent, or `All`; anything else is 422 naming the options kind. */
export function isDryRun(params: URLSearchParams, optionsKind = "CreateOptions"): boolean {
  const values = params.getAll("dryRun");
  if (values.length === 0) return false;
  checkDryRun(values, optionsKind);
  return true;
}

/** Validates dryRun values (422 unless every one is `All`). */
export function checkDryRun(values: unknown[], optionsKind: string): void {
  if (values.every((v) => v === "All")) return;
  const message = `Unsupported value: ${JSON.stringify(values)}: supported values: "All"`;
  throw invalidOptions(optionsKind, [{
    reason: "FieldValueNotSupported",
    field: "dryRun",
    message,
  }]);
}
