/**
 * The Kubernetes wire shapes shared by every part of operatorkit: object metadata, lists,
 * Status, watch events and resource types. These are plain TypeScript types with no runtime
 * cost, so `testing/` (the embedded API server) can import them without pulling in the client.
 *
 * @module
 */

/**
 * A reference from a dependent object to its owner (`metadata.ownerReferences[]`).
 *
 * @example
 * ```ts
 * import type { OwnerReference } from "./types.ts";
 * import assert from "node:assert/strict";
 * const ref: OwnerReference = {
 *   apiVersion: "demo.operatorkit.io/v1alpha1",
 *   kind: "Website",
 *   name: "site",
 *   uid: "6b1f3c2a-0000-4000-8000-000000000000",
 *   controller: true,
 * };
 * assert.deepEqual(ref.apiVersion, "demo.operatorkit.io/v1alpha1");
 * ```
 */
export interface OwnerReference {
  /** API version of the owner, e.g. `apps/v1`. */
  apiVersion: string;
  /** Kind of the owner. */
  kind: string;
  /** Name of the owner (same namespace as the dependent). */
  name: string;
  /** UID of the owner. */
  uid: string;
  /** True for the one managing controller. */
  controller?: boolean;
  /** With foreground deletion, the owner waits for this dependent. */
  blockOwnerDeletion?: boolean;
}

/**
 * One entry of `metadata.managedFields`, as server-side apply records it.
 *
 * @example
 * ```ts
 * import type { ManagedFieldsEntry } from "./types.ts";
 * import assert from "node:assert/strict";
 * const entry: ManagedFieldsEntry = {
 *   manager: "kubectl",
 *   operation: "Apply",
 *   apiVersion: "v1",
 *   fieldsType: "FieldsV1",
 *   fieldsV1: { "f:data": { "f:a": {} } },
 * };
 * assert.deepEqual(entry.manager, "kubectl");
 * ```
 */
export interface ManagedFieldsEntry {
  /** The field manager's name. */
  manager: string;
  /** `Apply` for server-side apply, `Update` for every other write. */
  operation: "Apply" | "Update";
  /** API version the fields were written at. */
  apiVersion: string;
  /** When the entry last changed (RFC 3339). */
  time?: string;
  /** Always `FieldsV1`. */
  fieldsType?: "FieldsV1";
  /** The set of owned fields, in the FieldsV1 trie encoding. */
  fieldsV1?: Record<string, unknown>;
  /** Set when the write went through a subresource (e.g. `status`). */
  subresource?: string;
}

/**
 * Standard object metadata (`metadata`).
 *
 * @example
 * ```ts
 * import type { ObjectMeta } from "./types.ts";
 * import assert from "node:assert/strict";
 * const meta: ObjectMeta = { name: "web", namespace: "default", labels: { app: "web" } };
 * assert.deepEqual(meta.name, "web");
 * ```
 */
export interface ObjectMeta {
  /** Object name, unique within a namespace (or cluster-wide for cluster-scoped types). */
  name?: string;
  /** Prefix from which the server generates a name when `name` is empty. */
  generateName?: string;
  /** Namespace; absent for cluster-scoped objects. */
  namespace?: string;
  /** Server-assigned unique id. */
  uid?: string;
  /** Opaque version string; compare for equality only. */
  resourceVersion?: string;
  /** Incremented by the server on spec changes (custom resources, workloads). */
  generation?: number;
  /** RFC 3339 creation time, set by the server. */
  creationTimestamp?: string;
  /** Set by the server when deletion was requested. */
  deletionTimestamp?: string;
  /** Grace period recorded with the deletion. */
  deletionGracePeriodSeconds?: number;
  /** Labels, queryable with label selectors. */
  labels?: Record<string, string>;
  /** Annotations: unstructured key/value metadata. */
  annotations?: Record<string, string>;
  /** Finalizers that must be removed before the object goes away. */
  finalizers?: string[];
  /** Owners of this object, for garbage collection. */
  ownerReferences?: OwnerReference[];
  /** Field ownership recorded by the server. */
  managedFields?: ManagedFieldsEntry[];
}

