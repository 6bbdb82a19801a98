import assert from "node:assert/strict";
import { applyMergePatch } from "./merge_patch.ts";

// RFC 7386 Appendix A, one vector per row.
const rfcVectors: [unknown, unknown, unknown][] = [
  [{ a: "b" }, { a: "c" }, { a: "c" }],
  [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  [{ a: "b" }, { a: null }, {}],
  [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
  [{ a: ["b"] }, { a: "c" }, { a: "c" }],
  [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
  [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  [["a", "b"], ["c", "d"], ["c", "d"]],
  [{ a: "b" }, ["c"], ["c"]],
  [{ a: "foo" }, null, null],
  [{ a: "foo" }, "bar", "bar"],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: "b", c: null }, { a: "b" }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

rfcVectors.forEach(([target, patch, expected], i) => {
  Deno.test(`applyMergePatch: RFC 7386 Appendix A row ${i + 1}`, () => {
    const targetBefore = structuredClone(target);
    const patchBefore = structuredClone(patch);
    assert.deepEqual(applyMergePatch(target, patch), expected);
    assert.deepEqual(target, targetBefore);
    assert.deepEqual(patch, patchBefore);
  });
});

Deno.test("applyMergePatch: the RFC 7386 section 3 example", () => {
  const target = {
    title: "Goodbye!",
    author: { givenName: "John", familyName: "Doe" },
    tags: ["example", "sample"],
    content: "This will be unchanged",
  };
  const patch = {
    title: "Hello!",
    phoneNumber: "+01-123-456-7890",
    author: { familyName: null },
    tags: ["example"],
  };
  assert.deepEqual(applyMergePatch(target, patch), {
    title: "Hello!",
    author: { givenName: "John" },
    tags: ["example"],
    content: "This will be unchanged",
    phoneNumber: "+01-123-456-7890",
  });
});

Deno.test("applyMergePatch: a missing target is treated as an empty object", () => {
  assert.deepEqual(applyMergePatch(undefined, { a: { b: 1, c: null } }), { a: { b: 1 } });
});

Deno.test("applyMergePatch: a kubernetes label removal and data change", () => {
  const cm = {
    metadata: { name: "a", labels: { app: "x", tier: "y" } },
    data: { k: "v" },
  };
  assert.deepEqual(
    applyMergePatch(cm, { metadata: { labels: { tier: null } }, data: { k: "w", n: "1" } }),
    { metadata: { name: "a", labels: { app: "x" } }, data: { k: "w", n: "1" } },
  );
});

Deno.test("applyMergePatch: the result shares nothing with the inputs", () => {
  const target = { keep: { deep: [1] } };
  const patch = { add: { deep: [2] } };
  const out = applyMergePatch(target, patch) as Record<string, { deep: number[] }>;
  out.keep.deep.push(9);
  out.add.deep.push(9);
  assert.deepEqual(target, { keep: { deep: [1] } });
  assert.deepEqual(patch, { add: { deep: [2] } });
});

Deno.test("applyMergePatch: __proto__ is an ordinary member", () => {
  const out = applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":true}}')) as object;
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ["__proto__"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
