/**
 * The reflector: LIST (paged, or a streaming list) then WATCH from the list's
 * resourceVersion, forever, with bookmarks, relist on 410 Expired, an idle watchdog, and
 * exponential backoff with jitter. A watch is alive while it delivers events or bookmarks: one
 * silent for longer than a bound derived from the server's bookmark interval is closed and
 * resumed from its last resourceVersion.
 *
 * @module
 */
import { type Clock, sleep, systemClock } from "../client/clock.ts";
import type {
  DecodeFailure,
  KubeObject,
  ListWatch,
  WatchEvent,
  WatchOptions,
} from "../client/types.ts";
import { _SKIP_MANAGED_FIELDS } from "../client/_managed_fields.ts";
import { _Backoff, type BackoffOptions } from "./_backoff.ts";
import { _pages } from "./_paged_list.ts";
import {
  _code,
  _failureReason,
  _IdleTimeout,
  _message,
  _RelistRequest,
  _ShortWatch,
  isExpired,
} from "./_watch_errors.ts";

export { isExpired };

/** Where the reflector sends what it reads. */
export interface ReflectorSink<T extends KubeObject> {
  /** A complete list (initial or relist), to swap in atomically. */
  replace(items: T[], invalid: Array<{ raw: KubeObject; error: DecodeFailure }>): void;
  /** One watch event (never an initial-list event of a streaming list). */
  event(event: WatchEvent<T>): void;
  /** True when consumers are over their buffer bound; the reflector then waits for room. */
  full(): boolean;
  /** Resolves when consumers have room again. */
  waitForRoom(signal: AbortSignal): Promise<void>;
}

/**
 * The subset of LogTape's `Logger` the informer uses; any `getLogger()` result fits, and tests
 * can pass their own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getLogger } from "@logtape/logtape";
 * import { runDriftAudit } from "./drift_audit.ts";
 * import type { InformerLogger } from "./reflector.ts";
 * import { MemoryStore } from "./store.ts";
 * const fromLogTape: InformerLogger = getLogger(["operatorkit", "informer"]);
 * assert.equal(typeof fromLogTape.warn, "function");
 * // a test's own logger, here given to a drift audit whose LIST fails
 * const warnings: string[] = [];
 * const ac = new AbortController();
 * const log: InformerLogger = {
 *   debug() {},
 *   info() {},
 *   warn: (message, properties) => {
 *     warnings.push(`${message} ${properties?.error}`);
 *     ac.abort();
 *   },
 *   error() {},
 * };
 * await runDriftAudit({
 *   type: { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
 *   list: () => Promise.reject(new Error("connection refused")),
 *   watch: async function* () {},
 * }, { periodMs: 1, store: new MemoryStore(), onDrift: () => {}, log, signal: ac.signal });
 * assert.deepEqual(warnings, ["drift audit failed: {error} connection refused"]);
 * ```
 */
export interface InformerLogger {
  /** Logs at debug level. */
  debug(message: string, properties?: Record<string, unknown>): void;
  /** Logs at info level. */
  info(message: string, properties?: Record<string, unknown>): void;
  /** Logs at warning level. */
  warn(message: string, properties?: Record<string, unknown>): void;
  /** Logs at error level. */
  error(message: string, properties?: Record<string, unknown>): void;
}

/**
 * Where a reflector is: `idle` before `run()`, `listing` (a LIST, or a streaming list until
 * its initial events end), `watching`, `backoff` (waiting after a failure), `stopped`. Every
 * change goes through one transition table; `onPhase` sees each one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { REFLECTOR_TRANSITIONS, type ReflectorPhase } from "./reflector.ts";
 * const next: readonly ReflectorPhase[] = REFLECTOR_TRANSITIONS.idle;
 * assert.deepEqual(next, ["listing", "stopped"]);
 * ```
 */
export type ReflectorPhase = "idle" | "listing" | "watching" | "backoff" | "stopped";

/**
 * The reflector's state machine: the phases each phase may move to. A watch that ends
 * normally goes `watching` -> `watching`; a 410 goes to `listing`; a failure to `backoff`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { REFLECTOR_TRANSITIONS } from "./reflector.ts";
 * assert.equal(REFLECTOR_TRANSITIONS.stopped.length, 0);
 * ```
 */
