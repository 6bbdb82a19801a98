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
 * const o: WatchStreamOptions = { idleTimeoutMs: 90_000 };
 * ```
 */
export interface WatchStreamOptions {
  /** End the stream with `WatchIdleError` after this long without bytes. */
  idleTimeoutMs: number;
  /** Clock for the idle timer. */
  clock?: Clock;
  /** Cancels the watch and releases the body. */
  signal?: AbortSignal;
}

/**
 * The idle timeout for a watch: `idleTimeoutMs` if given, else `timeoutSeconds` (default
 * 3600, the API server's longest) plus a 30 s margin.
 *
 * @example
 * ```ts
 * import { watchIdleTimeoutMs } from "./watch.ts";
 * watchIdleTimeoutMs({ timeoutSeconds: 60 }); // 90000
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
 * Opens a watch request and yields its events. Ends normally when the server closes the
 * stream; throws `ApiError` for an HTTP error or an `ERROR` event (410 Expired looks the same
 * in both forms), `WatchIdleError` when no bytes arrive for `idleTimeoutMs`, and
 * `WatchLineError` for a line that is not a watch event. Objects failing the type's schema
 * are yielded as `INVALID` events.
 *
 * @example
 * ```ts ignore
 * for await (const ev of watchEvents(transport, ConfigMaps, {
 *   method: "GET",
 *   path: "/api/v1/configmaps",
 *   query: { watch: 1 },
 * }, { idleTimeoutMs: 90_000 })) {
 *   console.log(ev.type);
 * }
 * ```
 */
export async function* watchEvents<T extends KubeObject>(
  transport: Transport,
  type: ResourceType<T>,
  spec: RequestSpec,
  options: WatchStreamOptions,
): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const clock = options.clock ?? systemClock;
  const idleMs = options.idleTimeoutMs;
  const outer = options.signal;
  outer?.throwIfAborted();
  const ac = new AbortController();
  const onAbort = () => ac.abort(outer!.reason);
  outer?.addEventListener("abort", onAbort, { once: true });

  // The idle timer only counts while we wait on the server: time the consumer spends between
  // events is not silence. It re-arms itself instead of being replaced on every chunk.
  let waiting = true;
  let lastActivity = clock.now();
  let timer: TimerHandle | undefined;
  const onTimer = () => {
    timer = undefined;
    const quiet = clock.now() - lastActivity;
    if (!waiting || quiet < idleMs) {
      timer = clock.setTimeout(onTimer, waiting ? idleMs - quiet : idleMs);
      return;
    }
    ac.abort(new WatchIdleError(idleMs, { path: spec.path }));
  };
  timer = clock.setTimeout(onTimer, idleMs);

  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    const res = await transport.request({ ...spec, signal: ac.signal });
    if (!res.body) return;
    reader = res.body.getReader();
    const splitter = new _LineSplitter();
    const ctx = { method: spec.method, path: spec.path };
    for (;;) {
      lastActivity = clock.now();
      waiting = true;
      const { value, done } = await reader.read();
      if (done) break;
      lastActivity = clock.now();
      waiting = false;
      const lines = splitter.push(value);
      for (let i = 0; i < lines.length; i++) {
        const ev = _event(lines[i], type, ctx);
        if (ev) yield ev;
      }
    }
    const rest = splitter.flush();
    if (rest.trim() !== "") {
      // The stream ended in the middle of a line: report it unless it happens to be whole.
      const ev = _event(rest, type, ctx, "a truncated last line");
      if (ev) yield ev;
    }
  } catch (err) {
    if (ac.signal.aborted) throw ac.signal.reason;
    throw err;
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
    outer?.removeEventListener("abort", onAbort);
    if (reader) await reader.cancel().catch(() => {});
    ac.abort();
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