/**
 * Any Kubernetes object: `apiVersion`, `kind` and `metadata`, plus whatever else its type
 * carries (spec, status, data, ...).
 *
 * @example
 * ```ts
 * import type { KubeObject } from "./types.ts";
 * import assert from "node:assert/strict";
 * const cm: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } };
 * assert.deepEqual(cm.apiVersion, "v1");
 * ```
 */
export interface KubeObject {
  /** `group/version`, or `version` for the core group. */
  apiVersion?: string;
  /** The object's kind. */
  kind?: string;
  /** Standard metadata. */
  metadata: ObjectMeta;
}

/**
 * List metadata (`metadata` of a `<Kind>List`).
 *
 * @example
 * ```ts
 * import type { ListMeta } from "./types.ts";
 * import assert from "node:assert/strict";
 * const meta: ListMeta = { resourceVersion: "42", continue: "token" };
 * assert.deepEqual(meta.resourceVersion, "42");
 * ```
 */
export interface ListMeta {
  /** The resourceVersion the list was read at; watch from here. */
  resourceVersion?: string;
  /** Token for the next page; absent or empty on the last page. */
  continue?: string;
  /** Estimate of the items after this page. */
  remainingItemCount?: number;
}

/**
 * A `<Kind>List` as the API server returns it.
 *
 * @example
 * ```ts
 * import type { KubeList, KubeObject } from "./types.ts";
 * import assert from "node:assert/strict";
 * const list: KubeList<KubeObject> = {
 *   apiVersion: "v1",
 *   kind: "ConfigMapList",
 *   metadata: { resourceVersion: "7" },
 *   items: [],
 * };
 * assert.deepEqual(list.apiVersion, "v1");
 * ```
 */
export interface KubeList<T> {
  /** API version of the list. */
  apiVersion?: string;
  /** `<Kind>List`. */
  kind?: string;
  /** List metadata with the resourceVersion and continue token. */
  metadata: ListMeta;
  /** The items; always an array. */
  items: T[];
}

/**
 * One cause of a Status failure (`details.causes[]`).
 *
 * @example
 * ```ts
 * import type { StatusCause } from "./types.ts";
 * import assert from "node:assert/strict";
 * const cause: StatusCause = {
 *   reason: "FieldValueRequired",
 *   message: "Required value",
 *   field: "metadata.name",
 * };
 * assert.deepEqual(cause.reason, "FieldValueRequired");
 * ```
 */
export interface StatusCause {
  /** Machine-readable reason, e.g. `FieldValueInvalid`. */
  reason?: string;
  /** Human-readable description. */
  message?: string;
  /** The field path the cause refers to. */
  field?: string;
}

/**
 * The API server's `Status` object: every error body, and the success body of some deletes.
 *
 * @example
 * ```ts
 * import type { Status } from "./types.ts";
 * import assert from "node:assert/strict";
 * const notFound: Status = {
 *   kind: "Status",
 *   apiVersion: "v1",
 *   metadata: {},
 *   status: "Failure",
 *   message: 'configmaps "x" not found',
 *   reason: "NotFound",
 *   details: { name: "x", kind: "configmaps" },
 *   code: 404,
 * };
 * assert.deepEqual(notFound.kind, "Status");
 * ```
 */
export interface Status {
  /** Always `Status`. */
  kind: "Status";
  /** Always `v1`. */
  apiVersion: "v1";
  /** List metadata (usually empty). */
  metadata: ListMeta;
  /** `Success` or `Failure`. */
  status?: "Success" | "Failure";
  /** Human-readable message. */
  message?: string;
  /** Machine-readable reason (`NotFound`, `Conflict`, `Expired`, ...). */
  reason?: string;
  /** Extra details: the object's name, group, kind, uid, causes and retry hint. */
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  /** The HTTP status code. */
  code?: number;
}

