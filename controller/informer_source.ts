/**
 * What the controller needs from informers: a source of shared, started informers, and the
 * informer surface it uses (`InformerFactory` and `Informer` from `informer/` fit).
 *
 * @module
 */
import type { KubeObject, ResourceType } from "../client/types.ts";
import type { CacheReader } from "./resource.ts";

/**
 * Informer callbacks the controller registers.
 *
 * @example
 * ```ts
 * import type { InformerHandler } from "./informer_source.ts";
 * const h: InformerHandler = { onAdd: (o) => console.log(o.metadata.name) };
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
 * import type { ControllerInformer } from "./informer_source.ts";
 * import type { KubeObject } from "../client/types.ts";
 * async function keys(i: ControllerInformer<KubeObject>): Promise<number> {
 *   await i.ready();
 *   return i.store.list().length;
 * }
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
 * function describe(source: InformerSource): string {
 *   return typeof source.acquire;
 * }
 * ```
 */
export interface InformerSource {
  /** A running informer for `type` within the scope. */
  acquire<U extends KubeObject>(
    type: ResourceType<U>,
    options: { namespace?: string; labelSelector?: string },
  ): { informer: ControllerInformer<U>; release(): void | Promise<void> };
}

/**
 * A secondary type whose events map to primary keys.
 *
 * @example
 * ```ts
 * import type { WatchSpec } from "./informer_source.ts";
 * const w: WatchSpec = {
 *   type: { group: "", version: "v1", apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true },
 *   map: (secret) => [`${secret.metadata.namespace}/${secret.metadata.labels?.site}`],
 * };
 * ```
 */
export interface WatchSpec<U extends KubeObject = KubeObject> {
  /** The watched type. */
  type: ResourceType<U>;
  /** The primary keys (`namespace/name`) to reconcile for an event on `obj`. */
  map(obj: U): string[];
  /** Restricts the watch to a namespace (default: the controller's). */
  namespace?: string;
  /** Restricts the watch by labels. */
  labelSelector?: string;
}
