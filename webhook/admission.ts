/**
 * Admission webhooks: `validatingWebhook()` and `mutatingWebhook()` declare a handler for one
 * resource type and a set of operations, typed by the type's schema; `handleAdmissionReview()`
 * answers one AdmissionReview with it. Bad input never becomes a 500 or a hang: a request
 * that is not an admission.k8s.io/v1 AdmissionReview, an object that fails the schema, a
 * handler that throws or takes too long each answer a denial whose message says what was
 * wrong.
 *
 * @module
 */
import type { KubeObject, ResourceType } from "../client/types.ts";
import { _diffPatch, _jsonClone } from "./_json_patch.ts";
import type {
  AdmissionOperation,
  AdmissionRequest,
  AdmissionResponse,
  AdmissionReview,
} from "./review_types.ts";

/**
 * What a validating handler returns: allow (with warnings) or deny (with a message, an HTTP
 * code for the client, default 403, and warnings). Build it with {@linkcode allow} and
 * {@linkcode deny}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AdmissionVerdict, handleAdmissionReview, validatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const v: AdmissionVerdict = { allowed: false, message: "data.html must not be empty", code: 422 };
 * const hook = validatingWebhook(ConfigMaps, { validate: () => v });
 * const answer = await handleAdmissionReview(hook, {
 *   apiVersion: "admission.k8s.io/v1",
 *   kind: "AdmissionReview",
 *   request: {
 *     uid: "u1",
 *     kind: { group: "", version: "v1", kind: "ConfigMap" },
 *     resource: { group: "", version: "v1", resource: "configmaps" },
 *     operation: "CREATE",
 *     userInfo: {},
 *     object: { metadata: { name: "a" } },
 *   },
 * });
 * assert.equal(answer.response?.allowed, false);
 * assert.equal(answer.response?.status?.code, 422);
 * assert.equal(answer.response?.status?.message, "data.html must not be empty");
 * ```
 */
export type AdmissionVerdict =
  | { allowed: true; warnings?: string[] }
  | { allowed: false; message: string; code?: number; warnings?: string[] };

/**
 * Allows the request, with optional warnings the client (kubectl) shows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allow } from "./admission.ts";
 * assert.deepEqual(allow("replicas above 5 cost extra"), { allowed: true, warnings: ["replicas above 5 cost extra"] });
 * ```
 */
export function allow(...warnings: string[]): AdmissionVerdict {
  return warnings.length ? { allowed: true, warnings } : { allowed: true };
}

/**
 * Denies the request with a message the client sees (`admission webhook ... denied the
 * request: <message>`); `code` defaults to 403.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deny } from "./admission.ts";
 * assert.equal(deny("html is empty").allowed, false);
 * ```
 */
export function deny(
  message: string,
  options: { code?: number; warnings?: string[] } = {},
): AdmissionVerdict {
  return { allowed: false, message, ...options };
}

/**
 * What a handler receives: the request with `object` and `oldObject` decoded by the type's
 * schema (zod defaults applied), and a signal that aborts when the handler's time is up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AdmissionContext, allow, handleAdmissionReview, validatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * // A handler that waits for something slow and gives up when its time is up.
 * const slow = (ctx: AdmissionContext) =>
 *   new Promise<ReturnType<typeof allow>>((_, reject) =>
 *     ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true })
 *   );
 * const hook = validatingWebhook(ConfigMaps, { handlerTimeoutMs: 20, validate: slow });
 * const answer = await handleAdmissionReview(hook, {
 *   apiVersion: "admission.k8s.io/v1",
 *   kind: "AdmissionReview",
 *   request: {
 *     uid: "u1",
 *     kind: { group: "", version: "v1", kind: "ConfigMap" },
 *     resource: { group: "", version: "v1", resource: "configmaps" },
 *     operation: "CREATE",
 *     userInfo: {},
 *     object: { metadata: { name: "a" } },
 *   },
 * });
 * assert.equal(answer.response?.allowed, false);
 * assert.match(answer.response?.status?.message ?? "", /did not answer within 20 ms/);
 * ```
 */
export interface AdmissionContext<T extends KubeObject = KubeObject> {
  /** The request (its objects decoded). */
  request: AdmissionRequest<T>;
  /** Aborts when the handler timeout passes. */
  signal: AbortSignal;
}

