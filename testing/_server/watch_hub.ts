// Open watches and event fan-out (rules 7.x). Each event line is serialized once per output
// variant and the same bytes are enqueued to every watcher that wants them.
import type { Clock, TimerHandle } from "../../client/clock.ts";
import { type Rec, recJson, type Store, type StoreEvent } from "./store.ts";
import type { Obj } from "./util.ts";

const encoder = new TextEncoder();

/** How one watch renders objects; watchers with equal `variant` share serialized lines. */
export interface WatchRender {
  /** Cache key for the rendering, e.g. `json|v1` or `meta`. */
  variant: string;
  /** Object JSON for an event object; undefined = the stored JSON as is. */
  encode?: (obj: Obj) => string;
  /** The bookmark object's kind and apiVersion. */
  bookmarkKind: string;
  bookmarkApiVersion: string;
}

/** What one watch asked for. */
export interface WatchSpec {
  storeKey: string;
  namespace?: string;
  matches?: (obj: Obj) => boolean;
  render: WatchRender;
  bookmarks: boolean;
  timeoutMs?: number;
}

type LineKind = "ADDED" | "MODIFIED" | "DELETED" | "GONE";

/** One open watch stream. */
export class Watcher {
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #timers: TimerHandle[] = [];
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  closed = false;
  silenced = false;
  readonly stream: ReadableStream<Uint8Array>;

  constructor(readonly spec: WatchSpec, readonly hub: WatchHub) {
    this.stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
      },
      cancel: () => this.close(),
    });
  }

  /** True when `obj` is in this watch's namespace and selectors. */
  matches(obj: Obj): boolean {
    if (this.spec.namespace && (obj.metadata as Obj).namespace !== this.spec.namespace) {
      return false;
    }
    return this.spec.matches ? this.spec.matches(obj) : true;
  }

  /**
   * Queues bytes unless closed or silenced. Lines queued in the same tick (a replay, a burst
   * of GC deletes) go out as one chunk at the end of the tick: fewer writes, same order.
   */
  send(bytes: Uint8Array): void {
    if (this.closed || this.silenced) return;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    if (this.#pending.length === 1) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    const parts = this.#pending;
    if (parts.length === 0) return;
    let chunk = parts[0];
    if (parts.length > 1) {
      chunk = new Uint8Array(this.#pendingBytes);
      let at = 0;
      for (const p of parts) {
        chunk.set(p, at);
        at += p.length;
      }
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.closed || this.silenced) return;
    try {
      this.#controller.enqueue(chunk);
    } catch {
      this.close();
    }
  }

  /** Sends a BOOKMARK at the store's current RV (rule 7.7). */
  bookmark(initialEnd = false): void {
    const r = this.spec.render;
    const metadata: Obj = { resourceVersion: String(this.hub.store.rv) };
    if (initialEnd) metadata.annotations = { "k8s.io/initial-events-end": "true" };
    const object = { kind: r.bookmarkKind, apiVersion: r.bookmarkApiVersion, metadata };
    this.send(encoder.encode(JSON.stringify({ type: "BOOKMARK", object }) + "\n"));
  }

  /** Starts the bookmark and timeout timers. */
  startTimers(): void {
    const { clock, bookmarkIntervalMs } = this.hub;
    if (this.spec.bookmarks && bookmarkIntervalMs > 0) {
      const tick = () => {
        if (this.closed) return;
        this.bookmark();
        this.#timers[0] = clock.setTimeout(tick, bookmarkIntervalMs);
      };
      this.#timers[0] = clock.setTimeout(tick, bookmarkIntervalMs);
    }
    const timeout = this.spec.timeoutMs;
    if (timeout !== undefined) {
      // rule 7.7: a last bookmark shortly before the timeout (1 s, or at it for short ones)
      const early = timeout > 2000 ? 1000 : 0;
      if (this.spec.bookmarks && early > 0) {
        this.#timers[2] = clock.setTimeout(() => this.bookmark(), timeout - early);
      }
      this.#timers[1] = clock.setTimeout(() => {
        if (this.silenced) return;
        if (this.spec.bookmarks && early === 0) this.bookmark();
        this.close();
      }, timeout);
    }
  }

  /** Ends the stream cleanly and unregisters. */
  close(): void {
    if (this.closed) return;
    this.#flush();
    this.closed = true;
    for (const t of this.#timers) if (t !== undefined) this.hub.clock.clearTimeout(t);
    this.#timers = [];
    this.hub.unregister(this);
    try {
      this.#controller.close();
    } catch {
      // already cancelled by the client
    }
  }
}

