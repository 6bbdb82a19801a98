/**
 * Dispatch: informer events to handlers and async iterators, each through its own buffer so a
 * slow consumer never makes the reflector drop events.
 *
 * Buffering and its bound: every handler (and every `events()` iterator) has a FIFO buffer.
 * When any buffer holds `maxBuffered` events or more, the reflector stops reading its watch
 * until that buffer drains below the bound; nothing is dropped. If a consumer stays stuck for
 * long enough that the server forgets the watch position, the informer relists and diffs, so
 * the consumer later receives the net changes instead of every intermediate version. One
 * relist can push a buffer past the bound by up to the size of the list.
 *
 * @module
 */
import { _getLogger as getLogger } from "../client/_log.ts";
import type { KubeObject } from "../client/types.ts";

/**
 * An event as handlers and `events()` see it. `resync` marks periodic replays of unchanged
 * objects, so they can be told from real updates; a replay of an object that carries a
 * deletionTimestamp arrives as a `delete` with `resync: true`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import type { InformerEvent } from "./dispatch.ts";
 * import { Informer } from "./informer.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const configMaps = client.resource(ConfigMaps);
 * await configMaps.create({ metadata: { name: "web", namespace: "default" } });
 * await using informer = new Informer(configMaps, { namespace: "default" });
 * const events = informer.events();
 * informer.start();
 * const first: InformerEvent = (await events.next()).value;
 * assert.equal(`${first.type} ${first.object.metadata.name}`, "add web");
 * ```
 */
export type InformerEvent<T extends KubeObject = KubeObject> =
  | { type: "add"; object: T }
  | { type: "update"; old: T; object: T }
  | {
    type: "delete";
    object: T;
    /** True when the deletion was inferred by a relist, so `object` is the last cached state. */
    finalStateUnknown: boolean;
    /** True for a resync replay of an object being deleted (it is still in the cache). */
    resync: boolean;
  }
  | { type: "resync"; object: T };

/**
 * Callbacks for informer events. Each may be async: the next event for this handler waits
 * for it. A throwing handler is logged and does not stop the informer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ConfigMap, ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import type { EventHandler } from "./dispatch.ts";
 * import { Informer } from "./informer.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const configMaps = client.resource(ConfigMaps);
 * await configMaps.create({ metadata: { name: "web", namespace: "default" } });
 * await using informer = new Informer(configMaps, { namespace: "default" });
 * const seen: string[] = [];
 * const deleted = Promise.withResolvers<void>();
 * const handler: EventHandler<ConfigMap> = {
 *   onAdd: (cm) => void seen.push(`add ${cm.metadata.name}`),
 *   onDelete: (cm, info) => {
 *     seen.push(`delete ${cm.metadata.name} finalStateUnknown=${info.finalStateUnknown}`);
 *     deleted.resolve();
 *   },
 * };
 * informer.addHandler(handler);
 * informer.start();
 * await informer.ready();
 * await configMaps.delete("web", { namespace: "default" });
 * await deleted.promise;
 * assert.deepEqual(seen, ["add web", "delete web finalStateUnknown=false"]);
 * ```
 */
export interface EventHandler<T extends KubeObject = KubeObject> {
  /** A new object (also the current contents, for handlers added after sync). */
  onAdd?(obj: T): void | Promise<void>;
  /** A changed object: the previous and the new version. */
  onUpdate?(oldObj: T, newObj: T): void | Promise<void>;
  /** A deleted object, or a resync replay of one with a deletionTimestamp. */
  onDelete?(
    obj: T,
    info: { finalStateUnknown: boolean; resync: boolean },
  ): void | Promise<void>;
  /** A periodic replay of a cached object that is not being deleted. */
  onResync?(obj: T): void | Promise<void>;
}

