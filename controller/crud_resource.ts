/**
 * CRUD resources: a Resource split into "what is", "what should be", "what to change" and
 * "apply the change", as in giantswarm/operatorkit's `pkg/resource/crud`.
 *
 * @module
 */
import type { KubeObject } from "../client/types.ts";
import type { ReconcileContext, Resource } from "./resource.ts";

/**
 * The changes a CRUD resource wants applied; each absent (undefined) part is skipped. They
 * are applied in the order create, delete, update.
 *
 * @example
 * ```ts
 * import type { CrudPatch } from "./crud_resource.ts";
 * import assert from "node:assert/strict";
 * const p: CrudPatch<string[]> = { create: ["b"], delete: ["old"] };
 * assert.equal(p.update, undefined, "absent parts are skipped");
 * ```
 */
export interface CrudPatch<S> {
  /** State to create. */
  create?: S;
  /** State to update. */
  update?: S;
  /** State to delete. */
  delete?: S;
}

/**
 * The operations of a CRUD resource. `S` is the state type (one child object, a list, a
 * map, or `undefined` for "nothing there").
 *
 * @example
 * ```ts
 * import type { CrudOperations } from "./crud_resource.ts";
 * import type { KubeObject } from "../client/types.ts";
 * import assert from "node:assert/strict";
 * const ops: CrudOperations<KubeObject, string | undefined> = {
 *   name: "greeting",
 *   getCurrentState: async () => undefined,
 *   getDesiredState: async (obj) => `hello ${obj.metadata.name}`,
 *   newUpdatePatch: async (_obj, { current, desired }) =>
 *     current === undefined ? { create: desired } : current !== desired ? { update: desired } : {},
 *   newDeletePatch: async (_obj, { current }) => ({ delete: current }),
 *   applyCreateChange: async () => {},
 *   applyUpdateChange: async () => {},
 *   applyDeleteChange: async () => {},
 * };
 * assert.deepEqual(ops.name, "greeting");
 * ```
 */
export interface CrudOperations<T extends KubeObject, S> {
  /** The resource name. */
  name: string;
  /** Reads what exists now (usually from the cache or the API). */
  getCurrentState(obj: T, ctx: ReconcileContext<T>): Promise<S>;
  /** Computes what should exist for `obj`. */
  getDesiredState(obj: T, ctx: ReconcileContext<T>): Promise<S>;
  /** The changes that take `current` to `desired` (ensureCreated path). */
  newUpdatePatch(
    obj: T,
    input: { current: S; desired: S; ctx: ReconcileContext<T> },
  ): Promise<CrudPatch<S>>;
  /** The changes that remove what `obj` owns (ensureDeleted path). */
  newDeletePatch(
    obj: T,
    input: { current: S; desired: S; ctx: ReconcileContext<T> },
  ): Promise<CrudPatch<S>>;
  /** Creates `change`. Idempotent: "already exists" is success. */
  applyCreateChange(obj: T, input: { change: S; ctx: ReconcileContext<T> }): Promise<void>;
  /** Updates to `change`. */
  applyUpdateChange(obj: T, input: { change: S; ctx: ReconcileContext<T> }): Promise<void>;
  /** Deletes `change`. Idempotent: "not found" is success. */
  applyDeleteChange(obj: T, input: { change: S; ctx: ReconcileContext<T> }): Promise<void>;
}

/**
 * Builds a `Resource` from CRUD operations. Both paths read the current and desired state,
 * compute a patch (`newUpdatePatch` on ensureCreated, `newDeletePatch` on ensureDeleted),
 * then apply its create, delete and update changes. `ctx.cancelResource()` (or
 * `cancelReconciliation()`) called in any step stops before the next one. The result can be
 * wrapped with `wrap()` like any resource.
 *
 * @example
 * ```ts
 * import { crudResource } from "./crud_resource.ts";
 * import { createReconcileContext } from "./reconcile_context.ts";
 * import assert from "node:assert/strict";
 * const store = new Map<string, string>();
 * const r = crudResource<{ metadata: { name?: string } }, string | undefined>({
 *   name: "greeting",
 *   getCurrentState: async (obj) => store.get(obj.metadata.name!),
 *   getDesiredState: async (obj) => `hello ${obj.metadata.name}`,
 *   newUpdatePatch: async (_o, { current, desired }) =>
 *     current === undefined ? { create: desired } : current !== desired ? { update: desired } : {},
 *   newDeletePatch: async (_o, { current }) => ({ delete: current }),
 *   applyCreateChange: async (o, { change }) => void store.set(o.metadata.name!, change!),
 *   applyUpdateChange: async (o, { change }) => void store.set(o.metadata.name!, change!),
 *   applyDeleteChange: async (o) => void store.delete(o.metadata.name!),
 * });
 * const ctx = createReconcileContext({
 *   controller: "c",
 *   key: "a",
 *   type: { group: "", version: "v1", apiVersion: "v1", kind: "X", plural: "xs", namespaced: true },
 * });
 * await r.ensureCreated({ metadata: { name: "a" } }, ctx);
 * assert.equal(store.get("a"), "hello a");
 * await r.ensureDeleted({ metadata: { name: "a" } }, ctx);
 * assert.equal(store.size, 0);
 * ```
 */
export function crudResource<T extends KubeObject, S>(ops: CrudOperations<T, S>): Resource<T> {
  const run = async (
    obj: T,
    ctx: ReconcileContext<T>,
    newPatch: CrudOperations<T, S>["newUpdatePatch"],
  ): Promise<void> => {
    const current = await ops.getCurrentState(obj, ctx);
    if (ctx.resourceCanceled) return;
    const desired = await ops.getDesiredState(obj, ctx);
    if (ctx.resourceCanceled) return;
    const patch = await newPatch.call(ops, obj, { current, desired, ctx });
    if (ctx.resourceCanceled || !patch) return;
    if (patch.create !== undefined) {
      await ops.applyCreateChange(obj, { change: patch.create, ctx });
      if (ctx.resourceCanceled) return;
    }
    if (patch.delete !== undefined) {
      await ops.applyDeleteChange(obj, { change: patch.delete, ctx });
      if (ctx.resourceCanceled) return;
    }
    if (patch.update !== undefined) {
      await ops.applyUpdateChange(obj, { change: patch.update, ctx });
    }
  };
  return {
    name: ops.name,
    ensureCreated: (obj, ctx) => run(obj, ctx, ops.newUpdatePatch),
    ensureDeleted: (obj, ctx) => run(obj, ctx, ops.newDeletePatch),
  };
}
