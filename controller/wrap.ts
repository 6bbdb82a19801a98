/**
 * Composes resources with middleware.
 *
 * @module
 */
import type { KubeObject } from "../client/types.ts";
import type { ReconcileContext, Resource } from "./resource.ts";

/**
 * One resource operation: `ensureCreated` or `ensureDeleted`, bound to its resource.
 *
 * @example
 * ```ts
 * import type { ResourceOperation } from "./wrap.ts";
 * import { createReconcileContext } from "./reconcile_context.ts";
 * import assert from "node:assert/strict";
 * const names: string[] = [];
 * const op: ResourceOperation = async (obj) => void names.push(obj.metadata.name!);
 * const type = { group: "", version: "v1", apiVersion: "v1", kind: "X", plural: "xs", namespaced: true };
 * await op({ metadata: { name: "a" } }, createReconcileContext({ controller: "c", key: "a", type }));
 * assert.deepEqual(names, ["a"]);
 * ```
 */
export type ResourceOperation<T extends KubeObject = KubeObject> = (
  obj: T,
  ctx: ReconcileContext<T>,
) => Promise<void>;

/**
 * What a middleware learns about the operation it wraps.
 *
 * @example
 * ```ts
 * import type { OperationInfo } from "./wrap.ts";
 * import assert from "node:assert/strict";
 * const info: OperationInfo = { resource: "configmap", operation: "ensureCreated" };
 * assert.deepEqual(info.resource, "configmap");
 * ```
 */
export interface OperationInfo {
  /** The wrapped resource's name. */
  resource: string;
  /** Which operation. */
  operation: "ensureCreated" | "ensureDeleted";
}

/**
 * A middleware turns an operation into another one, usually calling `next` around its own
 * work. Middlewares must be generic in the object type so they fit any resource.
 *
 * @example
 * ```ts
 * import { type Middleware, wrap } from "./wrap.ts";
 * import { createReconcileContext } from "./reconcile_context.ts";
 * import assert from "node:assert/strict";
 * const skipDeletes: Middleware = (next, info) =>
 *   info.operation === "ensureDeleted" ? async () => {} : next;
 * let deleted = 0;
 * const r = wrap({ name: "r", ensureCreated: async () => {}, ensureDeleted: async () => void deleted++ }, skipDeletes);
 * const type = { group: "", version: "v1", apiVersion: "v1", kind: "X", plural: "xs", namespaced: true };
 * await r.ensureDeleted({ metadata: {} }, createReconcileContext({ controller: "c", key: "a", type }));
 * assert.equal(deleted, 0);
 * ```
 */
export type Middleware = <T extends KubeObject>(
  next: ResourceOperation<T>,
  info: OperationInfo,
) => ResourceOperation<T>;

/**
 * Wraps `resource` with `middlewares`; the first middleware is the outermost, so
 * `wrap(r, logging(), retry())` logs once around all retries. The result keeps the
 * resource's name.
 *
 * @example
 * ```ts
 * import { wrap, type Middleware } from "./wrap.ts";
 * import type { Resource } from "./resource.ts";
 * import assert from "node:assert/strict";
 * const calls: string[] = [];
 * const trace: Middleware = (next, info) => async (obj, ctx) => {
 *   calls.push(`${info.resource}.${info.operation}`);
 *   await next(obj, ctx);
 * };
 * const r: Resource = { name: "r", ensureCreated: async () => {}, ensureDeleted: async () => {} };
 * const wrapped = wrap(r, trace);
 * assert.deepEqual(wrapped.name, "r");
 * ```
 */
export function wrap<T extends KubeObject>(
  resource: Resource<T>,
  ...middlewares: Middleware[]
): Resource<T> {
  const build = (operation: OperationInfo["operation"]): ResourceOperation<T> => {
    let op: ResourceOperation<T> = (obj, ctx) => resource[operation](obj, ctx);
    const info: OperationInfo = { resource: resource.name, operation };
    for (let i = middlewares.length - 1; i >= 0; i--) op = middlewares[i](op, info);
    return op;
  };
  const created = build("ensureCreated");
  const deleted = build("ensureDeleted");
  return {
    name: resource.name,
    ensureCreated: created,
    ensureDeleted: deleted,
    ...(resource.finally ? { finally: true } : {}),
  };
}