/**
 * The part of a zod schema the client uses to decode objects. Any zod schema satisfies it;
 * so does any object with a compatible `safeParse`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import type { Decoder } from "./types.ts";
 * import assert from "node:assert/strict";
 * const d: Decoder<{ a: number }> = z.object({ a: z.number() });
 * assert.deepEqual(d.safeParse({ a: 1 }).success, true);
 * ```
 */
export interface Decoder<T> {
  /** Validates `data`; on success returns the (possibly transformed) value. */
  safeParse(
    data: unknown,
  ):
    | { success: true; data: T }
    | {
      success: false;
      error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string }> };
    };
}

/**
 * Describes one API resource: where it is served and, optionally, how to decode it.
 *
 * Built-in types come from `client/builtins.ts` (e.g. `ConfigMaps`); custom types from
 * `defineResource()` or `defineCustomResource()`. When `schema` is set, every object read
 * from the server (get, list, watch) is validated with it; an invalid object becomes a
 * `DecodeError` instead of silently flowing on.
 *
 * @example
 * ```ts
 * import type { KubeObject, ResourceType } from "./types.ts";
 * import assert from "node:assert/strict";
 * const ConfigMaps: ResourceType<KubeObject & { data?: Record<string, string> }> = {
 *   group: "",
 *   version: "v1",
 *   apiVersion: "v1",
 *   kind: "ConfigMap",
 *   plural: "configmaps",
 *   namespaced: true,
 * };
 * assert.deepEqual(ConfigMaps.group, "");
 * ```
 */
export interface ResourceType<T extends KubeObject = KubeObject> {
  /** API group; `""` for the core group. */
  readonly group: string;
  /** API version within the group, e.g. `v1`. */
  readonly version: string;
  /** `group/version`, or just `version` for the core group. */
  readonly apiVersion: string;
  /** The kind, e.g. `ConfigMap`. */
  readonly kind: string;
  /** The plural resource name used in URLs, e.g. `configmaps`. */
  readonly plural: string;
  /** True for namespaced types, false for cluster-scoped ones. */
  readonly namespaced: boolean;
  /** The verbs the server allows (`get`, `list`, `create`, ...), when known (generated types). */
  readonly verbs?: readonly string[];
  /** The subresources the server has (`status`, `scale`, ...), when known (generated types). */
  readonly subresources?: readonly string[];
  /** Optional decoder (a zod schema fits); objects from the server are validated with it. */
  readonly schema?: Decoder<T>;
  /**
   * Phantom field that carries the object type for inference; never set at run time.
   * @ignore
   */
  readonly __object?: T;
}

/**
 * A watch event as the API server sends it, after decoding.
 *
 * `ERROR` events are never yielded: the client turns them into a thrown `ApiError` (an
 * `Expired`/410 Status becomes the same error as an HTTP 410). An object that fails the
 * resource type's schema is yielded as `INVALID`, so one bad object never ends a stream.
 *
 * @example
 * ```ts
 * import type { KubeObject, WatchEvent } from "./types.ts";
 * import { ConfigMaps, KubeClient } from "./mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * function describe(e: WatchEvent<KubeObject>): string {
 *   switch (e.type) {
 *     case "BOOKMARK":
 *       return `bookmark at ${e.object.metadata.resourceVersion}`;
 *     case "INVALID":
 *       return `invalid ${e.eventType} for ${e.error.key}`;
 *     default:
 *       return `${e.type} ${e.object.metadata.name}`;
 *   }
 * }
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const cms = client.resource(ConfigMaps);
 * const { metadata } = await cms.list({ namespace: "default" });
 * const events = cms.watch({ namespace: "default", resourceVersion: metadata.resourceVersion });
 * const it = events[Symbol.asyncIterator]();
 * const first = it.next();
 * await cms.create({ metadata: { name: "web" } }, { namespace: "default" });
 * const r = await first;
 * await it.return?.();
 * assert.ok(!r.done);
 * assert.equal(describe(r.value), "ADDED web");
 * ```
 */
