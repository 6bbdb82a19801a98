/**
 * The client's typed errors: `ApiError` (the server's Status), `ConfigError` (a bad
 * kubeconfig or in-cluster setup), `DecodeError` (an object that fails its schema), and the
 * two watch-stream failures `WatchIdleError` and `WatchLineError`.
 *
 * @module
 */
import type { DecodeFailure, KubeObject, Status } from "./types.ts";
import { objectKey } from "./types.ts";
import { _truncate } from "./_util.ts";

/**
 * An error answer from the API server. It keeps the server's `Status` (code, reason, message,
 * details); a non-Status body (a plain-text 404 or 429) still becomes an `ApiError` with the
 * HTTP code, and a watch `ERROR` event becomes one too (so a 410 Expired looks the same in
 * both forms).
 *
 * @example
 * ```ts
 * import { ApiError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = ApiError.fromStatus({
 *   kind: "Status",
 *   apiVersion: "v1",
 *   metadata: {},
 *   status: "Failure",
 *   reason: "NotFound",
 *   message: 'configmaps "x" not found',
 *   code: 404,
 * });
 * assert.equal(err.isNotFound(), true);
 * assert.equal(err.code, 404);
 * ```
 */
export class ApiError extends Error {
  /** The HTTP status code (or the Status `code` of a watch ERROR event). */
  readonly code: number;
  /** The Status `reason` (`NotFound`, `Conflict`, `Expired`, ...), or `""` when absent. */
  readonly reason: string;
  /** The server's Status; synthesised from the HTTP code for a non-Status body. */
  readonly status: Status;
  /** The HTTP method of the failed request, when known. */
  readonly method?: string;
  /** The request path (without query), when known. */
  readonly path?: string;
  /** Seconds the server asked us to wait (Retry-After or details.retryAfterSeconds). */
  readonly retryAfterSeconds?: number;

  /** Builds an error from a Status and optional request context. */
  constructor(
    status: Status,
    options: {
      method?: string;
      path?: string;
      retryAfterSeconds?: number;
      cause?: unknown;
    } = {},
  ) {
    const code = status.code ?? 0;
    const where = options.method && options.path ? `${options.method} ${options.path}: ` : "";
    super(
      `${where}expected success, found ${code}${status.reason ? ` ${status.reason}` : ""}: ${
        status.message ?? "(no message)"
      }`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "ApiError";
    this.code = code;
    this.reason = status.reason ?? "";
    this.status = status;
    if (options.method) this.method = options.method;
    if (options.path) this.path = options.path;
    const retry = options.retryAfterSeconds ?? status.details?.retryAfterSeconds;
    if (retry !== undefined) this.retryAfterSeconds = retry;
  }

  /** Wraps a Status object (e.g. from a watch ERROR event). */
  static fromStatus(status: Status, options: { method?: string; path?: string } = {}): ApiError {
    return new ApiError(status, options);
  }

  /**
   * Builds the error for an HTTP response body that was not a Status (plain text, HTML,
   * empty): the HTTP code with a reason derived from it and the body (truncated) as message.
   */
  static fromHttp(
    code: number,
    body: string,
    options: { method?: string; path?: string; retryAfterSeconds?: number } = {},
  ): ApiError {
    const text = body.trim();
    const status: Status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      reason: _reasonForCode(code),
      message: text ? _truncate(text, 300) : `HTTP ${code} with an empty body`,
      code,
    };
    return new ApiError(status, options);
  }

  /** 404 NotFound. */
  isNotFound(): boolean {
    return this.code === 404;
  }
  /** 409 Conflict (stale resourceVersion, failed precondition, apply conflict). */
  isConflict(): boolean {
    return this.code === 409 && this.reason !== "AlreadyExists";
  }
  /** 409 AlreadyExists. */
  isAlreadyExists(): boolean {
    return this.code === 409 && this.reason === "AlreadyExists";
  }
  /** 410 Gone / Expired: the resourceVersion or continue token is too old. */
  isGone(): boolean {
    return this.code === 410 || this.reason === "Expired" || this.reason === "Gone";
  }
  /** 422 Invalid. */
  isInvalid(): boolean {
    return this.code === 422 || this.reason === "Invalid";
  }
  /** 403 Forbidden. */
  isForbidden(): boolean {
    return this.code === 403;
  }
  /** 429 TooManyRequests. */
  isTooManyRequests(): boolean {
    return this.code === 429;
  }
}

