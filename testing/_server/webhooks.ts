// Admission and conversion webhooks, called as kube-apiserver calls them: the registered
// Mutating- then ValidatingWebhookConfigurations (mutating in name order, one after the other;
// validating all at once), with admission.k8s.io/v1 AdmissionReview payloads, the webhook's
// failurePolicy and timeoutSeconds, its rules, namespaceSelector, objectSelector and
// matchPolicy; and CRD conversion webhooks (apiextensions.k8s.io/v1 ConversionReview) when a
// custom resource is read or written at a version other than its storage version.
//
// The write path is synchronous, so admission wraps it: the write runs once as a dry run to
// get the object the server would store, the webhooks see that, and then the write runs for
// real (with the mutating webhooks' changes). Only the URL form of clientConfig can be
// reached from a test server; a Service reference fails like an unreachable webhook.
import { builtinStorageVersion, convertBuiltinObjects } from "./builtin_conversion.ts";
import type { ServerCtx } from "./context.ts";
import type { ResourceInfo } from "./registry.ts";
import type { ResourceRequest } from "./request.ts";
import { type ApiStatusError, failure } from "./status.ts";
import { clone, isObj, type Obj } from "./util.ts";
import type { WriteResult } from "./write.ts";
import { listBody, objectBody } from "./output.ts";
import type { Rec } from "./store.ts";

const VWC = "admissionregistration.k8s.io/validatingwebhookconfigurations";
const MWC = "admissionregistration.k8s.io/mutatingwebhookconfigurations";
const CRD_KEY = "apiextensions.k8s.io/customresourcedefinitions";
const NS_KEY = "/namespaces";

interface Hook {
  name: string;
  mutating: boolean;
  clientConfig: { url?: string; service?: Obj; caBundle?: string };
  failurePolicy: "Fail" | "Ignore";
  timeoutSeconds: number;
  version: string;
}

// ---- matching ----------------------------------------------------------------------------

