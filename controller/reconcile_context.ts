/**
 * The implementation of `ReconcileContext`, exported so that resources can be unit-tested
 * without a controller.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { KubeClient } from "../client/kube_client.ts";
import type { KubeObject, ResourceType } from "../client/types.ts";
import { type EventRecorder, noopEventRecorder } from "./event_recorder.ts";
import type { ReconcileError } from "./reconciler.ts";
import type { CacheReaders, ContextLogger, ReconcileContext } from "./resource.ts";

/**
 * The control-flow state of one reconcile, shared by every context derived from it. The
 * controller reads it after each resource.
 *
 * @example
 * ```ts
 * import { ReconcileFlow } from "./reconcile_context.ts";
 * const flow = new ReconcileFlow();
 * flow.requeueAfter(500);
 * flow.requeueAfter(100);
 * flow.requeueAfterMs; // 100
 * ```
 */
export class ReconcileFlow {
  /** Set by `cancelResource`; the controller resets it before each resource. */
  resourceCanceled = false;
  /** Set by `cancelReconciliation`. */
  reconciliationCanceled = false;
  /** Set by `keepFinalizer`. */
  finalizerKept = false;
  /** The smallest `requeueAfter` asked for, if any. */
  requeueAfterMs: number | undefined = undefined;

  /** Records a requeue request; the smallest one wins. */
  requeueAfter(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`Expected requeueAfter ms >= 0, found ${ms}`);
    if (this.requeueAfterMs === undefined || ms < this.requeueAfterMs) this.requeueAfterMs = ms;
  }
}

/**
 * Options of {@linkcode createReconcileContext}.
 *
 * @example
 * ```ts
 * import type { ReconcileContextOptions } from "./reconcile_context.ts";
 * import type { KubeObject } from "../client/types.ts";
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
 * ```
 */
export interface ReconcileContextOptions<T extends KubeObject> {
  /** The controller name. */
  controller: string;
  /** The key being reconciled. */
  key: string;
  /** The primary type. */
  type: ResourceType<T>;
  /** Cancellation (default: never aborted). */
  signal?: AbortSignal;
  /** Logger (default `["operatorkit", "controller", controller]` with controller and key). */
  logger?: ContextLogger;
  /** The client exposed as `ctx.client` (default: none; reading `ctx.client` then throws). */
  client?: KubeClient;
  /** Cache readers (default: none). */
  cache?: CacheReaders;
  /** Event recorder (default: drops events). */
  events?: EventRecorder;
  /** Flow state to share (default: a fresh one). */
  flow?: ReconcileFlow;
  /** An earlier resource's failure, for `finally` resources (default: none). */
  failure?: ReconcileError;
}

const _noCache: CacheReaders = { get: () => undefined };

/**
 * Builds a `ReconcileContext`. The controller uses it for every reconcile; tests use it to
 * call a resource directly and inspect `flow` afterwards.
 *
 * @example
 * ```ts
 * import { createReconcileContext, ReconcileFlow } from "./reconcile_context.ts";
 * import assert from "node:assert/strict";
 * const flow = new ReconcileFlow();
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
 *   flow,
 * });
 * ctx.cancelResource();
 * assert.equal(flow.resourceCanceled, true);
 * ```
 */
export function createReconcileContext<T extends KubeObject>(
  options: ReconcileContextOptions<T>,
): ReconcileContext<T> {
  const flow = options.flow ?? new ReconcileFlow();
  const logger = options.logger ??
    getLogger(["operatorkit", "controller", options.controller]).with({
      controller: options.controller,
      key: options.key,
    });
  const base = {
    options,
    flow,
    logger,
  };
  return _make(base, options.signal ?? new AbortController().signal);
}

function _make<T extends KubeObject>(
  base: { options: ReconcileContextOptions<T>; flow: ReconcileFlow; logger: ContextLogger },
  signal: AbortSignal,
): ReconcileContext<T> {
  const { options, flow, logger } = base;
  return {
    signal,
    logger,
    controller: options.controller,
    key: options.key,
    type: options.type,
    get client(): KubeClient {
      if (options.client) return options.client;
      throw new Error(
        `Expected a client in the reconcile context of controller ${options.controller}, found none (pass client to createReconcileContext)`,
      );
    },
    cache: options.cache ?? _noCache,
    events: options.events ?? noopEventRecorder,
    get resourceCanceled() {
      return flow.resourceCanceled || flow.reconciliationCanceled;
    },
    get reconciliationCanceled() {
      return flow.reconciliationCanceled;
    },
    failure: options.failure,
    cancelResource() {
      flow.resourceCanceled = true;
    },
    cancelReconciliation() {
      flow.reconciliationCanceled = true;
    },
    keepFinalizer() {
      flow.finalizerKept = true;
    },
    requeueAfter(ms: number) {
      flow.requeueAfter(ms);
    },
    withSignal(other: AbortSignal) {
      return _make(base, other);
    },
  };
}
