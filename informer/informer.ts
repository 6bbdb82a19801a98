/**
 * `Informer<T>`: a reflector, a cache, a dispatcher and a resync loop for one resource type
 * and scope.
 *
 * @module
 */
import { InformerStoppedError } from "./errors.ts";
import type { Logger } from "@logtape/logtape";
import { _getLogger as getLogger } from "../client/_log.ts";
import { type Clock, systemClock } from "../client/clock.ts";
import type { DecodeFailure, KubeObject, ListWatch } from "../client/types.ts";
import type { BackoffOptions } from "./_backoff.ts";
import { _CacheWriter } from "./_cache_writer.ts";
import { Dispatcher, type EventHandler, type InformerEvent } from "./dispatch.ts";
import { type InformerHealth, newCounters } from "./health.ts";
import { Reflector, type ReflectorFailure, type ReflectorPhase } from "./reflector.ts";
import { runResync } from "./resync.ts";
import { MemoryStore, type Store } from "./store.ts";
import { runDriftAudit } from "./drift_audit.ts";
import { _cacheFingerprint } from "./_fingerprint.ts";

export type { BackoffOptions } from "./_backoff.ts";

/**
 * Options for {@linkcode Informer}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Informer, type InformerOptions } from "./informer.ts";
 * const type = { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true };
 * const listedIn: Array<string | undefined> = [];
 * const options: InformerOptions = {
 *   namespace: "team-a",
 *   transform: (o) => ({ ...o, metadata: { ...o.metadata, labels: { cached: "yes" } } }),
 *   backoff: { initialMs: 1 },
 * };
 * await using informer = new Informer({
 *   type,
 *   list: (o) => {
 *     listedIn.push(o?.namespace);
 *     const item = { metadata: { namespace: "team-a", name: "a", uid: "u", resourceVersion: "1" } };
 *     return Promise.resolve({ metadata: { resourceVersion: "1" }, items: [item], invalid: [] });
 *   },
 *   watch: async function* () {},
 * }, options);
 * informer.start();
 * await informer.ready();
 * assert.equal(listedIn[0], "team-a");
 * assert.equal(informer.store.get("team-a/a")?.metadata.labels?.cached, "yes");
 * ```
 */
export interface InformerOptions<T extends KubeObject = KubeObject> {
  /** Namespace to watch (omit for all namespaces, or for cluster-scoped types). */
  namespace?: string;
  /** Label selector. */
  labelSelector?: string;
  /** Field selector. */
  fieldSelector?: string;
  /**
   * LIST page size.
   * @default {500}
   */
  pageSize?: number;
  /** Cache PartialObjectMetadata only (metadata-only lists and watches). */
  metadataOnly?: boolean;
  /**
   * Applied to every object before it is cached. It receives the freshly decoded object,
   * which it may change in place. With the default (`dropManagedFields`), a `ResourceClient`
   * does not parse the listed objects' `metadata.managedFields` at all: they reach the type's
   * schema, `onDecodeFailure` and the cache as `undefined`.
   * @default {dropManagedFields}
   */
  transform?: (obj: T) => T;
  /**
   * Replay the cache to handlers every this many ms.
   * @default {undefined (never)}
   */
  resyncPeriodMs?: number;
  /**
   * Pause between replayed objects during a resync.
   * @default {0}
   */
  rateWaitMs?: number;
  /**
   * How often the server sends a BOOKMARK on an idle watch (kube-apiserver: once a minute).
   * @default {60000}
   */
  bookmarkIntervalMs?: number;
  /**
   * Watch liveness bound: a watch delivering neither an event nor a bookmark for this long is
   * closed and resumed from the last resourceVersion. The default, 1.5 bookmark intervals,
   * notices a silenced watch so that its missed changes arrive within 120 s.
   * @default {watchLivenessBoundMs(bookmarkIntervalMs) = 90_000}
   */
  idleTimeoutMs?: number;
  /**
   * A synced informer that has had no working watch (open, or delivering events or
   * bookmarks) for longer than this reports itself stale in `health().watchStaleMs`, logs a
   * warning once, and logs again once when a watch works again.
   * @default {60000}
   */
  staleAfterMs?: number;
  /**
   * Server-side watch timeout in seconds.
   * @default {300}
   */
  watchTimeoutSeconds?: number;
  /** Error backoff; each field has its default (see `BackoffOptions`). */
  backoff?: BackoffOptions;
  /**
   * Try a streaming list first, falling back to LIST when the server refuses.
   * @default {false}
   */
  useStreamingList?: boolean;
  /**
   * Serve the first LIST from the API server's watch cache (`resourceVersion=0`: one response
   * whatever `pageSize`), as client-go's classic reflector and kube-rs's `ListSemantic::Any` do. It
   * syncs faster against a real kube-apiserver (bench/peers/README.md), but the cache may lag
   * etcd: the first list can be older than what another client, or this operator before a
   * restart, has already seen. Relists (after 410 Expired, drift, errors) stay consistent.
   * The default: consistent paged LISTs.
   * @default {false}
   */
  initialListFromCache?: boolean;
  /**
   * Periodic metadata-only relist compared with the cache; differences trigger a full relist
   * (which repairs them by diffing) and are counted.
   * @default {undefined (off)}
   */
  driftAudit?: { periodMs: number };
  /** Called once per (uid, resourceVersion) for objects that fail the type's schema. */
  onDecodeFailure?: (failure: DecodeFailure, raw: KubeObject) => void;
  /**
   * Per-consumer event buffer bound before the watch is paused.
   * @default {10_000}
   */
  maxBuffered?: number;
  /** Freeze cached objects (development aid; costs time per object). */
  freeze?: boolean;
  /**
   * Time source.
   * @default {the system clock}
   */
  clock?: Clock;
  /**
   * Randomness for backoff jitter.
   * @default {Math.random}
   */
  random?: () => number;
  /** Stops the informer when aborted. */
  signal?: AbortSignal;
}

