/**
 * Finalizer handling: guarded JSON patches that add or remove one finalizer, and the memory
 * of completed deletions.
 *
 * @module
 */
import type { Clock } from "../client/clock.ts";
import type { KubeObject } from "../client/types.ts";
import { _isConflictLike, _isNotFound } from "./_errors.ts";

/**
 * One RFC 6902 operation.
 *
 * @example
 * ```ts
 * import type { JsonPatchOperation } from "./finalizer.ts";
 * import assert from "node:assert/strict";
 * const op: JsonPatchOperation = { op: "remove", path: "/metadata/finalizers/0" };
 * assert.deepEqual(op.op, "remove");
 * ```
 */
export type JsonPatchOperation =
  | { op: "add" | "replace" | "test"; path: string; value: unknown }
  | { op: "remove"; path: string };

/**
 * The writes the controller makes to primary objects. A controller builds it from its
 * client; tests may implement it in memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { KubeObject } from "../client/types.ts";
 * import { ensureFinalizer, type JsonPatchOperation, type PrimaryApi } from "./finalizer.ts";
 * // an in-memory PrimaryApi, as a test may pass to a controller (`api`)
 * let stored: KubeObject = { metadata: { name: "a", namespace: "default", resourceVersion: "1" } };
 * const patches: JsonPatchOperation[][] = [];
 * const api: PrimaryApi<KubeObject> = {
 *   get: () => Promise.resolve(stored),
 *   jsonPatch: (_obj, { operations }) => {
 *     patches.push(operations);
 *     stored = { metadata: { ...stored.metadata, finalizers: ["demo.io/cleanup"], resourceVersion: "2" } };
 *     return Promise.resolve(stored);
 *   },
 * };
 * const written = await ensureFinalizer(api, stored, { finalizer: "demo.io/cleanup" });
 * assert.deepEqual(written?.metadata.finalizers, ["demo.io/cleanup"]);
 * assert.deepEqual(patches[0].at(-1), { op: "add", path: "/metadata/finalizers", value: ["demo.io/cleanup"] });
 * ```
 */
export interface PrimaryApi<T extends KubeObject> {
  /** Reads the object from the API server (not a cache); undefined when it is gone. */
  get(obj: T, options?: { signal?: AbortSignal }): Promise<T | undefined>;
  /** Applies a JSON patch to the object named like `obj`; returns the patched object. */
  jsonPatch(
    obj: T,
    options: { operations: JsonPatchOperation[]; signal?: AbortSignal },
  ): Promise<T>;
}

/**
 * True when `obj` lists `finalizer`.
 *
 * @example
 * ```ts
 * import { hasFinalizer } from "./finalizer.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(hasFinalizer({ metadata: { finalizers: ["a/b"] } }, "a/b"), true);
 * ```
 */
export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata.finalizers?.includes(finalizer) ?? false;
}

/**
 * The guarded patch that appends `finalizer`. With finalizers present it tests the whole
 * list first, so a concurrent change to the list fails the patch instead of being
 * overwritten; with none it tests the resourceVersion, since RFC 6902 cannot test for a
 * missing member. A failed test is a 422, which callers treat like a conflict.
 *
 * @example
 * ```ts
 * import { addFinalizerPatch } from "./finalizer.ts";
 * addFinalizerPatch({ metadata: { finalizers: ["x/y"] } }, "a/b");
 * // [{ op: "test", path: "/metadata/finalizers", value: ["x/y"] },
 * //  { op: "add", path: "/metadata/finalizers/-", value: "a/b" }]
 * ```
 */
export function addFinalizerPatch(obj: KubeObject, finalizer: string): JsonPatchOperation[] {
  const list = obj.metadata.finalizers;
  if (list && list.length > 0) {
    return [
      { op: "test", path: "/metadata/finalizers", value: [...list] },
      { op: "add", path: "/metadata/finalizers/-", value: finalizer },
    ];
  }
  return [
    { op: "test", path: "/metadata/resourceVersion", value: obj.metadata.resourceVersion },
    { op: "add", path: "/metadata/finalizers", value: [finalizer] },
  ];
}

/**
 * The guarded patch that removes `finalizer` by index, testing that the index still holds
 * it; undefined when `obj` does not carry it.
 *
 * @example
 * ```ts
 * import { removeFinalizerPatch } from "./finalizer.ts";
 * removeFinalizerPatch({ metadata: { finalizers: ["x/y", "a/b"] } }, "a/b");
 * // [{ op: "test", path: "/metadata/finalizers/1", value: "a/b" },
 * //  { op: "remove", path: "/metadata/finalizers/1" }]
 * ```
 */
export function removeFinalizerPatch(
  obj: KubeObject,
  finalizer: string,
): JsonPatchOperation[] | undefined {
  const i = obj.metadata.finalizers?.indexOf(finalizer) ?? -1;
  if (i < 0) return undefined;
  return [
    { op: "test", path: `/metadata/finalizers/${i}`, value: finalizer },
    { op: "remove", path: `/metadata/finalizers/${i}` },
  ];
}