export const REFLECTOR_TRANSITIONS: Readonly<Record<ReflectorPhase, readonly ReflectorPhase[]>> =
  Object.freeze({
    idle: ["listing", "stopped"],
    listing: ["listing", "watching", "backoff", "stopped"],
    watching: ["listing", "watching", "backoff", "stopped"],
    backoff: ["listing", "watching", "stopped"],
    stopped: [],
  });

/**
 * kube-apiserver's bookmark interval, measured on v1.36.3 (tools/envtest): a watch with
 * `allowWatchBookmarks` gets a BOOKMARK about once a minute while nothing changes. The
 * embedded server (testing/) sends them at the same interval by default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SERVER_BOOKMARK_INTERVAL_MS } from "./reflector.ts";
 * assert.equal(SERVER_BOOKMARK_INTERVAL_MS, 60_000);
 * ```
 */
export const SERVER_BOOKMARK_INTERVAL_MS = 60_000;

/**
 * The liveness bound of a watch whose server sends a bookmark every `bookmarkIntervalMs`:
 * one and a half intervals (90 s for kube-apiserver's minute), so one late bookmark is
 * tolerated while a silenced watch is closed, resumed from its last resourceVersion, and the
 * change it missed is delivered well within 120 s.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { watchLivenessBoundMs } from "./reflector.ts";
 * assert.equal(watchLivenessBoundMs(60_000), 90_000);
 * assert.equal(watchLivenessBoundMs(200), 300);
 * ```
 */
export function watchLivenessBoundMs(bookmarkIntervalMs: number): number {
  if (!(bookmarkIntervalMs > 0)) {
    throw new RangeError(`expected bookmarkIntervalMs > 0, found ${bookmarkIntervalMs}`);
  }
  return Math.round(bookmarkIntervalMs * 1.5);
}

/**
 * A failed list or watch attempt, as the reflector reports it (once per attempt).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { Informer } from "./informer.ts";
 * import type { ReflectorFailure } from "./reflector.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig }, { retries: 0 });
 * server.faults.failNext(1, { status: 500, verb: "list" });
 * await using informer = new Informer(client.resource(ConfigMaps), {
 *   namespace: "default",
 *   backoff: { initialMs: 1, jitter: 0 },
 * });
 * informer.start();
 * await informer.ready();
 * // the informer keeps the last failure its reflector reported
 * const health = informer.health();
 * const last: Pick<ReflectorFailure, "reason" | "message"> = {
 *   reason: health.lastFailureReason!,
 *   message: health.lastError!,
 * };
 * assert.equal(last.reason, "http-500");
 * assert.ok(last.message.length > 0);
 * assert.equal(health.counters.errors, 1);
 * ```
 */
export interface ReflectorFailure {
  /** What failed. */
  stage: "list" | "watch";
  /**
   * Why, in one word: `idle` (no event or bookmark within the liveness bound),
   * `decode-error`, `http-<code>`, `short-watch` (closed at once), `network`.
   */
  reason: string;
  /** The error's message. */
  message: string;
  /** The backoff before the next attempt (absent when it retries at once, as after `idle`). */
  retryInMs?: number;
}