/**
 * Drops `metadata.managedFields`, in place: the default transform. The field is set to
 * `undefined` rather than deleted (so `"managedFields" in obj.metadata` stays true and
 * `JSON.stringify` omits it): `delete` turns the metadata into a slow dictionary object,
 * which costs about 0.6 µs per object on the watch path and more memory for as long as the
 * object is cached.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dropManagedFields } from "./informer.ts";
 * const o = dropManagedFields({ metadata: { name: "a", managedFields: [{ manager: "kubectl", operation: "Apply", apiVersion: "v1" }] } });
 * assert.equal(o.metadata.managedFields, undefined);
 * assert.equal(o.metadata.name, "a");
 * assert.equal(JSON.stringify(o), '{"metadata":{"name":"a"}}');
 * ```
 */
export function dropManagedFields<T extends KubeObject>(obj: T): T {
  const meta = obj.metadata;
  if (meta?.managedFields !== undefined) meta.managedFields = undefined;
  return obj;
}

/**
 * Lists and watches one resource type in one scope, keeps a cache (`store`), and dispatches
 * add/update/delete (and resync) events to handlers or async iterators.
 *
 * Guarantees: each (uid, resourceVersion) reaches a handler at most once as an add or
 * update; a relist after 410 Expired dispatches only the difference with the cache; the
 * initial list appears in the store at once; a handler added late first gets the cache as
 * adds. Objects in the store are shared and must not be mutated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { Informer } from "./informer.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * await client.resource(ConfigMaps).create({ metadata: { name: "web", namespace: "default" } });
 * await using informer = new Informer(client.resource(ConfigMaps), { namespace: "default" });
 * const added: string[] = [];
 * informer.addHandler({ onAdd: (cm) => void added.push(cm.metadata.name!) });
 * informer.start();
 * await informer.ready();
 * assert.equal(informer.store.get("default/web")?.metadata.name, "web");
 * await informer.idle();
 * assert.deepEqual(added, ["web"]);
 * ```
 */