/**
 * Fields shared by validating and mutating webhook declarations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allow, validatingWebhook, type WebhookCommon } from "./admission.ts";
 * import { webhookConfigurations } from "./configurations.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const c: WebhookCommon = { type: ConfigMaps, failurePolicy: "Ignore", timeoutSeconds: 5, path: "/cm" };
 * const hook = validatingWebhook(c.type, { ...c, validate: () => allow() });
 * const [config] = webhookConfigurations([hook], { name: "op", clientConfig: (path) => ({ url: `https://127.0.0.1:9443${path}` }) });
 * const entry = config.webhooks![0];
 * assert.equal(entry.failurePolicy, "Ignore");
 * assert.equal(entry.timeoutSeconds, 5);
 * assert.deepEqual(entry.clientConfig, { url: "https://127.0.0.1:9443/cm" });
 * assert.throws(() => validatingWebhook(ConfigMaps, { timeoutSeconds: 31, validate: () => allow() }), /between 1 and 30/);
 * ```
 */
export interface WebhookCommon<T extends KubeObject = KubeObject> {
  /** The resource type; its `schema` decodes the objects. */
  type: ResourceType<T>;
  /**
   * Operations to handle.
   * @default {["CREATE", "UPDATE"]}
   */
  operations?: AdmissionOperation[];
  /**
   * What the API server does when the webhook cannot be reached or times out.
   * @default {"Fail", as controller-runtime}
   */
  failurePolicy?: "Fail" | "Ignore";
  /**
   * The API server's timeout for this webhook, 1..30 s.
   * @default {10}
   */
  timeoutSeconds?: number;
  /**
   * The handler's time limit in ms; past it the request is denied.
   * @default {DEFAULT_HANDLER_TIMEOUT_MS (8_000)}
   */
  handlerTimeoutMs?: number;
  /**
   * The webhook's name in the configuration.
   * @default {derived from the type, e.g. `vconfigmap.core.k8s.io`}
   */
  name?: string;
  /**
   * The URL path.
   * @default {`/validate-<group>-<version>-<kind>` (or `/mutate-...`), as controller-runtime}
   */
  path?: string;
}

/**
 * A validating webhook: its handler sees the decoded object (and the old one on UPDATE and
 * DELETE) and returns an {@linkcode AdmissionVerdict}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { handleAdmissionReview, type ValidatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const v: ValidatingWebhook = {
 *   kind: "validating",
 *   type: ConfigMaps,
 *   validate: () => { throw new Error("validator crashed"); },
 * };
 * const answer = await handleAdmissionReview(v, {
 *   apiVersion: "admission.k8s.io/v1",
 *   kind: "AdmissionReview",
 *   request: {
 *     uid: "u1",
 *     kind: { group: "", version: "v1", kind: "ConfigMap" },
 *     resource: { group: "", version: "v1", resource: "configmaps" },
 *     operation: "CREATE",
 *     userInfo: {},
 *     object: { metadata: { name: "a" } },
 *   },
 * });
 * assert.equal(answer.response?.allowed, false, "a throw denies");
 * assert.equal(answer.response?.status?.message, "validator crashed");
 * ```
 */
export interface ValidatingWebhook<T extends KubeObject = KubeObject> extends WebhookCommon<T> {
  /** Discriminator. */
  kind: "validating";
  /** Decides; may be async; a throw denies with its message. */
  validate(ctx: AdmissionContext<T>): AdmissionVerdict | Promise<AdmissionVerdict>;
}

/**
 * A mutating webhook: its handler gets a copy of the decoded object and returns the object
 * as it should be (or `{ object, warnings }`); the SDK answers with the JSONPatch between
 * the two. Returning `undefined` leaves the object unchanged; `deny()` denies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { handleAdmissionReview, type MutatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const m: MutatingWebhook = {
 *   kind: "mutating",
 *   type: ConfigMaps,
 *   mutate: ({ object }) => ({ object: { ...object, metadata: { ...object.metadata, labels: { team: "a" } } }, warnings: ["labelled"] }),
 * };
 * const answer = await handleAdmissionReview(m, {
 *   apiVersion: "admission.k8s.io/v1",
 *   kind: "AdmissionReview",
 *   request: {
 *     uid: "u1",
 *     kind: { group: "", version: "v1", kind: "ConfigMap" },
 *     resource: { group: "", version: "v1", resource: "configmaps" },
 *     operation: "CREATE",
 *     userInfo: {},
 *     object: { metadata: { name: "a" } },
 *   },
 * });
 * assert.deepEqual(answer.response?.warnings, ["labelled"]);
 * assert.deepEqual(JSON.parse(atob(answer.response!.patch!)), [
 *   { op: "add", path: "/metadata/labels", value: { team: "a" } },
 * ]);
 * ```
 */
