/**
 * The reflector: LIST (paged, or a streaming list) then WATCH from the list's
 * resourceVersion, forever, with bookmarks, relist on 410 Expired, an idle watchdog, and
 * exponential backoff with jitter.
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
import { _Backoff, type BackoffOptions } from "./_backoff.ts";
import type { InformerCounters } from "./health.ts";
import { _code, _IdleTimeout, _isIdle, _RelistRequest, isExpired } from "./_watch_errors.ts";

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
 * import { getLogger } from "@logtape/logtape";
 * import type { InformerLogger } from "./reflector.ts";
 * const log: InformerLogger = getLogger(["operatorkit", "informer"]);
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

/** Options for {@linkcode Reflector}. */
export interface ReflectorOptions {
  /** Namespace (omit for all namespaces or cluster-scoped types). */
  namespace?: string;
  /** Label selector. */
  labelSelector?: string;
  /** Field selector. */
  fieldSelector?: string;
  /** LIST page size (default 500). */
  pageSize?: number;
  /** PartialObjectMetadata lists and watches. */
  metadataOnly?: boolean;
  /** No event (bookmarks included) for this long means a dead connection (default: timeout + 30 s). */
  idleTimeoutMs?: number;
  /** Server-side watch timeout; the watch is re-opened after it (default 300). */
  watchTimeoutSeconds?: number;
  /** Backoff for errors. */
  backoff?: BackoffOptions;
  /** Try a streaming list (sendInitialEvents) first; fall back to LIST if refused (default false). */
  useStreamingList?: boolean;
  /** Time source. */
  clock?: Clock;
  /** Randomness for jitter (default Math.random). */
  random?: () => number;
  /** Counters to update. */
  counters: InformerCounters;
  /** Per-reason relist counts. */
  relistReasons: Record<string, number>;
  /** Per-reason reconnect counts. */
  reconnectReasons: Record<string, number>;
  /** Logger (any LogTape `getLogger()` result fits). */
  log: InformerLogger;
  /** Called when the initial sync completed (once). */
  onSynced?: () => void;
  /** Called with every error the loop recovers from. */
  onError?: (err: unknown) => void;
  /** Called with every event's resourceVersion and time (health). */
  onProgress?: (resourceVersion: string | undefined) => void;
}

const _INITIAL_EVENTS_END = "k8s.io/initial-events-end";

/**
 * Keeps a sink in step with the server. One `run()` per reflector; it returns when the
 * signal aborts and never throws otherwise (errors are retried with backoff, counted and
 * logged with their reason).
 *
 * @example
 * ```ts
 * import { getLogger } from "@logtape/logtape";
 * import { Reflector } from "./reflector.ts";
 * import { newCounters } from "./health.ts";
 * const r = new Reflector({
 *   type: { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
 *   list: () => Promise.resolve({ metadata: { resourceVersion: "1" }, items: [], invalid: [] }),
 *   watch: async function* () {},
 * }, {
 *   counters: newCounters(),
 *   relistReasons: {},
 *   reconnectReasons: {},
 *   log: getLogger(["operatorkit", "informer"]),
 * });
 * r.resourceVersion; // undefined until the first list
 * ```
 */