class _Queue<E> {
  #items: E[] = [];
  #head = 0;
  get length(): number {
    return this.#items.length - this.#head;
  }
  push(e: E): void {
    this.#items.push(e);
  }
  shift(): E | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const e = this.#items[this.#head];
    (this.#items as unknown[])[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return e;
  }
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

interface _Subscriber<T extends KubeObject> {
  queue: _Queue<InformerEvent<T>>;
  // Handler subscribers have `deliver`; iterator subscribers are pulled instead.
  deliver?: (e: InformerEvent<T>) => void | Promise<void>;
  handler?: EventHandler<T>;
  pumping?: Promise<void>;
  running: boolean;
  wake?: () => void;
  closed: boolean;
}

/** Options for {@linkcode Dispatcher}. */
export interface DispatcherOptions {
  /**
   * Per-consumer buffer bound before the reflector pauses.
   * @default {10_000}
   */
  maxBuffered?: number;
  /** Logger category suffix (the resource). */
  resource?: string;
}

/**
 * Fans events out to handlers and iterators with per-consumer buffers. Used by `Informer`;
 * exported for tests and custom sources.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Dispatcher } from "./dispatch.ts";
 * const d = new Dispatcher();
 * const seen: string[] = [];
 * d.addHandler({ onAdd: (o) => void seen.push(o.metadata.name!) }, []);
 * d.publish({ type: "add", object: { metadata: { name: "a" } } });
 * await d.idle();
 * assert.deepEqual(seen, ["a"]);
 * await d.close();
 * ```
 */
export class Dispatcher<T extends KubeObject = KubeObject> {
  #subs = new Set<_Subscriber<T>>();
  #maxBuffered: number;
  #roomWaiters: Array<() => void> = [];
  #idleWaiters: Array<() => void> = [];
  #closed = false;
  #log;