export interface MutatingWebhook<T extends KubeObject = KubeObject> extends WebhookCommon<T> {
  /** Discriminator. */
  kind: "mutating";
  /** Returns the changed object; may be async; a throw denies with its message. */
  mutate(
    ctx: AdmissionContext<T> & { object: T },
  ):
    | T
    | { object: T; warnings?: string[] }
    | AdmissionVerdict
    | undefined
    | Promise<T | { object: T; warnings?: string[] } | AdmissionVerdict | undefined>;
}

/**
 * A validating or a mutating webhook.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AdmissionWebhook, allow, mutatingWebhook, validatingWebhook } from "./admission.ts";
 * import { webhookConfigurations } from "./configurations.ts";
 * import { ConfigMaps, Secrets } from "../client/builtins.ts";
 * const hooks: AdmissionWebhook[] = [
 *   validatingWebhook(ConfigMaps, { validate: () => allow() }),
 *   mutatingWebhook(Secrets, { mutate: () => undefined }),
 * ];
 * const docs = webhookConfigurations(hooks, { name: "op", clientConfig: (path) => ({ url: `https://127.0.0.1:9443${path}` }) });
 * assert.deepEqual(docs.map((d) => d.kind), ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]);
 * ```
 */
// deno-lint-ignore no-explicit-any
export type AdmissionWebhook<T extends KubeObject = any> =
  | ValidatingWebhook<T>
  | MutatingWebhook<T>;

/**
 * Declares a validating webhook for `type`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deny, allow, validatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const hook = validatingWebhook(ConfigMaps, {
 *   validate: ({ request }) => request.object?.data?.forbidden ? deny("forbidden key") : allow(),
 * });
 * assert.equal(hook.path, "/validate--v1-configmap");
 * ```
 */
export function validatingWebhook<T extends KubeObject>(
  type: ResourceType<T>,
  options: Omit<ValidatingWebhook<T>, "kind" | "type">,
): ValidatingWebhook<T> & { path: string; name: string } {
  _checkCommon(type, options);
  return {
    ...options,
    kind: "validating",
    type,
    path: options.path ?? _defaultPath("validate", type),
    name: options.name ?? _defaultName("v", type),
  };
}

/**
 * Declares a mutating webhook for `type`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mutatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const hook = mutatingWebhook(ConfigMaps, {
 *   mutate: ({ object }) => ({ ...object, data: { ...object.data, stamped: "yes" } }),
 * });
 * assert.equal(hook.path, "/mutate--v1-configmap");
 * ```
 */
export function mutatingWebhook<T extends KubeObject>(
  type: ResourceType<T>,
  options: Omit<MutatingWebhook<T>, "kind" | "type">,
): MutatingWebhook<T> & { path: string; name: string } {
  _checkCommon(type, options);
  return {
    ...options,
    kind: "mutating",
    type,
    path: options.path ?? _defaultPath("mutate", type),
    name: options.name ?? _defaultName("m", type),
  };
}

function _checkCommon(type: ResourceType, o: Omit<WebhookCommon<KubeObject>, "type">): void {
  const bad = (what: string, found: unknown) => {
    throw new TypeError(`webhook for ${type.plural}: expected ${what}, found ${String(found)}`);
  };
  if (o.timeoutSeconds !== undefined) {
    if (!Number.isInteger(o.timeoutSeconds) || o.timeoutSeconds < 1 || o.timeoutSeconds > 30) {
      bad("timeoutSeconds between 1 and 30", o.timeoutSeconds);
    }
  }
  if (o.handlerTimeoutMs !== undefined && !(o.handlerTimeoutMs > 0)) {
    bad("a positive handlerTimeoutMs", o.handlerTimeoutMs);
  }
  for (const op of o.operations ?? []) {
    if (!["CREATE", "UPDATE", "DELETE", "CONNECT"].includes(op)) {
      bad("operations among CREATE, UPDATE, DELETE, CONNECT", op);
    }
  }
  if (o.path !== undefined && !/^\/[A-Za-z0-9._~\/-]*$/.test(o.path)) bad("a URL path", o.path);
}

