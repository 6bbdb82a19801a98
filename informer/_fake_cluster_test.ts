// An in-memory ListWatch with fault injection, for informer unit tests and the fault
// convergence test. It follows the API rules the informer relies on: one RV counter, paged
// lists at one RV, watch from RV N yields only changes after N, 410 for compacted RVs (as an
// error thrown from the watch, as the client reports both forms), bookmarks, streaming lists.
import type {
  DecodedList,
  KubeObject,
  ListOptions,
  ListWatch,
  ResourceType,
  WatchEvent,
  WatchOptions,
} from "../client/types.ts";
import { objectKey } from "../client/types.ts";

export type Obj = KubeObject & { data?: Record<string, string> };

export const CM_TYPE: ResourceType<Obj> = {
  group: "",
  version: "v1",
  apiVersion: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  namespaced: true,
};

export class FakeApiError extends Error {
  constructor(readonly code: number, reason: string) {
    super(`${code} ${reason}`);
    this.name = "ApiError";
    (this as unknown as { reason: string }).reason = reason;
  }
}

interface _Watcher {
  push(e: WatchEvent<Obj> | { end: true } | { fault: unknown }): void;
  silent: boolean;
}

type HistoryEntry = { rv: number; type: "ADDED" | "MODIFIED" | "DELETED"; obj: Obj };

export class FakeCluster implements ListWatch<Obj> {
  readonly type: ResourceType<Obj> = CM_TYPE;
  objects = new Map<string, Obj>();
  history: HistoryEntry[] = [];
  rv = 1;
  compactedRv = 0;
  streamingSupported = false;
  listCalls: ListOptions[] = [];
  watchCalls: WatchOptions[] = [];
  /** Raw objects (by key) that the decoder rejects. */
  invalidKeys = new Set<string>();
  #failures: Array<{ code: number; on: "list" | "watch" | "any" }> = [];
  #watchers = new Set<_Watcher>();
  #uid = 0;
  #snapshots = new Map<string, { rv: number; items: Obj[] }>();

  get activeWatches(): number {
    return this.#watchers.size;
  }