  /** Creates a dispatcher with no consumers. */
  constructor(options: DispatcherOptions = {}) {
    this.#maxBuffered = options.maxBuffered ?? 10_000;
    if (!(this.#maxBuffered >= 1)) {
      throw new RangeError(`expected maxBuffered >= 1, found ${this.#maxBuffered}`);
    }
    this.#log = getLogger(["operatorkit", "informer", options.resource ?? "dispatch"]);
  }

  /** How many consumers are registered. */
  get consumers(): number {
    return this.#subs.size;
  }

  /** Queues `event` for every consumer. */
  publish(event: InformerEvent<T>): void {
    if (this.#closed) return;
    for (const s of this.#subs) {
      s.queue.push(event);
      this.#kick(s);
    }
  }

  /**
   * True when some consumer reads events of `type`: an iterator reads every event, a handler
   * those it has a method for (looked up now, as delivery does). The informer skips building
   * events nobody reads, such as the initial list's adds when no handler has `onAdd`.
   */
  wants(type: InformerEvent<T>["type"]): boolean {
    const method = _METHOD[type];
    for (const s of this.#subs) {
      if (!s.handler || typeof s.handler[method] === "function") return true;
    }
    return false;
  }

  /** True when some consumer's buffer is at the bound. */
  full(): boolean {
    if (this.#subs.size === 0) return false;
    for (const s of this.#subs) if (s.queue.length >= this.#maxBuffered) return true;
    return false;
  }

  /** Resolves once every buffer is below the bound (or the dispatcher closes). */
  waitForRoom(signal?: AbortSignal): Promise<void> {
    if (!this.full() || this.#closed) return Promise.resolve();
    return this.#waitOn(this.#roomWaiters, signal);
  }

  /** Resolves once every buffer is empty and no handler is running. */
  idle(signal?: AbortSignal): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return this.#waitOn(this.#idleWaiters, signal);
  }

  /**
   * Registers `handler`; `initial` objects are queued to it first as adds (the cache contents
   * for a handler added after sync). Returns a function that unregisters it.
   */
  addHandler(handler: EventHandler<T>, initial: Iterable<T>): () => void {
    const sub: _Subscriber<T> = {
      queue: new _Queue(),
      closed: false,
      running: false,
      deliver: (e) => _deliver(handler, e),
      handler,
    };
    for (const object of initial) sub.queue.push({ type: "add", object });
    if (!this.#closed) this.#subs.add(sub);
    this.#kick(sub);
    return () => this.#remove(sub);
  }

  /**
   * An async iterator of events; `initial` objects come first as adds. Ends when the
   * dispatcher closes, `signal` aborts, or the loop breaks.
   */
  events(initial: Iterable<T>, signal?: AbortSignal): AsyncIterableIterator<InformerEvent<T>> {
    const sub: _Subscriber<T> = { queue: new _Queue(), closed: this.#closed, running: false };
    for (const object of initial) sub.queue.push({ type: "add", object });
    if (!this.#closed) this.#subs.add(sub);
    const onAbort = () => this.#remove(sub);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) this.#remove(sub);
    const it: AsyncIterableIterator<InformerEvent<T>> = {
      next: async (): Promise<IteratorResult<InformerEvent<T>>> => {
        for (;;) {
          const e = sub.queue.shift();
          if (e) {
            this.#afterShift(sub);
            return { value: e, done: false };
          }
          if (sub.closed) {
            signal?.removeEventListener("abort", onAbort);
            return { value: undefined, done: true };
          }
          this.#notifyIdle();
          await new Promise<void>((resolve) => sub.wake = resolve);
          sub.wake = undefined;
        }
      },
      return: (): Promise<IteratorResult<InformerEvent<T>>> => {
        signal?.removeEventListener("abort", onAbort);
        this.#remove(sub);
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }

  /** Stops every consumer (pending events are dropped) and waits for running handlers. */
  async close(): Promise<void> {
    this.#closed = true;
    const running: Promise<void>[] = [];
    for (const s of [...this.#subs]) {
      if (s.pumping) running.push(s.pumping);
      this.#remove(s);
    }
    await Promise.all(running);
    this.#flush(this.#roomWaiters);
    this.#flush(this.#idleWaiters);
  }

  #remove(sub: _Subscriber<T>): void {
    sub.closed = true;
    sub.queue.clear();
    this.#subs.delete(sub);
    sub.wake?.();
    this.#afterShift(sub);
  }

  #kick(sub: _Subscriber<T>): void {
    if (!sub.deliver) {
      sub.wake?.();
      return;
    }
    if (sub.running || sub.queue.length === 0) return;
    // Synchronous handlers are called right here, with no promise or microtask per event; the
    // first promise a handler returns hands the rest of the queue to an async pump. `running`
    // keeps a re-entrant publish (from inside a handler) from delivering out of order.
    sub.running = true;
    for (;;) {
      const e = sub.queue.shift();
      if (!e || sub.closed) break;
      this.#afterShift(sub);
      let r: void | Promise<void>;
      try {
        r = sub.deliver(e);
      } catch (err) {
        this.#handlerError(e, err);
        continue;
      }
      if (r !== undefined && typeof (r as Promise<void>).then === "function") {
        sub.pumping = this.#pump(sub, r, e);
        return;
      }
    }
    sub.running = false;
    this.#notifyIdle();
  }

  async #pump(sub: _Subscriber<T>, pending: Promise<void>, first: InformerEvent<T>): Promise<void> {
    try {
      await pending;
    } catch (err) {
      this.#handlerError(first, err);
    }
    for (;;) {
      const e = sub.queue.shift();
      if (!e || sub.closed) break;
      this.#afterShift(sub);
      try {
        await sub.deliver!(e);
      } catch (err) {
        this.#handlerError(e, err);
      }
    }
    sub.running = false;
    // An event may have arrived between the last shift and clearing `running`.
    if (!sub.closed && sub.queue.length > 0) this.#kick(sub);
    else this.#notifyIdle();
  }

  #handlerError(e: InformerEvent<T>, err: unknown): void {
    this.#log.error("informer handler threw on {eventType} of {key}: {error}", {
      eventType: e.type,
      key: `${e.object.metadata.namespace ?? ""}/${e.object.metadata.name ?? ""}`,
      error: err,
    });
  }

  #afterShift(sub: _Subscriber<T>): void {
    if (this.#roomWaiters.length && sub.queue.length < this.#maxBuffered && !this.full()) {
      this.#flush(this.#roomWaiters);
    }
  }

  #isIdle(): boolean {
    for (const s of this.#subs) {
      if (s.queue.length > 0 || s.running) return false;
    }
    return true;
  }

  #notifyIdle(): void {
    if (this.#idleWaiters.length && this.#isIdle()) this.#flush(this.#idleWaiters);
  }

  #flush(waiters: Array<() => void>): void {
    const all = waiters.splice(0);
    for (const w of all) w();
  }

  #waitOn(waiters: Array<() => void>, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        reject(signal!.reason);
      };
      const done = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      waiters.push(done);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

const _METHOD = {
  add: "onAdd",
  update: "onUpdate",
  delete: "onDelete",
  resync: "onResync",
} as const;

function _deliver<T extends KubeObject>(
  h: EventHandler<T>,
  e: InformerEvent<T>,
): void | Promise<void> {
  switch (e.type) {
    case "add":
      return h.onAdd?.(e.object);
    case "update":
      return h.onUpdate?.(e.old, e.object);
    case "delete":
      return h.onDelete?.(e.object, { finalStateUnknown: e.finalStateUnknown, resync: e.resync });
    case "resync":
      return h.onResync?.(e.object);
  }
}
