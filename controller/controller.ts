/**
 * The controller: informer events to keys, a work queue, workers running the reconcile
 * algorithm, resync and graceful shutdown.
 *
 * @module
 */
import { Histogram, type HistogramSnapshot } from "./histogram.ts";
import { _getLogger as getLogger } from "../client/_log.ts";
import { type Clock, systemClock, type TimerHandle } from "../client/clock.ts";
import { Events } from "../client/builtins.ts";
import type { KubeClient } from "../client/kube_client.ts";
import { type KubeObject, objectKey, type ResourceType } from "../client/types.ts";
import { InformerFactory } from "../informer/factory.ts";
import { type EventRecorder, KubeEventRecorder } from "./event_recorder.ts";
import { defaultErrorPolicy, type ErrorAction, type ErrorPolicy } from "./error_policy.ts";
import type { PrimaryApi } from "./finalizer.ts";
import { eventSink, primaryApi } from "./kube.ts";
import type { Predicate, PredicateEvent } from "./predicates.ts";
import {
  defaultRateLimiter,
  type ExponentialBackoffOptions,
  type RateLimiter,
  type TokenBucketOptions,
} from "./rate_limiter.ts";
import { Reconciler, type ReconcileResult } from "./reconciler.ts";
import type {
  ControllerInformer,
  InformerHandler,
  InformerScopeOptions,
  InformerSource,
  OwnsSpec,
  WatchSpec,
} from "./informer_source.ts";
import type { CacheReader, CacheReaders, ContextLogger, Resource } from "./resource.ts";
import { WorkQueue } from "./work_queue.ts";
import { _acquireInNamespaces, _unsubscribe } from "./_namespaces.ts";
import type { ControllerInspection, ReconcileTrigger } from "./inspection.ts";
import { ReconcileObserver, type ReconcileRun } from "./_tracing.ts";
import { type Middleware, wrap } from "./wrap.ts";

/**
 * What a controller takes from its surroundings: the client, and optionally shared
 * informers, an event recorder per controller and defaults. `runOperator`'s
 * `OperatorContext` is one, so `new Controller(ctx, {...})` inside `controllers: (ctx) => ...`
 * needs no other wiring; outside `runOperator`, `{ client }` alone is enough (the controller
 * then keeps its own informers and writes Events through the client). Defaults for
 * namespace, concurrency, resync and grace period come at `start()`
 * ({@linkcode ControllerDefaults}).
 *
 * @example
 * ```ts
 * import type { ControllerContext } from "./controller.ts";
 * import { KubeClient } from "../client/kube_client.ts";
 * import { loadKubeConfig } from "../client/kubeconfig.ts";
 * import assert from "node:assert/strict";
 * const config = await loadKubeConfig({
 *   document: {
 *     clusters: [{ name: "c", cluster: { server: "http://127.0.0.1:1" } }],
 *     contexts: [{ name: "c", context: { cluster: "c" } }],
 *     "current-context": "c",
 *   },
 * });
 * using client = new KubeClient(config);
 * const ctx: ControllerContext = { client };
 * assert.equal(ctx.client.namespace, "default");
 * ```
 */
export interface ControllerContext {
  /** The Kubernetes client: primary reads and finalizer patches, Events, `ctx.client`. */
  readonly client: KubeClient;
  /**
   * Shared informers.
   * @default {the controller's own `InformerFactory` over `client`}
   */
  readonly informers?: InformerSource;
  /**
   * The event recorder for a controller.
   * @default {Events written through `client`}
   */
  eventRecorder?(controller: string): EventRecorder;
}

