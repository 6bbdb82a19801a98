/**
 * The wire types of admission.k8s.io/v1 `AdmissionReview` and apiextensions.k8s.io/v1
 * `ConversionReview`, as kube-apiserver sends and expects them.
 *
 * @module
 */
import type { KubeObject } from "../client/types.ts";

/**
 * An admission operation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AdmissionOperation } from "./review_types.ts";
 * import { deny, handleAdmissionReview, validatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const operations: AdmissionOperation[] = ["DELETE"];
 * const hook = validatingWebhook(ConfigMaps, { operations, validate: () => deny("kept forever") });
 * const review = (operation: AdmissionOperation) => ({
 *   apiVersion: "admission.k8s.io/v1",
 *   kind: "AdmissionReview",
 *   request: {
 *     uid: "u1",
 *   kind: { group: "", version: "v1", kind: "ConfigMap" },
 *   resource: { group: "", version: "v1", resource: "configmaps" },
 *     operation,
 *     userInfo: {},
 *     oldObject: { metadata: { name: "a" } },
 *   },
 * });
 * assert.equal((await handleAdmissionReview(hook, review("DELETE"))).response?.allowed, false);
 * // Not among the hook's operations: allowed without calling the handler.
 * assert.equal((await handleAdmissionReview(hook, review("UPDATE"))).response?.allowed, true);
 * ```
 */
export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

/**
 * Who made the request, as the API server authenticated them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { UserInfo } from "./review_types.ts";
 * import { allow, deny, handleAdmissionReview, validatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const hook = validatingWebhook(ConfigMaps, {
 *   validate: ({ request }) =>
 *     request.userInfo.groups?.includes("system:masters") ? allow() : deny(`${request.userInfo.username} may not`),
 * });
 * const as = (userInfo: UserInfo) =>
 *   handleAdmissionReview(hook, {
 *     apiVersion: "admission.k8s.io/v1",
 *     kind: "AdmissionReview",
 *     request: {
 *       uid: "u1",
 *       kind: { group: "", version: "v1", kind: "ConfigMap" },
 *       resource: { group: "", version: "v1", resource: "configmaps" },
 *       operation: "CREATE",
 *       userInfo,
 *       object: { metadata: { name: "a" } },
 *     },
 *   });
 * const admin: UserInfo = { username: "system:admin", groups: ["system:masters"] };
 * assert.equal((await as(admin)).response?.allowed, true);
 * assert.equal((await as({ username: "dev" })).response?.status?.message, "dev may not");
 * ```
 */
export interface UserInfo {
  /** The user name. */
  username?: string;
  /** The user's unique id. */
  uid?: string;
  /** The groups the user belongs to. */
  groups?: string[];
  /** Extra authenticator attributes. */
  extra?: Record<string, string[]>;
}

/**
 * The `request` of an AdmissionReview, with `object` and `oldObject` of type `T`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AdmissionRequest } from "./review_types.ts";
 * import type { ConfigMap } from "../client/builtin_types.ts";
 * import { allow, handleAdmissionReview, validatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const seen: AdmissionRequest<ConfigMap>[] = [];
 * const hook = validatingWebhook(ConfigMaps, { validate: ({ request }) => (seen.push(request), allow()) });
 * const r: AdmissionRequest<ConfigMap> = {
 *   uid: "1",
 *   kind: { group: "", version: "v1", kind: "ConfigMap" },
 *   resource: { group: "", version: "v1", resource: "configmaps" },
 *   namespace: "default",
 *   operation: "CREATE",
 *   userInfo: {},
 *   object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { k: "v" } },
 * };
 * const answer = await handleAdmissionReview(hook, { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: r });
 * assert.equal(answer.response?.uid, "1", "the response carries the request's uid");
 * assert.deepEqual(seen[0].object?.data, { k: "v" });
 * assert.equal(seen[0].namespace, "default");
 * ```
 */
export interface AdmissionRequest<T = KubeObject> {
  /** Identifies this request; the response carries it back. */
  uid: string;
  /** The kind of the object (in the version the webhook registered for). */
  kind: { group: string; version: string; kind: string };
  /** The resource (in the version the webhook registered for). */
  resource: { group: string; version: string; resource: string };
  /** The subresource, e.g. `status`. */
  subResource?: string;
  /** The kind as the client sent it (differs under matchPolicy Equivalent). */
  requestKind?: { group: string; version: string; kind: string };
  /** The resource as the client sent it. */
  requestResource?: { group: string; version: string; resource: string };
  /** The subresource as the client sent it. */
  requestSubResource?: string;
  /** The object's name (may be empty on CREATE with generateName). */
  name?: string;
  /** The object's namespace. */
  namespace?: string;
  /** The operation. */
  operation: AdmissionOperation;
  /** Who asked. */
  userInfo: UserInfo;
  /** The new object (CREATE, UPDATE); absent on DELETE. */
  object?: T;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: T;
  /** True for a dry run: the handler must have no side effects. */
  dryRun?: boolean;
  /** The operation's options (CreateOptions, UpdateOptions, DeleteOptions). */
  options?: Record<string, unknown>;
}

