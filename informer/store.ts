/**
 * The informer's cache: objects keyed `namespace/name` (or `name` for cluster-scoped types),
 * a namespace index and user-defined indexes, all maintained incrementally.
 *
 * @module
 */
import { type KubeObject, objectKey } from "../client/types.ts";

/**
 * An index function: the index values an object is filed under (empty for none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type IndexFunc, MemoryStore } from "./store.ts";
 * const byApp: IndexFunc<{ metadata: { name?: string; labels?: Record<string, string> } }> = (o) =>
 *   o.metadata.labels?.app ? [o.metadata.labels.app] : [];
 * const store = new MemoryStore();
 * store.addIndex("app", byApp);
 * store.set({ metadata: { namespace: "a", name: "web-1", labels: { app: "web" } } });
 * store.set({ metadata: { namespace: "a", name: "db-1", labels: { app: "db" } } });
 * assert.deepEqual(store.byIndex("app", "web").map((o) => o.metadata.name), ["web-1"]);
 * ```
 */
export type IndexFunc<T> = (obj: T) => readonly string[];

/**
 * The read side of the cache that informers expose to users.
 *
 * Objects handed out are the cached objects themselves, not copies: treat them as read-only.
 * Mutating one corrupts the cache for every other reader (with `freeze: true` on the informer
 * they are frozen, so a mutation throws in strict mode).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore, type Store } from "./store.ts";
 * const cache = new MemoryStore();
 * cache.set({ metadata: { namespace: "a", name: "x", uid: "1", resourceVersion: "1" } });
 * // the read side, as `informer.store` hands it out
 * const store: Store = cache;
 * assert.equal(store.get("a/x")?.metadata.uid, "1");
 * assert.deepEqual(store.keys(), ["a/x"]);
 * assert.equal(store.size, 1);
 * ```
 */
export interface Store<T extends KubeObject = KubeObject> {
  /** The object with this key (`namespace/name` or `name`), or the cached version of `obj`. */
  get(keyOrObject: string | { metadata: { name?: string; namespace?: string } }): T | undefined;
  /** The object with this key, or undefined. */
  getByKey(key: string): T | undefined;
  /** Every cached object (a new array; the objects are shared). */
  list(): T[];
  /** The cached objects in one namespace. */
  listByNamespace(namespace: string): T[];
  /** The objects an index files under `value`. Throws for an unknown index name. */
  byIndex(name: string, value: string): T[];
  /** Every key. */
  keys(): string[];
  /** How many objects are cached. */
  readonly size: number;
  /** Adds a user-defined index; existing objects are indexed at once. */
  addIndex(name: string, fn: IndexFunc<T>): void;
}

/**
 * Options for {@linkcode MemoryStore}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore, type MemoryStoreOptions } from "./store.ts";
 * const options: MemoryStoreOptions = { freeze: true };
 * const store = new MemoryStore(options);
 * store.set({ metadata: { namespace: "a", name: "x" } });
 * assert.ok(Object.isFrozen(store.get("a/x")));
 * assert.ok(Object.isFrozen(store.get("a/x")?.metadata));
 * ```
 */
export interface MemoryStoreOptions {
  /** Freeze objects as they enter the cache (shallowly at each level; development aid). */
  freeze?: boolean;
}

const NAMESPACE_INDEX = "namespace";

/**
 * The in-memory implementation of {@linkcode Store}, with the writer methods the informer
 * uses. Writes are O(1) plus the cost of the index functions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "./store.ts";
 * const store = new MemoryStore();
 * store.set({ metadata: { namespace: "a", name: "x", uid: "1", resourceVersion: "1" } });
 * assert.equal(store.get("a/x")?.metadata.uid, "1");
 * assert.equal(store.listByNamespace("a").length, 1);
 * ```
 */
export class MemoryStore<T extends KubeObject = KubeObject> implements Store<T> {
  #items = new Map<string, T>();
  // The namespace index is kept apart: a key holds its namespace, so an update of a key never
  // moves it, and the hot path (watch updates) skips it entirely. It is built on the first
  // read by namespace (undefined until then, and again after a replace), so an informer that
  // never lists by namespace (most watch one namespace) never pays for it.
  #byNamespace: Map<string, Set<string>> | undefined;
  // User-defined indexes: name, function, value -> keys.
  #indexes: Array<{ name: string; fn: IndexFunc<T>; index: Map<string, Set<string>> }> = [];
  #freeze: boolean;

  /** Creates an empty store with the namespace index. */
  constructor(options: MemoryStoreOptions = {}) {
    this.#freeze = options.freeze ?? false;
  }