/**
 * Options of {@linkcode Controller}: what it reconciles and how. Only `type` and
 * `resources` are required.
 *
 * @example
 * ```ts
 * import type { ControllerOptions } from "./controller.ts";
 * import { ConfigMaps, Secrets } from "../client/builtins.ts";
 * import type { ConfigMap } from "../client/builtin_types.ts";
 * import { generationChanged } from "./predicates.ts";
 * import { retry } from "./middlewares.ts";
 * import assert from "node:assert/strict";
 * const options: ControllerOptions<ConfigMap> = {
 *   type: ConfigMaps,
 *   resources: [],
 *   predicates: [generationChanged],
 *   owns: [{ type: Secrets, labelSelector: "app.kubernetes.io/managed-by=demo" }],
 *   middleware: [retry()],
 * };
 * assert.equal(options.owns?.length, 1);
 * ```
 */
export interface ControllerOptions<T extends KubeObject> {
  /**
   * Controller name: logs, events, metrics, default finalizer.
   * @default {`type.kind` in lower case}
   */
  name?: string;
  /** The primary resource type. */
  type: ResourceType<T>;
  /** Resources in creation order (deletion runs in reverse). */
  resources: readonly Resource<T>[];
  /**
   * Middleware wrapped around every resource (the first is the outermost), as
   * `wrap(resource, ...middleware)` would.
   * @default {[]}
   */
  middleware?: readonly Middleware[];
  /**
   * The finalizer.
   * @default {`operatorkit.io/<name>`, see {@linkcode defaultFinalizer}}
   */
  finalizer?: string;
  /**
   * Child types: their events reconcile the controlling owner (ownerReferences). A type
   * alone watches every object of it in the controller's namespace; an {@linkcode OwnsSpec}
   * narrows the cache with selectors and filters events with predicates.
   */
  owns?: ReadonlyArray<ResourceType | OwnsSpec>;
  /** Other types with a mapping to primary keys. */
  watches?: readonly WatchSpec<KubeObject>[];
  /**
   * Only objects in this namespace.
   * @default {the start defaults' namespaces, else all}
   */
  namespace?: string;
  /** Only primary objects matching this label selector (the cache holds only those). */
  labelSelector?: string;
  /** Only primary objects matching this field selector (the cache holds only those). */
  fieldSelector?: string;
  /** All must pass for a primary add/update/delete to enqueue (resyncs bypass them). */
  predicates?: readonly Predicate<T>[];
  /**
   * Parallel reconciles of different keys.
   * @default {the start defaults', else 1}
   */
  concurrency?: number;
  /**
   * Every key is reconciled again this often; 0 disables.
   * @default {the start defaults', else 600_000 (10 min)}
   */
  resyncPeriodMs?: number;
  /** Extra pause annotations (exact key and value). */
  pauseAnnotations?: Record<string, string>;
  /** Error backoff: the default limiter's options, or a limiter. */
  backoff?: (ExponentialBackoffOptions & TokenBucketOptions) | RateLimiter<string>;
  /**
   * Decides per failed reconcile whether and when to retry.
   * @default {defaultErrorPolicy: backoff when isRetryable, else wait for the next change}
   */
  errorPolicy?: ErrorPolicy;
  /**
   * How long in-flight reconciles may finish on shutdown before they are aborted.
   * @default {the start defaults', else 30_000}
   */
  shutdownGracePeriodMs?: number;
  /**
   * Event recorder; reconcile errors are recorded as Warnings.
   * @default {the context's `eventRecorder(name)`, else Events written through the client}
   */
  events?: EventRecorder;
  /**
   * Fresh reads and finalizer patches of primary objects.
   * @default {derived from `client.resource(type)`}
   */
  api?: PrimaryApi<T>;
  /**
   * Clock.
   * @default {the system clock}
   */
  clock?: Clock;
  /**
   * Logger.
   * @default {LogTape's `["operatorkit", "controller", name]`}
   */
  logger?: ContextLogger;
}

/**
 * Defaults the host process gives every controller at `start()` (`runOperator` passes its
 * `--namespace`, `--concurrency`, `--resync-period` and `--shutdown-grace-period` flags):
 * each applies only where the controller's own options leave it unset, as
 * controller-runtime's manager does for the controllers it runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ControllerDefaults } from "./controller.ts";
 * const d: ControllerDefaults = { namespaces: ["team-a"], concurrency: 4 };
 * assert.deepEqual(d.namespaces, ["team-a"]);
 * ```
 */
