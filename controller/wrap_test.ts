// deno-lint-ignore-file require-await
import assert from "node:assert/strict";
import type { Resource } from "./resource.ts";
import { type Middleware, wrap } from "./wrap.ts";
import { obj, testContext } from "./_test_util.ts";

Deno.test("wrap composes middlewares outermost first and keeps the name", async () => {
  const trace: string[] = [];
  const tag = (t: string): Middleware => (next, info) => async (o, ctx) => {
    trace.push(`${t}>${info.operation}`);
    await next(o, ctx);
    trace.push(`${t}<`);
  };
  const r: Resource = {
    name: "inner",
    ensureCreated: async () => void trace.push("created"),
    ensureDeleted: async () => void trace.push("deleted"),
  };
  const w = wrap(r, tag("a"), tag("b"));
  assert.equal(w.name, "inner");
  const { ctx } = testContext();
  await w.ensureCreated(obj, ctx);
  await w.ensureDeleted(obj, ctx);
  assert.deepEqual(trace, [
    "a>ensureCreated",
    "b>ensureCreated",
    "created",
    "b<",
    "a<",
    "a>ensureDeleted",
    "b>ensureDeleted",
    "deleted",
    "b<",
    "a<",
  ]);
});
