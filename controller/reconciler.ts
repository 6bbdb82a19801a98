/**
 * The reconcile algorithm for one key, independent of informers and queues: pause check,
 * finalizer handling, and the ordered resources.
 *
 * @module
 */
import { _getLogger as getLogger } from "../client/_log.ts";
import type { Clock } from "../client/clock.ts";
import type { KubeClient } from "../client/kube_client.ts";
import { type KubeObject, objectKey, type ResourceType } from "../client/types.ts";
import { type EventRecorder, noopEventRecorder } from "./event_recorder.ts";
import {
  CompletedDeletions,
  ensureFinalizer,
  hasFinalizer,
  type PrimaryApi,
  removeFinalizer,
} from "./finalizer.ts";
import { _reconcileContext, ReconcileFlow } from "./_reconcile_flow.ts";
import { traceResource } from "./_tracing.ts";
import type {
  CacheReader,
  CacheReaders,
  ContextLogger,
  ReconcileContext,
  Resource,
} from "./resource.ts";

/**
 * The annotation that pauses reconciliation of an object when set to `"true"`; a
 * controller's `pauseAnnotations` option adds others.
 *
 * @example
 * ```ts
 * import { PAUSED_ANNOTATION } from "./reconciler.ts";
 * import assert from "node:assert/strict";
 * const paused = { metadata: { name: "a", annotations: { [PAUSED_ANNOTATION]: "true" } } };
 * assert.equal(paused.metadata.annotations["operatorkit.io/paused"], "true");
 * ```
 */
export const PAUSED_ANNOTATION = "operatorkit.io/paused";

/**
 * What one reconcile did.
 * - `gone`: the object is not in the cache (or vanished while we worked).
 * - `paused`: a pause annotation is set; nothing ran.
 * - `ignored`: being deleted without our finalizer, or its deletion already completed.
 * - `created`: every ensureCreated ran (or the loop was cancelled: `cancelled` is true).
 * - `deleted`: every ensureDeleted ran and the finalizer was removed.
 * - `finalizerKept`: deletion ran but the finalizer stays (keepFinalizer or cancellation).
 * - `retry`: the object changed under us (e.g. deletion started); reconcile again now.
 *
 * @example
 * ```ts
 * import type { ReconcileResult } from "./reconciler.ts";
 * import assert from "node:assert/strict";
 * const r: ReconcileResult = { action: "created", cancelled: false, requeueAfterMs: 1000 };
 * assert.deepEqual(r.action, "created");
 * ```
 */
export interface ReconcileResult {
  /** What happened. */
  action: "gone" | "paused" | "ignored" | "created" | "deleted" | "finalizerKept" | "retry";
  /** True when a resource called cancelReconciliation. */
  cancelled?: boolean;
  /** Reconcile again after this many ms (from requeueAfter, keepFinalizer or `retry`). */
  requeueAfterMs?: number;
}

/**
 * A resource failed; carries the resource, the operation and the original error as `cause`.
 *
 * @example
 * ```ts
 * import { ReconcileError } from "./reconciler.ts";
 * import assert from "node:assert/strict";
 * const e = new ReconcileError("default/a", { resource: "cm", operation: "ensureCreated", cause: new Error("x") });
 * assert.deepEqual(e.message, "Expected ensureCreated of resource cm for default/a to succeed, it failed: x");
 * ```
 */
export class ReconcileError extends Error {
  /** The reconciled key. */
  readonly key: string;
  /** The failing resource's name. */
  readonly resource: string;
  /** The failing operation. */
  readonly operation: "ensureCreated" | "ensureDeleted";

  /** Creates the error. */
  constructor(
    key: string,
    options: { resource: string; operation: "ensureCreated" | "ensureDeleted"; cause: unknown },
  ) {
    const msg = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      `Expected ${options.operation} of resource ${options.resource} for ${key} to succeed, it failed: ${msg}`,
      { cause: options.cause },
    );
    this.name = "ReconcileError";
    this.key = key;
    this.resource = options.resource;
    this.operation = options.operation;
  }
}