export class Informer<T extends KubeObject = KubeObject> implements AsyncDisposable {
  readonly #lw: ListWatch<T>;
  readonly #options: InformerOptions<T>;
  readonly #store: MemoryStore<T>;
  readonly #dispatcher: Dispatcher<T>;
  readonly #writer: _CacheWriter<T>;
  readonly #reflector: Reflector<T>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #counters = newCounters();
  readonly #relistReasons: Record<string, number> = {};
  readonly #reconnectReasons: Record<string, number> = {};
  #abort = new AbortController();
  #running: Promise<unknown> | undefined;
  #synced = false;
  #stopped = false;
  #syncWaiters = new Set<{ resolve: () => void; reject: (e: unknown) => void }>();
  #startedAt: number | undefined;
  #lastEventAt: number | undefined;
  #lastError: string | undefined;
  #lastFailureReason: string | undefined;
  // Watch health: is a watch stream open now, and since when has no watch worked (undefined
  // while one does). A stream that opens counts as working until it fails; one that fails
  // before delivering anything does not reset the clock.
  #watchOpen = false;
  #openedAt = 0;
  #degradedSince: number | undefined;
  #stale = false;
  #staleTimer: unknown;
  #staleAfterMs: number;
  #onExternalAbort = () => void this.stop();

  /** Creates an informer over `lw` (a `ResourceClient<T>` or any `ListWatch<T>`). */
  constructor(lw: ListWatch<T>, options: InformerOptions<T> = {}) {
    this.#lw = lw;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = getLogger(["operatorkit", "informer", lw.type.plural]);
    this.#store = new MemoryStore<T>({ freeze: options.freeze });
    this.#dispatcher = new Dispatcher<T>({
      maxBuffered: options.maxBuffered,
      resource: lw.type.plural,
    });
    this.#writer = new _CacheWriter(this.#store, this.#dispatcher, this.#counters, {
      transform: options.transform ?? dropManagedFields,
      onDecodeFailure: options.onDecodeFailure,
      log: this.#log,
      metadataOnly: options.metadataOnly,
    });
    this.#reflector = new Reflector(lw, {
      namespace: options.namespace,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      pageSize: options.pageSize,
      metadataOnly: options.metadataOnly,
      idleTimeoutMs: options.idleTimeoutMs,
      bookmarkIntervalMs: options.bookmarkIntervalMs,
      watchTimeoutSeconds: options.watchTimeoutSeconds,
      backoff: options.backoff,
      useStreamingList: options.useStreamingList,
      initialListFromCache: options.initialListFromCache,
      // The default transform drops managedFields: the client need not parse them.
      skipManagedFields: (options.transform ?? dropManagedFields) === dropManagedFields,
      clock: this.#clock,
      random: options.random,
      log: this.#log,
      onSynced: () => this.#onSynced(),
      onRelist: (reason) => this.#count("relists", this.#relistReasons, reason),
      onReconnect: (reason) => this.#count("reconnects", this.#reconnectReasons, reason),
      onFailure: (f) => this.#onFailure(f),
      onWatchOpen: () => this.#setWatchOpen(true),
      onPhase: (phase) => this.#onPhase(phase),
      onProgress: (_rv, from) => {
        this.#lastEventAt = this.#clock.now();
        if (from === "watch") this.#watchWorks();
      },
    });
    this.#staleAfterMs = options.staleAfterMs ?? 60_000;
    if (!(this.#staleAfterMs > 0)) {
      throw new RangeError(`expected staleAfterMs > 0, found ${options.staleAfterMs}`);
    }
    if (options.resyncPeriodMs !== undefined && !(options.resyncPeriodMs > 0)) {
      throw new RangeError(`expected resyncPeriodMs > 0, found ${options.resyncPeriodMs}`);
    }
  }

  /** The read-only cache. */
  get store(): Store<T> {
    return this.#store;
  }

  /** True once the initial list is in the store. */
  get hasSynced(): boolean {
    return this.#synced;
  }

  /** The last resourceVersion the informer saw. */
  get resourceVersion(): string | undefined {
    return this.#reflector.resourceVersion;
  }

  /** Starts listing and watching in the background; calling it again does nothing. */
  start(): void {
    if (this.#running || this.#stopped) return;
    const signal = this.#abort.signal;
    this.#options.signal?.addEventListener("abort", this.#onExternalAbort, { once: true });
    if (this.#options.signal?.aborted) {
      void this.stop();
      return;
    }
    this.#startedAt = this.#clock.now();
    const writer = this.#writer;
    const dispatcher = this.#dispatcher;
    const tasks: Promise<unknown>[] = [
      this.#reflector.run({
        replace: (items, invalid) => writer.replace(items, invalid),
        event: (ev) => writer.event(ev),
        full: () => dispatcher.full(),
        waitForRoom: (s) => dispatcher.waitForRoom(s),
      }, signal),
    ];
    const period = this.#options.resyncPeriodMs;
    if (period !== undefined) {
      tasks.push(
        this.ready({ signal }).then(() =>
          runResync<T>({
            periodMs: period,
            rateWaitMs: this.#options.rateWaitMs,
            keys: () => this.#store.keys(),
            get: (k) => this.#store.getByKey(k),
            emit: (e) => dispatcher.publish(e),
            onPass: (n) => this.#counters.resyncs += n,
            waitForRoom: (s) => dispatcher.waitForRoom(s),
            clock: this.#clock,
            signal,
          }), () => {}),
      );
    }
    const audit = this.#options.driftAudit;
    if (audit) {
      tasks.push(
        this.ready({ signal }).then(() =>
          runDriftAudit<T>(this.#lw, {
            periodMs: audit.periodMs,
            namespace: this.#options.namespace,
            labelSelector: this.#options.labelSelector,
            fieldSelector: this.#options.fieldSelector,
            pageSize: this.#options.pageSize,
            store: this.#store,
            cacheResourceVersion: () => this.#reflector.resourceVersion,
            onDrift: (n) => {
              this.#counters.driftRepairs += n;
              this.#log.warn("drift audit found {count} differences; relisting", { count: n });
              this.#reflector.requestRelist("drift");
            },
            clock: this.#clock,
            log: this.#log,
            signal,
          }), () => {}),
      );
    }
    this.#running = Promise.all(tasks);
  }

  /** Resolves once the initial list is in the store; rejects if the informer stops first. */
  ready(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#synced) return Promise.resolve();
    if (this.#stopped) return Promise.reject(this.#stoppedError());
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#syncWaiters.delete(w);
        reject(signal!.reason);
      };
      const w = {
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (e: unknown) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
      this.#syncWaiters.add(w);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Registers event callbacks. A handler added after sync first receives every cached object
   * as an add. Returns a function that unregisters it.
   */
  addHandler(handler: EventHandler<T>): () => void {
    return this.#dispatcher.addHandler(handler, this.#synced ? this.#store.list() : []);
  }

  /**
   * The events as an async iterator (current contents first as adds when already synced).
   * Ends when the informer stops, `signal` aborts, or the loop breaks.
   */
  events(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<InformerEvent<T>> {
    return this.#dispatcher.events(this.#synced ? this.#store.list() : [], options.signal);
  }

  /** Resolves once every handler has processed every queued event. */
  idle(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#dispatcher.idle(options.signal);
  }

  /**
   * Health: sync state, last event time, staleness, watch health, counters and reasons. With
   * `fingerprint`, also the cache's fingerprint (O(n) in the cached objects).
   */
  health(options: { fingerprint?: boolean } = {}): InformerHealth {
    const now = this.#clock.now();
    const since = this.#lastEventAt ?? this.#startedAt;
    const t = this.#lw.type;
    this.#evaluateStale();
    return {
      phase: this.#reflector.phase,
      watching: this.#watchOpen,
      ...(this.#stale && this.#degradedSince !== undefined
        ? { watchStaleMs: now - this.#degradedSince }
        : {}),
      ...(this.#lastFailureReason ? { lastFailureReason: this.#lastFailureReason } : {}),
      ...(options.fingerprint ? { cacheFingerprint: _cacheFingerprint(this.#store.list()) } : {}),
      resource: t.group ? `${t.plural}.${t.group}` : t.plural,
      synced: this.#synced,
      running: this.#running !== undefined && !this.#stopped,
      lastEventAt: this.#lastEventAt,
      stalenessMs: since === undefined ? undefined : now - since,
      resourceVersion: this.#reflector.resourceVersion,
      cached: this.#store.size,
      lastError: this.#lastError,
      counters: { ...this.#counters },
      relistReasons: { ...this.#relistReasons },
      reconnectReasons: { ...this.#reconnectReasons },
    };
  }

  /** Stops the watch, timers and handlers; waits until all of them are released. */
  async stop(): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#options.signal?.removeEventListener("abort", this.#onExternalAbort);
      this.#abort.abort(new DOMException("informer stopped", "AbortError"));
      this.#clock.clearTimeout(this.#staleTimer);
      const err = this.#stoppedError();
      for (const w of this.#syncWaiters) w.reject(err);
      this.#syncWaiters.clear();
    }
    await this.#running;
    await this.#dispatcher.close();
  }

  /** Same as `stop()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #onSynced(): void {
    this.#synced = true;
    this.#log.info("{resource} synced: {count} objects", {
      resource: this.#lw.type.plural,
      count: this.#store.size,
    });
    for (const w of this.#syncWaiters) w.resolve();
    this.#syncWaiters.clear();
  }

  #count(counter: "relists" | "reconnects", reasons: Record<string, number>, reason: string): void {
    this.#counters[counter]++;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }

  #onFailure(f: ReflectorFailure): void {
    if (f.retryInMs !== undefined) this.#counters.errors++;
    this.#lastError = f.message;
    this.#lastFailureReason = f.reason;
    this.#setWatchOpen(false);
    if (this.#degradedSince === undefined) {
      this.#degradedSince = this.#clock.now();
      this.#armStaleTimer(this.#staleAfterMs);
    }
    this.#evaluateStale();
  }

  #onPhase(phase: ReflectorPhase): void {
    // A stream closed (normally or not) is no longer open; a normal end keeps the health.
    if (phase !== "watching") this.#setWatchOpen(false);
  }

  #setWatchOpen(open: boolean): void {
    if (open && !this.#watchOpen) {
      this.#openedAt = this.#clock.now();
      // Stale, and a stream opened: it counts as working once it stayed open a moment
      // (a server that fails every watch at once must not flap the state per retry).
      if (this.#stale) this.#armStaleTimer(this.#confirmMs());
    }
    this.#watchOpen = open;
    this.#evaluateStale();
  }

  #confirmMs(): number {
    return Math.min(5_000, this.#staleAfterMs / 2);
  }

  #armStaleTimer(ms: number): void {
    this.#clock.clearTimeout(this.#staleTimer);
    this.#staleTimer = this.#clock.setTimeout(() => this.#evaluateStale(), ms);
  }

  #watchWorks(): void {
    this.#watchOpen = true;
    if (this.#degradedSince === undefined) return;
    this.#degradedSince = undefined;
    this.#clock.clearTimeout(this.#staleTimer);
    this.#evaluateStale();
  }

  // Stale: synced, and no working watch for longer than staleAfterMs. A working watch is one
  // delivering events or bookmarks, or an open one (while stale: open for a moment).
  // Logged once per change, at warning level both ways.
  #evaluateStale(): void {
    const since = this.#degradedSince;
    const now = this.#clock.now();
    const working = this.#watchOpen &&
      (!this.#stale || now - this.#openedAt >= this.#confirmMs());
    const stale = this.#synced && !this.#stopped && since !== undefined && !working &&
      now - since >= this.#staleAfterMs;
    if (stale === this.#stale) return;
    this.#stale = stale;
    const resource = this.#lw.type.plural;
    if (stale) {
      this.#log.warn(
        "{resource} informer has had no working watch for {seconds} s ({reason}: {error}); " +
          "its cache may be stale",
        {
          resource,
          seconds: Math.round((now - since!) / 1000),
          reason: this.#lastFailureReason,
          error: this.#lastError,
          stale: true,
        },
      );
    } else {
      this.#log.warn("{resource} informer has a working watch again", { resource, stale: false });
    }
  }

  #stoppedError(): Error {
    return new InformerStoppedError(this.#lw.type.plural);
  }
}