/** Options for {@linkcode Reflector}. */
export interface ReflectorOptions {
  /** Namespace (omit for all namespaces or cluster-scoped types). */
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
  /** PartialObjectMetadata lists and watches. */
  metadataOnly?: boolean;
  /**
   * How often the server sends a BOOKMARK on an idle watch.
   * @default {60000}
   */
  bookmarkIntervalMs?: number;
  /**
   * Liveness bound: a watch delivering neither an event nor a bookmark for this long is
   * closed and resumed from the last resourceVersion.
   * @default {watchLivenessBoundMs(bookmarkIntervalMs) = 90_000}
   */
  idleTimeoutMs?: number;
  /**
   * Server-side watch timeout; the watch is re-opened after it.
   * @default {300}
   */
  watchTimeoutSeconds?: number;
  /** Backoff for errors. */
  backoff?: BackoffOptions;
  /**
   * Try a streaming list (sendInitialEvents) first; fall back to LIST if refused.
   * @default {false}
   */
  useStreamingList?: boolean;
  /** First LIST with resourceVersion=0, from the watch cache (see `InformerOptions`). */
  initialListFromCache?: boolean;
  /**
   * The sink drops `metadata.managedFields`: a `ResourceClient` then leaves them unparsed
   * (`undefined`) in LIST pages, which saves parse time and garbage.
   * @default {false}
   */
  skipManagedFields?: boolean;
  /** Time source. */
  clock?: Clock;
  /**
   * Randomness for jitter.
   * @default {Math.random}
   */
  random?: () => number;
  /** Logger (any LogTape `getLogger()` result fits). */
  log: InformerLogger;
  /** Called when the initial sync completed (once). */
  onSynced?: () => void;
  /** Called on every phase change. */
  onPhase?: (phase: ReflectorPhase, previous: ReflectorPhase) => void;
  /** Called when a full list (or streaming list) starts, with why (`initial`, `expired`, ...). */
  onRelist?: (reason: string) => void;
  /** Called when a watch re-opens after the first, with why the last one ended. */
  onReconnect?: (reason: string) => void;
  /** Called when the server accepted a watch (its stream is open). */
  onWatchOpen?: () => void;
  /** Called once per failed attempt. */
  onFailure?: (failure: ReflectorFailure) => void;
  /** Called after a list, and with every watch event or bookmark. */
  onProgress?: (resourceVersion: string | undefined, from: "list" | "watch") => void;
}

const _INITIAL_EVENTS_END = "k8s.io/initial-events-end";

/**
 * Keeps a sink in step with the server. One `run()` per reflector; it returns when the
 * signal aborts and never throws otherwise (errors are retried with backoff, reported through
 * the callbacks and logged with their reason, once per attempt).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getLogger } from "@logtape/logtape";
 * import { Reflector } from "./reflector.ts";
 * const r = new Reflector({
 *   type: { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
 *   list: () => Promise.resolve({ metadata: { resourceVersion: "1" }, items: [], invalid: [] }),
 *   watch: async function* () {},
 * }, { log: getLogger(["operatorkit", "informer"]) });
 * assert.equal(r.resourceVersion, undefined); // until the first list
 * assert.equal(r.phase, "idle");
 * ```
 */
export class Reflector<T extends KubeObject = KubeObject> {
  #lw: ListWatch<T>;
  #o: ReflectorOptions;
  #clock: Clock;
  #backoff: _Backoff;
  #idleMs: number;
  #rv: string | undefined;
  #phase: ReflectorPhase = "idle";
  #needList = true;
  #listReason = "initial";
  #streaming: boolean;
  #synced = false;
  #watchAbort: AbortController | undefined;
  #pendingRelist: string | undefined;
  #expiredStreak = 0;

  /** Creates a reflector over `lw`; nothing happens until `run()`. */
  constructor(lw: ListWatch<T>, options: ReflectorOptions) {
    this.#lw = lw;
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#backoff = new _Backoff(options.backoff ?? {}, this.#clock, options.random ?? Math.random);
    this.#streaming = options.useStreamingList ?? false;
    const ps = options.pageSize ?? 500;
    if (!(ps >= 1)) throw new RangeError(`expected pageSize >= 1, found ${ps}`);
    this.#idleMs = options.idleTimeoutMs ??
      watchLivenessBoundMs(options.bookmarkIntervalMs ?? SERVER_BOOKMARK_INTERVAL_MS);
    if (!(this.#idleMs > 0)) {
      throw new RangeError(`expected idleTimeoutMs > 0, found ${options.idleTimeoutMs}`);
    }
  }

  /** The last resourceVersion seen (list, event or bookmark). */
  get resourceVersion(): string | undefined {
    return this.#rv;
  }

  /** The current phase. */
  get phase(): ReflectorPhase {
    return this.#phase;
  }

  /** The liveness bound in effect, in ms. */
  get idleTimeoutMs(): number {
    return this.#idleMs;
  }

  /** Makes the running loop relist (and diff) as soon as possible. */
  requestRelist(reason: string): void {
    this.#pendingRelist = reason;
    this.#watchAbort?.abort(new _RelistRequest(reason));
  }

  // The only place the phase changes.
  #enter(next: ReflectorPhase): void {
    const prev = this.#phase;
    if (!REFLECTOR_TRANSITIONS[prev].includes(next)) {
      throw new Error(`reflector: expected a transition from ${prev}, found one to ${next}`);
    }
    this.#phase = next;
    if (prev !== next) this.#o.onPhase?.(next, prev);
  }