/**
 * Options of {@linkcode Reconciler}.
 *
 * @example
 * ```ts ignore
 * const opts: ReconcilerOptions<Website> = { controller: "website", type: Website, ... };
 * ```
 */
export interface ReconcilerOptions<T extends KubeObject> {
  /** Controller name (logs, events, default finalizer). */
  controller: string;
  /** The primary type. */
  type: ResourceType<T>;
  /** Resources in creation order. */
  resources: readonly Resource<T>[];
  /** The finalizer this controller owns. */
  finalizer: string;
  /** Where objects are read for reconciling (the informer store). */
  store: CacheReader<T>;
  /** Fresh reads and finalizer patches. */
  api: PrimaryApi<T>;
  /** Clock for the completed-deletion memory. */
  clock: Clock;
  /** How long a completed deletion's uid is remembered (>= 3x the resync period). */
  completedDeletionTtlMs: number;
  /**
   * Delay before a deletion whose finalizer was kept runs again.
   * @default {60 s}
   */
  keepFinalizerRequeueMs?: number;
  /** Extra pause annotations (key to exact value), besides `operatorkit.io/paused: "true"`. */
  pauseAnnotations?: Record<string, string>;
  /** Exposed as `ctx.client`. */
  client?: KubeClient;
  /** Exposed as `ctx.cache`. */
  caches?: CacheReaders;
  /** Exposed as `ctx.events`. */
  events?: EventRecorder;
  /**
   * Base logger.
   * @default {`["operatorkit", "controller", controller]`}
   */
  logger?: ContextLogger;
}

/**
 * Runs the reconcile algorithm for one key:
 *
 * 1. Read the object from the store; if absent, nothing to do.
 * 2. If a pause annotation matches (exact key and value), nothing runs; logged once per
 *    pause. This holds on the delete path too: a paused object being deleted keeps our
 *    finalizer until the annotation goes.
 * 3. If `deletionTimestamp` is set: unless our finalizer is absent or this uid already
 *    completed deletion, run `ensureDeleted` for every resource in **reverse** order, then
 *    remove our finalizer with a guarded JSON patch (retried on conflict) and remember the
 *    uid (for `completedDeletionTtlMs`), so late or duplicated events for it, seen while the
 *    cache still shows our finalizer, do not run `ensureDeleted` again.
 *    Reverse order because resources are listed in dependency order (a ConfigMap before the
 *    Deployment mounting it, the status resource last), so dependents go first and the
 *    things they use last, like unwinding a stack: nothing is left running against a
 *    dependency that is already gone. giantswarm/operatorkit used list order.
 * 4. Otherwise ensure our finalizer (guarded patch), then run `ensureCreated` for every
 *    resource in order. The finalizer comes first so that no child exists before deletion
 *    is guaranteed to pass through `ensureDeleted`.
 *
 * One case escapes the finalizer: kube-apiserver decides whether a DELETE removes the object
 * at once or only marks it from the object as it read it, and does not look again before it
 * removes it (v1.36.3, k8s.io/apiserver pkg/registry/generic/registry/store.go, `Delete`).
 * A DELETE that read the object just before our finalizer was added removes it with our
 * finalizer on, after `ensureCreated` may have run. The informer's delete event then carries
 * our finalizer and no `deletionTimestamp`; {@linkcode Reconciler.vanished} keeps that last
 * state, and the next reconcile of the key, once a fresh read confirms that the server no
 * longer has that object (an informer with a selector also reports an object that stopped
 * matching as deleted), runs `ensureDeleted` on it (in reverse order, until it succeeds once)
 * before anything else, so deletion code still runs for every object whose `ensureCreated`
 * ran.
 *
 * Control flow from the context is honoured after each resource. A resource error stops
 * the loop and is thrown as {@linkcode ReconcileError}; on the delete path the finalizer
 * stays, so the deletion is retried.
 *
 * @example
 * ```ts ignore
 * const reconciler = new Reconciler({ controller: "c", type, resources, finalizer, store, api, clock, completedDeletionTtlMs });
 * const result = await reconciler.reconcile("default/a");
 * ```
 */
