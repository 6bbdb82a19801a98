/**
 * What the controller needs from informers: a source of shared, started informers, and the
 * informer surface it uses (`InformerFactory` and `Informer` from `informer/` fit).
 *
 * @module
 */
import type { KubeObject, ResourceType } from "../client/types.ts";
import type { Predicate } from "./predicates.ts";
import type { CacheReader } from "./resource.ts";

/**
 * Informer callbacks the controller registers.
 *
 * @example
 * ```ts
 * import type { InformerHandler } from "./informer_source.ts";
 * import assert from "node:assert/strict";
 * const added: string[] = [];
 * const h: InformerHandler = { onAdd: (o) => void added.push(o.metadata.name!) };
 * h.onAdd?.({ metadata: { name: "a" } });
 * assert.deepEqual(added, ["a"]);
 * ```
 */
export interface InformerHandler<T extends KubeObject = KubeObject> {
  /** A new object. */
  onAdd?(obj: T): void;
  /** A changed object. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** A deleted object (its last known state). */
  onDelete?(obj: T): void;
  /** A periodic replay of an unchanged object. */
  onResync?(obj: T): void;
}

/**
 * The part of an informer the controller uses; `Informer<T>` from `informer/` fits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ConfigMap, ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { Informer } from "../informer/informer.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import type { ControllerInformer } from "./informer_source.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * await client.resource(ConfigMaps).create({ metadata: { name: "a", namespace: "default" } });
 * await using informer = new Informer(client.resource(ConfigMaps), { namespace: "default" });
 * // the informer package's Informer is one
 * const source: ControllerInformer<ConfigMap> = informer;
 * const added: string[] = [];
 * source.addHandler({ onAdd: (cm) => void added.push(cm.metadata.name!) });
 * informer.start();
 * await source.ready();
 * assert.equal(source.store.get("default/a")?.metadata.name, "a");
 * await informer.idle();
 * assert.deepEqual(added, ["a"]);
 * ```
 */
export interface ControllerInformer<T extends KubeObject = KubeObject> {
  /** The informer's cache. */
  readonly store: CacheReader<T>;
  /** Registers callbacks; returns a function (or disposable) that unregisters them. */
  addHandler(handler: InformerHandler<T>): unknown;
  /** Resolves once the initial list is in the store. */
  ready(options?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * Where a controller gets its informers. `acquire` returns a running informer for the type
 * and scope (shared when possible) and `release` gives it back when the controller stops.
 *
 * @example
 * ```ts
 * import type { InformerSource } from "./informer_source.ts";
 * import { InformerFactory } from "../informer/factory.ts";
 * import assert from "node:assert/strict";
 * // The informer package's factory is one.
 * await using factory = new InformerFactory({
 *   listWatch: (t) => ({
 *     type: t,
 *     list: () => Promise.resolve({ metadata: { resourceVersion: "1" }, items: [], invalid: [] }),
 *     watch: async function* () {},
 *   }),
 * });
 * const source: InformerSource = factory;
 * const type = { group: "", version: "v1", apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true };
 * const { informer, release } = source.acquire(type, { namespace: "default" });
 * await informer.ready();
 * assert.deepEqual(informer.store.list(), []);
 * await release();
 * ```
 */
export interface InformerSource {
  /** A running informer for `type` within the scope. */
  acquire<U extends KubeObject>(
    type: ResourceType<U>,
    options: InformerScopeOptions,
  ): { informer: ControllerInformer<U>; release(): void | Promise<void> };
}

/**
 * What an informer is scoped to; the cache holds only objects in the namespace that match
 * both selectors.
 *
 * @example
 * ```ts
 * import type { InformerScopeOptions } from "./informer_source.ts";
 * import assert from "node:assert/strict";
 * const scope: InformerScopeOptions = { namespace: "team-a", labelSelector: "app=web" };
 * assert.deepEqual(scope.namespace, "team-a");
 * ```
 */
export interface InformerScopeOptions {
  /**
   * Only this namespace.
   * @default {all}
   */
  namespace?: string;
  /** Only objects whose labels match (`labelSelector()` builds one). */
  labelSelector?: string;
  /** Only objects whose fields match (`fieldSelector()` builds one). */
  fieldSelector?: string;
}

/**
 * A child type a controller owns, narrowed: the informer caches only objects matching the
 * selectors (so an operator owning RoleBindings need not cache every RoleBinding of the
 * cluster), and events reconcile the owner only when every predicate passes.
 *
 * @example
 * ```ts
 * import type { OwnsSpec } from "./informer_source.ts";
 * import { labelsChanged } from "./predicates.ts";
 * import assert from "node:assert/strict";
 * const owned: OwnsSpec = {
 *   type: { group: "rbac.authorization.k8s.io", version: "v1", apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", plural: "rolebindings", namespaced: true },
 *   labelSelector: "app.kubernetes.io/managed-by=tenant-operator",
 *   predicates: [labelsChanged],
 * };
 * assert.deepEqual(owned.labelSelector, "app.kubernetes.io/managed-by=tenant-operator");
 * ```
 */
export interface OwnsSpec<U extends KubeObject = KubeObject> extends InformerScopeOptions {
  /** The owned type. */
  type: ResourceType<U>;
  /** All must pass for an event to reconcile the owner. */
  predicates?: readonly Predicate<U>[];
}

/**
 * A secondary type whose events map to primary keys.
 *
 * @example
 * ```ts
 * import type { WatchSpec } from "./informer_source.ts";
 * import assert from "node:assert/strict";
 * const w: WatchSpec = {
 *   type: { group: "", version: "v1", apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true },
 *   map: (secret) => [`${secret.metadata.namespace}/${secret.metadata.labels?.site}`],
 * };
 * assert.deepEqual(w.map({ metadata: { namespace: "ns", labels: { site: "blog" } } }), ["ns/blog"]);
 * ```
 */
export interface WatchSpec<U extends KubeObject = KubeObject> {
  /** The watched type. */
  type: ResourceType<U>;
  /** The primary keys (`namespace/name`) to reconcile for an event on `obj`. */
  map(obj: U): string[];
  /**
   * Restricts the watch to a namespace.
   * @default {the controller's}
   */
  namespace?: string;
  /** Restricts the watch (and the cache) by labels. */
  labelSelector?: string;
  /** Restricts the watch (and the cache) by fields. */
  fieldSelector?: string;
  /** All must pass for an event to be mapped. */
  predicates?: readonly Predicate<U>[];
}
