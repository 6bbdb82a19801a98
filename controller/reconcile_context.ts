/**
 * `createReconcileContext()`: the context a resource receives, for unit-testing a resource
 * without a controller.
 *
 * @module
 */
import type { KubeClient } from "../client/kube_client.ts";
import type { KubeObject, ResourceType } from "../client/types.ts";
import type { EventRecorder } from "./event_recorder.ts";
import type { ReconcileError } from "./reconciler.ts";
import type { CacheReaders, ContextLogger, ReconcileContext } from "./resource.ts";
import { _reconcileContext, ReconcileFlow } from "./_reconcile_flow.ts";

/**
 * Options of {@linkcode createReconcileContext}.
 *
 * @example
 * ```ts
 * import type { ReconcileContextOptions } from "./reconcile_context.ts";
 * import type { KubeObject } from "../client/types.ts";
 * import assert from "node:assert/strict";
 * const opts: ReconcileContextOptions<KubeObject> = {
 *   controller: "demo",
 *   key: "default/a",
 *   type: {
 *     group: "",
 *     version: "v1",
 *     apiVersion: "v1",
 *     kind: "ConfigMap",
 *     plural: "configmaps",
 *     namespaced: true,
 *   },
 * };
 * assert.deepEqual(opts.controller, "demo");
 * ```
 */
export interface ReconcileContextOptions<T extends KubeObject> {
  /** The controller name. */
  controller: string;
  /** The key being reconciled. */
  key: string;
  /** The primary type. */
  type: ResourceType<T>;
  /**
   * Cancellation.
   * @default {never aborted}
   */
  signal?: AbortSignal;
  /**
   * Logger.
   * @default {`["operatorkit", "controller", controller]` with controller and key}
   */
  logger?: ContextLogger;
  /**
   * The client exposed as `ctx.client`.
   * @default {none; reading `ctx.client` then throws}
   */
  client?: KubeClient;
  /**
   * Cache readers.
   * @default {none}
   */
  cache?: CacheReaders;
  /**
   * Event recorder.
   * @default {drops events}
   */
  events?: EventRecorder;
  /**
   * An earlier resource's failure, for `finally` resources.
   * @default {none}
   */
  failure?: ReconcileError;
}

/**
 * Builds a `ReconcileContext`, as the controller does for every reconcile: call a resource
 * directly in a test and read the control flow it asked for from the context.
 *
 * @example
 * ```ts
 * import { createReconcileContext } from "./reconcile_context.ts";
 * import assert from "node:assert/strict";
 * const ctx = createReconcileContext({
 *   controller: "demo",
 *   key: "default/a",
 *   type: {
 *     group: "",
 *     version: "v1",
 *     apiVersion: "v1",
 *     kind: "ConfigMap",
 *     plural: "configmaps",
 *     namespaced: true,
 *   },
 * });
 * ctx.cancelResource();
 * assert.equal(ctx.resourceCanceled, true);
 * assert.equal(ctx.reconciliationCanceled, false);
 * ```
 */
export function createReconcileContext<T extends KubeObject>(
  options: ReconcileContextOptions<T>,
): ReconcileContext<T> {
  return _reconcileContext(options, new ReconcileFlow());
}
