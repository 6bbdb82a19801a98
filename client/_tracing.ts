// Client request spans through the OpenTelemetry API. Deno exports them itself when
// OTEL_DENO=true; otherwise no tracer provider is registered, the API is not even loaded
// (client/_otel.ts) and a request pays for one property lookup.
//
// Also the request scope: code that wants to know whether API writes happened inside a call
// (the controller asks "did this resource change anything?") runs it in `withRequestScope`,
// and the transport counts successful mutating requests into the innermost scope.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Span } from "@opentelemetry/api";
import { _otel, type _OtelApi, _otelTracer } from "./_otel.ts";
import type { RequestSpec } from "./transport.ts";

/** Writes counted in a {@linkcode withRequestScope} call. */
export interface RequestScope {
  /** Successful POST, PUT, PATCH and DELETE requests. */
  writes: number;
}

const _scope = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` with a fresh scope; successful writes inside it are counted into `scope`. */
export function withRequestScope<R>(scope: RequestScope, fn: () => R): R {
  return _scope.run(scope, fn);
}

/** The innermost scope around the caller, if any. */
export function currentRequestScope(): RequestScope | undefined {
  return _scope.getStore();
}

/** What the transport learns while it sends one request. */
export interface RequestNote {
  /** Attempts after the first (retries after 429, 5xx, connection errors). */
  retries: number;
  /** The last HTTP status received. */
  status?: number;
}

const _NS_SUB = new Set(["status", "finalize"]);
const _WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Runs `send` (the transport's request loop) inside a client span named `<verb> <resource>`
 * when tracing records, and counts a successful write into the current request scope.
 */
export async function traceRequest(
  spec: RequestSpec,
  send: (note: RequestNote) => Promise<Response>,
): Promise<Response> {
  const note: RequestNote = { retries: 0 };
  let api = _otel();
  if (api instanceof Promise) api = await api;
  const span = api &&
    _otelTracer(api).startSpan("kubernetes request", { kind: api.SpanKind.CLIENT });
  if (!api || !span || !span.isRecording()) {
    const res = await send(note);
    _countWrite(spec);
    return res;
  }
  const target = describeRequest(spec);
  span.updateName(`${target.verb} ${target.resource}`);
  span.setAttributes({
    "http.request.method": spec.method,
    "url.path": spec.path,
    "operatorkit.k8s.verb": target.verb,
    "operatorkit.k8s.resource": target.resource,
    ...(target.subresource ? { "operatorkit.k8s.subresource": target.subresource } : {}),
    ...(target.namespace ? { "k8s.namespace.name": target.namespace } : {}),
    ...(target.name ? { "operatorkit.k8s.name": target.name } : {}),
  });
  try {
    const { context, trace } = api;
    const res = await context.with(trace.setSpan(context.active(), span), () => send(note));
    _countWrite(spec);
    _finish(api, span, note, res.status);
    return res;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    _finish(api, span, note, typeof code === "number" ? code : note.status, err);
    throw err;
  } finally {
    span.end();
  }
}

function _countWrite(spec: RequestSpec): void {
  if (!_WRITES.has(spec.method)) return;
  const scope = _scope.getStore();
  if (scope) scope.writes++;
}

function _finish(
  api: _OtelApi,
  span: Span,
  note: RequestNote,
  status: number | undefined,
  err?: unknown,
): void {
  if (status !== undefined) span.setAttribute("http.response.status_code", status);
  span.setAttribute("http.request.resend_count", note.retries);
  if (err !== undefined) {
    if (err instanceof Error) span.recordException(err);
    span.setStatus({
      code: api.SpanStatusCode.ERROR,
      message: err instanceof Error ? err.message : String(err),
    });
  }
}

/** The Kubernetes verb and resource of a request path (`/apis/g/v/namespaces/ns/plural/name`). */
export interface RequestTarget {
  /** get, list, watch, create, update, patch, delete, deletecollection (or the HTTP method). */
  verb: string;
  /** `plural` for the core group, `plural.group` otherwise; the path for anything else. */
  resource: string;
  /** `status`, `scale`, ... */
  subresource?: string;
  /** The namespace in the path. */
  namespace?: string;
  /** The object name in the path. */
  name?: string;
}

/** Reads verb, resource, namespace and name from a request the way kube-apiserver does. */
export function describeRequest(
  spec: Pick<RequestSpec, "method" | "path" | "query">,
): RequestTarget {
  const parts = spec.path.split("?")[0].split("/").filter(Boolean);
  let rest: string[];
  let group = "";
  if (parts[0] === "api" && parts.length >= 2) rest = parts.slice(2);
  else if (parts[0] === "apis" && parts.length >= 3) {
    group = parts[1];
    rest = parts.slice(3);
  } else return { verb: spec.method.toLowerCase(), resource: spec.path.split("?")[0] };
  let namespace: string | undefined;
  // `namespaces/<name>/status` and `/finalize` are subresources of a Namespace, not a scope.
  if (
    rest[0] === "namespaces" && rest.length >= 3 && !(rest.length === 3 && _NS_SUB.has(rest[2]))
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource] = rest;
  if (!plural) return { verb: spec.method.toLowerCase(), resource: spec.path };
  const watch = spec.query?.watch === true || spec.query?.watch === "true" ||
    spec.query?.watch === 1 || spec.query?.watch === "1";
  const verbs: Record<string, string> = {
    GET: name ? "get" : watch ? "watch" : "list",
    HEAD: name ? "get" : "list",
    POST: "create",
    PUT: "update",
    PATCH: "patch",
    DELETE: name ? "delete" : "deletecollection",
  };
  return {
    verb: watch ? "watch" : verbs[spec.method],
    resource: group ? `${plural}.${group}` : plural,
    ...(subresource ? { subresource } : {}),
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  };
}
