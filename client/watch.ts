/**
 * The watch primitive: one streaming GET, newline-delimited JSON events parsed once each,
 * every failure surfaced as a typed error (410 in either form as `ApiError`, silence as
 * `WatchIdleError`, a malformed line as `WatchLineError`), and the body released on abort,
 * on `break` and on error.
 *
 * @module
 */
import { type Clock, systemClock, type TimerHandle } from "./clock.ts";
import { decodeObject } from "./decode.ts";
import { ApiError, WatchIdleError, WatchLineError } from "./errors.ts";
import type { RequestSpec, Transport } from "./transport.ts";
import type { KubeObject, ResourceType, Status, WatchEvent } from "./types.ts";
import { _LineSplitter } from "./_line_stream.ts";

/**
 * Options for `watchEvents()`.
 *
 * @example
 * ```ts
 * import type { WatchStreamOptions } from "./watch.ts";
 * import assert from "node:assert/strict";
 * const o: WatchStreamOptions = { idleTimeoutMs: 90_000 };
 * assert.deepEqual(o.idleTimeoutMs, 90_000);
 * ```
 */
export interface WatchStreamOptions {
  /** End the stream with `WatchIdleError` after this long without bytes. */
  idleTimeoutMs: number;
  /** Clock for the idle timer. */
  clock?: Clock;
  /** Cancels the watch and releases the body. */
  signal?: AbortSignal;
  /** Called once the server accepted the watch (a 2xx response; its stream is open). */
  onOpen?: () => void;
}

/**
 * The idle timeout for a watch: `idleTimeoutMs` if given, else `timeoutSeconds` plus a 30 s
 * margin; without `timeoutSeconds`, 3600 s (the API server's longest) plus the margin.
 *
 * @example
 * ```ts
 * import { watchIdleTimeoutMs } from "./watch.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(watchIdleTimeoutMs({ timeoutSeconds: 60 }), 90000);
 * ```
 */
export function watchIdleTimeoutMs(
  options: { idleTimeoutMs?: number; timeoutSeconds?: number },
): number {
  if (options.idleTimeoutMs !== undefined) {
    if (!(options.idleTimeoutMs > 0)) {
      throw new RangeError(`expected idleTimeoutMs > 0, found ${options.idleTimeoutMs}`);
    }
    return options.idleTimeoutMs;
  }
  return (options.timeoutSeconds ?? 3600) * 1000 + 30_000;
}

/**
 * The iterator a watch returns: an async iterable of events that also has `return()`
 * (called by `break`), which cancels the request and releases the body.
 *
 * @example
 * ```ts
 * import { ConfigMaps, KubeClient, type WatchIterator } from "./mod.ts";
 * import type { ConfigMap } from "./builtin_types.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const cms = client.resource(ConfigMaps);
 * await cms.create({ metadata: { name: "a" } }, { namespace: "default" });
 * const it: WatchIterator<ConfigMap> = cms.watch({ namespace: "default", sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", allowWatchBookmarks: true });
 * const first = await it.next();
 * assert.equal(first.done ? undefined : first.value.type, "ADDED");
 * await it.return(); // done with it: the connection is released
 * assert.equal((await it.next()).done, true);
 * ```
 */
export interface WatchIterator<T extends KubeObject>
  extends AsyncIterableIterator<WatchEvent<T>, void, undefined> {
  /** The next event; `done` when the server ended the stream cleanly. */
  next(): Promise<IteratorResult<WatchEvent<T>, void>>;
  /** Stops the watch and releases the response body. */
  return(): Promise<IteratorResult<WatchEvent<T>, void>>;
}