export interface ControllerDefaults {
  /**
   * Namespaces the controller watches when its options name none: namespaced types get
   * one informer per namespace, cluster-scoped types are watched whole. Empty means all.
   */
  namespaces?: readonly string[];
  /** Parallel reconciles when `concurrency` is unset. */
  concurrency?: number;
  /** Resync period when `resyncPeriodMs` is unset. */
  resyncPeriodMs?: number;
  /** Shutdown grace period when `shutdownGracePeriodMs` is unset. */
  shutdownGracePeriodMs?: number;
}

/**
 * Counters of one controller.
 *
 * @example
 * ```ts
 * import type { ControllerStats } from "./controller.ts";
 * import assert from "node:assert/strict";
 * const s: ControllerStats = { reconciles: 0, errors: 0, inFlight: 0, queued: 0 };
 * assert.deepEqual(s.reconciles, 0);
 * ```
 */
export interface ControllerStats {
  /** Reconciles finished (successfully or not). */
  reconciles: number;
  /** Reconciles that failed. */
  errors: number;
  /** Reconciles running now. */
  inFlight: number;
  /** Keys waiting in the queue. */
  queued: number;
  /** Reconcile durations (absent in hand-made snapshots). */
  durations?: HistogramSnapshot;
}

/**
 * The resource types a controller uses (see `Controller.types`).
 *
 * @example
 * ```ts
 * import type { ControllerTypes } from "./controller.ts";
 * import assert from "node:assert/strict";
 * const t: ControllerTypes = {
 *   primary: { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
 *   owns: [],
 *   watches: [],
 * };
 * assert.equal(t.primary.plural, "configmaps");
 * ```
 */
export interface ControllerTypes {
  /** The primary type. */
  primary: ResourceType;
  /** Child types owned through ownerReferences. */
  owns: ResourceType[];
  /** Other watched types. */
  watches: ResourceType[];
}

/**
 * The default finalizer for a controller name: `operatorkit.io/<name>`, with characters a
 * qualified name does not allow replaced by `-` and the name part cut to 63 characters.
 *
 * @example
 * ```ts
 * import { defaultFinalizer } from "./controller.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(defaultFinalizer("website"), "operatorkit.io/website");
 * ```
 */
export function defaultFinalizer(name: string): string {
  const part = name.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "")
    .slice(0, 63);
  return `operatorkit.io/${part || "controller"}`;
}

/**
 * A controller: watches the primary type (and `owns`/`watches` types), turns events into
 * keys on a {@linkcode WorkQueue}, and runs the reconcile algorithm of
 * {@linkcode Reconciler} on `concurrency` workers. A failed reconcile is retried with
 * per-key exponential backoff (and an overall token bucket); a success resets the backoff;
 * `requeueAfter` schedules another run. Every `resyncPeriodMs` every cached key is
 * enqueued. One key never reconciles twice at once.
 *
 * `start()` resolves once the informers are synced and the workers run. Disposing (or
 * aborting the start signal) stops taking work, lets in-flight reconciles finish for
 * `shutdownGracePeriodMs`, then aborts their `ctx.signal` and waits for them.
 *
 * @example
 * ```ts
 * import { Controller } from "./controller.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * import { KubeClient } from "../client/kube_client.ts";
 * import { startApiServer } from "../testing/api_server.ts";
 * import assert from "node:assert/strict";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const seen: string[] = [];
 * await client.resource(ConfigMaps).create({ metadata: { name: "a", namespace: "default" } });
 * await using controller = new Controller({ client }, {
 *   type: ConfigMaps,
 *   namespace: "default",
 *   resources: [{
 *     name: "record",
 *     ensureCreated: async (cm) => void seen.push(cm.metadata.name!),
 *     ensureDeleted: async () => {},
 *   }],
 * });
 * await controller.start();
 * while (seen.length === 0) await new Promise((r) => setTimeout(r, 5));
 * assert.equal(seen[0], "a");
 * assert.equal(controller.finalizer, "operatorkit.io/configmap");
 * ```
 */