/**
 * The `response` of an AdmissionReview.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AdmissionResponse } from "./review_types.ts";
 * import { deny, handleAdmissionReview, validatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const hook = validatingWebhook(ConfigMaps, { validate: () => deny("no", { code: 422, warnings: ["see docs"] }) });
 * const answer = await handleAdmissionReview(hook, {
 *   apiVersion: "admission.k8s.io/v1",
 *   kind: "AdmissionReview",
 *   request: {
 *     uid: "1",
 *     kind: { group: "", version: "v1", kind: "ConfigMap" },
 *     resource: { group: "", version: "v1", resource: "configmaps" },
 *     operation: "CREATE",
 *     userInfo: {},
 *     object: { metadata: { name: "a" } },
 *   },
 * });
 * const r: AdmissionResponse | undefined = answer.response;
 * assert.equal(r?.allowed, false);
 * assert.deepEqual(r?.status, { code: 422, message: "no", status: "Failure" });
 * assert.deepEqual(r?.warnings, ["see docs"]);
 * ```
 */
export interface AdmissionResponse {
  /** The request's uid. */
  uid: string;
  /** Whether the request may go on. */
  allowed: boolean;
  /** Why not (a Status; `message` and `code` are shown to the client). */
  status?: { code?: number; message?: string; reason?: string; status?: "Success" | "Failure" };
  /** A base64 JSONPatch (mutating webhooks). */
  patch?: string;
  /** `JSONPatch` when `patch` is set. */
  patchType?: "JSONPatch";
  /** Warnings shown to the client. */
  warnings?: string[];
  /** Annotations for the audit log. */
  auditAnnotations?: Record<string, string>;
}

/**
 * An admission.k8s.io/v1 AdmissionReview.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AdmissionReview } from "./review_types.ts";
 * import type { ConfigMap } from "../client/builtin_types.ts";
 * import { handleAdmissionReview, mutatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const hook = mutatingWebhook(ConfigMaps, {
 *   mutate: ({ object }) => ({ ...object, data: { ...object.data, stamped: "yes" } }),
 * });
 * const r: AdmissionReview<ConfigMap> = {
 *   apiVersion: "admission.k8s.io/v1",
 *   kind: "AdmissionReview",
 *   request: {
 *     uid: "1",
 *     kind: { group: "", version: "v1", kind: "ConfigMap" },
 *     resource: { group: "", version: "v1", resource: "configmaps" },
 *     operation: "CREATE",
 *     userInfo: {},
 *     object: { metadata: { name: "a" }, data: {} },
 *   },
 * };
 * const answer: AdmissionReview = await handleAdmissionReview(hook, r);
 * assert.equal(answer.apiVersion, "admission.k8s.io/v1");
 * assert.equal(answer.response?.patchType, "JSONPatch");
 * assert.deepEqual(JSON.parse(atob(answer.response!.patch!)), [
 *   { op: "add", path: "/data/stamped", value: "yes" },
 * ]);
 * ```
 */
export interface AdmissionReview<T = KubeObject> {
  /** `admission.k8s.io/v1`. */
  apiVersion: string;
  /** `AdmissionReview`. */
  kind: string;
  /** Sent by the API server. */
  request?: AdmissionRequest<T>;
  /** Sent back by the webhook. */
  response?: AdmissionResponse;
}

/**
 * An apiextensions.k8s.io/v1 ConversionReview.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ConversionReview } from "./review_types.ts";
 * import { handleConversionReview } from "./conversion.ts";
 * const r: ConversionReview = {
 *   apiVersion: "apiextensions.k8s.io/v1",
 *   kind: "ConversionReview",
 *   request: { uid: "1", desiredAPIVersion: "demo.io/v1", objects: [] },
 * };
 * const answer: ConversionReview = handleConversionReview([], r);
 * assert.equal(answer.response?.uid, "1");
 * assert.deepEqual(answer.response?.convertedObjects, []);
 * assert.equal(answer.response?.result.status, "Success");
 * ```
 */
export interface ConversionReview {
  /** `apiextensions.k8s.io/v1`. */
  apiVersion: string;
  /** `ConversionReview`. */
  kind: string;
  /** Sent by the API server. */
  request?: { uid: string; desiredAPIVersion: string; objects: KubeObject[] };
  /** Sent back by the webhook. */
  response?: {
    uid: string;
    convertedObjects: KubeObject[];
    result: { status: "Success" | "Failure"; message?: string };
  };
}
