/**
 * The contract operator authors implement: a `Resource` with `ensureCreated` and
 * `ensureDeleted`, and the `ReconcileContext` each call receives.
 *
 * @module
 */
import type { KubeClient } from "../client/kube_client.ts";
import type { KubeObject, ResourceType } from "../client/types.ts";
import type { EventRecorder } from "./event_recorder.ts";
import type { ReconcileError } from "./reconciler.ts";

/**
 * One piece of what an operator manages for a primary object (a ConfigMap, a Deployment, a
 * DNS record...). The controller calls `ensureCreated` for every resource in list order on
 * each reconcile, and `ensureDeleted` for every resource in reverse order when the primary
 * is being deleted.
 *
 * **Idempotency contract.** Both methods may run any number of times for the same object
 * state: after a crash, on every resync, after an error anywhere in the list, and when an
 * event arrives while a previous reconcile is still running. They must converge on the
 * desired state and not fail because the work was already done (a child that already exists
 * on create, or is already gone on delete, is success). They must not assume that a
 * previous call completed, and should honour `ctx.signal`.
 *
 * @example
 * ```ts
 * import type { Resource } from "./resource.ts";
 * import type { KubeObject } from "../client/types.ts";
 * import assert from "node:assert/strict";
 * const logOnly: Resource<KubeObject> = {
 *   name: "log-only",
 *   async ensureCreated(obj, ctx) {
 *     ctx.logger.info("ensure {name}", { name: obj.metadata.name });
 *   },
 *   async ensureDeleted(obj, ctx) {
 *     ctx.logger.info("cleanup {name}", { name: obj.metadata.name });
 *   },
 * };
 * assert.deepEqual(logOnly.name, "log-only");
 * ```
 */
export interface Resource<T extends KubeObject = KubeObject> {
  /** A short name, unique within the controller, used in logs, metrics and events. */
  readonly name: string;
  /** Makes what this resource manages exist as `obj` wants it. Idempotent. */
  ensureCreated(obj: T, ctx: ReconcileContext<T>): Promise<void>;
  /** Removes what this resource manages for `obj`. Idempotent; "already gone" is success. */
  ensureDeleted(obj: T, ctx: ReconcileContext<T>): Promise<void>;
  /**
   * When true, this resource also runs after an earlier resource of the same reconcile
   * failed, with the failure in `ctx.failure` (the reconcile still fails afterwards): the
   * place for a status resource that records `Ready=False` with the reason.
   * @default {false}
   */
  readonly finally?: boolean;
}

/**
 * Read access to the informer caches the controller keeps (the primary type, `owns` and
 * `watches` types). Objects handed out are shared with the cache: never mutate them.
 *
 * @example
 * ```ts
 * import type { CacheReader } from "./resource.ts";
 * import type { KubeObject } from "../client/types.ts";
 * import assert from "node:assert/strict";
 * function count(cache: CacheReader<KubeObject>): number {
 *   return cache.list().length;
 * }
 * const objects = new Map([["ns/a", { metadata: { name: "a", namespace: "ns" } }]]);
 * assert.equal(count({ get: (k) => objects.get(k), list: () => [...objects.values()] }), 1);
 * ```
 */
export interface CacheReader<T extends KubeObject = KubeObject> {
  /** The object with key `namespace/name` (or `name`), if cached. */
  get(key: string): T | undefined;
  /** All cached objects. */
  list(): T[];
}

/**
 * The cache readers of one controller, by resource type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { Controller } from "./controller.ts";
 * import type { CacheReaders } from "./resource.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * await client.resource(ConfigMaps).create({ metadata: { name: "a", namespace: "default" } });
 * const cached: Array<string | undefined> = [];
 * await using controller = new Controller({ client }, {
 *   type: ConfigMaps,
 *   namespace: "default",
 *   resources: [{
 *     name: "record",
 *     ensureCreated: async (cm, ctx) => {
 *       const caches: CacheReaders = ctx.cache;
 *       cached.push(caches.get(ConfigMaps)?.get(`default/${cm.metadata.name}`)?.metadata.uid);
 *     },
 *     ensureDeleted: async () => {},
 *   }],
 * });
 * await controller.start();
 * while (cached.length === 0) await new Promise((r) => setTimeout(r, 5));
 * assert.ok(cached[0]);
 * ```
 */
export interface CacheReaders {
  /** The reader for `type` when the controller caches it (primary, owns, watches). */
  get<U extends KubeObject>(type: ResourceType<U>): CacheReader<U> | undefined;
}

