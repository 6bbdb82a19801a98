import assert from "node:assert/strict";
import { parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import { ApiStatusError } from "./status.ts";

const obj = (labels: Record<string, string>) => ({
  metadata: { name: "n", namespace: "ns", labels },
});

Deno.test("label selector: every operator, AND by comma, != and notin match missing keys", () => {
  const m = (s: string, labels: Record<string, string>) => parseLabelSelector(s)!(obj(labels));
  assert.equal(m("a=1", { a: "1" }), true);
  assert.equal(m("a==1", { a: "2" }), false);
  assert.equal(m("a!=1", {}), true);
  assert.equal(m("a in (1, 2)", { a: "2" }), true);
  assert.equal(m("a notin (1,2)", {}), true);
  assert.equal(m("a notin (1,2)", { a: "1" }), false);
  assert.equal(m("a", { a: "" }), true);
  assert.equal(m("!a", { a: "" }), false);
  assert.equal(m("a=1,b in (x),!c", { a: "1", b: "x" }), true);
  assert.equal(parseLabelSelector(""), undefined);
});

Deno.test("label selector: syntax errors are 400 Status errors", () => {
  for (const bad of ["a in (", "=1", "a=(", "a=b=c", "a,,b"]) {
    assert.throws(
      () => parseLabelSelector(bad),
      (e) => e instanceof ApiStatusError && e.status.code === 400,
      bad,
    );
  }
});

Deno.test("field selector: name/namespace and extra fields; unknown fields are 400", () => {
  const m = parseFieldSelector("metadata.name=n,metadata.namespace!=x", {
    namespaced: true,
    extra: [],
  })!;
  assert.equal(m(obj({})), true);
  const phase = parseFieldSelector("status.phase=Running", {
    namespaced: true,
    extra: ["status.phase"],
  })!;
  assert.equal(phase({ metadata: {}, status: { phase: "Running" } }), true);
  assert.throws(
    () => parseFieldSelector("metadata.namespace=x", { namespaced: false, extra: [] }),
    /is not a known field selector/,
  );
});