export class Controller<T extends KubeObject> implements AsyncDisposable {
  #o: ControllerOptions<T>;
  #namespaces: readonly string[] = [];
  readonly #name: string;
  readonly #client: KubeClient;
  readonly #informers: InformerSource;
  readonly #ownInformers: InformerFactory | undefined;
  readonly #events: EventRecorder;
  readonly #api: PrimaryApi<T>;
  readonly #resources: readonly Resource<T>[];
  readonly #failures = new Map<string, number>();
  #warnings: Promise<void> = Promise.resolve();
  readonly #clock: Clock;
  readonly #logger: ContextLogger;
  readonly #queue: WorkQueue<string>;
  readonly #finalizer: string;
  readonly #abortReconciles = new AbortController();
  readonly #releases: Array<() => void | Promise<void>> = [];
  readonly #unsubscribes: unknown[] = [];
  readonly #caches = new Map<ResourceType, CacheReader>();
  #reconciler: Reconciler<T> | undefined;
  #workers: Promise<void>[] = [];
  #resyncTimer: TimerHandle | undefined;
  #state: "new" | "starting" | "running" | "stopping" | "stopped" = "new";
  #stopped: Promise<void> | undefined;
  #stats: ControllerStats = { reconciles: 0, errors: 0, inFlight: 0, queued: 0 };
  readonly #durations = new Histogram();
  readonly #observer: ReconcileObserver;
  #startSignal: AbortSignal | undefined;
  readonly #onStartAbort = () => void this.stop();