/** A line no client can read as a watch event (fault injection). */
const GARBAGE = encoder.encode("{this is not a watch event\n");

/** Registry of open watches; the store's listener. */
export class WatchHub {
  #byType = new Map<string, Set<Watcher>>();
  /** While true, every new watch starts with a garbage line (fault injection). */
  garbage = false;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly bookmarkIntervalMs: number,
  ) {
    store.listeners.push((e) => this.publish(e));
  }

  /** Opens a watch; the caller sends initial lines before returning to the event loop. */
  open(spec: WatchSpec): Watcher {
    const w = new Watcher(spec, this);
    let set = this.#byType.get(spec.storeKey);
    if (!set) this.#byType.set(spec.storeKey, set = new Set());
    set.add(w);
    if (this.garbage) w.send(GARBAGE);
    return w;
  }

  /** Sends one garbage line to every open watch. */
  sendGarbage(): void {
    for (const w of this.all()) w.send(GARBAGE);
  }

  /** Removes a closed watcher. */
  unregister(w: Watcher): void {
    this.#byType.get(w.spec.storeKey)?.delete(w);
  }

  /** The serialized line for an object in a watcher's rendering. */
  line(render: WatchRender, type: string, rec: Rec): Uint8Array {
    const objJson = render.encode ? render.encode(rec.obj) : recJson(rec);
    return encoder.encode(`{"type":"${type}","object":${objJson}}\n`);
  }

  #eventLine(w: Watcher, e: StoreEvent, kind: LineKind): Uint8Array {
    const r = w.spec.render;
    const key = `${r.variant}|${kind}`;
    const lines = e.lines ??= new Map();
    let bytes = lines.get(key);
    if (!bytes) {
      const rec: Rec = kind === "GONE"
        ? {
          key: e.rec.key,
          obj: {
            ...e.prev!.obj,
            metadata: { ...(e.prev!.obj.metadata as Obj), resourceVersion: String(e.rv) },
          },
        }
        : e.rec;
      bytes = this.line(r, kind === "GONE" ? "DELETED" : kind, rec);
      lines.set(key, bytes);
    }
    return bytes;
  }

  /** Sends `e` to `w` with selector transitions (rule 7.6). */
  deliver(w: Watcher, e: StoreEvent): void {
    const prevM = e.prev ? w.matches(e.prev.obj) : false;
    if (e.type === "DELETED") {
      if (prevM) w.send(this.#eventLine(w, e, "DELETED"));
      return;
    }
    const curM = w.matches(e.rec.obj);
    if (curM) w.send(this.#eventLine(w, e, prevM ? "MODIFIED" : "ADDED"));
    else if (prevM) w.send(this.#eventLine(w, e, "GONE"));
  }

  /** Fans one store event out to the watchers of its type. */
  publish(e: StoreEvent): void {
    const set = this.#byType.get(e.storeKey);
    if (!set || set.size === 0) return;
    for (const w of set) this.deliver(w, e);
  }

  /** Every open watcher. */
  all(): Watcher[] {
    return [...this.#byType.values()].flatMap((s) => [...s]);
  }

  /** Ends every open watch (clean end of body). */
  closeAll(): void {
    for (const w of this.all()) w.close();
  }

  /** Open watches stop sending until closed. */
  silenceAll(): void {
    for (const w of this.all()) w.silenced = true;
  }

  /** Ends the watches of one type (its CRD went away). */
  closeType(storeKey: string): void {
    for (const w of [...(this.#byType.get(storeKey) ?? [])]) w.close();
  }
}