/**
 * Opens a watch request and yields its events. Ends normally when the server closes the
 * stream; throws `ApiError` for an HTTP error or an `ERROR` event (410 Expired looks the same
 * in both forms), `WatchIdleError` when no bytes arrive for `idleTimeoutMs`, and
 * `WatchLineError` for a line that is not a watch event. Objects failing the type's schema
 * are yielded as `INVALID` events. The request starts on the first `next()`.
 *
 * @example
 * ```ts
 * import { ConfigMaps, KubeClient, watchEvents } from "./mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const { metadata } = await client.resource(ConfigMaps).list();
 * await client.resource(ConfigMaps).create({ metadata: { name: "a" } }, { namespace: "default" });
 * const types: string[] = [];
 * for await (const ev of watchEvents(client.transport, ConfigMaps, {
 *   method: "GET",
 *   path: "/api/v1/configmaps",
 *   query: { watch: 1, resourceVersion: metadata.resourceVersion, timeoutSeconds: 1 },
 * }, { idleTimeoutMs: 90_000 })) {
 *   types.push(ev.type);
 *   break; // cancels the request
 * }
 * assert.deepEqual(types, ["ADDED"]);
 * ```
 */
export function watchEvents<T extends KubeObject>(
  transport: Transport,
  type: ResourceType<T>,
  spec: RequestSpec,
  options: WatchStreamOptions,
): WatchIterator<T> {
  return new _WatchIterator(transport, type, spec, options);
}

const DONE: IteratorResult<never, void> = Object.freeze({ value: undefined, done: true });

// A hand-written iterator rather than an async generator: events already split from a chunk
// are handed out with one resolved promise each, which keeps per-event overhead near the bare
// fetch + JSON.parse baseline (an async generator costs several extra microtask turns).
class _WatchIterator<T extends KubeObject> implements WatchIterator<T> {
  #t: Transport;
  #type: ResourceType<T>;
  #spec: RequestSpec;
  #ctx: { method: string; path: string };
  #clock: Clock;
  #idleMs: number;
  #outer?: AbortSignal;
  #onOpen?: () => void;
  #ac = new AbortController();
  #state: "init" | "open" | "eof" | "done" = "init";
  #lines: string[] = [];
  #i = 0;
  #busy: Promise<unknown> | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #splitter = new _LineSplitter();
  #timer: TimerHandle | undefined;
  #waiting = true;
  #lastActivity = 0;
  #onAbort = () => this.#abortNow(this.#outer!.reason);

