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
// What operator authors use. Internals (the reconcile algorithm, finalizer patches, the
// completed-deletion memory, rate-limiter implementations, histograms) stay in their files.
export type { Clock, TimerHandle } from "../client/clock.ts";
export type {
  Decoder,
  KubeObject,
  ManagedFieldsEntry,
  ObjectMeta,
  OwnerReference,
  ResourceType,
} from "../client/types.ts";
export {
  Controller,
  type ControllerContext,
  type ControllerDefaults,
  type ControllerOptions,
  type ControllerStats,
  type ControllerTypes,
  defaultFinalizer,
} from "./controller.ts";
export { type CrudOperations, type CrudPatch, crudResource } from "./crud_resource.ts";
export { type EventInput, type EventRecorder, noopEventRecorder } from "./event_recorder.ts";
export {
  defaultErrorPolicy,
  type ErrorAction,
  type ErrorPolicy,
  type ErrorPolicyInput,
  isRetryable,
  TerminalError,
} from "./error_policy.ts";
export { FinalizerConflictError, type JsonPatchOperation, type PrimaryApi } from "./finalizer.ts";
export type { HistogramSnapshot } from "./histogram.ts";
export * from "./inspection.ts";
export type {
  ControllerInformer,
  InformerHandler,
  InformerScopeOptions,
  InformerSource,
  OwnsSpec,
  WatchSpec,
} from "./informer_source.ts";
export { type ResourceHandle, writeStatus } from "./kube.ts";
export {
  logging,
  metrics,
  ResourceMetrics,
  type ResourceMetricSample,
  ResourceTimeoutError,
  retry,
  type RetryOptions,
  timeout,
} from "./middlewares.ts";
export * from "./ownership.ts";
export * from "./predicates.ts";
export type { ExponentialBackoffOptions, RateLimiter, TokenBucketOptions } from "./rate_limiter.ts";
export { createReconcileContext, type ReconcileContextOptions } from "./reconcile_context.ts";
export { PAUSED_ANNOTATION, ReconcileError, type ReconcileResult } from "./reconciler.ts";
export type {
  CacheReader,
  CacheReaders,
  ContextLogger,
  ReconcileContext,
  Resource,
} from "./resource.ts";
export * from "./status.ts";
export * from "./condition_schema.ts";
export { WorkQueue, type WorkQueueCounters, type WorkQueueOptions } from "./work_queue.ts";
export * from "./wrap.ts";
