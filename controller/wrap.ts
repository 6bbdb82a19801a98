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
 * const op: ResourceOperation = async (_obj, _ctx) => {};
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
 * const info: OperationInfo = { resource: "configmap", operation: "ensureCreated" };
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
 * import type { Middleware } from "./wrap.ts";
 * const skipDeletes: Middleware = (next, info) =>
 *   info.operation === "ensureDeleted" ? async () => {} : next;
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
 * const calls: string[] = [];
 * const trace: Middleware = (next, info) => async (obj, ctx) => {
 *   calls.push(`${info.resource}.${info.operation}`);
 *   await next(obj, ctx);
 * };
 * const r: Resource = { name: "r", ensureCreated: async () => {}, ensureDeleted: async () => {} };
 * const wrapped = wrap(r, trace);
 * wrapped.name; // "r"
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
