/**
 * Predicates: which primary-object events lead to a reconcile.
 *
 * @module
 */
import type { KubeObject } from "../client/types.ts";

/**
 * An informer event as predicates see it. `old` is set for updates.
 *
 * @example
 * ```ts
 * import type { PredicateEvent } from "./predicates.ts";
 * import assert from "node:assert/strict";
 * const e: PredicateEvent = { type: "add", object: { metadata: { name: "a" } } };
 * assert.deepEqual(e.type, "add");
 * ```
 */
export interface PredicateEvent<T extends KubeObject = KubeObject> {
  /** The event type. */
  type: "add" | "update" | "delete";
  /** The object (the new state for updates). */
  object: T;
  /** The previous state, for updates. */
  old?: T;
}

/**
 * Decides whether an event enqueues its object. The controller requires every predicate to
 * pass; resyncs bypass predicates (they exist to reconcile unchanged objects).
 *
 * @example
 * ```ts
 * import type { Predicate } from "./predicates.ts";
 * import assert from "node:assert/strict";
 * const onlyProd: Predicate = (e) => e.object.metadata.labels?.env === "prod";
 * assert.equal(onlyProd({ type: "add", object: { metadata: { labels: { env: "dev" } } } }), false);
 * ```
 */
export type Predicate<T extends KubeObject = KubeObject> = (event: PredicateEvent<T>) => boolean;

function _deletionStarted(e: PredicateEvent): boolean {
  return !!e.object.metadata.deletionTimestamp && !e.old?.metadata.deletionTimestamp;
}

/**
 * Passes updates that changed `metadata.generation` (spec changes), or started deletion, or
 * changed the finalizers; passes adds and deletes. Use it to ignore status-only writes,
 * including the controller's own.
 *
 * @example
 * ```ts
 * import { generationChanged } from "./predicates.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(generationChanged({
 *   type: "update",
 *   old: { metadata: { generation: 1 } },
 *   object: { metadata: { generation: 1 } },
 * }), false);
 * ```
 */
export function generationChanged(e: PredicateEvent): boolean {
  return e.type !== "update" || e.old?.metadata.generation !== e.object.metadata.generation ||
    _deletionStarted(e) ||
    JSON.stringify(e.old?.metadata.finalizers) !== JSON.stringify(e.object.metadata.finalizers);
}

/**
 * Passes updates whose labels changed; passes adds and deletes.
 *
 * @example
 * ```ts
 * import { labelsChanged } from "./predicates.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(labelsChanged({
 *   type: "update",
 *   old: { metadata: { labels: { a: "1" } } },
 *   object: { metadata: { labels: { a: "2" } } },
 * }), true);
 * ```
 */
export function labelsChanged(e: PredicateEvent): boolean {
  return e.type !== "update" || !_sameMap(e.old?.metadata.labels, e.object.metadata.labels);
}

/**
 * Passes updates whose annotations changed; passes adds and deletes.
 *
 * @example
 * ```ts
 * import { annotationsChanged } from "./predicates.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(annotationsChanged({ type: "add", object: { metadata: {} } }), true);
 * ```
 */
export function annotationsChanged(e: PredicateEvent): boolean {
  return e.type !== "update" ||
    !_sameMap(e.old?.metadata.annotations, e.object.metadata.annotations);
}

/**
 * Passes when any of `predicates` passes (the controller itself requires all of them).
 *
 * @example
 * ```ts
 * import { anyOf, generationChanged, labelsChanged } from "./predicates.ts";
 * import assert from "node:assert/strict";
 * const p = anyOf(generationChanged, labelsChanged);
 * const old = { metadata: { generation: 1, labels: { a: "1" } } };
 * assert.equal(p({ type: "update", old, object: { metadata: { generation: 1 } } }), true);
 * assert.equal(p({ type: "update", old, object: old }), false);
 * ```
 */
export function anyOf<T extends KubeObject>(...predicates: Predicate<T>[]): Predicate<T> {
  return (e) => predicates.some((p) => p(e));
}

function _sameMap(a?: Record<string, string>, b?: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  for (const k of ka) if (a![k] !== b?.[k]) return false;
  return true;
}
