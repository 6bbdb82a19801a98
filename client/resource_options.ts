/**
 * The option shapes of `ResourceClient` requests, and the subresource handle interface.
 *
 * @module
 */
import type { DecodeFailure, KubeObject, ListOptions } from "./types.ts";

/**
 * Options of a single-object request.
 *
 * @example
 * ```ts
 * import type { RequestOptions } from "./resource_options.ts";
 * import assert from "node:assert/strict";
 * const o: RequestOptions = { namespace: "default" };
 * assert.deepEqual(o.namespace, "default");
 * ```
 */
export interface RequestOptions {
  /**
   * Namespace (namespaced types).
   * @default {the object's namespace, then the client's default namespace}
   */
  namespace?: string;
  /** Cancels the request. */
  signal?: AbortSignal;
}

/**
 * Options of a write.
 *
 * @example
 * ```ts
 * import type { WriteOptions } from "./resource_options.ts";
 * import assert from "node:assert/strict";
 * const o: WriteOptions = { dryRun: true, fieldManager: "my-operator" };
 * assert.deepEqual(o.dryRun, true);
 * ```
 */
export interface WriteOptions extends RequestOptions {
  /** `dryRun=All`: validate and answer, persist nothing. */
  dryRun?: boolean;
  /**
   * Field manager recorded in managedFields.
   * @default {the client's `fieldManager` (`operatorkit` unless set)}
   */
  fieldManager?: string;
}

/**
 * Options of a PATCH.
 *
 * @example
 * ```ts
 * import type { PatchOptions } from "./resource_options.ts";
 * import assert from "node:assert/strict";
 * const o: PatchOptions = { type: "merge", body: { metadata: { labels: { a: "b" } } } };
 * assert.deepEqual(o.type, "merge");
 * ```
 */
export interface PatchOptions extends WriteOptions {
  /** `json` (RFC 6902), `merge` (RFC 7386) or `strategic` (built-in types only). */
  type: "json" | "merge" | "strategic";
  /** The patch document. */
  body: unknown;
}

/**
 * Options of a server-side apply.
 *
 * @example
 * ```ts
 * import type { ApplyOptions } from "./resource_options.ts";
 * import assert from "node:assert/strict";
 * const o: ApplyOptions = { fieldManager: "my-operator", force: true };
 * assert.deepEqual(o.fieldManager, "my-operator");
 * ```
 */
export interface ApplyOptions extends WriteOptions {
  /** Take over fields owned by other managers instead of failing with a conflict. */
  force?: boolean;
}

/**
 * Options of a DELETE.
 *
 * @example
 * ```ts
 * import type { DeleteOptions } from "./resource_options.ts";
 * import assert from "node:assert/strict";
 * const o: DeleteOptions = { propagationPolicy: "Foreground", preconditions: { uid: "u1" } };
 * assert.deepEqual(o.propagationPolicy, "Foreground");
 * ```
 */
export interface DeleteOptions extends RequestOptions {
  /** What happens to dependents. */
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  /** Only delete if the object still has this uid / resourceVersion (else 409). */
  preconditions?: { uid?: string; resourceVersion?: string };
  /** Grace period (pods). */
  gracePeriodSeconds?: number;
  /** Validate only. */
  dryRun?: boolean;
}

/**
 * Options of a DELETE on a collection.
 *
 * @example
 * ```ts
 * import type { DeleteCollectionOptions } from "./resource_options.ts";
 * import assert from "node:assert/strict";
 * const o: DeleteCollectionOptions = { namespace: "default", labelSelector: "app=web" };
 * assert.deepEqual(o.namespace, "default");
 * ```
 */
export interface DeleteCollectionOptions extends Omit<DeleteOptions, "preconditions"> {
  /** Label selector of the objects to delete. */
  labelSelector?: string;
  /** Field selector of the objects to delete. */
  fieldSelector?: string;
}

/**
 * Options of `listAll()`.
 *
 * @example
 * ```ts
 * import type { ListAllOptions } from "./resource_options.ts";
 * import assert from "node:assert/strict";
 * const o: ListAllOptions = { limit: 500, onInvalid: (f) => console.warn(f.message) };
 * assert.deepEqual(o.limit, 500);
 * ```
 */
export interface ListAllOptions extends Omit<ListOptions, "continue"> {
  /**
   * Receives objects that fail the schema.
   * @default {a warning log line each}
   */
  onInvalid?: (failure: DecodeFailure, raw: KubeObject) => void;
}

/**
 * A subresource handle (`status`, `scale`, or `resource.subresource(name)`).
 *
 * @example
 * ```ts
 * import { Deployments, KubeClient, type SubresourceClient } from "./mod.ts";
 * import type { Scale } from "./builtin_types.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const deployments = client.resource(Deployments);
 * await deployments.create({
 *   metadata: { name: "web" },
 *   spec: {
 *     replicas: 1,
 *     selector: { matchLabels: { app: "web" } },
 *     template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx" }] } },
 *   },
 * }, { namespace: "default" });
 * const scale: SubresourceClient<Scale> = deployments.scale;
 * await scale.patch("web", { namespace: "default", type: "merge", body: { spec: { replicas: 3 } } });
 * assert.equal((await scale.get("web", { namespace: "default" })).spec?.replicas, 3);
 * assert.equal((await deployments.get("web", { namespace: "default" })).spec?.replicas, 3);
 * ```
 */
export interface SubresourceClient<S extends KubeObject> {
  /** The subresource name. */
  readonly name: string;
  /** GET the subresource. */
  get(name: string, options?: RequestOptions): Promise<S>;
  /** PUT it (the object's resourceVersion makes it conditional). */
  replace(obj: S, options?: WriteOptions): Promise<S>;
  /** PATCH it. */
  patch(name: string, options: PatchOptions): Promise<S>;
  /** Server-side apply to it. */
  apply(obj: S, options?: ApplyOptions): Promise<S>;
  /** POST to it (e.g. `eviction`). */
  create(name: string, options: WriteOptions & { body: unknown }): Promise<KubeObject>;
}