  // Aborting the fetch does not always end a read already waiting on the body (seen with
  // several watches open on one in-process server); cancelling the reader always does.
  #abortNow(reason: unknown): void {
    this.#ac.abort(reason);
    this.#reader?.cancel(reason).catch(() => {});
  }

  constructor(
    transport: Transport,
    type: ResourceType<T>,
    spec: RequestSpec,
    options: WatchStreamOptions,
  ) {
    this.#t = transport;
    this.#type = type;
    this.#spec = spec;
    this.#ctx = { method: spec.method, path: spec.path };
    this.#clock = options.clock ?? systemClock;
    this.#idleMs = options.idleTimeoutMs;
    if (options.signal) this.#outer = options.signal;
    if (options.onOpen) this.#onOpen = options.onOpen;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<WatchEvent<T>, void>> {
    if (this.#busy) return this.#busy.then(() => this.next());
    // Aborted while the consumer held an event: buffered events are not handed out.
    if (this.#ac.signal.aborted && this.#state !== "done") return this.#fail(undefined);
    while (this.#i < this.#lines.length) {
      const line = this.#lines[this.#i++];
      let ev: WatchEvent<T> | undefined;
      try {
        ev = _event(
          line,
          this.#type,
          this.#ctx,
          this.#state === "eof" ? "a truncated last line" : undefined,
        );
      } catch (err) {
        return this.#fail(err);
      }
      if (ev) return Promise.resolve({ value: ev, done: false });
    }
    if (this.#state === "done") return Promise.resolve(DONE);
    if (this.#state === "eof") return this.return();
    const p = this.#fill();
    this.#busy = p;
    return p.then(
      () => {
        this.#busy = undefined;
        return this.next();
      },
      (err) => {
        this.#busy = undefined;
        return this.#fail(err);
      },
    );
  }

  async return(): Promise<IteratorResult<WatchEvent<T>, void>> {
    await this.#cleanup();
    return DONE;
  }

  async #fill(): Promise<void> {
    if (this.#state === "init") await this.#open();
    if (this.#state !== "open") return;
    this.#lastActivity = this.#clock.now();
    this.#waiting = true;
    const { value, done } = await this.#reader!.read();
    this.#lastActivity = this.#clock.now();
    this.#waiting = false;
    if (this.#state !== "open") return; // returned or failed while we waited
    this.#i = 0;
    if (done) {
      this.#state = "eof";
      const rest = this.#splitter.flush();
      this.#lines = rest.trim() === "" ? [] : [rest];
    } else {
      this.#lines = this.#splitter.push(value);
    }
  }

  async #open(): Promise<void> {
    this.#state = "open";
    const outer = this.#outer;
    outer?.throwIfAborted();
    outer?.addEventListener("abort", this.#onAbort, { once: true });
    // The idle timer counts only while we wait on the server: time the consumer spends
    // between events is not silence. It re-arms itself instead of being reset per chunk.
    this.#lastActivity = this.#clock.now();
    this.#timer = this.#clock.setTimeout(this.#onTimer, this.#idleMs);
    const res = await this.#t.request({ ...this.#spec, signal: this.#ac.signal });
    this.#onOpen?.();
    if (!res.body) {
      this.#state = "eof";
      return;
    }
    this.#reader = res.body.getReader();
  }

  #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#state === "done") return;
    const quiet = this.#clock.now() - this.#lastActivity;
    if (!this.#waiting || quiet < this.#idleMs) {
      this.#timer = this.#clock.setTimeout(
        this.#onTimer,
        this.#waiting ? this.#idleMs - quiet : this.#idleMs,
      );
      return;
    }
    this.#abortNow(new WatchIdleError(this.#idleMs, { path: this.#spec.path }));
  };

  async #fail(err: unknown): Promise<never> {
    const reason = this.#ac.signal.aborted ? this.#ac.signal.reason : err;
    await this.#cleanup();
    throw reason;
  }

  async #cleanup(): Promise<void> {
    if (this.#state === "done") return;
    this.#state = "done";
    this.#lines = [];
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#outer?.removeEventListener("abort", this.#onAbort);
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader) await reader.cancel().catch(() => {});
    this.#ac.abort();
  }
}

function _event<T extends KubeObject>(
  line: string,
  type: ResourceType<T>,
  ctx: { method: string; path: string },
  truncated?: string,
): WatchEvent<T> | undefined {
  let ev: { type?: unknown; object?: unknown };
  try {
    ev = JSON.parse(line);
  } catch (err) {
    if (line.trim() === "") return undefined;
    throw new WatchLineError(line, { reason: truncated ?? "invalid JSON", cause: err });
  }
  const obj = ev?.object;
  if (typeof obj !== "object" || obj === null) {
    throw new WatchLineError(line, { reason: "an event without an object" });
  }
  switch (ev.type) {
    case "ADDED":
    case "MODIFIED":
    case "DELETED": {
      if (!type.schema) return ev as WatchEvent<T>;
      const r = decodeObject(type, obj);
      if (r.ok) return { type: ev.type, object: r.value };
      return { type: "INVALID", eventType: ev.type, raw: obj as KubeObject, error: r.error };
    }
    case "BOOKMARK":
      return ev as WatchEvent<T>;
    case "ERROR": {
      const s = obj as Partial<Status>;
      throw ApiError.fromStatus({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        ...s,
        code: typeof s.code === "number" ? s.code : 500,
      } as Status, ctx);
    }
    default:
      throw new WatchLineError(line, { reason: `unknown event type ${JSON.stringify(ev.type)}` });
  }
}
