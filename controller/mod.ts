/**
 * The controller: an ordered list of Resources (`ensureCreated` / `ensureDeleted`) run for
 * each primary object, with finalizers managed for them, control-flow primitives on the
 * `ReconcileContext`, middleware (`wrap`, `retry`, `metrics`, `logging`, `timeout`), CRUD
 * resources, status and event helpers, all driven by a deduplicating, rate-limited
 * `WorkQueue`.
 *
 * @example
 * ```ts
 * import { createReconcileContext, type Resource, retry, wrap } from "./mod.ts";
 * import type { KubeObject } from "../client/types.ts";
 *
 * const hello: Resource<KubeObject> = {
 *   name: "hello",
 *   async ensureCreated(obj, ctx) {
 *     ctx.logger.info("hello {name}", { name: obj.metadata.name });
 *   },
 *   async ensureDeleted(obj, ctx) {
 *     ctx.logger.info("bye {name}", { name: obj.metadata.name });
 *   },
 * };
 * const ctx = createReconcileContext({
 *   controller: "demo",
 *   key: "default/a",
 *   type: { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
 * });
 * await wrap(hello, retry()).ensureCreated({ metadata: { name: "a" } }, ctx);
 * ```
 *
 * @module
 */
export type { Clock, TimerHandle } from "../client/clock.ts";
export type {
  Decoder,
  KubeObject,
  ManagedFieldsEntry,
  ObjectMeta,
  OwnerReference,
  ResourceType,
} from "../client/types.ts";
export * from "./controller.ts";
export * from "./crud_resource.ts";
export * from "./event_recorder.ts";
export * from "./finalizer.ts";
export * from "./histogram.ts";
export * from "./inspection.ts";
export * from "./informer_source.ts";
export * from "./kube.ts";
export * from "./middlewares.ts";
export * from "./predicates.ts";
export * from "./rate_limiter.ts";
export * from "./reconcile_context.ts";
export * from "./reconciler.ts";
export * from "./resource.ts";
export * from "./status.ts";
export * from "./work_queue.ts";
export * from "./wrap.ts";
export * from "./ownership.ts";
export * from "./error_policy.ts";
