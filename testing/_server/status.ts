// Status objects (rules 0.2-0.4) and the error type handlers throw to produce them.
import type { Status, StatusCause } from "../../client/types.ts";

/** What a Status message needs to know about the resource. */
export interface ResourceNames {
  group: string;
  plural: string;
  kind: string;
}

/** A failure that becomes a Status response. Thrown by handlers, caught by the router. */
export class ApiStatusError extends Error {
  override name = "ApiStatusError";
  /** The Status body to send. */
  readonly status: Status;
  constructor(status: Status, options?: { cause?: unknown }) {
    super(status.message ?? status.reason ?? "error", options);
    this.status = status;
  }
}

/** Builds a failure Status (rule 0.2): `group` is left out for the core group. */
export function failure(
  code: number,
  reason: string | undefined,
  message: string,
  details?: Status["details"],
): ApiStatusError {
  const status: Status = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
  if (reason === undefined) delete status.reason;
  if (details) {
    const d = { ...details };
    if (!d.group) delete d.group;
    status.details = d;
  }
  return new ApiStatusError(status);
}

/** `configmaps` or `deployments.apps`, as kube names a resource in messages. */
export function qualified(r: ResourceNames): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

/** 404 NotFound (rule 0.3). */
export function notFound(r: ResourceNames, name: string): ApiStatusError {
  return failure(404, "NotFound", `${qualified(r)} "${name}" not found`, {
    name,
    group: r.group,
    kind: r.plural,
  });
}

/** 409 AlreadyExists (rule 2.2). */
export function alreadyExists(r: ResourceNames, name: string): ApiStatusError {
  return failure(409, "AlreadyExists", `${qualified(r)} "${name}" already exists`, {
    name,
    group: r.group,
    kind: r.plural,
  });
}

/** 409 Conflict (rule 0.3). */
export function conflict(
  r: ResourceNames,
  name: string,
  why: string,
  causes?: StatusCause[],
): ApiStatusError {
  return failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`,
    {
      name,
      group: r.group,
      kind: r.plural,
      ...(causes ? { causes } : {}),
    },
  );
}

/** The standard stale-resourceVersion conflict (rule 2.8). */
export function staleConflict(r: ResourceNames, name: string): ApiStatusError {
  return conflict(
    r,
    name,
    "the object has been modified; please apply your changes to the latest version and try again",
  );
}

/** 422 Invalid with one cause per field (rule 0.3). */
export function invalid(r: ResourceNames, name: string, causes: StatusCause[]): ApiStatusError {
  // kube's aggregate error de-duplicates identical messages; the causes keep every entry
  const parts = [
    ...new Set(causes.map((c) => (c.field ? `${c.field}: ${c.message ?? ""}` : c.message ?? ""))),
  ];
  const list = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  const kind = r.group ? `${r.kind}.${r.group}` : r.kind;
  const details: Status["details"] = { name, group: r.group, kind: r.kind, causes };
  if (!name) delete details.name;
  return failure(422, "Invalid", `${kind} "${name}" is invalid: ${list}`, details);
}

/** 422 for invalid request options (`ListOptions`, `DeleteOptions`, `PatchOptions`, ...). */
export function invalidOptions(kind: string, causes: StatusCause[]): ApiStatusError {
  return invalid({ group: "meta.k8s.io", plural: "", kind }, "", causes);
}

/** One field cause. */
export function cause(reason: string, field: string, message: string): StatusCause {
  return { reason, field, message };
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiStatusError {
  return failure(400, "BadRequest", message);
}

/** 410 Expired. */
export function expired(message: string): ApiStatusError {
  return failure(410, "Expired", message);
}

/** 403 Forbidden. */
export function forbidden(
  message: string,
  details?: Status["details"],
): ApiStatusError {
  return failure(403, "Forbidden", message, details);
}

/** 405 MethodNotSupported. */
export function methodNotSupported(r: ResourceNames, verb: string): ApiStatusError {
  return failure(
    405,
    "MethodNotAllowed",
    `${verb} is not supported on resources of kind "${qualified(r)}"`,
    {
      group: r.group,
      kind: r.plural,
    },
  );
}

/** The JSON headers every response carries. */
export function jsonHeaders(extra?: HeadersInit): Headers {
  const h = new Headers(extra);
  h.set("content-type", "application/json");
  h.set("cache-control", "no-cache, private");
  return h;
}

/** A Status error as a Response (rule 0.4: Retry-After when retryAfterSeconds is set). */
export function statusResponse(err: ApiStatusError, extra?: HeadersInit): Response {
  const h = jsonHeaders(extra);
  const retry = err.status.details?.retryAfterSeconds;
  if (retry && retry > 0) h.set("retry-after", String(retry));
  return new Response(JSON.stringify(err.status), { status: err.status.code ?? 500, headers: h });
}

/** A JSON body Response. `body` may already be serialized. */
export function jsonResponse(body: unknown, code = 200, extra?: HeadersInit): Response {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new Response(text, { status: code, headers: jsonHeaders(extra) });
}

/** Rule 0.5: an unregistered path answers plain text, not a Status. */
export function pageNotFound(): Response {
  return new Response("404 page not found\n", {
    status: 404,
    headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
  });
}
