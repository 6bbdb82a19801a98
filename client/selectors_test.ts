import assert from "node:assert/strict";
import { fieldSelector, labelSelector } from "./selectors.ts";

Deno.test("labelSelector builds every requirement form", () => {
  assert.equal(
    labelSelector({
      app: "web",
      "example.com/tier": { notEquals: "db" },
      env: { in: ["prod", "staging"] },
      zone: { notIn: ["a"] },
      canary: true,
      legacy: false,
    }),
    "app=web,example.com/tier!=db,env in (prod,staging),zone notin (a),canary,!legacy",
  );
  assert.equal(labelSelector({}), "");
});

Deno.test("labelSelector rejects keys and values that would change the selector", () => {
  assert.throws(() => labelSelector({ "a,b": "x" }), /expected a label key/);
  assert.throws(() => labelSelector({ a: "x,b=y" }), /expected a label value for a/);
  assert.throws(() => labelSelector({ a: { in: [] } }), /non-empty value list/);
  assert.throws(() => labelSelector({ a: { in: ["x)"] } }), /label value/);
  assert.throws(() => labelSelector({ a: 3 as unknown as string }), /expected a string, boolean/);
});

Deno.test("fieldSelector escapes values", () => {
  assert.equal(
    fieldSelector({ "metadata.name": "a,b=c\\d", "status.phase": { notEquals: "Running" } }),
    "metadata.name=a\\,b\\=c\\\\d,status.phase!=Running",
  );
  assert.throws(() => fieldSelector({ "a b": "x" }), /expected a field path/);
});
