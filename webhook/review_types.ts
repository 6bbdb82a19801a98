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
 * import type { AdmissionOperation } from "./review_types.ts";
 * const op: AdmissionOperation = "CREATE";
 * ```
 */
export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

/**
 * Who made the request, as the API server authenticated them.
 *
 * @example
 * ```ts
 * import type { UserInfo } from "./review_types.ts";
 * const u: UserInfo = { username: "system:admin", groups: ["system:masters"] };
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
 * import type { AdmissionRequest } from "./review_types.ts";
 * const r: AdmissionRequest = {
 *   uid: "1",
 *   kind: { group: "", version: "v1", kind: "ConfigMap" },
 *   resource: { group: "", version: "v1", resource: "configmaps" },
 *   operation: "CREATE",
 *   userInfo: {},
 * };
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
 * import type { AdmissionResponse } from "./review_types.ts";
 * const r: AdmissionResponse = { uid: "1", allowed: false, status: { code: 403, message: "no" } };
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
 * import type { AdmissionReview } from "./review_types.ts";
 * const r: AdmissionReview = {
 *   apiVersion: "admission.k8s.io/v1",
 *   kind: "AdmissionReview",
 *   response: { uid: "1", allowed: true },
 * };
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
 * import type { ConversionReview } from "./review_types.ts";
 * const r: ConversionReview = {
 *   apiVersion: "apiextensions.k8s.io/v1",
 *   kind: "ConversionReview",
 *   request: { uid: "1", desiredAPIVersion: "demo.io/v1", objects: [] },
 * };
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