function labelSelectorMatches(sel: unknown, labels: Record<string, string>): boolean {
  if (!isObj(sel)) return true;
  for (const [k, v] of Object.entries((sel.matchLabels as Obj | undefined) ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of (sel.matchExpressions as Obj[] | undefined) ?? []) {
    const key = String(e.key);
    const values = (e.values as string[] | undefined) ?? [];
    const has = Object.hasOwn(labels, key);
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(labels[key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
    }
  }
  return true;
}

const anyOf = (list: unknown, value: string) =>
  Array.isArray(list) && (list.includes("*") || list.includes(value));

function resourceMatches(list: unknown, plural: string, sub: string | undefined): boolean {
  if (!Array.isArray(list)) return false;
  const want = sub ? `${plural}/${sub}` : plural;
  return list.some((r: string) =>
    r === "*/*" || r === want || (!sub && r === "*") || (sub && r === `*/${sub}`) ||
    (sub && r === `${plural}/*`)
  );
}

/** The version of `info`'s resource a webhook registered for, or undefined when none. */
function ruleVersion(
  hook: Obj,
  info: ResourceInfo,
  operation: string,
  sub: string | undefined,
  served: string[],
): string | undefined {
  const exact = hook.matchPolicy === "Exact";
  for (const r of (hook.rules as Obj[] | undefined) ?? []) {
    if (!anyOf(r.apiGroups, info.group) || !anyOf(r.operations, operation)) continue;
    if (!resourceMatches(r.resources, info.plural, sub)) continue;
    const scope = r.scope ?? "*";
    if (scope !== "*" && (scope === "Namespaced") !== info.namespaced) continue;
    if (anyOf(r.apiVersions, info.version)) return info.version;
    if (exact) continue;
    // Equivalent: another served version of the same resource; the object is converted.
    const v = served.find((s) => anyOf(r.apiVersions, s));
    if (v) return v;
  }
  return undefined;
}

function servedVersions(ctx: ServerCtx, info: ResourceInfo): string[] {
  if (!info.crd) return [info.version];
  const crd = ctx.store.get(CRD_KEY, info.crd.name)?.obj;
  const versions = ((crd?.spec as Obj | undefined)?.versions as Obj[] | undefined) ?? [];
  return versions.filter((v) => v.served).map((v) => String(v.name));
}

function hooksFor(
  ctx: ServerCtx,
  info: ResourceInfo,
  operation: string,
  sub: string | undefined,
  target: { namespace?: string; labels: Record<string, string> },
): Hook[] {
  const out: Hook[] = [];
  const served = servedVersions(ctx, info);
  const nsLabels = target.namespace
    ? ((ctx.store.get(NS_KEY, target.namespace)?.obj.metadata as Obj | undefined)?.labels as
      | Record<string, string>
      | undefined) ?? {}
    : undefined;
  for (const [key, mutating] of [[MWC, true], [VWC, false]] as const) {
    const snap = ctx.store.snapshot(key);
    const names = [...snap.keys].sort();
    for (const n of names) {
      const cfg = snap.map.get(n)!.obj;
      for (const h of (cfg.webhooks as Obj[] | undefined) ?? []) {
        const version = ruleVersion(h, info, operation, sub, served);
        if (!version) continue;
        // namespaceSelector: on the namespace's labels (a Namespace: its own labels).
        const nsSel = h.namespaceSelector;
        if (info.group === "" && info.plural === "namespaces") {
          if (!labelSelectorMatches(nsSel, target.labels)) continue;
        } else if (nsLabels && !labelSelectorMatches(nsSel, nsLabels)) continue;
        if (!labelSelectorMatches(h.objectSelector, target.labels)) continue;
        out.push({
          name: String(h.name),
          mutating,
          clientConfig: (h.clientConfig as Hook["clientConfig"]) ?? {},
          failurePolicy: h.failurePolicy === "Ignore" ? "Ignore" : "Fail",
          timeoutSeconds: typeof h.timeoutSeconds === "number" ? h.timeoutSeconds : 10,
          version,
        });
      }
    }
  }
  return out;
}

// ---- calling -------------------------------------------------------------------------------

function decodeBase64(text: string): string {
  const bin = atob(text);
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

class CallError extends Error {}

/** Whether a webhook URL names a loopback host. */
function _isLoopbackUrl(raw: string): boolean {
  let host: string;
  try {
    host = new URL(raw).hostname;
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

async function post(
  cc: Hook["clientConfig"],
  path: string,
  timeoutSeconds: number,
  body: unknown,
  signal: AbortSignal,
): Promise<Obj> {
  if (!cc.url) {
    const svc = cc.service ?? {};
    throw new CallError(
      `failed to call webhook: Post "https://${String(svc.name)}.${String(svc.namespace)}.svc:${
        svc.port ?? 443
      }${
        String(svc.path ?? "")
      }?timeout=${timeoutSeconds}s": service not reachable from the embedded API server`,
    );
  }
  const url = `${cc.url}${path}${cc.url.includes("?") ? "&" : "?"}timeout=${timeoutSeconds}s`;
  if (!_isLoopbackUrl(cc.url)) {
    // A test server never reaches off its own machine, whatever a configuration says.
    throw new CallError(
      `failed to call webhook: Post "${url}": the embedded API server only calls webhooks on loopback (127.0.0.0/8, [::1], localhost)`,
    );
  }
  const client = cc.caBundle
    ? Deno.createHttpClient({ caCerts: [decodeBase64(cc.caBundle)] })
    : undefined;
  const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.any([timeout, signal]),
      ...(client ? { client } : {}),
    });
    const text = await res.text();
    if (res.status !== 200) {
      throw new CallError(`failed to call webhook: the server responded with status ${res.status}`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new CallError("failed to call webhook: the response is not JSON");
    }
  } catch (err) {
    if (err instanceof CallError) throw err;
    if (timeout.aborted) {
      throw new CallError(
        `failed to call webhook: Post "${url}": context deadline exceeded`,
      );
    }
    throw new CallError(`failed to call webhook: Post "${url}": ${(err as Error).message}`);
  } finally {
    client?.close();
  }
}

// ---- conversion ----------------------------------------------------------------------------

function conversionOf(ctx: ServerCtx, info: ResourceInfo): Hook["clientConfig"] | undefined {
  if (!info.crd) return undefined;
  const crd = ctx.store.get(CRD_KEY, info.crd.name)?.obj;
  const conv = (crd?.spec as Obj | undefined)?.conversion as Obj | undefined;
  if (conv?.strategy !== "Webhook") return undefined;
  return ((conv.webhook as Obj | undefined)?.clientConfig as Hook["clientConfig"]) ?? {};
}

/** The version `info`'s objects are stored at (custom resources, converted built-ins). */
export function storageVersionOf(info: ResourceInfo): string {
  return info.crd?.storageVersion ?? builtinStorageVersion(info) ?? info.version;
}

/**
 * True when objects of `info` must be converted to reach `version`: by the CRD's conversion
 * webhook, or by the server itself for built-ins stored at another version (autoscaling/v1).
 */
export function needsConversion(ctx: ServerCtx, info: ResourceInfo, version: string): boolean {
  const builtin = builtinStorageVersion(info);
  if (builtin !== undefined) return builtin !== version;
  return info.crd !== undefined && info.crd.storageVersion !== version &&
    conversionOf(ctx, info) !== undefined;
}

/**
 * Converts `objects` (of `info`'s resource) to `group/version` through the CRD's conversion
 * webhook; objects already there are left alone. Failures answer 500 as kube-apiserver does.
 */
export async function convertObjects(
  ctx: ServerCtx,
  info: ResourceInfo,
  objects: Obj[],
  version: string,
): Promise<Obj[]> {
  if (!info.crd) return convertBuiltinObjects(info, objects, version);
  const desired = `${info.group}/${version}`;
  const todo = objects.filter((o) => o.apiVersion !== desired);
  if (!todo.length) return objects;
  const cc = conversionOf(ctx, info);
  if (!cc) return objects.map((o) => ({ ...o, apiVersion: desired }));
  const uid = crypto.randomUUID();
  const fail = (why: string) =>
    failure(
      500,
      "InternalError",
      `Internal error occurred: conversion webhook for ${info.group}/${
        String(todo[0].apiVersion).split("/")[1]
      }, Kind=${info.kind} failed: ${why}`,
    );
  let review: Obj;
  try {
    review = await post(cc, "", 30, {
      kind: "ConversionReview",
      apiVersion: "apiextensions.k8s.io/v1",
      request: { uid, desiredAPIVersion: desired, objects: todo },
    }, ctx.signal);
  } catch (err) {
    throw fail((err as Error).message);
  }
  const response = review.response as Obj | undefined;
  const result = response?.result as Obj | undefined;
  if (!response || response.uid !== uid) throw fail("expected response.uid to match");
  if (result?.status !== "Success") {
    throw fail(`conversion request failed: ${String(result?.message ?? "")}`);
  }
  const converted = response.convertedObjects as Obj[] | undefined;
  if (!Array.isArray(converted) || converted.length !== todo.length) {
    throw fail(`returned ${converted?.length ?? 0} objects, expected ${todo.length}`);
  }
  let i = 0;
  return objects.map((o) => {
    if (o.apiVersion === desired) return o;
    const c = converted[i++];
    if (c.apiVersion !== desired) throw fail(`invalid apiVersion ${String(c.apiVersion)}`);
    // Only labels and annotations may change (kube-apiserver restores the rest).
    const m = { ...(o.metadata as Obj) };
    const cm = (c.metadata as Obj | undefined) ?? {};
    if (cm.labels !== undefined) m.labels = cm.labels;
    else delete m.labels;
    if (cm.annotations !== undefined) m.annotations = cm.annotations;
    else delete m.annotations;
    return { ...c, metadata: m };
  });
}

/** Stored objects as the read handlers render them: labelled with the request's version. */
function stored(info: ResourceInfo, objects: Obj[]): Obj[] {
  const av = `${info.group}/${storageVersionOf(info)}`;
  return objects.map((o) => ({ ...o, apiVersion: av }));
}

/**
 * A list or object Response at `req`'s version, converted when the CRD says so. `read` runs
 * the read handler; a Table is rendered from the converted objects (its columns are paths of
 * the requested version).
 */
export async function convertResponse(
  ctx: ServerCtx,
  req: ResourceRequest,
  read: (req: ResourceRequest) => Response | Promise<Response>,
): Promise<Response> {
  if (req.output === "table") {
    const res = await read({ ...req, output: "json" });
    if (res.status !== 200) return res;
    const body = await res.json() as Obj;
    const list = Array.isArray(body.items);
    const objects = await convertObjects(
      ctx,
      req.info,
      stored(req.info, list ? body.items as Obj[] : [body]),
      req.info.version,
    );
    const recs = objects.map((obj) => ({ key: "", obj })) as unknown as Rec[];
    const text = list
      ? listBody(ctx, req, recs, body.metadata as { resourceVersion: string })
      : objectBody(ctx, req, recs[0]);
    return new Response(text, { status: 200, headers: res.headers });
  }
  const res = await read(req);
  if (req.output !== "json" || res.status !== 200) return res;
  const body = await res.json() as Obj;
  if (Array.isArray(body.items)) {
    body.items = await convertObjects(
      ctx,
      req.info,
      stored(req.info, body.items as Obj[]),
      req.info.version,
    );
    // the items of a typed (built-in) list carry no apiVersion and kind
    if (!req.info.crd) {
      body.items = (body.items as Obj[]).map(({ apiVersion: _, kind: __, ...o }) => o);
    }
  } else if (isObj(body.metadata)) {
    return new Response(
      JSON.stringify(
        (await convertObjects(ctx, req.info, stored(req.info, [body]), req.info.version))[0],
      ),
      { status: res.status, headers: res.headers },
    );
  }
  return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
}

/** A watch stream whose objects are converted line by line. */
export function convertWatch(ctx: ServerCtx, req: ResourceRequest, res: Response): Response {
  if (req.output !== "json" || !res.body) return res;
  let rest = "";
  const out = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(
    new TransformStream<string, Uint8Array>({
      async transform(chunk, controller) {
        rest += chunk;
        const lines = rest.split("\n");
        rest = lines.pop()!;
        for (const line of lines) {
          if (!line.trim()) continue;
          const e = JSON.parse(line) as { type: string; object: Obj };
          if (e.type !== "BOOKMARK" && e.type !== "ERROR") {
            try {
              e.object = (await convertObjects(
                ctx,
                req.info,
                stored(req.info, [e.object]),
                req.info.version,
              ))[0];
            } catch (err) {
              const s = (err as ApiStatusError).status;
              controller.enqueue(
                new TextEncoder().encode(JSON.stringify({ type: "ERROR", object: s }) + "\n"),
              );
              continue;
            }
          }
          controller.enqueue(new TextEncoder().encode(JSON.stringify(e) + "\n"));
        }
      },
    }),
  );
  return new Response(out, { status: res.status, headers: res.headers });
}

// ---- admission -----------------------------------------------------------------------------

/** What one write asks admission about. */
export interface AdmissionInput {
  operation: "CREATE" | "UPDATE" | "DELETE";
  namespace?: string;
  name?: string;
  /** The object as the write would store it (undefined on DELETE). */
  object?: Obj;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: Obj;
  dryRun: boolean;
  options: Obj;
}

function userInfo(req: ResourceRequest): Obj {
  // The embedded server knows a bearer token or nobody; kube-apiserver's envtest admin is
  // in system:masters.
  const auth = req.request.headers.get("authorization");
  return auth
    ? { username: "system:serviceaccount:default:token-user", groups: ["system:authenticated"] }
    : { username: "system:admin", groups: ["system:masters", "system:authenticated"] };
}

/** True when any admission webhook is registered (matching is done per write). */
export function hasAdmission(ctx: ServerCtx): boolean {
  return ctx.store.snapshot(VWC).keys.length + ctx.store.snapshot(MWC).keys.length > 0;
}

async function atVersion(
  ctx: ServerCtx,
  info: ResourceInfo,
  obj: Obj | undefined,
  version: string,
): Promise<Obj | undefined> {
  if (!obj) return obj;
  if (!info.crd) return obj;
  return (await convertObjects(ctx, info, [obj], version))[0];
}

function denied(name: string, status: Obj | undefined): ApiStatusError {
  const code = typeof status?.code === "number" && status.code >= 400 ? status.code : 400;
  const by = `admission webhook "${name}" denied the request`;
  const message = typeof status?.message === "string" && status.message
    ? `${by}: ${status.message}`
    : typeof status?.reason === "string" && status.reason
    ? `${by}: ${status.reason}`
    : `${by} without explanation`;
  return failure(
    code,
    typeof status?.reason === "string" ? status.reason : undefined,
    message,
    isObj(status?.details) ? status.details : undefined,
  );
}

function applyJsonPatch(doc: Obj, ops: Array<{ op: string; path: string; value?: unknown }>): Obj {
  let root: unknown = clone(doc);
  for (const op of ops) {
    const parts = op.path.split("/").slice(1).map((p) =>
      p.replaceAll("~1", "/").replaceAll("~0", "~")
    );
    if (!parts.length) {
      root = clone(op.value);
      continue;
    }
    let node = root as Obj | unknown[];
    for (const p of parts.slice(0, -1)) node = (node as Obj)[p] as Obj;
    const last = parts[parts.length - 1];
    if (Array.isArray(node)) {
      const i = last === "-" ? node.length : Number(last);
      if (op.op === "add") node.splice(i, 0, clone(op.value));
      else if (op.op === "remove") node.splice(i, 1);
      else node[i] = clone(op.value);
    } else if (op.op === "remove") delete (node as Obj)[last];
    else if (op.op === "test") continue;
    else (node as Obj)[last] = clone(op.value);
  }
  return root as Obj;
}

async function call(
  ctx: ServerCtx,
  req: ResourceRequest,
  hook: Hook,
  input: AdmissionInput,
  object: Obj | undefined,
): Promise<{ response?: Obj; warnings: string[] }> {
  const info = req.info;
  const uid = crypto.randomUUID();
  const obj = await atVersion(ctx, info, object, hook.version);
  const old = await atVersion(ctx, info, input.oldObject, hook.version);
  const gvk = { group: info.group, version: hook.version, kind: info.kind };
  const gvr = { group: info.group, version: hook.version, resource: info.plural };
  const request: Obj = {
    uid,
    kind: gvk,
    resource: gvr,
    ...(req.subresource ? { subResource: req.subresource } : {}),
    requestKind: { ...gvk, version: info.version },
    requestResource: { ...gvr, version: info.version },
    ...(req.subresource ? { requestSubResource: req.subresource } : {}),
    name: input.name ?? "",
    ...(input.namespace ? { namespace: input.namespace } : {}),
    operation: input.operation,
    userInfo: userInfo(req),
    object: obj ?? null,
    oldObject: old ?? null,
    dryRun: input.dryRun,
    options: input.options,
  };
  let review: Obj;
  try {
    review = await post(hook.clientConfig, "", hook.timeoutSeconds, {
      kind: "AdmissionReview",
      apiVersion: "admission.k8s.io/v1",
      request,
    }, ctx.signal);
    const response = review.response as Obj | undefined;
    if (review.apiVersion !== "admission.k8s.io/v1" || !response) {
      throw new CallError("failed to call webhook: expected an admission.k8s.io/v1 response");
    }
    if (response.uid !== uid) {
      throw new CallError(
        `expected response.uid="${uid}", got "${String(response.uid)}"`,
      );
    }
    return {
      response,
      warnings: Array.isArray(response.warnings) ? response.warnings.map(String) : [],
    };
  } catch (err) {
    if (!(err instanceof CallError)) throw err;
    if (hook.failurePolicy === "Ignore") return { warnings: [] };
    throw failure(
      500,
      "InternalError",
      `Internal error occurred: failed calling webhook "${hook.name}": ${err.message}`,
    );
  }
}

/**
 * Runs admission around a write. `run(body, dryRun)` performs the write (the body undefined:
 * the request's own); it is called once as a dry run for the object the webhooks see, then
 * for real with the mutating webhooks' result. Throws the denial as kube-apiserver words it.
 */
export async function admitWrite(
  ctx: ServerCtx,
  req: ResourceRequest,
  input: Omit<AdmissionInput, "object">,
  run: (body: Obj | undefined, dryRun: boolean) => WriteResult | Promise<WriteResult>,
): Promise<WriteResult> {
  const first = await run(undefined, true);
  let object = clone(first.obj);
  const labels = ((object.metadata as Obj | undefined)?.labels as Record<string, string>) ?? {};
  const hooks = hooksFor(ctx, req.info, input.operation, req.subresource, {
    namespace: input.namespace,
    labels,
  });
  if (!hooks.length) return input.dryRun ? first : await run(undefined, false);
  const warnings = [...first.warnings];
  const full: AdmissionInput = {
    ...input,
    name: input.name ?? String((object.metadata as Obj).name ?? ""),
  };
  let mutated = false;
  for (const hook of hooks.filter((h) => h.mutating)) {
    const r = await call(ctx, req, hook, full, object);
    warnings.push(...r.warnings);
    if (!r.response) continue;
    if (r.response.allowed !== true) throw denied(hook.name, r.response.status as Obj);
    if (typeof r.response.patch === "string") {
      if (r.response.patchType !== "JSONPatch") {
        throw failure(500, "InternalError", `Internal error occurred: unsupported patch type`);
      }
      const ops = JSON.parse(decodeBase64(r.response.patch));
      const at = await atVersion(ctx, req.info, object, hook.version);
      const patched = applyJsonPatch(at!, ops);
      // Back to the version the write stores (the storage one when converting).
      const own = String(object.apiVersion).split("/").pop()!;
      object = (await atVersion(ctx, req.info, patched, own))!;
      mutated = true;
    }
  }
  let dry = first;
  if (mutated) {
    dry = await run(object, true);
    object = clone(dry.obj);
  }
  const results = await Promise.all(
    hooks.filter((h) => !h.mutating).map((h) => call(ctx, req, h, full, object)),
  );
  for (const [i, r] of results.entries()) {
    warnings.push(...r.warnings);
    if (r.response && r.response.allowed !== true) {
      throw denied(hooks.filter((h) => !h.mutating)[i].name, r.response.status as Obj);
    }
  }
  const out = input.dryRun ? dry : await run(mutated ? object : undefined, false);
  return { ...out, warnings: [...new Set([...warnings, ...out.warnings])] };
}

/** Validating (and mutating, whose changes are moot) webhooks on DELETE. */
export async function admitDelete(
  ctx: ServerCtx,
  req: ResourceRequest,
  input: Omit<AdmissionInput, "object">,
): Promise<string[]> {
  const labels = ((input.oldObject?.metadata as Obj | undefined)?.labels as Record<
    string,
    string
  >) ?? {};
  const hooks = hooksFor(ctx, req.info, "DELETE", req.subresource, {
    namespace: input.namespace,
    labels,
  });
  const warnings: string[] = [];
  for (const hook of hooks.filter((h) => h.mutating)) {
    const r = await call(ctx, req, hook, input, undefined);
    warnings.push(...r.warnings);
    if (r.response && r.response.allowed !== true) {
      throw denied(hook.name, r.response.status as Obj);
    }
  }
  const validating = hooks.filter((h) => !h.mutating);
  const results = await Promise.all(validating.map((h) => call(ctx, req, h, input, undefined)));
  for (const [i, r] of results.entries()) {
    warnings.push(...r.warnings);
    if (r.response && r.response.allowed !== true) {
      throw denied(validating[i].name, r.response.status as Obj);
    }
  }
  return warnings;
}