  /**
   * Creates the controller from its context (the client; shared informers and an event
   * recorder when there are some) and its options; nothing runs until `start()`.
   */
  constructor(context: ControllerContext, options: ControllerOptions<T>) {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`Expected concurrency to be an integer >= 1, found ${concurrency}`);
    }
    this.#o = options;
    this.#name = options.name ?? options.type.kind.toLowerCase();
    this.#client = context.client;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? getLogger(["operatorkit", "controller", this.#name]);
    this.#finalizer = options.finalizer ?? defaultFinalizer(this.#name);
    if (context.informers) {
      this.#informers = context.informers;
    } else {
      const client = context.client;
      this.#ownInformers = new InformerFactory({ listWatch: (t) => client.resource(t) });
      this.#informers = this.#ownInformers;
    }
    this.#events = options.events ?? context.eventRecorder?.(this.#name) ??
      new KubeEventRecorder(eventSink(context.client.resource(Events)), {
        component: this.#name,
        ...(options.clock ? { clock: options.clock } : {}),
      });
    this.#api = options.api ?? primaryApi(context.client.resource(options.type));
    const middleware = options.middleware ?? [];
    this.#resources = middleware.length
      ? options.resources.map((r) => wrap(r, ...middleware))
      : options.resources;
    const backoff = options.backoff;
    const limiter = backoff && "when" in backoff
      ? backoff as RateLimiter<string>
      : defaultRateLimiter<string>({ ...(backoff ?? {}), clock: this.#clock });
    this.#queue = new WorkQueue<string>({ clock: this.#clock, rateLimiter: limiter });
    this.#observer = new ReconcileObserver({
      controller: this.#name,
      clock: this.#clock,
      logger: this.#logger,
      lookup: (key) => this.#caches.get(this.#o.type)?.get(key),
      attempts: (key) => this.#failures.get(key) ?? 0,
      waited: (key) => this.#queue.waitedMs(key),
      dueAt: (key) => this.#queue.delayedUntil(key),
    });
  }

  /** The controller's name. */
  get name(): string {
    return this.#name;
  }

  /** The finalizer this controller manages. */
  get finalizer(): string {
    return this.#finalizer;
  }

  /**
   * The resource types this controller reads and writes, for RBAC manifests: the primary
   * type (its status too), the `owns` types and the `watches` types.
   */
  get types(): ControllerTypes {
    return {
      primary: this.#o.type,
      owns: (this.#o.owns ?? []).map((o) => _ownsSpec(o).type),
      watches: (this.#o.watches ?? []).map((w) => w.type),
    };
  }

  /** The work queue (for inspection; adding keys by hand is allowed). */
  get queue(): WorkQueue<string> {
    return this.#queue;
  }

  /** A snapshot of the counters. */
  get stats(): ControllerStats {
    return { ...this.#stats, queued: this.#queue.length, durations: this.#durations.snapshot() };
  }

  /**
   * What the controller is doing: its queue (depth, in flight, the oldest waiting key's age,
   * keys waiting for a backoff or requeue delay) and its last reconciles (why each ran, how
   * long it took, what it changed, how it ended), newest first.
   *
   * @example
   * ```ts ignore
   * const { queue, recent } = controller.inspect();
   * console.log(queue.depth, recent[0]?.outcome);
   * ```
   */
  inspect(): ControllerInspection {
    const q = this.#queue;
    const now = this.#clock.now();
    const oldest = q.oldestQueuedAt;
    return {
      name: this.#name,
      state: this.#state,
      stats: this.stats,
      queue: {
        depth: q.length,
        inFlight: q.processing,
        ...(oldest !== undefined ? { oldestAgeMs: Math.max(0, now - oldest) } : {}),
        delayed: q.delayedKeys().map(({ key, at }) => {
          const why = this.#observer.delayReason(key);
          const reason = why?.type === "requeue" && why.reason === "requeueAfter"
            ? "requeueAfter" as const
            : "backoff" as const;
          return { key, reason, attempts: this.#failures.get(key) ?? 0, nextAttemptAt: at };
        }),
      },
      recent: this.#observer.recent(),
    };
  }

  /**
   * Acquires the informers, waits until they are synced, and starts the workers and the
   * resync timer. Aborting `signal` later stops the controller. `defaults` fill the options
   * the controller was built without (see {@linkcode ControllerDefaults}).
   */
  async start(
    options: { signal?: AbortSignal; defaults?: ControllerDefaults } = {},
  ): Promise<void> {
    if (this.#state !== "new") {
      throw new Error(`Expected a new controller to start, found it ${this.#state}`);
    }
    this.#state = "starting";
    const d = options.defaults ?? {};
    const o: ControllerOptions<T> = {
      ...this.#o,
      concurrency: this.#o.concurrency ?? d.concurrency ?? 1,
      resyncPeriodMs: this.#o.resyncPeriodMs ?? d.resyncPeriodMs ?? 600_000,
      shutdownGracePeriodMs: this.#o.shutdownGracePeriodMs ?? d.shutdownGracePeriodMs ?? 30_000,
    };
    if (!Number.isInteger(o.concurrency) || o.concurrency! < 1) {
      throw new RangeError(`Expected concurrency to be an integer >= 1, found ${o.concurrency}`);
    }
    this.#o = o;
    this.#namespaces = o.namespace ? [] : [...new Set(d.namespaces ?? [])];
    const ns = o.namespace;
    try {
      const primary = this.#acquire(o.type, _scope(ns, o));
      this.#unsubscribes.push(primary.addHandler(this.#primaryHandler()));
      const informers: ControllerInformer<KubeObject>[] = [
        primary as ControllerInformer<KubeObject>,
      ];
      for (const owned of o.owns ?? []) {
        const spec = _ownsSpec(owned);
        const inf = this.#acquire(spec.type, _scope(spec.namespace ?? ns, spec));
        const keys = (obj: KubeObject) => this.#ownerKeys(obj);
        const handler = this.#mappedHandler("owns", spec.type.kind, keys, spec.predicates);
        this.#unsubscribes.push(inf.addHandler(handler));
        informers.push(inf);
      }
      for (const w of o.watches ?? []) {
        const inf = this.#acquire(w.type, _scope(w.namespace ?? ns, w));
        const handler = this.#mappedHandler(
          "watches",
          w.type.kind,
          (obj) => w.map(obj),
          w.predicates,
        );
        this.#unsubscribes.push(inf.addHandler(handler));
        informers.push(inf);
      }
      const resync = o.resyncPeriodMs ?? 600_000;
      this.#reconciler = new Reconciler<T>({
        controller: this.#name,
        type: o.type,
        resources: this.#resources,
        finalizer: this.#finalizer,
        store: primary.store,
        api: this.#api,
        clock: this.#clock,
        completedDeletionTtlMs: Math.max(3 * resync, 600_000),
        keepFinalizerRequeueMs: resync > 0 ? resync : 60_000,
        ...(o.pauseAnnotations ? { pauseAnnotations: o.pauseAnnotations } : {}),
        client: this.#client,
        caches: this.#cacheReaders(),
        events: this.#events,
        logger: this.#logger,
      });
      this.#startSignal = options.signal;
      options.signal?.addEventListener("abort", this.#onStartAbort, { once: true });
      await Promise.all(informers.map((i) => i.ready(options)));
      if (this.#state !== "starting") return;
      // Informer adds that arrived before the reconciler existed are already queued.
      for (let i = 0; i < (o.concurrency ?? 1); i++) this.#workers.push(this.#work());
      if (resync > 0) this.#scheduleResync(resync);
      this.#state = "running";
      this.#logger.info("controller {controller} started", {
        controller: this.#name,
        concurrency: o.concurrency ?? 1,
        finalizer: this.#finalizer,
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops the controller (see the class doc); safe to call more than once. */
  stop(): Promise<void> {
    if (!this.#stopped) this.#stopped = this.#doStop();
    return this.#stopped;
  }

  /** Same as `stop()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #doStop(): Promise<void> {
    this.#state = "stopping";
    this.#startSignal?.removeEventListener("abort", this.#onStartAbort);
    if (this.#resyncTimer !== undefined) this.#clock.clearTimeout(this.#resyncTimer);
    this.#resyncTimer = undefined;
    for (const u of this.#unsubscribes) _unsubscribe(u);
    this.#unsubscribes.length = 0;
    this.#queue.shutdown();
    const grace = this.#o.shutdownGracePeriodMs ?? 30_000;
    if (this.#queue.processing > 0) {
      let timer: TimerHandle | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = this.#clock.setTimeout(resolve, grace);
      });
      await Promise.race([this.#queue.drain(), expired]);
      this.#clock.clearTimeout(timer);
      if (this.#queue.processing > 0) {
        this.#logger.warn("aborting {count} reconciles still running after {grace} ms", {
          count: this.#queue.processing,
          grace,
        });
      }
    }
    this.#abortReconciles.abort(new Error(`controller ${this.#name} stopped`));
    await Promise.allSettled(this.#workers);
    await this.#warnings;
    for (const release of this.#releases.splice(0).reverse()) {
      try {
        await release();
      } catch (err) {
        this.#logger.warn("releasing an informer failed: {error}", { error: String(err) });
      }
    }
    await this.#ownInformers?.[Symbol.asyncDispose]();
    this.#state = "stopped";
    this.#logger.info("controller {controller} stopped", { controller: this.#name });
  }

  async #work(): Promise<void> {
    const signal = this.#abortReconciles.signal;
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      await this.#observer.run(key, (run) => this.#process(key, signal, run));
    }
  }

  // One reconcile of `key`, run by the observer inside its span (trace ids reach these logs).
  async #process(key: string, signal: AbortSignal, run: ReconcileRun): Promise<void> {
    this.#stats.inFlight++;
    const started = this.#clock.now();
    try {
      const result = await this.#reconciler!.reconcile(key, { signal });
      run.succeeded(result);
      this.#queue.forget(key);
      this.#failures.delete(key);
      this.#afterSuccess(key, result);
    } catch (err) {
      run.failed(err);
      this.#stats.errors++;
      if (signal.aborted) {
        this.#logger.debug("reconcile of {key} aborted by shutdown", { key });
      } else {
        this.#afterFailure(key, err);
        // Written in the background (the key is free for its next run meanwhile), one after
        // another, so that repeats aggregate into one Event instead of racing to create two.
        this.#warnings = this.#warnings.then(() => this.#recordWarning(key, err));
      }
    } finally {
      this.#stats.inFlight--;
      this.#stats.reconciles++;
      this.#durations.observeMs(this.#clock.now() - started);
      this.#queue.done(key);
    }
  }

  // The error policy decides: backoff, a fixed delay, or nothing until the next change.
  #afterFailure(key: string, err: unknown): void {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const object = this.#caches.get(this.#o.type)?.get(key);
    let action: ErrorAction;
    try {
      action = (this.#o.errorPolicy ?? defaultErrorPolicy)(err, {
        key,
        failures,
        ...(object ? { object } : {}),
      });
    } catch (policyErr) {
      this.#logger.warn("the error policy threw, backing off: {error}", {
        error: String(policyErr),
      });
      action = { requeue: true };
    }
    const error = err instanceof Error ? err.message : String(err);
    if (!action.requeue) {
      this.#queue.forget(key);
      this.#failures.delete(key);
      this.#logger.error(
        "reconcile of {key} failed; not retrying until it changes or resyncs: {error}",
        { key, error },
      );
      return;
    }
    const delay = action.afterMs ?? this.#queue.addRateLimited(key);
    if (action.afterMs !== undefined) this.#queue.addAfter(key, delay);
    this.#observer.delayed(key, { type: "requeue", reason: "backoff" });
    this.#logger.error("reconcile of {key} failed; retrying in {delay} ms: {error}", {
      key,
      delay,
      error,
    });
  }

  #afterSuccess(key: string, result: ReconcileResult): void {
    if (result.requeueAfterMs === undefined) return;
    this.#queue.addAfter(key, result.requeueAfterMs);
    this.#observer.delayed(key, { type: "requeue", reason: "requeueAfter" });
  }

  async #recordWarning(key: string, err: unknown): Promise<void> {
    const events = this.#events;
    const obj = this.#reconciler && this.#caches.get(this.#o.type)?.get(key);
    if (!obj) return;
    const message = err instanceof Error ? err.message : String(err);
    await events.record(obj, {
      type: "Warning",
      reason: "ReconcileError",
      message: message.length > 1024 ? message.slice(0, 1021) + "..." : message,
    });
  }

  #scheduleResync(period: number): void {
    this.#resyncTimer = this.#clock.setTimeout(() => {
      if (this.#state !== "running") return;
      for (const obj of this.#caches.get(this.#o.type)!.list()) this.#resync(obj);
      this.#scheduleResync(period);
    }, period);
  }

  #acquire<U extends KubeObject>(
    type: ResourceType<U>,
    scope: InformerScopeOptions,
  ): ControllerInformer<U> {
    const { informer, release } = _acquireInNamespaces(
      this.#informers,
      type,
      scope,
      this.#namespaces,
    );
    this.#releases.push(release);
    if (!this.#caches.has(type as ResourceType)) {
      this.#caches.set(type as ResourceType, informer.store as CacheReader);
    }
    return informer;
  }

  #cacheReaders(): CacheReaders {
    const caches = this.#caches;
    return {
      get<U extends KubeObject>(type: ResourceType<U>): CacheReader<U> | undefined {
        return caches.get(type as ResourceType) as CacheReader<U> | undefined;
      },
    };
  }

  #enqueuePrimary(event: PredicateEvent<T>): void {
    for (const p of this.#o.predicates ?? []) if (!p(event)) return;
    this.#enqueue(objectKey(event.object), {
      type: "event",
      event: event.type,
      ...(event.object.metadata.resourceVersion
        ? { resourceVersion: event.object.metadata.resourceVersion }
        : {}),
    });
  }

  #resync(obj: KubeObject): void {
    this.#enqueue(objectKey(obj), { type: "resync" });
  }

  #enqueue(key: string, trigger: ReconcileTrigger): void {
    if (this.#queue.shuttingDown) return;
    this.#observer.queued(key, trigger);
    this.#queue.add(key);
  }

  #primaryHandler(): InformerHandler<T> {
    return {
      onAdd: (object) => this.#enqueuePrimary({ type: "add", object }),
      onUpdate: (old, object) => this.#enqueuePrimary({ type: "update", object, old }),
      onDelete: (object) => {
        // An object the server removed with our finalizer on: its deletion must run whatever
        // the predicates say (Reconciler.vanished).
        if (this.#reconciler?.vanished(object)) {
          this.#enqueue(objectKey(object), { type: "event", event: "delete" });
        } else this.#enqueuePrimary({ type: "delete", object });
      },
      onResync: (object) => this.#resync(object),
    };
  }

  #mappedHandler(
    via: "owns" | "watches",
    kind: string,
    map: (obj: KubeObject) => string[],
    predicates: readonly Predicate<KubeObject>[] = [],
  ): InformerHandler<KubeObject> {
    const passes = (event: PredicateEvent<KubeObject>) => predicates.every((p) => p(event));
    const keys = (obj: KubeObject): string[] => {
      try {
        return map(obj);
      } catch (err) {
        this.#logger.warn("mapping {name} to keys failed: {error}", {
          name: obj.metadata.name,
          error: String(err),
        });
        return [];
      }
    };
    const enqueue = (event: "add" | "update" | "delete", obj: KubeObject, old?: KubeObject) => {
      const ns = obj.metadata.namespace;
      const trigger: ReconcileTrigger = {
        type: "mapped",
        via,
        event,
        kind,
        object: ns ? `${ns}/${obj.metadata.name}` : obj.metadata.name ?? "",
        ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
      };
      // An owner or mapping that changed must hear about the object leaving it too; one add
      // per key, since a second add of a key a worker just took would run it twice.
      const all = new Set([...keys(obj), ...(old ? keys(old) : [])]);
      for (const k of all) this.#enqueue(k, trigger);
    };
    return {
      onAdd: (object) => passes({ type: "add", object }) && enqueue("add", object),
      onUpdate: (old, object) =>
        passes({ type: "update", object, old }) && enqueue("update", object, old),
      onDelete: (object) => passes({ type: "delete", object }) && enqueue("delete", object),
    };
  }

  #ownerKeys(obj: KubeObject): string[] {
    const type = this.#o.type;
    const ref = obj.metadata.ownerReferences?.find((r) => r.controller === true);
    if (!ref || ref.kind !== type.kind || _group(ref.apiVersion) !== type.group) return [];
    return [type.namespaced ? `${obj.metadata.namespace ?? ""}/${ref.name}` : ref.name];
  }
}

function _ownsSpec(owned: ResourceType | OwnsSpec): OwnsSpec {
  return typeof (owned as OwnsSpec).type === "object"
    ? owned as OwnsSpec
    : { type: owned as ResourceType };
}

function _scope(
  namespace: string | undefined,
  selectors: { labelSelector?: string; fieldSelector?: string },
): InformerScopeOptions {
  return {
    ...(namespace ? { namespace } : {}),
    ...(selectors.labelSelector ? { labelSelector: selectors.labelSelector } : {}),
    ...(selectors.fieldSelector ? { fieldSelector: selectors.fieldSelector } : {}),
  };
}

function _group(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? "" : apiVersion.slice(0, i);
}