/**
 * Error thrown when a finalizer patch kept conflicting.
 *
 * @example
 * ```ts
 * import { FinalizerConflictError } from "./finalizer.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(new FinalizerConflictError("add", "default/a", 5).name, "FinalizerConflictError");
 * ```
 */
export class FinalizerConflictError extends Error {
  /** Creates the error. */
  constructor(action: "add" | "remove", key: string, attempts: number, options?: ErrorOptions) {
    super(
      `Expected to ${action} the finalizer of ${key}, found a conflicting change on each of ${attempts} attempts`,
      options,
    );
    this.name = "FinalizerConflictError";
  }
}

/**
 * Adds `finalizer` to `obj` unless present, retrying with a fresh read on conflict.
 * Returns the object as written, the fresh object when no write was needed or possible
 * (already present, or the object is being deleted: no finalizer may be added then), or
 * undefined when the object is gone.
 *
 * @example
 * ```ts ignore
 * const updated = await ensureFinalizer(api, obj, { finalizer: "demo.io/cleanup" });
 * ```
 */
export async function ensureFinalizer<T extends KubeObject>(
  api: PrimaryApi<T>,
  obj: T,
  options: { finalizer: string; signal?: AbortSignal; attempts?: number },
): Promise<T | undefined> {
  const attempts = options.attempts ?? 5;
  let current: T | undefined = obj;
  for (let attempt = 1;; attempt++) {
    if (!current) return undefined;
    if (hasFinalizer(current, options.finalizer) || current.metadata.deletionTimestamp) {
      return current;
    }
    try {
      return await api.jsonPatch(current, {
        operations: addFinalizerPatch(current, options.finalizer),
        signal: options.signal,
      });
    } catch (err) {
      if (_isNotFound(err)) return undefined;
      if (!_isConflictLike(err)) throw err;
      if (attempt >= attempts) {
        throw new FinalizerConflictError("add", _key(obj), attempts, { cause: err });
      }
      current = await api.get(current, { signal: options.signal });
    }
  }
}

/**
 * Removes `finalizer` from `obj`, retrying with a fresh read on conflict. Resolves when the
 * finalizer is gone (including when the object itself is gone).
 *
 * @example
 * ```ts ignore
 * await removeFinalizer(api, obj, { finalizer: "demo.io/cleanup" });
 * ```
 */
export async function removeFinalizer<T extends KubeObject>(
  api: PrimaryApi<T>,
  obj: T,
  options: { finalizer: string; signal?: AbortSignal; attempts?: number },
): Promise<void> {
  const attempts = options.attempts ?? 5;
  let current: T | undefined = obj;
  for (let attempt = 1;; attempt++) {
    if (!current) return;
    const operations = removeFinalizerPatch(current, options.finalizer);
    if (!operations) return;
    try {
      await api.jsonPatch(current, { operations, signal: options.signal });
      return;
    } catch (err) {
      if (_isNotFound(err)) return;
      if (!_isConflictLike(err)) throw err;
      if (attempt >= attempts) {
        throw new FinalizerConflictError("remove", _key(obj), attempts, { cause: err });
      }
      current = await api.get(current, { signal: options.signal });
    }
  }
}

/**
 * Remembers the uids whose deletion completed (finalizer removed) for `ttlMs`, so that late
 * or duplicated events for them do not run `ensureDeleted` again. A restarted process has
 * an empty memory and runs deletion again for objects that still carry the finalizer; that
 * is why `ensureDeleted` must be idempotent.
 *
 * @example
 * ```ts
 * import { CompletedDeletions } from "./finalizer.ts";
 * import { FakeClock } from "../testing/fake_clock.ts";
 * import assert from "node:assert/strict";
 * const clock = new FakeClock(0);
 * const done = new CompletedDeletions({ ttlMs: 1000, clock });
 * done.add("uid-1");
 * assert.deepEqual(done.has("uid-1"), true);
 * clock.tick(1000);
 * assert.deepEqual(done.has("uid-1"), false);
 * ```
 */
export class CompletedDeletions {
  readonly #ttl: number;
  readonly #clock: Clock;
  readonly #expiry = new Map<string, number>();

  /** Creates an empty memory. */
  constructor(options: { ttlMs: number; clock: Clock }) {
    this.#ttl = options.ttlMs;
    this.#clock = options.clock;
  }

  /** Remembers `uid` for the TTL. */
  add(uid: string): void {
    this.#prune();
    this.#expiry.delete(uid);
    this.#expiry.set(uid, this.#clock.now() + this.#ttl);
  }

  /** True while `uid` is remembered. */
  has(uid: string): boolean {
    const at = this.#expiry.get(uid);
    if (at === undefined) return false;
    if (at <= this.#clock.now()) {
      this.#expiry.delete(uid);
      return false;
    }
    return true;
  }

  /** How many uids are remembered (expired ones included until pruned). */
  get size(): number {
    return this.#expiry.size;
  }

  // Insertion order equals expiry order (constant TTL), so pruning stops at the first live one.
  #prune(): void {
    const now = this.#clock.now();
    for (const [uid, at] of this.#expiry) {
      if (at > now) break;
      this.#expiry.delete(uid);
    }
  }
}

function _key(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : `${name}`;
}