function _defaultPath(verb: string, t: ResourceType): string {
  return `/${verb}-${t.group.replaceAll(".", "-")}-${t.version}-${t.kind.toLowerCase()}`;
}

function _defaultName(prefix: string, t: ResourceType): string {
  // Webhook names must be fully qualified (at least three DNS labels).
  const group = t.group === ""
    ? "core.k8s.io"
    : t.group.split(".").length < 2
    ? `${t.group}.k8s.io`
    : t.group;
  return `${prefix}${t.kind.toLowerCase()}.${group}`;
}

/**
 * The handler time limit when a webhook sets none: below the API server's own timeout for
 * the webhook (10 s unless `timeoutSeconds` says otherwise), so the handler's denial, not
 * the API server's timeout, reaches the client.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allow, DEFAULT_HANDLER_TIMEOUT_MS, validatingWebhook } from "./admission.ts";
 * import { webhookConfigurations } from "./configurations.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const hook = validatingWebhook(ConfigMaps, { validate: () => allow() });
 * const [config] = webhookConfigurations([hook], { name: "op", clientConfig: () => ({ url: "https://127.0.0.1:9443/" }) });
 * assert.ok(DEFAULT_HANDLER_TIMEOUT_MS < config.webhooks![0].timeoutSeconds! * 1000);
 * ```
 */
export const DEFAULT_HANDLER_TIMEOUT_MS = 8_000;

const V1 = "admission.k8s.io/v1";

function _review(response: AdmissionResponse): AdmissionReview {
  return { apiVersion: V1, kind: "AdmissionReview", response };
}

function _denied(uid: string, code: number, message: string): AdmissionReview {
  return _review({ uid, allowed: false, status: { code, message, status: "Failure" } });
}

function _issues(err: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }) {
  return err.issues.map((i) => `${i.path.map(String).join(".") || "(object)"}: ${i.message}`)
    .join("; ");
}

function _decode<T extends KubeObject>(
  type: ResourceType<T>,
  value: unknown,
  what: string,
): { ok: true; value: T } | { ok: false; message: string } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      message: `expected ${what} to be an object, found ${JSON.stringify(value)}`,
    };
  }
  if (!type.schema) return { ok: true, value: _jsonClone(value) as T };
  const r = type.schema.safeParse(_jsonClone(value));
  if (r.success) return { ok: true, value: r.data };
  return {
    ok: false,
    message: `${what} is not a valid ${type.kind}: ${_issues(r.error)}`,
  };
}