function _reasonForCode(code: number): string {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "Unknown";
  }
}

function _apiError(err: unknown): ApiError | undefined {
  return err instanceof ApiError ? err : undefined;
}

/**
 * True when `err` is an `ApiError` with code 404.
 *
 * @example
 * ```ts
 * import { ApiError, isNotFound } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(isNotFound(ApiError.fromHttp(404, "404 page not found")), true);
 * ```
 */
export function isNotFound(err: unknown): boolean {
  return _apiError(err)?.isNotFound() ?? false;
}

/**
 * Swallows a 404 and rethrows anything else: `.catch(ignoreNotFound)` makes "already gone"
 * a success (controller-runtime's `client.IgnoreNotFound`). Resolves to `undefined` then.
 *
 * @example
 * ```ts
 * import { ApiError, ignoreNotFound } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const gone = Promise.reject(ApiError.fromHttp(404, "404 page not found"));
 * assert.equal(await gone.catch(ignoreNotFound), undefined);
 * const denied = Promise.reject(ApiError.fromHttp(403, "forbidden"));
 * await assert.rejects(denied.catch(ignoreNotFound), ApiError);
 * ```
 */
export function ignoreNotFound(err: unknown): undefined {
  if (isNotFound(err)) return undefined;
  throw err;
}

/**
 * True when `err` is an `ApiError` 409 Conflict (not AlreadyExists).
 *
 * @example
 * ```ts
 * import { ApiError, isConflict } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(isConflict(ApiError.fromHttp(409, "conflict")), true);
 * ```
 */
export function isConflict(err: unknown): boolean {
  return _apiError(err)?.isConflict() ?? false;
}

/**
 * True when `err` is an `ApiError` 409 AlreadyExists.
 *
 * @example
 * ```ts
 * import { isAlreadyExists } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(isAlreadyExists(new Error("x")), false);
 * ```
 */
export function isAlreadyExists(err: unknown): boolean {
  return _apiError(err)?.isAlreadyExists() ?? false;
}

/**
 * True when `err` is a 410 Gone/Expired `ApiError`, from an HTTP 410 or a watch ERROR event.
 *
 * @example
 * ```ts
 * import { ApiError, isGone } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(isGone(ApiError.fromHttp(410, "gone")), true);
 * ```
 */
export function isGone(err: unknown): boolean {
  return _apiError(err)?.isGone() ?? false;
}

/**
 * True when `err` is a 422 Invalid `ApiError`.
 *
 * @example
 * ```ts
 * import { ApiError, isInvalid } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(isInvalid(ApiError.fromHttp(422, "bad")), true);
 * ```
 */
export function isInvalid(err: unknown): boolean {
  return _apiError(err)?.isInvalid() ?? false;
}

/**
 * True when `err` is a 403 Forbidden `ApiError`.
 *
 * @example
 * ```ts
 * import { ApiError, isForbidden } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(isForbidden(ApiError.fromHttp(403, "no")), true);
 * ```
 */
export function isForbidden(err: unknown): boolean {
  return _apiError(err)?.isForbidden() ?? false;
}

/**
 * True when `err` is a 429 TooManyRequests `ApiError`.
 *
 * @example
 * ```ts
 * import { ApiError, isTooManyRequests } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(isTooManyRequests(ApiError.fromHttp(429, "Too many requests")), true);
 * ```
 */
export function isTooManyRequests(err: unknown): boolean {
  return _apiError(err)?.isTooManyRequests() ?? false;
}

/**
 * A problem with the client configuration: a malformed kubeconfig (naming the file and the
 * field), a missing context, an unreadable in-cluster token, or a setting Deno cannot honour
 * safely (`insecure-skip-tls-verify`). Messages never contain secrets.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new ConfigError("expected a string, found a number", {
 *   file: "/home/me/.kube/config",
 *   field: "clusters[0].cluster.server",
 * });
 * assert.match(err.message, /^\/home\/me\/\.kube\/config: clusters\[0\]\.cluster\.server: expected a string/);
 * ```
 */