export class Reconciler<T extends KubeObject> {
  readonly #o: ReconcilerOptions<T>;
  readonly #completed: CompletedDeletions;
  readonly #pausedLogged = new Set<string>();
  // Objects removed by the server with our finalizer still on (see above), by key.
  readonly #vanished = new Map<string, T>();
  readonly #logger: ContextLogger;
  readonly #pause: Array<[string, string]>;

  /** Creates the reconciler. */
  constructor(options: ReconcilerOptions<T>) {
    this.#o = options;
    this.#completed = new CompletedDeletions({
      ttlMs: options.completedDeletionTtlMs,
      clock: options.clock,
    });
    this.#logger = options.logger ?? getLogger(["operatorkit", "controller", options.controller]);
    this.#pause = [[PAUSED_ANNOTATION, "true"], ...Object.entries(options.pauseAnnotations ?? {})];
  }

  /**
   * Tells the reconciler that `obj` left the cache (its last state, from the informer's
   * delete event). Returns true when that object was removed with our finalizer on and no
   * `deletionTimestamp` (a DELETE racing the finalizer's addition) and its deletion has not
   * run: the next `reconcile` of its key runs `ensureDeleted` on this last state first.
   *
   * @example
   * ```ts ignore
   * if (reconciler.vanished(lastState)) queue.add(objectKey(lastState));
   * ```
   */
  vanished(obj: T): boolean {
    const uid = obj.metadata.uid ?? "";
    if (
      obj.metadata.deletionTimestamp || !hasFinalizer(obj, this.#o.finalizer) ||
      this.#completed.has(uid)
    ) {
      return false;
    }
    this.#vanished.set(objectKey(obj), obj);
    return true;
  }

  /** Reconciles `key` once. Throws {@linkcode ReconcileError} when a resource fails. */
  async reconcile(key: string, options: { signal?: AbortSignal } = {}): Promise<ReconcileResult> {
    const o = this.#o;
    const signal = options.signal ?? new AbortController().signal;
    const log = this.#logger.with({ controller: o.controller, key });
    let gone = this.#vanished.get(key);
    // An informer with a label or field selector also reports an object that merely stopped
    // matching as deleted, with our finalizer on and no deletionTimestamp: only an object the
    // server no longer has (or has under another uid) gets the deletion pass.
    if (gone) {
      const live = await o.api.get(gone, { signal });
      if (live && live.metadata.uid === gone.metadata.uid) {
        this.#vanished.delete(key);
        log.debug("{key} left the cache but still exists (it no longer matches the selector)");
        gone = undefined;
      }
    }
    if (gone) {
      const flow = new ReconcileFlow();
      const ctx = this.#context(key, signal, flow, log);
      log.warn(
        "{key} (uid {uid}) was deleted by the API server with our finalizer still on (a " +
          "DELETE raced the finalizer's addition); running ensureDeleted on its last state",
        { uid: gone.metadata.uid },
      );
      await this.#run(gone, ctx, flow, "ensureDeleted");
      if (flow.reconciliationCanceled || flow.finalizerKept) {
        return {
          action: "finalizerKept",
          cancelled: flow.reconciliationCanceled,
          requeueAfterMs: flow.requeueAfterMs ?? o.keepFinalizerRequeueMs ?? 60_000,
        };
      }
      this.#vanished.delete(key);
      this.#completed.add(gone.metadata.uid ?? "");
      if (!o.store.get(key)) return { action: "deleted" };
    }
    const obj = o.store.get(key);
    if (!obj) {
      this.#pausedLogged.delete(key);
      return { action: "gone" };
    }
    const pausedBy = this.#pausedBy(obj);
    if (pausedBy) {
      if (!this.#pausedLogged.has(key)) {
        this.#pausedLogged.add(key);
        log.info("{key} is paused by annotation {annotation}; skipping", { annotation: pausedBy });
      }
      return { action: "paused" };
    }
    if (this.#pausedLogged.delete(key)) log.info("{key} is no longer paused");

    const uid = obj.metadata.uid ?? "";
    if (obj.metadata.deletionTimestamp) {
      if (!hasFinalizer(obj, o.finalizer) || this.#completed.has(uid)) return { action: "ignored" };
      const flow = new ReconcileFlow();
      const ctx = this.#context(key, signal, flow, log);
      await this.#run(obj, ctx, flow, "ensureDeleted");
      if (flow.reconciliationCanceled || flow.finalizerKept) {
        log.debug("deletion of {key} ran; finalizer kept", {
          cancelled: flow.reconciliationCanceled,
        });
        return {
          action: "finalizerKept",
          cancelled: flow.reconciliationCanceled,
          requeueAfterMs: flow.requeueAfterMs ?? o.keepFinalizerRequeueMs ?? 60_000,
        };
      }
      await removeFinalizer(o.api, obj, { finalizer: o.finalizer, signal });
      this.#completed.add(uid);
      log.debug("deletion of {key} completed; finalizer removed");
      return { action: "deleted" };
    }

    let current: T | undefined = obj;
    if (!hasFinalizer(obj, o.finalizer)) {
      current = await ensureFinalizer(o.api, obj, { finalizer: o.finalizer, signal });
      if (!current) return { action: "gone" };
      // Deletion started between the cache read and our patch: take the delete path next.
      if (current.metadata.deletionTimestamp) return { action: "retry", requeueAfterMs: 0 };
    }
    const flow = new ReconcileFlow();
    const ctx = this.#context(key, signal, flow, log);
    await this.#run(current, ctx, flow, "ensureCreated");
    return {
      action: "created",
      cancelled: flow.reconciliationCanceled,
      ...(flow.requeueAfterMs !== undefined ? { requeueAfterMs: flow.requeueAfterMs } : {}),
    };
  }

  async #run(
    obj: T,
    ctx: ReconcileContext<T>,
    flow: ReconcileFlow,
    operation: "ensureCreated" | "ensureDeleted",
  ): Promise<void> {
    const list = operation === "ensureCreated"
      ? this.#o.resources
      : [...this.#o.resources].reverse();
    let failure: ReconcileError | undefined;
    for (const r of list) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      // After a failure only `finally` resources run, told what failed.
      if (failure && !r.finally) continue;
      flow.resourceCanceled = false;
      const rctx = failure ? this.#withFailure(ctx, flow, failure) : ctx;
      try {
        await traceResource(r.name, operation, () => r[operation](obj, rctx));
      } catch (cause) {
        const err = new ReconcileError(ctx.key, { resource: r.name, operation, cause });
        if (!failure) failure = err;
        else {
          ctx.logger.warn("{resource} failed after {failed} had failed: {error}", {
            resource: r.name,
            failed: failure.resource,
            error: err.message,
          });
        }
        continue;
      }
      if (flow.reconciliationCanceled && !failure) return;
    }
    if (failure) throw failure;
  }

  #withFailure(
    ctx: ReconcileContext<T>,
    flow: ReconcileFlow,
    failure: ReconcileError,
  ): ReconcileContext<T> {
    return this.#context(ctx.key, ctx.signal, flow, ctx.logger, failure);
  }

  #context(
    key: string,
    signal: AbortSignal,
    flow: ReconcileFlow,
    logger: ContextLogger,
    failure?: ReconcileError,
  ): ReconcileContext<T> {
    const o = this.#o;
    return _reconcileContext({
      controller: o.controller,
      key,
      type: o.type,
      signal,
      logger,
      ...(o.client ? { client: o.client } : {}),
      ...(o.caches ? { cache: o.caches } : {}),
      events: o.events ?? noopEventRecorder,
      ...(failure ? { failure } : {}),
    }, flow);
  }

  #pausedBy(obj: T): string | undefined {
    const ann = obj.metadata.annotations;
    if (!ann) return undefined;
    for (const [k, v] of this.#pause) if (ann[k] === v) return k;
    return undefined;
  }
}
