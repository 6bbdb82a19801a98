// deno-lint-ignore-file require-await
import assert from "node:assert/strict";
import type { KubeObject } from "../client/types.ts";
import { type CrudOperations, crudResource } from "./crud_resource.ts";
import { retry } from "./middlewares.ts";
import { wrap } from "./wrap.ts";
import { obj, testContext } from "./_test_util.ts";

type State = Map<string, string>;

function ops(store: State, trace: string[], cancelAt?: string): CrudOperations<KubeObject, State> {
  const step = (name: string, ctx: { cancelResource(): void }) => {
    trace.push(name);
    if (name === cancelAt) ctx.cancelResource();
  };
  return {
    name: "kv",
    getCurrentState: async (_o, ctx) => {
      step("current", ctx);
      return new Map(store);
    },
    getDesiredState: async (_o, ctx) => {
      step("desired", ctx);
      return new Map([["a", "1"], ["b", "2"]]);
    },
    newUpdatePatch: async (_o, { current, desired, ctx }) => {
      step("updatePatch", ctx);
      const create = new Map([...desired].filter(([k]) => !current.has(k)));
      const update = new Map(
        [...desired].filter(([k, v]) => current.has(k) && current.get(k) !== v),
      );
      const del = new Map([...current].filter(([k]) => !desired.has(k)));
      return { create, update, delete: del };
    },
    newDeletePatch: async (_o, { current, ctx }) => {
      step("deletePatch", ctx);
      return { delete: current };
    },
    applyCreateChange: async (_o, { change, ctx }) => {
      step("create", ctx);
      for (const [k, v] of change) store.set(k, v);
    },
    applyUpdateChange: async (_o, { change, ctx }) => {
      step("update", ctx);
      for (const [k, v] of change) store.set(k, v);
    },
    applyDeleteChange: async (_o, { change, ctx }) => {
      step("delete", ctx);
      for (const k of change.keys()) store.delete(k);
    },
  };
}

Deno.test("crudResource ensureCreated computes and applies create, delete, update in order", async () => {
  const store: State = new Map([["a", "old"], ["z", "gone"]]);
  const trace: string[] = [];
  const r = crudResource(ops(store, trace));
  assert.equal(r.name, "kv");
  const { ctx } = testContext();
  await r.ensureCreated(obj, ctx);
  assert.deepEqual(trace, ["current", "desired", "updatePatch", "create", "delete", "update"]);
  assert.deepEqual([...store].sort(), [["a", "1"], ["b", "2"]]);
});

Deno.test("crudResource ensureDeleted uses newDeletePatch", async () => {
  const store: State = new Map([["a", "1"]]);
  const trace: string[] = [];
  const { ctx } = testContext();
  await crudResource(ops(store, trace)).ensureDeleted(obj, ctx);
  assert.deepEqual(trace, ["current", "desired", "deletePatch", "delete"]);
  assert.equal(store.size, 0);
});

Deno.test("crudResource stops between steps after cancelResource", async () => {
  for (
    const [at, expected] of [
      ["current", ["current"]],
      ["desired", ["current", "desired"]],
      ["updatePatch", ["current", "desired", "updatePatch"]],
      ["create", ["current", "desired", "updatePatch", "create"]],
      ["delete", ["current", "desired", "updatePatch", "create", "delete"]],
    ] as const
  ) {
    const trace: string[] = [];
    const { ctx, flow } = testContext();
    await crudResource(ops(new Map([["z", "x"]]), trace, at)).ensureCreated(obj, ctx);
    assert.deepEqual(trace, expected, `cancel at ${at}`);
    assert.equal(flow.resourceCanceled, true);
  }
});

Deno.test("crudResource stops after cancelReconciliation too, and wraps like any resource", async () => {
  const trace: string[] = [];
  const o = ops(new Map(), trace);
  const r = crudResource({
    ...o,
    getDesiredState: async (x, ctx) => {
      ctx.cancelReconciliation();
      return await o.getDesiredState(x, ctx);
    },
  });
  const { ctx, flow } = testContext();
  await wrap(r, retry({ attempts: 2, baseDelayMs: 1 })).ensureCreated(obj, ctx);
  assert.deepEqual(trace, ["current", "desired"]);
  assert.equal(flow.reconciliationCanceled, true);
});

Deno.test("crudResource skips absent changes and propagates errors", async () => {
  const trace: string[] = [];
  const o = ops(new Map(), trace);
  const r = crudResource({ ...o, newUpdatePatch: async () => ({}) });
  const { ctx } = testContext();
  await r.ensureCreated(obj, ctx);
  assert.deepEqual(trace, ["current", "desired"]);
  const bad = crudResource({ ...o, applyCreateChange: () => Promise.reject(new Error("denied")) });
  await assert.rejects(bad.ensureCreated(obj, ctx), /denied/);
});