function _message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `fn` with a deadline; rejects with a clear error when it passes. */
async function _bounded<R>(
  ms: number,
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal) => R | Promise<R>,
): Promise<R> {
  const ac = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onOuter = () => ac.abort(outer?.reason);
  outer?.addEventListener("abort", onOuter, { once: true });
  try {
    return await Promise.race([
      Promise.resolve().then(() => fn(ac.signal)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const e = new Error(`the webhook handler did not answer within ${ms} ms`);
          ac.abort(e);
          reject(e);
        }, ms);
        ac.signal.addEventListener("abort", () => reject(ac.signal.reason), { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onOuter);
  }
}

/**
 * Answers one AdmissionReview (already parsed from JSON, or anything else) with `hook`.
 * Always resolves to an AdmissionReview: a malformed review, an object failing the schema,
 * a throwing or slow handler all become a denial naming the problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deny, handleAdmissionReview, validatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const hook = validatingWebhook(ConfigMaps, { validate: () => deny("nope") });
 * const review = await handleAdmissionReview(hook, {
 *   apiVersion: "admission.k8s.io/v1",
 *   kind: "AdmissionReview",
 *   request: {
 *     uid: "u1",
 *     kind: { group: "", version: "v1", kind: "ConfigMap" },
 *     resource: { group: "", version: "v1", resource: "configmaps" },
 *     operation: "CREATE",
 *     userInfo: {},
 *     object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } },
 *   },
 * });
 * assert.equal(review.response?.allowed, false);
 * assert.equal(review.response?.status?.message, "nope");
 * ```
 */
export async function handleAdmissionReview(
  hook: AdmissionWebhook,
  body: unknown,
  options: { signal?: AbortSignal } = {},
): Promise<AdmissionReview> {
  const review = body as Partial<AdmissionReview<unknown>> | null;
  const req = (typeof review === "object" && review !== null ? review.request : undefined) as
    | AdmissionRequest<unknown>
    | undefined;
  const uid = typeof req?.uid === "string" ? req.uid : "";
  if (typeof review !== "object" || review === null || Array.isArray(review)) {
    return _denied(uid, 400, `expected an AdmissionReview object, found ${typeof review}`);
  }
  if (review.apiVersion !== V1 || review.kind !== "AdmissionReview") {
    return _denied(
      uid,
      400,
      `expected apiVersion ${V1} and kind AdmissionReview, found ${String(review.apiVersion)} ${
        String(review.kind)
      }`,
    );
  }
  if (typeof req !== "object" || req === null || uid === "") {
    return _denied(uid, 400, "expected request with a uid in the AdmissionReview");
  }
  const operation = req.operation;
  const ops = hook.operations ?? ["CREATE", "UPDATE"];
  if (!ops.includes(operation)) {
    // Not registered for it: the configuration should not send it; allow like a no-op.
    return _review({ uid, allowed: true });
  }
  let object: KubeObject | undefined;
  let oldObject: KubeObject | undefined;
  if (req.object !== undefined && req.object !== null) {
    const d = _decode(hook.type, req.object, "object");
    if (!d.ok) return _denied(uid, 400, d.message);
    object = d.value;
  }
  if (req.oldObject !== undefined && req.oldObject !== null) {
    const d = _decode(hook.type, req.oldObject, "oldObject");
    if (!d.ok) return _denied(uid, 400, d.message);
    oldObject = d.value;
  }
  const request: AdmissionRequest<KubeObject> = {
    ...(req as AdmissionRequest<KubeObject>),
    object,
    oldObject,
  };
  if (object === undefined) delete request.object;
  if (oldObject === undefined) delete request.oldObject;
  const ms = hook.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
  try {
    if (hook.kind === "validating") {
      const v = await _bounded(ms, options.signal, (signal) => hook.validate({ request, signal }));
      return _review(_verdict(uid, v));
    }
    if (object === undefined) {
      // DELETE and CONNECT carry no object to change: nothing to patch.
      return _review({ uid, allowed: true });
    }
    const before = _jsonClone(object);
    const out = await _bounded(
      ms,
      options.signal,
      (signal) => hook.mutate({ request, signal, object: _jsonClone(before) }),
    );
    if (out === undefined) return _review({ uid, allowed: true });
    if (_isVerdict(out)) return _review(_verdict(uid, out));
    const after = "object" in out && _isMutation(out) ? out.object : out as KubeObject;
    const warnings = _isMutation(out) ? out.warnings : undefined;
    if (typeof after !== "object" || after === null || Array.isArray(after)) {
      throw new TypeError(`expected the mutating handler to return an object`);
    }
    const ops = _diffPatch(req.object, before, after);
    const response: AdmissionResponse = { uid, allowed: true };
    if (ops.length) {
      response.patchType = "JSONPatch";
      response.patch = _base64(JSON.stringify(ops));
    }
    if (warnings?.length) response.warnings = warnings;
    return _review(response);
  } catch (err) {
    return _denied(uid, 403, _message(err));
  }
}

function _isVerdict(v: unknown): v is AdmissionVerdict {
  return typeof v === "object" && v !== null && typeof (v as { allowed?: unknown }).allowed ===
      "boolean" &&
    !("metadata" in v);
}

function _isMutation(v: unknown): v is { object: KubeObject; warnings?: string[] } {
  return typeof v === "object" && v !== null && !("metadata" in v) && "object" in v;
}

function _verdict(uid: string, v: AdmissionVerdict): AdmissionResponse {
  if (!_isVerdict(v)) {
    throw new TypeError(
      `expected the validating handler to return allow() or deny(), found ${JSON.stringify(v)}`,
    );
  }
  const warnings = v.warnings?.length ? { warnings: v.warnings } : {};
  if (v.allowed) return { uid, allowed: true, ...warnings };
  return {
    uid,
    allowed: false,
    status: { code: v.code ?? 403, message: v.message, status: "Failure" },
    ...warnings,
  };
}

function _base64(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}