export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; object: T }
  | { type: "BOOKMARK"; object: KubeObject }
  | {
    type: "INVALID";
    /** The event type the server sent for this object. */
    eventType: "ADDED" | "MODIFIED" | "DELETED";
    /** The raw object, undecoded. */
    raw: KubeObject;
    /** Why it failed to decode (zod's issues, the object's key). */
    error: DecodeFailure;
  };

/**
 * What a decode failure carries. `client/errors.ts` defines `DecodeError`, which implements
 * this shape.
 *
 * @example
 * ```ts
 * import type { DecodeFailure } from "./types.ts";
 * import assert from "node:assert/strict";
 * const f: DecodeFailure = {
 *   key: "default/site",
 *   uid: "u1",
 *   resourceVersion: "5",
 *   issues: [{ path: ["spec", "replicas"], message: "Too big" }],
 *   message: "default/site: spec.replicas: Too big",
 * };
 * assert.deepEqual(f.key, "default/site");
 * ```
 */
export interface DecodeFailure {
  /** `namespace/name`, or `name` for cluster-scoped objects. */
  readonly key: string;
  /** The object's uid, when it had one. */
  readonly uid?: string;
  /** The object's resourceVersion, when it had one. */
  readonly resourceVersion?: string;
  /** zod's issues, as data. */
  readonly issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string }>;
  /** One-line summary. */
  readonly message: string;
}

/**
 * Options common to list and watch requests.
 *
 * @example
 * ```ts
 * import type { ListOptions } from "./types.ts";
 * import assert from "node:assert/strict";
 * const opts: ListOptions = { labelSelector: "app=web", limit: 500 };
 * assert.deepEqual(opts.labelSelector, "app=web");
 * ```
 */
export interface ListOptions {
  /** Namespace to list in; omitted for a namespaced type means all namespaces. */
  namespace?: string;
  /** A label selector string (see `labelSelector()` to build one from an object). */
  labelSelector?: string;
  /** A field selector string (see `fieldSelector()`). */
  fieldSelector?: string;
  /** Page size. */
  limit?: number;
  /** Continue token from the previous page. */
  continue?: string;
  /** resourceVersion semantics as the API defines them (unset, "0", or N). */
  resourceVersion?: string;
  /** `Exact` or `NotOlderThan`. */
  resourceVersionMatch?: "Exact" | "NotOlderThan";
  /** Ask for metadata only (PartialObjectMetadata). */
  metadataOnly?: boolean;
  /** Cancels the request. */
  signal?: AbortSignal;
}

/**
 * Options for a watch request.
 *
 * @example
 * ```ts
 * import type { WatchOptions } from "./types.ts";
 * import assert from "node:assert/strict";
 * const opts: WatchOptions = {
 *   resourceVersion: "42",
 *   allowWatchBookmarks: true,
 *   timeoutSeconds: 300,
 * };
 * assert.deepEqual(opts.resourceVersion, "42");
 * ```
 */
export interface WatchOptions {
  /** Namespace to watch; omitted for a namespaced type means all namespaces. */
  namespace?: string;
  /** Label selector string. */
  labelSelector?: string;
  /** Field selector string. */
  fieldSelector?: string;
  /** Start after this resourceVersion (unset or "0": synthetic ADDED for everything first). */
  resourceVersion?: string;
  /** Required with `sendInitialEvents`. */
  resourceVersionMatch?: "Exact" | "NotOlderThan";
  /** Ask the server for BOOKMARK events. */
  allowWatchBookmarks?: boolean;
  /** Server-side timeout; the server ends the stream cleanly after it. */
  timeoutSeconds?: number;
  /** Streaming list: ADDED for every object, then an initial-events-end bookmark. */
  sendInitialEvents?: boolean;
  /**
   * Client-side idle timeout in ms: a stream with no bytes for this long ends with a
   * `WatchIdleError`.
   * @default {`timeoutSeconds` + 30 s, or 3630 s without `timeoutSeconds` (see `watchIdleTimeoutMs`)}
   */
  idleTimeoutMs?: number;
  /** Ask for metadata only (PartialObjectMetadata). */
  metadataOnly?: boolean;
  /** Cancels the watch and releases the response body. */
  signal?: AbortSignal;
  /** Called once the server accepted the watch (a 2xx response; its stream is open). */
  onOpen?: () => void;
}