  create(
    ns: string,
    name: string,
    data: Record<string, string> = {},
    extra: Partial<Obj["metadata"]> = {},
  ): Obj {
    const key = `${ns}/${name}`;
    if (this.objects.has(key)) throw new Error(`exists: ${key}`);
    const obj: Obj = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        namespace: ns,
        name,
        uid: `uid-${++this.#uid}`,
        resourceVersion: String(++this.rv),
        ...extra,
      },
      data,
    };
    this.objects.set(key, obj);
    this.#emit("ADDED", obj);
    return obj;
  }

  update(key: string, data: Record<string, string>, extra: Partial<Obj["metadata"]> = {}): Obj {
    const cur = this.objects.get(key);
    if (!cur) throw new Error(`missing: ${key}`);
    const obj: Obj = {
      ...cur,
      metadata: { ...cur.metadata, ...extra, resourceVersion: String(++this.rv) },
      data,
    };
    this.objects.set(key, obj);
    this.#emit("MODIFIED", obj);
    return obj;
  }

  delete(key: string): void {
    const cur = this.objects.get(key);
    if (!cur) throw new Error(`missing: ${key}`);
    this.objects.delete(key);
    const obj = { ...cur, metadata: { ...cur.metadata, resourceVersion: String(++this.rv) } };
    this.#emit("DELETED", obj);
  }

  /** The next `n` calls (of `on`) fail with `code`. */
  failNext(n: number, code: number, on: "list" | "watch" | "any" = "any"): void {
    for (let i = 0; i < n; i++) this.#failures.push({ code, on });
  }

  /** Open watches end with `err` (a broken line, a reset connection). */
  breakWatches(err: unknown): void {
    for (const w of this.#watchers) w.push({ fault: err });
  }

  /** Forgets failures not yet taken. */
  clearFailures(): void {
    this.#failures = [];
  }

  /** Ends every open watch cleanly (like timeoutSeconds). */
  endWatches(): void {
    for (const w of this.#watchers) w.push({ end: true });
  }

  /** Open watches stop delivering anything, forever (until their client gives up). */
  silenceWatches(): void {
    for (const w of this.#watchers) w.silent = true;
  }

  /** Forgets history: watches from older RVs get 410; open watches end with 410. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
    this.#snapshots.clear();
    for (const w of this.#watchers) w.push({ fault: new FakeApiError(410, "Expired") });
  }

  /** Sends a bookmark at the current RV to open watches. */
  bookmark(): void {
    for (const w of this.#watchers) {
      w.push({
        type: "BOOKMARK",
        object: {
          kind: "ConfigMap",
          apiVersion: "v1",
          metadata: { resourceVersion: String(this.rv) },
        },
      });
    }
  }

  #takeFailure(on: "list" | "watch"): void {
    const i = this.#failures.findIndex((f) => f.on === on || f.on === "any");
    if (i < 0) return;
    const [f] = this.#failures.splice(i, 1);
    throw new FakeApiError(f.code, f.code === 410 ? "Expired" : "InternalError");
  }

  #emit(type: "ADDED" | "MODIFIED" | "DELETED", obj: Obj): void {
    const rv = Number(obj.metadata.resourceVersion);
    this.history.push({ rv, type, obj });
    for (const w of this.#watchers) w.push(this.#toEvent(type, obj));
  }

  #toEvent(type: "ADDED" | "MODIFIED" | "DELETED", obj: Obj): WatchEvent<Obj> {
    const copy = structuredClone(obj);
    if (this.invalidKeys.has(objectKey(obj))) {
      return {
        type: "INVALID",
        eventType: type,
        raw: copy,
        error: {
          key: objectKey(obj),
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
          issues: [{ path: ["data"], message: "invalid" }],
          message: `${objectKey(obj)}: data: invalid`,
        },
      };
    }
    return { type, object: copy };
  }

  list(options: ListOptions = {}): Promise<DecodedList<Obj>> {
    this.listCalls.push(options);
    try {
      this.#takeFailure("list");
    } catch (e) {
      return Promise.reject(e);
    }
    let snap: { rv: number; items: Obj[] };
    if (options.continue) {
      const s = this.#snapshots.get(options.continue);
      if (!s) return Promise.reject(new FakeApiError(410, "Expired"));
      snap = s;
    } else {
      const items = [...this.objects.values()]
        .filter((o) => !options.namespace || o.metadata.namespace === options.namespace)
        .sort((a, b) => objectKey(a) < objectKey(b) ? -1 : 1);
      snap = { rv: this.rv, items };
    }
    const start = options.continue ? Number(options.continue.split(":")[1]) : 0;
    const limit = options.limit ?? snap.items.length;
    const page = snap.items.slice(start, start + limit);
    let cont: string | undefined;
    if (start + limit < snap.items.length) {
      cont = `${this.#snapshots.size}-${Math.random()}:${start + limit}`;
      this.#snapshots.set(cont, snap);
    }
    const result: DecodedList<Obj> = {
      metadata: { resourceVersion: String(snap.rv), continue: cont },
      items: [],
      invalid: [],
    };
    for (const o of page) {
      const ev = this.#toEvent("ADDED", o);
      if (ev.type === "INVALID") result.invalid.push({ raw: ev.raw, error: ev.error });
      else {
        const copy = ev.object as Obj;
        if (options.metadataOnly) delete copy.data;
        result.items.push(copy);
      }
    }
    return Promise.resolve(result);
  }

  watch(options: WatchOptions = {}): AsyncIterable<WatchEvent<Obj>> {
    this.watchCalls.push(options);
    // deno-lint-ignore no-this-alias
    const cluster = this;
    return {
      async *[Symbol.asyncIterator]() {
        cluster.#takeFailure("watch");
        if (options.sendInitialEvents && !cluster.streamingSupported) {
          throw new FakeApiError(422, "Invalid");
        }
        const queue: Array<WatchEvent<Obj> | { end: true } | { fault: unknown }> = [];
        let wake: (() => void) | undefined;
        const w: _Watcher = {
          silent: false,
          push(e) {
            if (w.silent) return;
            queue.push(e);
            wake?.();
          },
        };
        if (options.sendInitialEvents) {
          for (const o of [...cluster.objects.values()]) queue.push(cluster.#toEvent("ADDED", o));
          queue.push({
            type: "BOOKMARK",
            object: {
              kind: "ConfigMap",
              apiVersion: "v1",
              metadata: {
                resourceVersion: String(cluster.rv),
                annotations: { "k8s.io/initial-events-end": "true" },
              },
            },
          });
        } else {
          const from = Number(options.resourceVersion ?? "0");
          if (from < cluster.compactedRv) throw new FakeApiError(410, "Expired");
          for (const h of cluster.history) {
            if (h.rv > from) queue.push(cluster.#toEvent(h.type, h.obj));
          }
        }
        cluster.#watchers.add(w);
        options.onOpen?.();
        const signal = options.signal;
        const onAbort = () => wake?.();
        signal?.addEventListener("abort", onAbort);
        try {
          for (;;) {
            if (signal?.aborted) throw signal.reason;
            const e = queue.shift();
            if (!e) {
              await new Promise<void>((r) => wake = r);
              wake = undefined;
              continue;
            }
            if ("end" in e) return;
            if ("fault" in e) throw e.fault;
            yield e;
          }
        } finally {
          signal?.removeEventListener("abort", onAbort);
          cluster.#watchers.delete(w);
        }
      },
    };
  }
}