export class Reflector<T extends KubeObject = KubeObject> {
  #lw: ListWatch<T>;
  #o: ReflectorOptions;
  #clock: Clock;
  #backoff: _Backoff;
  #rv: string | undefined;
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
  }

  /** The last resourceVersion seen (list, event or bookmark). */
  get resourceVersion(): string | undefined {
    return this.#rv;
  }

  /** Makes the running loop relist (and diff) as soon as possible. */
  requestRelist(reason: string): void {
    this.#pendingRelist = reason;
    this.#watchAbort?.abort(new _RelistRequest(reason));
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
          this.#count("relists", this.#o.relistReasons, this.#listReason);
          log.info("listing {resource} ({reason})", { resource, reason: this.#listReason });
          if (this.#streaming) {
            await this.#watch(sink, signal, true);
            if (this.#needList) this.#listReason = "stream-ended";
            else reconnectReason = "timeout";
            continue;
          }
          await this.#list(sink, signal);
        } else if (reconnectReason !== undefined) {
          this.#count("reconnects", this.#o.reconnectReasons, reconnectReason);
          log.debug("re-opening watch on {resource} ({reason})", {
            resource,
            reason: reconnectReason,
          });
          reconnectReason = undefined;
        }
        await this.#watch(sink, signal, false);
        reconnectReason = "timeout";
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
        if (_isIdle(err)) {
          log.warn("watch on {resource} was silent too long; reconnecting", { resource });
          this.#o.onError?.(err);
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
        this.#o.counters.errors++;
        this.#o.onError?.(err);
        await this.#pause(err, signal, this.#needList ? "list" : "watch");
        if (this.#needList) this.#listReason = "error";
        else reconnectReason = "error";
      }
    }
  }

  async #pause(err: unknown, signal: AbortSignal, stage: string): Promise<void> {
    const delay = this.#backoff.fail();
    this.#o.log.warn("{stage} of {resource} failed: {error}; retrying in {delay} ms", {
      stage,
      resource: this.#lw.type.plural,
      error: err instanceof Error ? err.message : String(err),
      delay,
    });
    try {
      await sleep(delay, { clock: this.#clock, signal });
    } catch {
      // aborted: the loop condition ends the run
    }
  }

  #count(counter: "relists" | "reconnects", reasons: Record<string, number>, reason: string): void {
    this.#o.counters[counter]++;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }

  async #list(sink: ReflectorSink<T>, signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    const invalid: Array<{ raw: KubeObject; error: DecodeFailure }> = [];
    let rv: string | undefined;
    let cont: string | undefined;
    do {
      const page = await this.#lw.list({
        namespace: this.#o.namespace,
        labelSelector: this.#o.labelSelector,
        fieldSelector: this.#o.fieldSelector,
        limit: this.#o.pageSize ?? 500,
        continue: cont,
        metadataOnly: this.#o.metadataOnly,
        signal,
      });
      rv ??= page.metadata.resourceVersion;
      for (const item of page.items) items.push(item);
      for (const bad of page.invalid ?? []) invalid.push(bad);
      cont = page.metadata.continue || undefined;
    } while (cont);
    if (!rv) {
      throw new Error(`expected a resourceVersion on the ${this.#lw.type.plural} list, found none`);
    }
    this.#rv = rv;
    this.#needList = false;
    this.#backoff.healthy();
    sink.replace(items, invalid);
    this.#o.onProgress?.(rv);
    this.#markSynced();
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    this.#o.onSynced?.();
  }

  async #watch(sink: ReflectorSink<T>, signal: AbortSignal, streaming: boolean): Promise<void> {
    const ac = new AbortController();
    this.#watchAbort = ac;
    const onAbort = () => ac.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) ac.abort(signal.reason);
    const timeoutSeconds = this.#o.watchTimeoutSeconds ?? 300;
    const idleMs = this.#o.idleTimeoutMs ?? timeoutSeconds * 1000 + 30_000;
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
    const opts: WatchOptions = {
      namespace: this.#o.namespace,
      labelSelector: this.#o.labelSelector,
      fieldSelector: this.#o.fieldSelector,
      allowWatchBookmarks: true,
      timeoutSeconds,
      idleTimeoutMs: idleMs,
      metadataOnly: this.#o.metadataOnly,
      signal: ac.signal,
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
        this.#o.onProgress?.(rv);
      }
      if (ac.signal.aborted && !signal.aborted) throw ac.signal.reason;
      // A watch that closes at once without a word is a broken server or proxy; reopening it
      // at once would spin, so treat it as an error and back off.
      if (received === 0 && clock.now() - openedAt < 1000 && !signal.aborted) {
        const e = new Error(
          `expected a watch on ${this.#lw.type.plural} to stay open, found it closed at once`,
        );
        e.name = "ShortWatchError";
        throw e;
      }
    } catch (err) {
      // Our own abort surfaces as whatever the iterator throws; report why we aborted.
      if (ac.signal.aborted && !signal.aborted) throw ac.signal.reason;
      throw err;
    } finally {
      clock.clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      if (this.#watchAbort === ac) this.#watchAbort = undefined;
      ac.abort();
    }
  }
}

function _key(o: KubeObject): string {
  const { namespace, name } = o.metadata;
  return namespace ? `${namespace}/${name ?? ""}` : name ?? "";
}