export class ConfigError extends Error {
  /** The file the problem is in, when there is one. */
  readonly file?: string;
  /** The field path, e.g. `users[1].user.exec.command`. */
  readonly field?: string;

  /** `message` says what was expected and what was found. */
  constructor(message: string, options: { file?: string; field?: string; cause?: unknown } = {}) {
    const prefix = [options.file, options.field].filter(Boolean).join(": ");
    super(
      prefix ? `${prefix}: ${message}` : message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "ConfigError";
    if (options.file) this.file = options.file;
    if (options.field) this.field = options.field;
  }
}

/**
 * An object from the server that failed its resource type's schema. It carries the object's
 * key, uid, resourceVersion and zod's issues as data.
 *
 * @example
 * ```ts
 * import { DecodeError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new DecodeError(
 *   { metadata: { namespace: "default", name: "site", uid: "u1", resourceVersion: "5" } },
 *   [{ path: ["spec", "replicas"], message: "Too big" }],
 * );
 * assert.deepEqual(err.key, "default/site");
 * assert.deepEqual(err.message, "default/site: spec.replicas: Too big");
 * ```
 */
export class DecodeError extends Error implements DecodeFailure {
  /** `namespace/name` or `name`. */
  readonly key: string;
  /** The object's uid, if any. */
  readonly uid?: string;
  /** The object's resourceVersion, if any. */
  readonly resourceVersion?: string;
  /** zod's issues. */
  readonly issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string }>;

  /** Builds the error from the raw object and the decoder's issues. */
  constructor(
    raw: Partial<KubeObject> | undefined,
    issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string }>,
    options: { kind?: string; cause?: unknown } = {},
  ) {
    const meta = raw?.metadata ?? {};
    const key = objectKey({ metadata: meta }) || "(unnamed)";
    const summary = issues.slice(0, 5).map((i) =>
      `${i.path.length ? i.path.map(String).join(".") : "(root)"}: ${i.message}`
    ).join("; ");
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : "";
    super(
      `${options.kind ? `${options.kind} ` : ""}${key}: ${summary || "invalid"}${more}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "DecodeError";
    this.key = key;
    if (meta.uid) this.uid = meta.uid;
    if (meta.resourceVersion) this.resourceVersion = meta.resourceVersion;
    this.issues = issues;
  }
}

/**
 * A watch stream that stayed silent (no bytes) for longer than its idle timeout. The
 * connection has been closed; re-open the watch from the last resourceVersion.
 *
 * @example
 * ```ts
 * import { WatchIdleError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new WatchIdleError(330_000);
 * assert.deepEqual(err.idleMs, 330000);
 * ```
 */
export class WatchIdleError extends Error {
  /** The idle timeout that expired, in ms. */
  readonly idleMs: number;

  /** `idleMs`: how long the stream was silent. */
  constructor(idleMs: number, options: { path?: string } = {}) {
    super(
      `expected bytes on the watch stream${
        options.path ? ` ${options.path}` : ""
      } within ${idleMs} ms, found silence`,
    );
    this.name = "WatchIdleError";
    this.idleMs = idleMs;
  }
}

/**
 * A watch stream line that was not a valid watch event (not JSON, or not
 * `{type, object}`). It carries the line, truncated to 200 characters.
 *
 * @example
 * ```ts
 * import { WatchLineError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new WatchLineError("{not json", { reason: "invalid JSON" });
 * assert.deepEqual(err.line, "{not json");
 * ```
 */
export class WatchLineError extends Error {
  /** The offending line, truncated to 200 characters. */
  readonly line: string;

  /** `line`: the raw line; `reason`: what was wrong with it. */
  constructor(line: string, options: { reason: string; cause?: unknown }) {
    const shown = _truncate(line, 200);
    super(
      `expected a JSON watch event per line, found ${options.reason}: ${JSON.stringify(shown)}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "WatchLineError";
    this.line = shown;
  }
}