/**
 * The logger interface operatorkit hands out: the subset of LogTape's `Logger` it uses, so
 * any LogTape logger (from `getLogger`) fits and tests can pass their own.
 *
 * @example
 * ```ts
 * import { getLogger } from "@logtape/logtape";
 * import type { ContextLogger } from "./resource.ts";
 * import assert from "node:assert/strict";
 * const log: ContextLogger = getLogger(["my-operator"]).with({ controller: "website" });
 * log.info("started {name}", { name: "website" });
 * assert.equal(typeof log.with({ key: "ns/a" }).debug, "function");
 * ```
 */
export interface ContextLogger {
  /** Logs at debug level; `{placeholders}` in `message` are filled from `properties`. */
  debug(message: string, properties?: Record<string, unknown>): void;
  /** Logs at info level. */
  info(message: string, properties?: Record<string, unknown>): void;
  /** Logs at warning level. */
  warn(message: string, properties?: Record<string, unknown>): void;
  /** Logs at error level. */
  error(message: string, properties?: Record<string, unknown>): void;
  /** A logger adding `properties` to every record. */
  with(properties: Record<string, unknown>): ContextLogger;
}

/**
 * What a reconcile of one key hands to each resource: cancellation, a logger carrying the
 * controller and key, the client, the caches, the event recorder, and the control-flow
 * primitives.
 *
 * Control flow (all take effect when the current resource returns):
 * - `cancelResource()`: the rest of this resource is skipped (`crudResource` stops between
 *   its steps); the next resource runs.
 * - `cancelReconciliation()`: no further resource runs this time. On the delete path the
 *   finalizer is kept, so deletion runs again on the next event or resync.
 * - `keepFinalizer()`: on the delete path, the finalizer is not removed this time and the
 *   deletion repeats later (after `requeueAfter`, or the resync period) without an error.
 * - `requeueAfter(ms)`: reconcile this key again after `ms` even though it succeeded (the
 *   smallest value wins when called several times).
 *
 * @example
 * ```ts
 * import type { ReconcileContext } from "./resource.ts";
 * import type { KubeObject } from "../client/types.ts";
 * import { createReconcileContext } from "./reconcile_context.ts";
 * import assert from "node:assert/strict";
 * async function waitForIp(_obj: KubeObject, ctx: ReconcileContext<KubeObject>) {
 *   const ready = false;
 *   if (!ready) {
 *     ctx.requeueAfter(5_000);
 *     ctx.cancelResource();
 *   }
 * }
 * const type = { group: "", version: "v1", apiVersion: "v1", kind: "Service", plural: "services", namespaced: true };
 * const ctx = createReconcileContext({ controller: "lb", key: "ns/web", type });
 * await waitForIp({ metadata: { name: "web" } }, ctx);
 * assert.equal(ctx.resourceCanceled, true);
 * ```
 */
export interface ReconcileContext<T extends KubeObject = KubeObject> {
  /** Aborted on shutdown (after the grace period) and by the timeout middleware. */
  readonly signal: AbortSignal;
  /** A LogTape logger with `controller` and `key` properties. */
  readonly logger: ContextLogger;
  /** The controller's name. */
  readonly controller: string;
  /** The reconciled key, `namespace/name`. */
  readonly key: string;
  /** The primary object's type. */
  readonly type: ResourceType<T>;
  /**
   * The controller's Kubernetes client. A context made by `createReconcileContext` without
   * a client throws a clear error when this is read.
   */
  readonly client: KubeClient;
  /** Readers of the controller's informer caches. */
  readonly cache: CacheReaders;
  /** Writes core/v1 Events on objects. */
  readonly events: EventRecorder;
  /** True while the current resource was told to stop (`cancelResource`). */
  readonly resourceCanceled: boolean;
  /** True once `cancelReconciliation` was called. */
  readonly reconciliationCanceled: boolean;
  /**
   * The failure of an earlier resource in this reconcile; set only while a `finally`
   * resource runs after it.
   */
  readonly failure: ReconcileError | undefined;
  /** Skips the rest of the current resource. */
  cancelResource(): void;
  /** Stops this reconcile after the current resource; keeps the finalizer on deletion. */
  cancelReconciliation(): void;
  /** On deletion: do not remove the finalizer this time; deletion repeats later. */
  keepFinalizer(): void;
  /** Reconcile again after `ms` milliseconds. */
  requeueAfter(ms: number): void;
  /** The same context with another signal (the flow state is shared). */
  withSignal(signal: AbortSignal): ReconcileContext<T>;
}
