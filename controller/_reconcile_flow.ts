// The control-flow state of one reconcile (shared by every context derived from it, read by
// the reconciler after each resource) and the context implementation over it.
import { _getLogger as getLogger } from "../client/_log.ts";
import type { KubeClient } from "../client/kube_client.ts";
import type { KubeObject } from "../client/types.ts";
import { noopEventRecorder } from "./event_recorder.ts";
import type { ReconcileContextOptions } from "./reconcile_context.ts";
import type { CacheReaders, ContextLogger, ReconcileContext } from "./resource.ts";

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

const _noCache: CacheReaders = { get: () => undefined };

export function _reconcileContext<T extends KubeObject>(
  options: ReconcileContextOptions<T>,
  flow: ReconcileFlow,
): ReconcileContext<T> {
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