  /** Lists and watches until `signal` aborts. */
  async run(sink: ReflectorSink<T>, signal: AbortSignal): Promise<void> {
    const log = this.#o.log;
    const resource = this.#lw.type.plural;
    // Why the previous watch ended; counted as a reconnect when the next one opens.
    let reconnectReason: string | undefined;
    while (!signal.aborted) {
      if (this.#pendingRelist !== undefined) {
        this.#needList = true;
        this.#listReason = this.#pendingRelist;
        this.#pendingRelist = undefined;
      }
      try {
        if (this.#needList) {
          reconnectReason = undefined;
          this.#enter("listing");
          this.#o.onRelist?.(this.#listReason);
          log.info("listing {resource} ({reason})", { resource, reason: this.#listReason });
          if (this.#streaming) {
            const end = await this.#watch(sink, signal, true);
            if (this.#needList) this.#listReason = "stream-ended";
            else reconnectReason = this.#ended(end);
            continue;
          }
          await this.#list(sink, signal);
        } else if (reconnectReason !== undefined) {
          this.#o.onReconnect?.(reconnectReason);
          log.debug("re-opening watch on {resource} ({reason})", {
            resource,
            reason: reconnectReason,
          });
          reconnectReason = undefined;
        }
        this.#enter("watching");
        reconnectReason = this.#ended(await this.#watch(sink, signal, false));
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof _RelistRequest || this.#pendingRelist !== undefined) continue;
        if (isExpired(err)) {
          this.#needList = true;
          this.#listReason = "expired";
          log.info("resourceVersion {resourceVersion} of {resource} expired; relisting", {
            resourceVersion: this.#rv,
            resource,
          });
          // A relist that itself expires at once must not turn into a relist storm.
          if (this.#expiredStreak++ > 0) await this.#pause(err, signal, "relist");
          continue;
        }
        const stage = this.#needList ? "list" : "watch";
        const reason = _failureReason(err);
        if (reason === "idle") {
          log.warn(
            "watch on {resource} delivered no event or bookmark for {ms} ms (idle timeout); " +
              "resuming from resourceVersion {resourceVersion}",
            { resource, ms: this.#idleMs, resourceVersion: this.#rv, reason },
          );
          this.#o.onFailure?.({ stage, reason, message: _message(err) });
          if (this.#needList) this.#listReason = "idle";
          else reconnectReason = "idle";
          continue;
        }
        const code = _code(err);
        if (
          this.#needList && this.#streaming && code !== undefined && code >= 400 &&
          code < 500 && code !== 429
        ) {
          log.info("streaming list refused by the server ({code}); falling back to LIST", {
            code,
          });
          this.#streaming = false;
          this.#listReason = "streaming-refused";
          continue;
        }
        await this.#pause(err, signal, stage);
        if (this.#needList) this.#listReason = "error";
        else reconnectReason = reason;
      }
    }
    if (this.#phase !== "stopped") this.#enter("stopped");
  }

  // A watch that ended without an error: a server-side timeout (normal, debug), or a close
  // well before it (a restart, a proxy, a dropped connection: a warning, once).
  #ended(end: { livedMs: number; timeoutMs: number }): string {
    if (end.livedMs >= end.timeoutMs - 2000) return "timeout";
    this.#o.log.warn(
      "watch on {resource} closed by the server after {ms} ms (server closed; asked for " +
        "{timeoutSeconds} s); resuming from resourceVersion {resourceVersion}",
      {
        resource: this.#lw.type.plural,
        ms: end.livedMs,
        timeoutSeconds: end.timeoutMs / 1000,
        resourceVersion: this.#rv,
        reason: "server-closed",
      },
    );
    return "server-closed";
  }

  async #pause(
    err: unknown,
    signal: AbortSignal,
    stage: "list" | "watch" | "relist",
  ): Promise<void> {
    const delay = this.#backoff.fail();
    const reason = isExpired(err) ? "expired" : _failureReason(err);
    const message = _message(err);
    if (stage !== "relist") this.#o.onFailure?.({ stage, reason, message, retryInMs: delay });
    this.#o.log.warn("{stage} of {resource} failed ({reason}): {error}; retrying in {delay} ms", {
      stage,
      resource: this.#lw.type.plural,
      reason,
      error: message,
      delay,
    });
    this.#enter("backoff");
    try {
      await sleep(delay, { clock: this.#clock, signal });
    } catch {
      // aborted: the loop condition ends the run
    }
  }

  async #list(sink: ReflectorSink<T>, signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    const invalid: Array<{ raw: KubeObject; error: DecodeFailure }> = [];
    let rv: string | undefined;
    for await (
      const page of _pages(this.#lw, {
        namespace: this.#o.namespace,
        labelSelector: this.#o.labelSelector,
        fieldSelector: this.#o.fieldSelector,
        limit: this.#o.pageSize ?? 500,
        metadataOnly: this.#o.metadataOnly,
        // Only until the first list succeeded: a relist must not go back in time.
        ...(this.#o.initialListFromCache && !this.#synced ? { resourceVersion: "0" } : {}),
        ...(this.#o.skipManagedFields ? { [_SKIP_MANAGED_FIELDS]: true } : {}),
        signal,
      })
    ) {
      rv ??= page.metadata.resourceVersion;
      for (const item of page.items) items.push(item);
      for (const bad of page.invalid ?? []) invalid.push(bad);
    }
    if (!rv) {
      throw new Error(`expected a resourceVersion on the ${this.#lw.type.plural} list, found none`);
    }
    this.#rv = rv;
    this.#needList = false;
    this.#backoff.healthy();
    sink.replace(items, invalid);
    this.#o.onProgress?.(rv, "list");
    this.#markSynced();
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    this.#o.onSynced?.();
  }

  async #watch(
    sink: ReflectorSink<T>,
    signal: AbortSignal,
    streaming: boolean,
  ): Promise<{ livedMs: number; timeoutMs: number }> {
    const ac = new AbortController();
    this.#watchAbort = ac;
    const onAbort = () => ac.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) ac.abort(signal.reason);
    const timeoutSeconds = this.#o.watchTimeoutSeconds ?? 300;
    const idleMs = this.#idleMs;
    const clock = this.#clock;
    let last = clock.now();
    // While the reflector waits for a slow consumer it reads nothing, on purpose: that
    // silence is ours, not the server's, so the watchdog does not count it.
    let paused = false;
    let timer: unknown;
    const arm = (ms: number) => {
      timer = clock.setTimeout(() => {
        const quiet = clock.now() - last;
        if (paused) arm(idleMs);
        else if (quiet >= idleMs) ac.abort(new _IdleTimeout(idleMs));
        else arm(idleMs - quiet);
      }, ms);
    };
    arm(idleMs);
    // kube-apiserver sends a watch its periodic BOOKMARK only once its watch cache has seen a
    // revision newer than the one the watch started from (v1.36.3, k8s.io/apiserver
    // pkg/storage/cacher/cache_watcher.go, process()). On a quiet resource the cache learns of
    // newer revisions only when someone makes a consistent read, so the first bookmark can be
    // skipped for minutes and the liveness bound would close a healthy watch. A watch that has
    // delivered nothing for half a bookmark interval therefore makes one consistent LIST of at
    // most one object: the server brings this resource's cache up to date (the cluster's own
    // leases move the revision every few seconds), and the next bookmark goes out on time.
    let nudge: Promise<void> | undefined;
    let nudgeTimer: unknown;
    if (!streaming) {
      const bookmarkMs = this.#o.bookmarkIntervalMs ?? SERVER_BOOKMARK_INTERVAL_MS;
      nudgeTimer = clock.setTimeout(() => {
        nudgeTimer = undefined;
        if (received > 0 || ac.signal.aborted) return;
        this.#o.log.debug(
          "watch on {resource} quiet for {ms} ms; a consistent LIST of one object lets the " +
            "server send its next bookmark",
          { resource: this.#lw.type.plural, ms: clock.now() - openedAt },
        );
        nudge = this.#lw.list({
          namespace: this.#o.namespace,
          labelSelector: this.#o.labelSelector,
          fieldSelector: this.#o.fieldSelector,
          metadataOnly: this.#o.metadataOnly,
          limit: 1,
          signal: ac.signal,
        }).then(() => {}, (err) => {
          // The watchdog, not this request, decides whether the watch is alive.
          if (!ac.signal.aborted) {
            this.#o.log.debug("bookmark nudge LIST of {resource} failed: {error}", {
              resource: this.#lw.type.plural,
              error: _message(err),
            });
          }
        });
      }, Math.min(bookmarkMs, idleMs) / 2);
    }
    const opts: WatchOptions = {
      namespace: this.#o.namespace,
      labelSelector: this.#o.labelSelector,
      fieldSelector: this.#o.fieldSelector,
      allowWatchBookmarks: true,
      timeoutSeconds,
      idleTimeoutMs: idleMs,
      metadataOnly: this.#o.metadataOnly,
      signal: ac.signal,
      onOpen: () => {
        last = clock.now();
        this.#o.onWatchOpen?.();
      },
    };
    if (streaming) {
      opts.sendInitialEvents = true;
      opts.resourceVersionMatch = "NotOlderThan";
    } else {
      opts.resourceVersion = this.#rv;
    }
    const openedAt = clock.now();
    let received = 0;
    let initial: Map<string, T> | undefined = streaming ? new Map() : undefined;
    let initialInvalid: Array<{ raw: KubeObject; error: DecodeFailure }> = [];
    try {
      for await (const ev of this.#lw.watch(opts)) {
        last = clock.now();
        received++;
        const rv = ev.type === "INVALID"
          ? ev.raw.metadata?.resourceVersion
          : ev.object.metadata.resourceVersion;
        if (initial) {
          if (ev.type === "BOOKMARK") {
            if (ev.object.metadata.annotations?.[_INITIAL_EVENTS_END] === "true") {
              this.#rv = rv;
              this.#needList = false;
              sink.replace([...initial.values()], initialInvalid);
              initial = undefined;
              initialInvalid = [];
              this.#enter("watching");
              this.#o.onProgress?.(rv, "watch");
              this.#markSynced();
            }
          } else if (ev.type === "INVALID") {
            initialInvalid.push({ raw: ev.raw, error: ev.error });
          } else if (ev.type === "DELETED") {
            initial.delete(_key(ev.object));
          } else {
            initial.set(_key(ev.object), ev.object);
          }
          this.#backoff.healthy();
          continue;
        }
        this.#expiredStreak = 0;
        this.#backoff.healthy();
        if (sink.full()) {
          paused = true;
          try {
            await sink.waitForRoom(ac.signal);
          } finally {
            paused = false;
            last = clock.now();
          }
        }
        sink.event(ev);
        if (rv) this.#rv = rv;
        this.#o.onProgress?.(rv, "watch");
      }
      if (ac.signal.aborted && !signal.aborted) throw ac.signal.reason;
      // A watch that closes at once without a word is a broken server or proxy; reopening it
      // at once would spin, so treat it as an error and back off.
      const livedMs = clock.now() - openedAt;
      if (received === 0 && livedMs < 1000 && !signal.aborted) {
        throw new _ShortWatch(this.#lw.type.plural);
      }
      return { livedMs, timeoutMs: timeoutSeconds * 1000 };
    } catch (err) {
      // Our own abort surfaces as whatever the iterator throws; report why we aborted.
      if (ac.signal.aborted && !signal.aborted) throw ac.signal.reason;
      throw err;
    } finally {
      clock.clearTimeout(timer);
      if (nudgeTimer !== undefined) clock.clearTimeout(nudgeTimer);
      signal.removeEventListener("abort", onAbort);
      if (this.#watchAbort === ac) this.#watchAbort = undefined;
      ac.abort();
      await nudge;
    }
  }
}

function _key(o: KubeObject): string {
  const { namespace, name } = o.metadata;
  return namespace ? `${namespace}/${name ?? ""}` : name ?? "";
}