  /** {@inheritDoc Store.get} */
  get(keyOrObject: string | { metadata: { name?: string; namespace?: string } }): T | undefined {
    return this.#items.get(typeof keyOrObject === "string" ? keyOrObject : objectKey(keyOrObject));
  }

  /** {@inheritDoc Store.getByKey} */
  getByKey(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** {@inheritDoc Store.list} */
  list(): T[] {
    return [...this.#items.values()];
  }

  /** {@inheritDoc Store.listByNamespace} */
  listByNamespace(namespace: string): T[] {
    return this.#collect(this.#namespaceIndex().get(namespace));
  }

  /** {@inheritDoc Store.byIndex} */
  byIndex(name: string, value: string): T[] {
    if (name === NAMESPACE_INDEX) return this.listByNamespace(value);
    const entry = this.#indexes.find((i) => i.name === name);
    if (!entry) {
      throw new Error(
        `expected a registered index name (${
          [NAMESPACE_INDEX, ...this.#indexes.map((i) => i.name)].join(", ")
        }), found "${name}"`,
      );
    }
    return this.#collect(entry.index.get(value));
  }

  /** {@inheritDoc Store.keys} */
  keys(): string[] {
    return [...this.#items.keys()];
  }

  /** {@inheritDoc Store.size} */
  get size(): number {
    return this.#items.size;
  }

  /** {@inheritDoc Store.addIndex} */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (name === NAMESPACE_INDEX || this.#indexes.some((i) => i.name === name)) {
      throw new Error(`expected a new index name, found "${name}" already registered`);
    }
    const index = new Map<string, Set<string>>();
    for (const [key, obj] of this.#items) _file(index, fn(obj), key);
    this.#indexes.push({ name, fn, index });
  }

  /**
   * Inserts or replaces one object; returns the previous version. `key` may be passed when
   * the caller already computed `objectKey(obj)`.
   */
  set(obj: T, key: string = objectKey(obj)): T | undefined {
    if (this.#freeze) _freeze(obj);
    const old = this.#items.get(key);
    this.#items.set(key, obj);
    if (!old && this.#byNamespace) {
      const ns = obj.metadata.namespace;
      if (ns) _file(this.#byNamespace, [ns], key);
    }
    for (const { fn, index } of this.#indexes) {
      const values = fn(obj);
      if (old) {
        const was = fn(old);
        // Most updates keep their index values: leave the index alone then.
        if (_sameValues(was, values)) continue;
        _unfile(index, was, key);
      }
      _file(index, values, key);
    }
    return old;
  }

  /** Removes the object with `key`; returns it. */
  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#items.delete(key);
    const ns = old.metadata.namespace;
    if (ns && this.#byNamespace) _unfile(this.#byNamespace, [ns], key);
    for (const { fn, index } of this.#indexes) _unfile(index, fn(old), key);
    return old;
  }

  /**
   * Replaces the whole contents at once: the new maps are built aside and swapped in, so a
   * reader never sees half of the new list. `keys`, when given, holds each item's key in the
   * same order (the informer has computed them already).
   */
  replace(items: Iterable<T>, keys?: readonly string[]): void {
    const next = new Map<string, T>();
    let i = 0;
    for (const obj of items) {
      if (this.#freeze) _freeze(obj);
      next.set(keys ? keys[i++] : objectKey(obj), obj);
    }
    const indexes = this.#indexes.map(({ name, fn }) => {
      const index = new Map<string, Set<string>>();
      for (const [key, obj] of next) _file(index, fn(obj), key);
      return { name, fn, index };
    });
    this.#items = next;
    this.#byNamespace = undefined;
    this.#indexes = indexes;
  }

  #namespaceIndex(): Map<string, Set<string>> {
    if (this.#byNamespace) return this.#byNamespace;
    const index = new Map<string, Set<string>>();
    for (const [key, obj] of this.#items) {
      const ns = obj.metadata.namespace;
      if (!ns) continue;
      let keys = index.get(ns);
      if (!keys) index.set(ns, keys = new Set());
      keys.add(key);
    }
    return this.#byNamespace = index;
  }

  #collect(keys: Set<string> | undefined): T[] {
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) out.push(this.#items.get(k)!);
    return out;
  }
}

function _sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function _file(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const v of values) {
    let keys = index.get(v);
    if (!keys) index.set(v, keys = new Set());
    keys.add(key);
  }
}

function _unfile(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const v of values) {
    const keys = index.get(v);
    if (!keys) continue;
    keys.delete(key);
    if (keys.size === 0) index.delete(v);
  }
}

function _freeze(value: unknown): void {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) _freeze(v);
}
