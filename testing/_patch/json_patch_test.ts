import assert from "node:assert/strict";
import { applyJsonPatch, PatchError } from "./json_patch.ts";

interface Vector {
  name: string;
  doc: unknown;
  patch: unknown;
  expected?: unknown;
  error?: "BadRequest" | "Invalid";
}

// RFC 6902 Appendix A, one vector per example.
const rfcVectors: Vector[] = [
  {
    name: "A.1 adding an object member",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz", value: "qux" }],
    expected: { baz: "qux", foo: "bar" },
  },
  {
    name: "A.2 adding an array element",
    doc: { foo: ["bar", "baz"] },
    patch: [{ op: "add", path: "/foo/1", value: "qux" }],
    expected: { foo: ["bar", "qux", "baz"] },
  },
  {
    name: "A.3 removing an object member",
    doc: { baz: "qux", foo: "bar" },
    patch: [{ op: "remove", path: "/baz" }],
    expected: { foo: "bar" },
  },
  {
    name: "A.4 removing an array element",
    doc: { foo: ["bar", "qux", "baz"] },
    patch: [{ op: "remove", path: "/foo/1" }],
    expected: { foo: ["bar", "baz"] },
  },
  {
    name: "A.5 replacing a value",
    doc: { baz: "qux", foo: "bar" },
    patch: [{ op: "replace", path: "/baz", value: "boo" }],
    expected: { baz: "boo", foo: "bar" },
  },
  {
    name: "A.6 moving a value",
    doc: { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
    patch: [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
    expected: { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
  },
  {
    name: "A.7 moving an array element",
    doc: { foo: ["all", "grass", "cows", "eat"] },
    patch: [{ op: "move", from: "/foo/1", path: "/foo/3" }],
    expected: { foo: ["all", "cows", "eat", "grass"] },
  },
  {
    name: "A.8 testing a value: success",
    doc: { baz: "qux", foo: ["a", 2, "c"] },
    patch: [{ op: "test", path: "/baz", value: "qux" }, { op: "test", path: "/foo/1", value: 2 }],
    expected: { baz: "qux", foo: ["a", 2, "c"] },
  },
  {
    name: "A.9 testing a value: error",
    doc: { baz: "qux" },
    patch: [{ op: "test", path: "/baz", value: "bar" }],
    error: "Invalid",
  },
  {
    name: "A.10 adding a nested member object",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/child", value: { grandchild: {} } }],
    expected: { foo: "bar", child: { grandchild: {} } },
  },
  {
    name: "A.11 ignoring unrecognized elements",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz", value: "qux", xyz: 123 }],
    expected: { foo: "bar", baz: "qux" },
  },
  {
    name: "A.12 adding to a nonexistent target",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz/bat", value: "qux" }],
    error: "Invalid",
  },
  {
    // Duplicate "op": JSON.parse keeps the last one (remove), and /baz does not exist.
    name: "A.13 invalid JSON patch document",
    doc: { foo: "bar" },
    patch: JSON.parse('[{ "op": "add", "path": "/baz", "value": "qux", "op": "remove" }]'),
    error: "Invalid",
  },
  {
    name: "A.14 ~ escape ordering",
    doc: { "/": 9, "~1": 10 },
    patch: [{ op: "test", path: "/~01", value: 10 }],
    expected: { "/": 9, "~1": 10 },
  },
  {
    name: "A.15 comparing strings and numbers",
    doc: { "/": 9, "~1": 10 },
    patch: [{ op: "test", path: "/~01", value: "10" }],
    error: "Invalid",
  },
  {
    name: "A.16 adding an array value",
    doc: { foo: ["bar"] },
    patch: [{ op: "add", path: "/foo/-", value: ["abc", "def"] }],
    expected: { foo: ["bar", ["abc", "def"]] },
  },
];

const moreVectors: Vector[] = [
  {
    name: "~1 addresses a key containing a slash",
    doc: { metadata: { labels: { "app.kubernetes.io/name": "x" } } },
    patch: [{ op: "replace", path: "/metadata/labels/app.kubernetes.io~1name", value: "y" }],
    expected: { metadata: { labels: { "app.kubernetes.io/name": "y" } } },
  },
  {
    name: "copy deep-copies the value",
    doc: { a: { b: [1] } },
    patch: [{ op: "copy", from: "/a", path: "/c" }, { op: "add", path: "/c/b/-", value: 2 }],
    expected: { a: { b: [1] }, c: { b: [1, 2] } },
  },
  {
    name: "replace keeps the member order",
    doc: { a: 1, b: 2, c: 3 },
    patch: [{ op: "replace", path: "/b", value: 9 }],
    expected: { a: 1, b: 9, c: 3 },
  },
  {
    name: "empty path replaces the whole document",
    doc: { a: 1 },
    patch: [{ op: "replace", path: "", value: [1] }],
    expected: [1],
  },
  {
    name: "add at the end index appends",
    doc: [1, 2],
    patch: [{ op: "add", path: "/2", value: 3 }],
    expected: [1, 2, 3],
  },
  {
    name: "test compares objects regardless of key order",
    doc: { a: { x: 1, y: [1, { z: null }] } },
    patch: [{ op: "test", path: "/a", value: { y: [1, { z: null }], x: 1 } }],
    expected: { a: { x: 1, y: [1, { z: null }] } },
  },
  {
    name: "the finalizer idiom: test then remove",
    doc: { metadata: { finalizers: ["a", "b"] } },
    patch: [
      { op: "test", path: "/metadata/finalizers/1", value: "b" },
      { op: "remove", path: "/metadata/finalizers/1" },
    ],
    expected: { metadata: { finalizers: ["a"] } },
  },
  {
    name: "move to the same path is a no-op",
    doc: { a: 1 },
    patch: [{ op: "move", from: "/a", path: "/a" }],
    expected: { a: 1 },
  },
  { name: "an empty patch is a no-op", doc: { a: 1 }, patch: [], expected: { a: 1 } },
  // Invalid: the op is well-formed but cannot apply.
  {
    name: "index past the end",
    doc: [1],
    patch: [{ op: "add", path: "/5", value: 1 }],
    error: "Invalid",
  },
  {
    name: "leading zero index",
    doc: [1, 2],
    patch: [{ op: "remove", path: "/01" }],
    error: "Invalid",
  },
  { name: "remove - ", doc: [1], patch: [{ op: "remove", path: "/-" }], error: "Invalid" },
  {
    name: "replace missing",
    doc: {},
    patch: [{ op: "replace", path: "/a", value: 1 }],
    error: "Invalid",
  },
  { name: "remove missing", doc: {}, patch: [{ op: "remove", path: "/a" }], error: "Invalid" },
  {
    name: "test missing",
    doc: {},
    patch: [{ op: "test", path: "/a", value: 1 }],
    error: "Invalid",
  },
  {
    name: "copy from missing",
    doc: {},
    patch: [{ op: "copy", from: "/a", path: "/b" }],
    error: "Invalid",
  },
  {
    name: "move into own child",
    doc: { a: { b: {} } },
    patch: [{ op: "move", from: "/a", path: "/a/b/c" }],
    error: "Invalid",
  },
  { name: "remove the root", doc: { a: 1 }, patch: [{ op: "remove", path: "" }], error: "Invalid" },
  {
    name: "descending into a string",
    doc: { a: "s" },
    patch: [{ op: "add", path: "/a/b", value: 1 }],
    error: "Invalid",
  },
  // Invalid too (kube-apiserver answers 422): well-formed JSON, but not a usable operation.
  { name: "unknown op", doc: {}, patch: [{ op: "increment", path: "/a" }], error: "Invalid" },
  { name: "missing path", doc: {}, patch: [{ op: "remove" }], error: "Invalid" },
  { name: "missing value", doc: {}, patch: [{ op: "add", path: "/a" }], error: "Invalid" },
  { name: "missing from", doc: {}, patch: [{ op: "move", path: "/a" }], error: "Invalid" },
  {
    name: "pointer without leading slash",
    doc: { a: 1 },
    patch: [{ op: "remove", path: "a" }],
    error: "Invalid",
  },
  { name: "bad escape", doc: { a: 1 }, patch: [{ op: "remove", path: "/~2" }], error: "Invalid" },
  // BadRequest (400): the body does not decode as a list of operations.
  { name: "patch is an object", doc: {}, patch: { op: "add" }, error: "BadRequest" },
  { name: "op is not an object", doc: {}, patch: ["add"], error: "BadRequest" },
  { name: "op is a number", doc: {}, patch: [1], error: "BadRequest" },
];

for (const v of [...rfcVectors, ...moreVectors]) {
  Deno.test(`applyJsonPatch: ${v.name}`, () => {
    const docBefore = structuredClone(v.doc);
    const patchBefore = structuredClone(v.patch);
    if (v.error) {
      assert.throws(
        () => applyJsonPatch(v.doc, v.patch),
        (e: unknown) => e instanceof PatchError && e.kind === v.error && e.name === "PatchError",
      );
    } else {
      assert.deepEqual(applyJsonPatch(v.doc, v.patch), v.expected);
    }
    assert.deepEqual(v.doc, docBefore, "the target must not be mutated");
    assert.deepEqual(v.patch, patchBefore, "the patch must not be mutated");
  });
}

Deno.test("applyJsonPatch: a failed patch leaves no partial change and says where it failed", () => {
  const doc = { a: 1 };
  assert.throws(
    () =>
      applyJsonPatch(doc, [
        { op: "replace", path: "/a", value: 2 },
        { op: "test", path: "/a", value: 1 },
      ]),
    /operation 1 \(test "\/a"\): test failed/,
  );
  assert.deepEqual(doc, { a: 1 });
});

Deno.test("applyJsonPatch: the result does not alias the patch's values", () => {
  const value = { x: [1] };
  const out = applyJsonPatch({}, [{ op: "add", path: "/v", value }]) as { v: { x: number[] } };
  out.v.x.push(2);
  assert.deepEqual(value, { x: [1] });
});

Deno.test("applyJsonPatch: __proto__ is an ordinary member", () => {
  const out = applyJsonPatch({}, JSON.parse('[{"op":"add","path":"/__proto__","value":{"p":1}}]'));
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out as object), ["__proto__"]);
});