/**
 * The read side of a resource that informers need: one page of LIST, and WATCH.
 * `ResourceClient<T>` implements it; tests may implement it directly.
 *
 * @example
 * ```ts
 * import type { KubeObject, ListWatch } from "./types.ts";
 * import { Informer } from "../informer/mod.ts";
 * import assert from "node:assert/strict";
 * // Any source can feed an informer: here a fixed list and a watch that ends at once.
 * const lw: ListWatch<KubeObject> = {
 *   type: { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
 *   list: () =>
 *     Promise.resolve({
 *       metadata: { resourceVersion: "5" },
 *       items: [{ metadata: { namespace: "default", name: "a", uid: "u1", resourceVersion: "5" } }],
 *       invalid: [],
 *     }),
 *   watch: async function* () {},
 * };
 * await using informer = new Informer(lw);
 * informer.start();
 * await informer.ready();
 * assert.deepEqual(informer.store.list().map((o) => o.metadata.name), ["a"]);
 * ```
 */
export interface ListWatch<T extends KubeObject = KubeObject> {
  /** The resource type being listed and watched. */
  readonly type: ResourceType<T>;
  /**
   * One page of LIST. Items that fail the type's schema are left out of `items` and
   * reported in `invalid`.
   */
  list(options?: ListOptions): Promise<DecodedList<T>>;
  /**
   * Every page of a LIST in order, following `continue` (optional; `ResourceClient` requests
   * the next page while the current one is decoded). Without it the informer calls `list()`
   * page after page.
   */
  listPages?(options?: ListOptions): AsyncIterable<DecodedList<T>>;
  /**
   * WATCH as an async iterable. Ends normally when the server closes the stream
   * (timeoutSeconds); throws `ApiError` (410 Expired in either form, or other errors),
   * `WatchIdleError` for a silent connection, `WatchLineError` for a malformed line.
   * Breaking out of the loop or aborting the signal releases the response body.
   */
  watch(options?: WatchOptions): AsyncIterable<WatchEvent<T>>;
}

/**
 * A LIST page after decoding: the valid items, and the raw objects that failed to decode.
 *
 * @example
 * ```ts
 * import type { DecodedList } from "./types.ts";
 * import { decodeList } from "./decode.ts";
 * import { defineResource } from "./define_resource.ts";
 * import { z } from "zod";
 * import assert from "node:assert/strict";
 * const Things = defineResource({
 *   apiVersion: "demo.io/v1",
 *   kind: "Thing",
 *   plural: "things",
 *   schema: z.object({ metadata: z.object({ name: z.string() }), spec: z.object({ size: z.number() }) }),
 * });
 * const page: DecodedList<z.infer<typeof Things.schema>> = decodeList(Things, {
 *   metadata: { resourceVersion: "3" },
 *   items: [{ metadata: { name: "bad" }, spec: { size: "big" } }],
 * });
 * assert.equal(page.items.length, 0);
 * assert.equal(page.invalid[0].raw.metadata.name, "bad");
 * assert.deepEqual(page.invalid[0].error.issues[0].path, ["spec", "size"]);
 * ```
 */
export interface DecodedList<T> extends KubeList<T> {
  /** Objects that failed the schema: the raw object and why. */
  invalid: Array<{ raw: KubeObject; error: DecodeFailure }>;
}

/**
 * The key of an object in caches and work queues: `namespace/name`, or `name` for
 * cluster-scoped objects.
 *
 * @example
 * ```ts
 * import { objectKey } from "./types.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(objectKey({ metadata: { namespace: "default", name: "web" } }), "default/web");
 * assert.deepEqual(objectKey({ metadata: { name: "node-1" } }), "node-1");
 * ```
 */
export function objectKey(obj: { metadata: ObjectMeta }): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ""}` : name ?? "";
}
